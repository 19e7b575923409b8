import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadProject } from '../../src/config/load-project.js';
import { PiiProtector } from '../../src/ingest/pii.js';
import { SqliteRegistry } from '../../src/registry/sqlite/sqlite-registry.js';
import { OnlineRuntime } from '../../src/server/online-runtime.js';
import { tableFromRows } from '../../src/io/index.js';
import * as retrainThread from '../../src/training/retrain-thread.js';
import { registerTrained, trainModel } from '../../src/training/train.js';
import { generateOrders } from '../fixtures/orders.js';

// The real function, watched: which retrainings went to a thread, and with what.
vi.mock('../../src/training/retrain-thread.js', async (original) => {
  const actual = await original<typeof retrainThread>();
  return { ...actual, retrainInThread: vi.fn(actual.retrainInThread) };
});

const CONFIG = 'test/fixtures/orders.config.ts';
const TYPES = { ts: 'timestamp', customer: 'string', amount: 'number', country: 'string', is_fraud: 'boolean' } as const;
const dir = mkdtempSync(join(tmpdir(), 'tandem-serve-retrain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a server with its own registry and project file', () => {
  it('retrains on a thread, promotes there, and serves the new champion', async () => {
    const project = await loadProject(CONFIG);
    const dataDir = join(dir, 'state');
    const registry = SqliteRegistry.open({ dir: join(dataDir, 'registry') });
    const trained = await trainModel(project, 'trees', { events: { orders: tableFromRows(generateOrders(400, 5), TYPES) } });
    await registerTrained(registry, trained, ['champion']);
    await registry.close();
    const runtime = await OnlineRuntime.start(project, {
      dataDir,
      pii: new PiiProtector(undefined),
      serving: { configPath: CONFIG, reloadIntervalMs: false, monitorIntervalMs: 3_600_000 },
    });
    try {
      // The live log is what the challenger trains on (the champion's lineage names no files).
      const orders = generateOrders(3_000, 8);
      expect((await runtime.ingest('orders', orders)).accepted).toBe(orders.length);
      await runtime.catchUp();
      const started = await runtime.scheduler!.trigger('retrain:trees', { reason: 'test' });
      expect(started.status).toBe('started');
      let run = started.run;
      while (run.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 50));
        run = (await runtime.scheduler!.history('retrain:trees', { limit: 5 })).find((r) => r.runId === started.run.runId)!;
      }
      expect(run).toMatchObject({ status: 'succeeded', result: { model: 'trees', challenger: 2, champion: 1 } });
      expect(retrainThread.retrainInThread).toHaveBeenCalledTimes(1);
      expect(vi.mocked(retrainThread.retrainInThread).mock.calls[0]![0]).toMatchObject({ configPath: CONFIG, dataDir, model: 'trees' });
      const promoted = (run.result as { promoted: boolean }).promoted;
      const answer = await runtime.predictor!.predict('trees', { customer: 'c1', amount: 50, country: 'NL' });
      expect(answer.version).toBe(promoted ? 2 : 1);
    } finally {
      await runtime.stop();
    }
  });
});
