/**
 * A window of event counts only, beside a longer finite window of its view, keeps no state of
 * its own and counts from that window's ring (WindowState's host). It must read, snapshot and
 * restore exactly as the same window with a ring of its own: late events, ties on window
 * edges, events beyond the lateness, batches and one event at a time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamEngine } from '../../src/engine/index.js';
import { planView } from '../../src/engine/plan.js';
import { count, defineProject, entity, featureView, source, sum, type Project } from '../../src/index.js';
import { schema } from '../fixtures/tx-schema.js';

const U = 60_000;
const BASE = 1_700_000_040_000;

function makeProject(allowedLateness: number): Project {
  const tx = source('tx', { timestamp: 'ts', allowedLateness, schema });
  const user = entity('user', { key: 'user' });
  // The same two count windows alone in a view each (rings of their own) and beside a
  // longer window (counting from its ring).
  const solo1 = featureView('solo1', tx, { entity: user, features: { n: count({ window: '1m' }) } });
  const solo2 = featureView('solo2', tx, { entity: user, features: { n: count({ window: '2m' }) } });
  const hosted = featureView('hosted', tx, {
    entity: user,
    features: { n1: count({ window: '1m' }), s5: sum('amount', { window: '5m' }), n2: count({ window: '2m' }), also1: count({ window: '1m' }) },
  });
  return defineProject({ views: [solo1, solo2, hosted] });
}

/** Per view and user, each window's snapshot by window length. */
function states(engine: StreamEngine, project: Project): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const views = [...project.views.values()];
  for (const line of engine.snapshotLines()) {
    const { v, k, s } = JSON.parse(line) as { v?: number; k?: string; s?: unknown[] };
    if (v === undefined || k === undefined || s === undefined) continue;
    const view = views[v]!;
    const plan = planView(view);
    const name = view.name;
    plan.windows.forEach((w, i) => out.set(`${name}|${k}|${w.windowMs}`, s[i]));
  }
  return out;
}

const eventArb = fc.record({
  slot: fc.integer({ min: 0, max: 20 }),
  offset: fc.constantFrom(0, 0, 0, 1, -1, U / 2),
  late: fc.constantFrom(0, 0, 0, 0, U / 2, U, 3 * U, 10 * U),
  user: fc.constantFrom('u1', 'u2', 'u3'),
  amount: fc.option(fc.integer({ min: -100, max: 100 }), { nil: null, freq: 4 }),
});

describe('a window of counts only, counting from a longer window', () => {
  it('reads, snapshots and restores as the same window with a ring of its own (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, U, 2 * U, 1e9),
        fc.array(eventArb, { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 0, max: 10 }),
        async (lateness, specs, batch, readBack) => {
          const project = makeProject(lateness);
          const events = specs.map((e) => ({ ts: BASE + e.slot * U + e.offset - e.late, user: e.user, a: 'x', b: 1, amount: e.amount, flag: null, cat: null }));
          const one = new StreamEngine(project);
          for (const event of events) one.apply('tx', event);
          const batched = new StreamEngine(project);
          for (let i = 0; i < events.length; i += batch) batched.applyBatch('tx', events.slice(i, i + batch));
          for (const engine of [one, batched]) {
            const saved = states(engine, project);
            for (const user of ['u1', 'u2', 'u3']) {
              const solo1 = saved.get(`solo1|${user}|${U}`);
              if (solo1 === undefined) continue;
              expect(saved.get(`hosted|${user}|${U}`)).toEqual(solo1);
              expect(saved.get(`hosted|${user}|${2 * U}`)).toEqual(saved.get(`solo2|${user}|${2 * U}`));
              // Reads from the watermark less the lateness on (in the recent past too): the same counts.
              const newest = engine.watermark('tx');
              for (const at of [newest - Math.min(lateness, 3 * U) + readBack * 7_000, newest, newest + 1, newest + U, newest + 2 * U]) {
                if (at < newest - lateness) continue;
                const hosted = engine.read('hosted', user, { at });
                expect([hosted['n1'], hosted['also1'], hosted['n2']]).toEqual([engine.read('solo1', user, { at })['n'], engine.read('solo1', user, { at })['n'], engine.read('solo2', user, { at })['n']]);
              }
            }
          }
          // A restored engine holds the same and goes on alike.
          const { engine: restored } = await StreamEngine.restore(project, one.snapshotLines());
          const more = events.map((e) => ({ ...e, ts: e.ts + 4 * U }));
          for (const event of more) {
            one.apply('tx', event);
            restored.apply('tx', event);
          }
          expect([...restored.snapshotLines()]).toEqual([...one.snapshotLines()]);
        },
      ),
      { numRuns: Number(process.env['TANDEM_PARITY_RUNS'] ?? 200) },
    );
  });
});
