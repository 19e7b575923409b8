import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { count, defineProject, entity, featureView, source } from '../../src/index.js';
import { Ingestor, PiiProtector } from '../../src/ingest/index.js';
import { FileEventLog } from '../../src/log/index.js';

const orders = source('orders', { timestamp: 'ts', idempotencyKey: 'order_id', schema: { ts: 'timestamp', order_id: 'string', shop: 'string' } });
const project = defineProject({ views: [featureView('by_shop', orders, { entity: entity('shop', { key: 'shop' }), features: { n: count() } })] });
const order = (id: string) => ({ ts: 1_000, order_id: id, shop: 's1' });

async function ingestor(dir: string): Promise<{ ingestor: Ingestor; close: () => Promise<void> }> {
  const log = await FileEventLog.open(join(dir, 'events'));
  const deadLetters = await FileEventLog.open(join(dir, 'dead-letters'));
  return {
    ingestor: new Ingestor(project, { log, deadLetters, pii: new PiiProtector(undefined) }),
    close: async () => {
      await log.close();
      await deadLetters.close();
    },
  };
}

describe('idempotency keys', () => {
  it('store an event once however often it is sent, within a batch, across batches and across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-idem-'));
    try {
      let open = await ingestor(dir);
      expect(await open.ingestor.ingest('orders', [order('a'), order('b'), order('a')])).toMatchObject({ accepted: 2, duplicates: 1, first: 0, last: 1 });
      expect(await open.ingestor.ingest('orders', [order('b'), order('c')])).toMatchObject({ accepted: 1, duplicates: 1, first: 2, last: 2 });
      await open.close();
      open = await ingestor(dir); // a restart: the keys are read back from the log
      expect(await open.ingestor.ingest('orders', [order('a'), order('d')])).toMatchObject({ accepted: 1, duplicates: 1 });
      await open.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('must name a string or number field', () => {
    expect(() => source('bad', { timestamp: 'ts', idempotencyKey: 'nope' as 'ts', schema: { ts: 'timestamp' } })).toThrow(
      "source 'bad': idempotencyKey 'nope' must name a string or number field of the schema",
    );
  });
});
