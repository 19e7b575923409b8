import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineProject, count, entity, featureView, source } from '../../src/index.js';
import type { ValidatedEvent } from '../../src/ingest/validate-event.js';
import { JetStreamEventLog } from '../../src/log/index.js';
import { PartitionRouter } from '../../src/streaming/partitioned/partition-router.js';
import { PrivateServer } from '../support/private-services.js';

const pay = source('pay', { timestamp: 'ts', idempotencyKey: 'id', schema: { id: 'string', ts: 'timestamp', card: 'string', shop: 'string' } });
const project = defineProject({
  views: [
    featureView('cards', pay, { entity: entity('card', { key: 'card' }), features: { n: count() } }),
    featureView('shops', pay, { entity: entity('shop', { key: 'shop' }), features: { n: count() } }),
  ],
});

describe('routing to partition logs on JetStream', () => {
  let nats: PrivateServer;
  beforeAll(async () => void (nats = await PrivateServer.nats()));
  afterAll(() => nats.stop());

  it('a re-sent batch (as after a failure part-way) is stored once in every partition, by its idempotency keys', async () => {
    const logs = await Promise.all([0, 1, 2].map((p) => JetStreamEventLog.open({ servers: nats.url, stream: `ROUTE_P${p}` })));
    const router = new PartitionRouter(project, 3);
    const events = Array.from({ length: 300 }, (_, i) => ({ id: `e${i}`, ts: i, card: `c${i % 17}`, shop: `s${i % 5}` }) as ValidatedEvent);
    expect(await router.append(logs, 'pay', events, 'id')).toEqual({ duplicates: 0 });
    const ends = logs.map((log) => log.nextOffset);
    expect(ends.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(300);
    const resent = await router.append(logs, 'pay', [...events.slice(100, 200), { id: 'new', ts: 400, card: 'c1', shop: 's1' } as ValidatedEvent], 'id');
    expect(resent).toEqual({ duplicates: 100 });
    const grown = logs.map((log, p) => log.nextOffset - ends[p]!);
    // Only the new event is stored, in the one or two partitions its card and shop fall in.
    expect(grown.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(1);
    expect(grown.reduce((a, b) => a + b)).toBeLessThanOrEqual(2);
    // Without ids a re-send is stored again.
    expect(await router.append(logs, 'pay', events.slice(0, 10))).toEqual({ duplicates: 0 });
    expect(logs.reduce((n, log) => n + log.nextOffset, 0)).toBeGreaterThan(ends.reduce((a, b) => a + b) + 2);
    for (const log of logs) await log.close();
  });
});
