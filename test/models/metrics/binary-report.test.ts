import { describe, expect, it } from 'vitest';
import { binaryReport, prAuc, rocAuc, rocCurve } from '../../../src/models/metrics/index.js';

describe('binaryReport', () => {
  const probabilities = Float64Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) / 1000);
  const labels = Float64Array.from(probabilities, (p, i) => (p + ((i * 31) % 17) / 40 > 0.7 ? 1 : 0));

  it('holds every metric, matching the single-metric functions', () => {
    const report = binaryReport(probabilities, labels, { threshold: 0.6 });
    expect(report.task).toBe('binary');
    expect(report.examples).toBe(1000);
    expect(report.threshold).toBe(0.6);
    expect(report.positives).toBe(labels.reduce((a, b) => a + b, 0));
    expect(report.rocAuc).toBe(rocAuc(probabilities, labels));
    expect(report.prAuc).toBe(prAuc(probabilities, labels));
    expect(report.reliability).toHaveLength(10);
    expect(Object.keys(report).sort()).toEqual([
      'accuracy', 'brierScore', 'confusion', 'examples', 'expectedCalibrationError', 'f1', 'logLoss', 'positives',
      'prAuc', 'prCurve', 'precision', 'rocAuc', 'rocCurve', 'recall', 'reliability', 'task', 'threshold',
    ].sort());
  });

  it('thins long curves to `curvePoints`, keeping both ends', () => {
    const full = rocCurve(probabilities, labels);
    const report = binaryReport(probabilities, labels, { curvePoints: 11 });
    expect(report.rocCurve.x).toHaveLength(11);
    expect(report.rocCurve.x[0]).toBe(0);
    expect(report.rocCurve.y[0]).toBe(0);
    expect(report.rocCurve.x[10]).toBe(full.falsePositiveRate[full.falsePositiveRate.length - 1]);
    expect(report.rocCurve.y[10]).toBe(1);
    expect(report.prCurve.x[0]).toBe(0);
    expect(report.prCurve.y[0]).toBe(1);
  });

  it('is a plain object that survives JSON, metrics undefined on the data as null', () => {
    const report = binaryReport([0.2, 0.9], [0, 0]);
    const parsed = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    expect(parsed.rocAuc).toBeNull();
    expect(parsed.prAuc).toBeNull();
    expect(parsed.accuracy).toBe(0.5);
    expect(parsed.rocCurve).toEqual({ x: [0, 0.5, 1], y: [null, null, null] });
  });
});
