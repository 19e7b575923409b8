import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArtifact, serializeArtifact } from '../../../src/models/artifact.js';
import { holtWinters, holtWintersFromArtifact } from '../../../src/models/holt-winters/index.js';

const airline = JSON.parse(readFileSync(new URL('../fixtures/holt-winters/airline-passengers.json', import.meta.url), 'utf8')) as {
  values: number[];
};
const series = Float64Array.from(airline.values);
const m = 12;

describe('HoltWinters', () => {
  it('holds the classic airline series: 144 months, 40,363 thousand passengers in all', () => {
    expect(series.length).toBe(144);
    expect(series.reduce((s, v) => s + v, 0)).toBe(40_363);
  });

  it('applies the additive recursions of FPP §7.3 exactly, checked by hand for the first steps', () => {
    const [alpha, beta, gamma] = [0.3, 0.1, 0.2];
    const model = holtWinters({ period: m, seasonal: 'additive', alpha, beta, gamma });
    model.fit(series);
    const fitted = model.oneStepForecasts(series);
    const y = (t: number): number => series[t - 1] as number;
    // Initial states: ℓ₀ = mean of year one, b₀ = mean yearly change / 12, s_{i−12} = yᵢ − ℓ₀.
    const l0 = 1520 / 12;
    let b0 = 0;
    for (let i = 1; i <= m; i++) b0 += (y(m + i) - y(i)) / m;
    b0 /= m;
    const s = (i: number): number => y(i) - l0; // s_{i−12}
    // t = 1
    expect(fitted[0]).toBeCloseTo(l0 + b0 + s(1), 10);
    const l1 = alpha * (y(1) - s(1)) + (1 - alpha) * (l0 + b0);
    const b1 = beta * (l1 - l0) + (1 - beta) * b0;
    // t = 2
    expect(fitted[1]).toBeCloseTo(l1 + b1 + s(2), 10);
    const l2 = alpha * (y(2) - s(2)) + (1 - alpha) * (l1 + b1);
    const b2 = beta * (l2 - l1) + (1 - beta) * b1;
    // t = 3
    expect(fitted[2]).toBeCloseTo(l2 + b2 + s(3), 10);
    // t = 13 reads s₁ = γ(y₁ − ℓ₀ − b₀) + (1 − γ)s₋₁₁.
    let level = l0;
    let trend = b0;
    for (let t = 1; t <= 12; t++) {
      const next = alpha * (y(t) - s(t)) + (1 - alpha) * (level + trend);
      trend = beta * (next - level) + (1 - beta) * trend;
      level = next;
    }
    const s1 = gamma * (y(1) - l0 - b0) + (1 - gamma) * s(1);
    expect(fitted[12]).toBeCloseTo(level + trend + s1, 10);
  });

  it('applies the multiplicative recursions exactly, and damps the trend by φ', () => {
    const [alpha, beta, gamma, phi] = [0.4, 0.05, 0.3, 0.9];
    const model = holtWinters({ period: m, seasonal: 'multiplicative', damped: true, alpha, beta, gamma, phi });
    model.fit(series);
    const fitted = model.oneStepForecasts(series);
    const y = (t: number): number => series[t - 1] as number;
    const l0 = 1520 / 12;
    let b0 = 0;
    for (let i = 1; i <= m; i++) b0 += (y(m + i) - y(i)) / m;
    b0 /= m;
    const s = (i: number): number => y(i) / l0;
    expect(fitted[0]).toBeCloseTo((l0 + phi * b0) * s(1), 10);
    const l1 = alpha * (y(1) / s(1)) + (1 - alpha) * (l0 + phi * b0);
    const b1 = beta * (l1 - l0) + (1 - beta) * phi * b0;
    expect(fitted[1]).toBeCloseTo((l1 + phi * b1) * s(2), 10);
    const l2 = alpha * (y(2) / s(2)) + (1 - alpha) * (l1 + phi * b1);
    const b2 = beta * (l2 - l1) + (1 - beta) * phi * b1;
    expect(fitted[2]).toBeCloseTo((l2 + phi * b2) * s(3), 10);
    // h-step forecasts: (ℓₙ + (φ + … + φʰ)bₙ)·s; the trend's contribution shrinks each step.
    const f = model.forecast(24);
    const oneYear = f[12]! / f[0]!;
    const twoYears = f[23]! / f[11]!;
    expect(oneYear).toBeGreaterThan(1);
    expect(twoYears).toBeLessThan(oneYear);
  });

  it('forecasts an exactly seasonal series with a trend almost exactly', () => {
    const pattern = [5, -3, 8, 0, -6, -4];
    const exact = (t: number): number => 100 + 0.7 * t + (pattern[t % 6] as number);
    const model = holtWinters({ period: 6, seasonal: 'additive' });
    model.fit(Float64Array.from({ length: 120 }, (_, t) => exact(t)));
    const forecast = model.forecast(12);
    forecast.forEach((value, k) => expect(Math.abs(value - exact(120 + k))).toBeLessThan(0.05));
  });

  it('forecasts 1960 from 1949–1959 within 5 % mean absolute percentage error (multiplicative)', () => {
    const model = holtWinters({ period: m, seasonal: 'multiplicative' });
    const report = model.fit(series.subarray(0, 132));
    const { alpha, beta, gamma } = report.parameters as { alpha: number; beta: number; gamma: number };
    expect(beta).toBeLessThanOrEqual(alpha);
    expect(gamma).toBeLessThanOrEqual(1 - alpha);
    const forecast = model.forecast(12);
    let ape = 0;
    for (let k = 0; k < 12; k++) ape += Math.abs((forecast[k] as number) - (series[132 + k] as number)) / (series[132 + k] as number);
    expect(ape / 12).toBeLessThan(0.05);
  });

  it('estimates parameters with a lower SSE than reasonable fixed ones', () => {
    const fitted = holtWinters({ period: m, seasonal: 'multiplicative' }).fit(series);
    for (const [alpha, beta, gamma] of [[0.3, 0.1, 0.1], [0.5, 0.05, 0.3], [0.2, 0.01, 0.6]] as const) {
      const fixed = holtWinters({ period: m, seasonal: 'multiplicative', alpha, beta, gamma }).fit(series);
      expect(fitted.sse).toBeLessThan(fixed.sse);
    }
  });

  it('estimates a damped multiplicative model at least as well as the best point of a grid search', () => {
    const train = series.subarray(0, 132);
    const estimated = holtWinters({ period: m, seasonal: 'multiplicative', damped: true }).fit(train);
    let best = Infinity;
    for (let alpha = 0.1; alpha < 1; alpha += 0.1) {
      for (let u = 0; u <= 1; u += 0.2) {
        for (let v = 0; v <= 1; v += 0.2) {
          const params = { alpha, beta: alpha * u, gamma: (1 - alpha) * v, phi: 0.98 };
          best = Math.min(best, holtWinters({ period: m, seasonal: 'multiplicative', damped: true, ...params }).fit(train).sse);
        }
      }
    }
    expect(estimated.sse).toBeLessThan(best);
  });

  it('round-trips through a byte-identical artifact to identical forecasts', () => {
    const model = holtWinters({ period: m, seasonal: 'multiplicative', damped: true });
    model.fit(series);
    const text = serializeArtifact(model.toArtifact());
    const again = holtWinters({ period: m, seasonal: 'multiplicative', damped: true });
    again.fit(series);
    expect(serializeArtifact(again.toArtifact())).toBe(text);
    const loaded = holtWintersFromArtifact(parseArtifact(text));
    expect(serializeArtifact(loaded.toArtifact())).toBe(text);
    expect(Array.from(loaded.forecast(36))).toEqual(Array.from(model.forecast(36)));
  });

  it('fits without trend or seasonality (simple exponential smoothing)', () => {
    const model = holtWinters({ seasonal: 'none', trend: 'none', alpha: 0.5 });
    model.fit(Float64Array.of(10, 12, 11, 13));
    // ℓ₀ = 10; ℓ = 0.5y + 0.5ℓ: 10, 11, 11, 12 → flat forecast 12.
    expect(Array.from(model.forecast(3))).toEqual([12, 12, 12]);
  });

  it('refuses to forecast before fit, and rejects bad parameters and series with a reason', () => {
    expect(() => holtWinters({ period: m }).forecast(3)).toThrow(expect.objectContaining({ code: 'TANDEM_NOT_FITTED' }));
    expect(() => holtWinters({ period: m, alpha: 1.5 })).toThrow("holtWinters: parameter 'alpha' must be between 0 and 1, got 1.5");
    expect(() => holtWinters({})).toThrow("holtWinters: parameter 'period' is required with seasonality, got undefined");
    expect(() => holtWinters({ period: m, seasonal: 'weekly' } as never)).toThrow(
      "parameter 'seasonal' must be one of 'additive', 'multiplicative', 'none', got 'weekly'",
    );
    expect(() => holtWinters({ period: m, phi: 0.9 })).toThrow("parameter 'phi' needs damped: true, got 0.9");
    expect(() => holtWinters({ period: m }).fit(series.subarray(0, 20))).toThrow('needs at least 25 observations for this model, got 20');
    expect(() => holtWinters({ period: 4, seasonal: 'multiplicative' }).fit(Float64Array.of(1, 2, 3, 0, 1, 2, 3, 4, 5))).toThrow(
      'multiplicative seasonality needs positive values',
    );
    expect(() => holtWinters({ period: 4 }).fit(Float64Array.of(1, 2, Number.NaN, 0, 1, 2, 3, 4, 5))).toThrow('must have no gaps');
  });
});
