import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backfill, count, defineProject, entity, featureView, job, mean, source } from '../../src/index.js';
import { generateTransactions } from '../../src/demo/transactions.js';
import { readTable, writeTable } from '../../src/io/index.js';
import type { JobContext } from '../../src/jobs/job-definition.js';
import { openRegistry } from '../../src/registry/open-registry.js';
import { projectJobs } from '../../src/server/project-jobs.js';

const tx = source('transactions', { timestamp: 'ts', schema: { ts: 'timestamp', card: 'string', merchant: 'string', amount: 'number', country: 'string' } });
const byCard = featureView('by_card', tx, { entity: entity('card', { key: 'card' }), features: { n: count({ window: '1h' }), avg: mean('amount', { window: '1d' }) } });

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('project jobs: backfill', () => {
  it('writes point-in-time features to its file on every run, equal to a backfill of the same events', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-jobs-'));
    dirs.push(dir);
    const events = generateTransactions({ events: 20_000, cards: 200, merchants: 30, seed: 4 });
    await writeTable(events, join(dir, 'events.csv'));
    const out = join(dir, 'features.csv');
    const project = defineProject({
      views: [byCard],
      jobs: [job('nightly_features', { task: { backfill: { views: ['by_card'], spine: 'events', out, events: { transactions: join(dir, 'events.csv') } } } })],
    });
    const registry = await openRegistry(join(dir, 'data'));
    try {
      const nightly = projectJobs({ project, registry }).find((j) => j.name === 'nightly_features')!;
      const context: JobContext = { runId: 'r', attempt: 1, trigger: 'manual', scheduledFor: null, signal: new AbortController().signal, log: () => {} };
      const expected = backfill(project, { views: ['by_card'], events: await readTable(join(dir, 'events.csv')), spine: 'events' }).table;
      // The second run reuses the columns the first one handed back after writing its file.
      for (const run of [1, 2]) {
        expect(await nightly.run(context), `run ${run}`).toEqual({ rows: 20_000, out });
        const written = await readTable(out);
        for (const name of ['n', 'avg']) expect(written.columns.get(name), `${name}, run ${run}`).toEqual(expected.columns.get(name));
      }
    } finally {
      await registry.close?.();
    }
  });
});
