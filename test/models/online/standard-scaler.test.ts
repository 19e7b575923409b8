import { describe, expect, it } from 'vitest';
import { parseArtifact, serializeArtifact } from '../../../src/models/artifact.js';
import { StreamingStandardScaler, streamingStandardScaler } from '../../../src/models/online/standard-scaler.js';
import { mixedStream } from '../check-model.js';

describe('StreamingStandardScaler', () => {
  it('learns the mean and population standard deviation of each numeric feature', () => {
    const scaler = streamingStandardScaler();
    const values = [3, 7, 7, 19, -4];
    for (const v of values) scaler.learnOne({ x: v, skipped: null });
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(scaler.statsOf('x')?.mean).toBeCloseTo(mean, 12);
    expect(scaler.statsOf('x')?.std).toBeCloseTo(std, 12);
    expect(scaler.transformOne({ x: 19 })['x']).toBeCloseTo((19 - mean) / std, 12);
    expect(scaler.statsOf('skipped')).toBeUndefined();
  });

  it('passes categories and missing values through, and maps features without spread to 0', () => {
    const scaler = streamingStandardScaler();
    scaler.learnOne({ constant: 5, color: 'red' });
    scaler.learnOne({ constant: 5, color: 'blue' });
    const row = { constant: 8, color: 'green', flag: true, gone: null, nan: Number.NaN, unseen: 12 };
    const out = scaler.transformOne(row);
    expect(out).toEqual({ constant: 0, color: 'green', flag: true, gone: null, nan: Number.NaN, unseen: 0 });
    expect(row.constant).toBe(8);
  });

  it('centres only when asked not to divide by the standard deviation', () => {
    const scaler = streamingStandardScaler({ withStd: false });
    for (const x of [1, 2, 3, 10]) scaler.learnOne({ x });
    expect(scaler.transformOne({ x: 10 })['x']).toBe(6);
  });

  it('round-trips its artifact byte for byte and continues learning identically', () => {
    const { rows } = mixedStream();
    const original = streamingStandardScaler();
    rows.slice(0, 300).forEach((row) => original.learnOne(row));
    const text = serializeArtifact(original.toArtifact());
    const clone = StreamingStandardScaler.fromArtifact(parseArtifact(text));
    expect(serializeArtifact(clone.toArtifact())).toBe(text);
    for (const row of rows.slice(300)) {
      expect(clone.transformOne(row)).toEqual(original.transformOne(row));
      original.learnOne(row);
      clone.learnOne(row);
    }
    expect(serializeArtifact(clone.toArtifact())).toBe(serializeArtifact(original.toArtifact()));
  });

  it('rejects a bad parameter naming it and the value given', () => {
    expect(() => streamingStandardScaler({ withStd: 'yes' as never })).toThrow(
      expect.objectContaining({ code: 'TANDEM_INVALID_PARAMETER', message: expect.stringMatching(/'withStd'.*'yes'/) }),
    );
  });
});
