import { TandemError } from '../../errors.js';
import { artifact, decodeFloat64, encodeFloat64, type JsonValue, type ModelArtifact } from '../artifact.js';
import { minimizeInUnitBox } from '../shared/nelder-mead.js';
import { fromArtifactParams, notFitted, parseParams } from '../shared/params.js';
import type { ForecastFitReport, Forecaster } from './forecaster.js';
import { holtWintersParamsSchema, type HoltWintersParams, type ResolvedHoltWintersParams } from './params.js';
import { forecastFrom, initialStates, run, type Shape, type Smoothing, type States } from './recursions.js';

const NAME = 'holtWinters';
const PHI_LOW = 0.8;
const PHI_HIGH = 0.98;
/** Nelder–Mead starts from the best points of the grid {0.1, 0.3, …, 0.9}ⁿ in the unit box (before mapping to α, β, γ, φ). */
const GRID = [0.1, 0.3, 0.5, 0.7, 0.9];
const STARTS = 3;

interface Fitted {
  readonly smoothing: Smoothing;
  readonly states: States;
  readonly sse: number;
  readonly observations: number;
}

/**
 * Holt-Winters forecasting: level, optional (damped) additive trend, additive or multiplicative
 * seasonality. See recursions.ts for the equations and initialisation, params.ts for the constraints.
 */
export class HoltWinters implements Forecaster {
  readonly kind = 'holt-winters';
  readonly params: ResolvedHoltWintersParams;
  #fitted: Fitted | undefined;

  constructor(params: HoltWintersParams = {}) {
    this.params = parseParams(NAME, holtWintersParamsSchema, params);
  }

  get #shape(): Shape {
    const { seasonal, trend, period } = this.params;
    return { seasonal, trend: trend === 'additive', period: seasonal === 'none' ? 1 : (period as number) };
  }

  fit(series: Float64Array): ForecastFitReport {
    const shape = this.#shape;
    checkSeries(series, shape);
    const start = initialStates(series, shape);
    const free = this.#freeParameters();
    let smoothing: Smoothing;
    let iterations = 0;
    if (free.length === 0) {
      smoothing = this.#smoothing(new Float64Array(0), free);
    } else {
      const sse = (theta: Float64Array): number => run(series, shape, this.#smoothing(theta, free), start).sse;
      const options = { maxIterations: this.params.maxIterations, step: 0.3 };
      let best: { x: Float64Array; value: number } = { x: new Float64Array(free.length), value: Infinity };
      for (const x of bestOfGrid(sse, free.length, STARTS)) {
        const result = minimizeInUnitBox(sse, x, options);
        iterations += result.iterations;
        if (result.value < best.value) best = result;
      }
      // Restarting from the best end point guards against a simplex that stalled (Lagarias et al. §6).
      const polished = minimizeInUnitBox(sse, best.x, { ...options, step: 0.05 });
      iterations += polished.iterations;
      smoothing = this.#smoothing(polished.value <= best.value ? polished.x : best.x, free);
    }
    const result = run(series, shape, smoothing, start);
    if (!Number.isFinite(result.sse) || !Number.isFinite(result.final.level)) {
      throw new TandemError('TANDEM_INVALID_DATASET', `${NAME}: the recursions diverged with ${JSON.stringify(smoothing)}; try additive seasonality`);
    }
    this.#fitted = { smoothing, states: result.final, sse: result.sse, observations: series.length };
    return { iterations, sse: result.sse, parameters: this.#reported(smoothing) };
  }

  /** One-step-ahead forecasts ŷₜ|ₜ₋₁ over a series with the fitted parameters (e.g. the training series). */
  oneStepForecasts(series: Float64Array): Float64Array {
    const shape = this.#shape;
    checkSeries(series, shape);
    return run(series, shape, this.#state().smoothing, initialStates(series, shape), { fitted: true }).fitted as Float64Array;
  }

  forecast(h: number): Float64Array {
    if (!Number.isInteger(h) || h < 0) {
      throw new TandemError('TANDEM_INVALID_PARAMETER', `${NAME}: forecast horizon must be a whole number ≥ 0, got ${h}`);
    }
    const { states, smoothing } = this.#state();
    return forecastFrom(states, this.#shape, smoothing.phi, h);
  }

  /** The smoothing parameters in use: given or estimated. */
  get parameters(): Readonly<Record<string, number>> {
    return this.#reported(this.#state().smoothing);
  }

  toArtifact(): ModelArtifact {
    const { smoothing, states, sse, observations } = this.#state();
    return artifact(this.kind, this.params as { readonly [key: string]: JsonValue }, [], {
      smoothing: { ...smoothing },
      level: states.level,
      trend: states.trend,
      seasonals: encodeFloat64(states.seasonals),
      sse,
      observations,
    });
  }

  static fromArtifact(model: ModelArtifact): HoltWinters {
    if (model.kind !== 'holt-winters') {
      throw new TandemError('TANDEM_INVALID_ARTIFACT', `expected a 'holt-winters' artifact, got '${model.kind}'`);
    }
    const loaded = fromArtifactParams('holt-winters', () => new HoltWinters(model.params as HoltWintersParams));
    const state = (model.state ?? {}) as { readonly [key: string]: JsonValue };
    const s = (state['smoothing'] ?? {}) as { readonly [key: string]: JsonValue };
    const numbers = [s['alpha'], s['beta'], s['gamma'], s['phi'], state['level'], state['trend'], state['sse'], state['observations']];
    const seasonals = decodeFloat64(state['seasonals'], 'seasonals');
    if (numbers.some((v) => typeof v !== 'number') || seasonals.length !== loaded.#shape.period) {
      throw new TandemError('TANDEM_INVALID_ARTIFACT', 'holt-winters artifact state is damaged');
    }
    const [alpha, beta, gamma, phi, level, trend, sse, observations] = numbers as number[];
    loaded.#fitted = {
      smoothing: { alpha: alpha as number, beta: beta as number, gamma: gamma as number, phi: phi as number },
      states: { level: level as number, trend: trend as number, seasonals },
      sse: sse as number,
      observations: observations as number,
    };
    return loaded;
  }

  #freeParameters(): ('alpha' | 'beta' | 'gamma' | 'phi')[] {
    const { alpha, beta, gamma, phi, trend, seasonal, damped } = this.params;
    const free: ('alpha' | 'beta' | 'gamma' | 'phi')[] = [];
    if (alpha === undefined) free.push('alpha');
    if (trend === 'additive' && beta === undefined) free.push('beta');
    if (seasonal !== 'none' && gamma === undefined) free.push('gamma');
    if (damped && phi === undefined) free.push('phi');
    return free;
  }

  /** Maps the optimiser's unit box to parameters: β = α·u and γ = (1 − α)·v keep FPP's constraints. */
  #smoothing(theta: Float64Array, free: readonly string[]): Smoothing {
    const at = (name: string): number => theta[free.indexOf(name)] as number;
    const p = this.params;
    const alpha = p.alpha ?? at('alpha');
    const beta = p.trend === 'none' ? 0 : (p.beta ?? alpha * at('beta'));
    const gamma = p.seasonal === 'none' ? 0 : (p.gamma ?? (1 - alpha) * at('gamma'));
    const phi = !p.damped ? 1 : (p.phi ?? PHI_LOW + (PHI_HIGH - PHI_LOW) * at('phi'));
    return { alpha, beta, gamma, phi };
  }

  #reported(smoothing: Smoothing): Record<string, number> {
    const out: Record<string, number> = { alpha: smoothing.alpha };
    if (this.params.trend === 'additive') out['beta'] = smoothing.beta;
    if (this.params.seasonal !== 'none') out['gamma'] = smoothing.gamma;
    if (this.params.damped) out['phi'] = smoothing.phi;
    return out;
  }

  #state(): Fitted {
    if (this.#fitted === undefined) throw notFitted(NAME);
    return this.#fitted;
  }
}

export function holtWinters(params: HoltWintersParams = {}): HoltWinters {
  return new HoltWinters(params);
}

export function holtWintersFromArtifact(model: ModelArtifact): HoltWinters {
  return HoltWinters.fromArtifact(model);
}

/** The `count` lowest points of f on GRIDⁿ (ties keep grid order), as starts for the simplex. */
function bestOfGrid(f: (x: Float64Array) => number, n: number, count: number): Float64Array[] {
  const points: { x: Float64Array; value: number }[] = [];
  const total = GRID.length ** n;
  for (let index = 0; index < total; index++) {
    const x = new Float64Array(n);
    for (let j = 0, rest = index; j < n; j++, rest = Math.floor(rest / GRID.length)) x[j] = GRID[rest % GRID.length] as number;
    const value = f(x);
    points.push({ x, value: Number.isFinite(value) ? value : Infinity });
  }
  points.sort((a, b) => a.value - b.value || 0);
  return points.slice(0, count).map((p) => p.x);
}

function checkSeries(series: Float64Array, shape: Shape): void {
  // The initialisation reads two full seasons with a trend (one without), and one more step.
  const needed = shape.seasonal === 'none' ? (shape.trend ? 2 : 1) : shape.trend ? 2 * shape.period : shape.period;
  if (series.length < needed + 1) {
    throw new TandemError('TANDEM_INVALID_DATASET', `${NAME}: needs at least ${needed + 1} observations for this model, got ${series.length}`);
  }
  for (let i = 0; i < series.length; i++) {
    const v = series[i] as number;
    if (!Number.isFinite(v)) throw new TandemError('TANDEM_INVALID_DATASET', `${NAME}: observation ${i} is ${v}; the series must have no gaps`);
    if (shape.seasonal === 'multiplicative' && v <= 0) {
      throw new TandemError('TANDEM_INVALID_DATASET', `${NAME}: observation ${i} is ${v}; multiplicative seasonality needs positive values`);
    }
  }
}
