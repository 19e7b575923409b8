/**
 * The Holt-Winters recursions in component form (Hyndman & Athanasopoulos, "Forecasting:
 * Principles and Practice", 2nd ed. §7.3, damped §7.4; 3rd ed. §8.3), with φ = 1 undamped and
 * b = 0 without trend:
 *
 *   additive:        ℓₜ = α(yₜ − sₜ₋ₘ) + (1 − α)(ℓₜ₋₁ + φbₜ₋₁)
 *                    sₜ = γ(yₜ − ℓₜ₋₁ − φbₜ₋₁) + (1 − γ)sₜ₋ₘ
 *   multiplicative:  ℓₜ = α(yₜ / sₜ₋ₘ) + (1 − α)(ℓₜ₋₁ + φbₜ₋₁)
 *                    sₜ = γ·yₜ / (ℓₜ₋₁ + φbₜ₋₁) + (1 − γ)sₜ₋ₘ
 *   trend:           bₜ = β*(ℓₜ − ℓₜ₋₁) + (1 − β*)φbₜ₋₁
 */
export type Seasonality = 'additive' | 'multiplicative' | 'none';

export interface Smoothing {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly phi: number;
}

export interface Shape {
  readonly seasonal: Seasonality;
  readonly trend: boolean;
  /** m; 1 without seasonality. */
  readonly period: number;
}

export interface States {
  readonly level: number;
  readonly trend: number;
  /** The next m seasonal components in forecast order: s for times n+1, …, n+m. */
  readonly seasonals: Float64Array;
}

/**
 * Initial states at t = 0 (FPP 1st ed. §7.5; Hyndman et al. 2008 §2.6.1's simple version):
 * ℓ₀ the mean of the first season; b₀ the mean over the first season of (y_{m+i} − yᵢ)/m;
 * s_{i−m} = yᵢ − ℓ₀ (or yᵢ/ℓ₀). Without seasonality: ℓ₀ = y₁, b₀ = y₂ − y₁.
 */
export function initialStates(y: Float64Array, shape: Shape): States {
  const m = shape.period;
  if (shape.seasonal === 'none') {
    return { level: y[0] as number, trend: shape.trend ? (y[1] as number) - (y[0] as number) : 0, seasonals: new Float64Array(1) };
  }
  let level = 0;
  for (let i = 0; i < m; i++) level += y[i] as number;
  level /= m;
  let trend = 0;
  if (shape.trend) {
    for (let i = 0; i < m; i++) trend += ((y[m + i] as number) - (y[i] as number)) / m;
    trend /= m;
  }
  const seasonals = new Float64Array(m);
  for (let i = 0; i < m; i++) seasonals[i] = shape.seasonal === 'additive' ? (y[i] as number) - level : (y[i] as number) / level;
  return { level, trend, seasonals };
}

export interface Run {
  readonly sse: number;
  readonly final: States;
  /** One-step-ahead forecasts ŷₜ|ₜ₋₁ for every observation, when asked for. */
  readonly fitted?: Float64Array;
}

export function run(y: Float64Array, shape: Shape, p: Smoothing, start: States, options: { fitted?: boolean } = {}): Run {
  const { alpha, beta, gamma, phi } = p;
  const m = shape.period;
  const additive = shape.seasonal === 'additive';
  const seasonal = shape.seasonal !== 'none';
  // season[t mod m] holds sₜ₋ₘ when step t reads it, and receives sₜ.
  const season = new Float64Array(m);
  for (let i = 0; i < m; i++) season[(i + 1) % m] = start.seasonals[i] as number;
  const fitted = options.fitted ? new Float64Array(y.length) : undefined;
  let level = start.level;
  let trend = start.trend;
  let sse = 0;
  for (let t = 1; t <= y.length; t++) {
    const value = y[t - 1] as number;
    const slot = t % m;
    const old = seasonal ? (season[slot] as number) : additive ? 0 : 1;
    const base = level + phi * trend;
    const forecast = !seasonal ? base : additive ? base + old : base * old;
    if (fitted) fitted[t - 1] = forecast;
    const error = value - forecast;
    sse += error * error;
    const nextLevel = alpha * (!seasonal ? value : additive ? value - old : value / old) + (1 - alpha) * base;
    if (seasonal) season[slot] = gamma * (additive ? value - base : value / base) + (1 - gamma) * old;
    trend = shape.trend ? beta * (nextLevel - level) + (1 - beta) * phi * trend : 0;
    level = nextLevel;
  }
  const seasonals = new Float64Array(m);
  for (let i = 0; i < m; i++) seasonals[i] = season[(y.length + 1 + i) % m] as number;
  return { sse, final: { level, trend, seasonals }, ...(fitted ? { fitted } : {}) };
}

/** ŷₙ₊ₖ = ℓₙ + φₖbₙ (+ or ×) sₙ₊ₖ₋ₘ₍ₖ₋₁₎÷ₘ₊₁₎, φₖ = φ + … + φᵏ. */
export function forecastFrom(states: States, shape: Shape, phi: number, h: number): Float64Array {
  const out = new Float64Array(h);
  let damping = 0;
  let power = 1;
  for (let k = 1; k <= h; k++) {
    power *= phi;
    damping += power;
    const base = states.level + damping * states.trend;
    const s = states.seasonals[(k - 1) % shape.period] as number;
    out[k - 1] = shape.seasonal === 'none' ? base : shape.seasonal === 'additive' ? base + s : base * s;
  }
  return out;
}
