import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../src/monitoring/report/index.js';
import { ARTIFACTS, collectProblems, launchChromium } from '../../dashboard/chromium.js';
import { buildReportInput } from './report-fixture.js';

describe('the drift report in a browser', () => {
  it('renders every histogram with no errors, and leaves a screenshot', async () => {
    const input = buildReportInput();
    const browser = await launchChromium();
    try {
      const file = join(ARTIFACTS, 'report.html');
      await writeFile(file, renderReport(input));
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
      const problems = collectProblems(page);
      await page.goto(pathToFileURL(resolve(file)).href);
      const boxes = await page.$$eval('svg.histogram', (svgs) => svgs.map((s) => s.getBoundingClientRect()).map(({ width, height }) => ({ width, height })));
      expect(boxes).toHaveLength(input.drift.columns.length);
      for (const box of boxes) expect(box.width * box.height).toBeGreaterThan(100 * 50);
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
