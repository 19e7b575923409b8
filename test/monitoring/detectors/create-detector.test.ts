import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../src/models/artifact.js';
import { Adwin, createDetector, Ddm, loadDetector, PageHinkley, type DetectorSpec } from '../../../src/monitoring/detectors/index.js';
import { feed } from './detector.contract.js';

const invalidParameter = (pattern: RegExp) => expect.objectContaining({ code: 'TANDEM_INVALID_PARAMETER', message: expect.stringMatching(pattern) });
const invalidArtifact = (pattern: RegExp) => expect.objectContaining({ code: 'TANDEM_INVALID_ARTIFACT', message: expect.stringMatching(pattern) });

describe('createDetector', () => {
  it('builds each kind with its parameters', () => {
    expect(createDetector({ kind: 'adwin', delta: 0.01 })).toBeInstanceOf(Adwin);
    expect((createDetector({ kind: 'adwin', delta: 0.01 }) as Adwin).params.delta).toBe(0.01);
    expect(createDetector({ kind: 'page-hinkley', mode: 'up' })).toBeInstanceOf(PageHinkley);
    expect(createDetector({ kind: 'ddm' })).toBeInstanceOf(Ddm);
    expect(createDetector({ kind: 'ddm' }).name).toBe('ddm');
  });

  it.each<[DetectorSpec, RegExp]>([
    [{ kind: 'adwin', delta: 0 }, /adwin: parameter 'delta' must be between 0 and 1 \(exclusive\), got 0/],
    [{ kind: 'adwin', delta: 1.5 }, /parameter 'delta'.*got 1\.5/],
    [{ kind: 'adwin', delta: '0.1' as never }, /parameter 'delta' must be a number, got '0\.1'/],
    [{ kind: 'adwin', clock: 0 }, /parameter 'clock' must be ≥ 1, got 0/],
    [{ kind: 'adwin', maxBuckets: 2.5 }, /parameter 'maxBuckets' must be a whole number, got 2\.5/],
    [{ kind: 'page-hinkley', threshold: -1 }, /page-hinkley: parameter 'threshold' must be > 0, got -1/],
    [{ kind: 'page-hinkley', alpha: 1.1 }, /parameter 'alpha' must be > 0 and ≤ 1, got 1\.1/],
    [{ kind: 'page-hinkley', mode: 'sideways' as never }, /parameter 'mode' must be one of 'up', 'down', 'both', got 'sideways'/],
    [{ kind: 'ddm', warmStart: -3 }, /ddm: parameter 'warmStart' must be ≥ 0, got -3/],
    [{ kind: 'ddm', warningThreshold: 3, driftThreshold: 2 }, /parameter 'driftThreshold' must be ≥ warningThreshold, got 2/],
    [{ kind: 'adwin', clok: 3 } as never, /adwin: unknown parameter 'clok'/],
    [{ kind: 'kswin' } as never, /unknown drift detector kind 'kswin'; known: 'adwin', 'page-hinkley', 'ddm'/],
  ])('rejects %j naming the parameter and the value', (spec, message) => {
    expect(() => createDetector(spec)).toThrow(invalidParameter(message));
  });
});

describe('loadDetector', () => {
  const saved = (): { [key: string]: JsonValue } => {
    const detector = createDetector({ kind: 'adwin' });
    feed(detector, Array.from({ length: 100 }, (_, i) => i % 3));
    return JSON.parse(JSON.stringify(detector.toJSON())) as { [key: string]: JsonValue };
  };

  it('restores the kind, parameters and counters', () => {
    const detector = createDetector({ kind: 'page-hinkley', threshold: 5 });
    feed(detector, [1, 2, 3, 10, 10, 10]);
    const restored = loadDetector(detector.toJSON());
    expect(restored).toBeInstanceOf(PageHinkley);
    expect((restored as PageHinkley).params.threshold).toBe(5);
    expect([restored.seen, restored.changes, restored.state]).toEqual([detector.seen, detector.changes, detector.state]);
  });

  it.each<[string, (json: { [key: string]: JsonValue }) => JsonValue, RegExp]>([
    ['not an object', () => [1, 2], /expected an object/],
    ['another format', (json) => ({ ...json, format: 'tandem-model' }), /format 'tandem-model', expected 'tandem-drift-detector'/],
    ['a newer format version', (json) => ({ ...json, formatVersion: 2 }), /format version 2/],
    ['an unknown kind', (json) => ({ ...json, kind: 'eddm' }), /unknown kind 'eddm'/],
    ['bad params', (json) => ({ ...json, params: { delta: 7 } }), /invalid params: adwin: parameter 'delta'.*got 7/],
    ['no state', (json) => ({ ...json, state: null }), /no 'state' object/],
    ['a width its buckets do not hold', (json) => ({ ...json, state: { ...(json['state'] as object), width: 3 } }), /'width' is 3 but the buckets hold 100 values/],
    ['an unknown state', (json) => ({ ...json, state: { ...(json['state'] as object), state: 'warning' } }), /'state' must be one of 'stable', 'drift', got 'warning'/],
    ['a negative counter', (json) => ({ ...json, state: { ...(json['state'] as object), seen: -1 } }), /'seen' must be a whole number ≥ 0, got -1/],
  ])('refuses %s, saying what is wrong', (_name, damage, message) => {
    expect(() => loadDetector(damage(saved()))).toThrow(invalidArtifact(message));
  });

  it('refuses a DDM state with more errors than values', () => {
    const json = JSON.parse(JSON.stringify(createDetector({ kind: 'ddm' }).toJSON())) as { state: { [key: string]: JsonValue } };
    json.state['errors'] = 5;
    expect(() => loadDetector(json as unknown as JsonValue)).toThrow(invalidArtifact(/'errors' \(5\) exceeds 'n' \(0\)/));
  });
});
