import { HoltWinters } from '../../models/holt-winters/index.js';

/** Days per season: weekly seasonality of daily data. */
export const PERIOD = 7;
/** Days forecast by each run. */
export const HORIZON = 7;
/** Holt-Winters needs this much history (the validation weeks plus enough to fit on); younger series get the seasonal-naive forecast. */
export const MIN_HISTORY = 56;
/** Models see at most the last 26 weeks: older days add little to a weekly model (the level and seasonals adapt) and cost time. */
export const WINDOW = 182;
/** The last four weeks of the window validate the candidates. */
export const VALIDATION = 28;

export type Candidate = 'additive' | 'additive-damped' | 'multiplicative' | 'multiplicative-damped';

/** Holt-Winters forms compared on every series, in order of preference when they tie. */
export const CANDIDATES: readonly Candidate[] = ['additive-damped', 'additive', 'multiplicative-damped', 'multiplicative'];

export interface SeriesModel {
  readonly candidate: Candidate;
  /** α, β, γ (and φ when damped), estimated on the window before re-estimation. */
  readonly parameters: Readonly<Record<string, number>>;
  /** WAPE of each candidate's 1–7-day forecasts over the validation weeks. */
  readonly validation: Readonly<Partial<Record<Candidate, number>>>;
}

function shape(candidate: Candidate): { seasonal: 'additive' | 'multiplicative'; damped: boolean } {
  return { seasonal: candidate.startsWith('multiplicative') ? 'multiplicative' : 'additive', damped: candidate.endsWith('-damped') };
}

/**
 * The last WINDOW days of a history, with the days its store was closed (no sale in any
 * category: Christmas, New Year) replaced by the same weekday a week earlier (or later, at the
 * start). A closure is known in advance; fitting on it would drag the level and the weekday's
 * seasonal down for weeks. A day a series merely sold nothing stays 0: that is its demand.
 */
export function modelInput(history: Float64Array, closed: (i: number) => boolean): Float64Array {
  const offset = Math.max(0, history.length - WINDOW);
  const y = history.slice(offset);
  for (let i = 0; i < y.length; i++) {
    if (!closed(offset + i)) continue;
    let j = i - PERIOD;
    if (j < 0) for (j = i + PERIOD; j < y.length && closed(offset + j); j += PERIOD);
    y[i] = j < y.length ? (y[j] as number) : 0;
  }
  return y;
}

/**
 * Multiplicative seasonality divides by the level, so it is unstable near zero (a few slow days
 * and the seasonal factors explode; Hyndman & Athanasopoulos, FPP 3rd ed. §8.3). It is a
 * candidate only when every day of the window sold at least a fifth of the window's mean.
 */
export function multiplicativeAllowed(y: Float64Array): boolean {
  let sum = 0;
  let least = Infinity;
  for (const v of y) {
    sum += v;
    least = Math.min(least, v);
  }
  return least > 0 && least >= (0.2 * sum) / y.length;
}

/**
 * Chooses the Holt-Winters form of one series by validation: each candidate is fitted (smoothing
 * parameters by least squares, see HoltWinters) on the window without its last VALIDATION days,
 * then forecasts 1–7 days ahead from every origin in those days with the parameters held fixed;
 * the lowest WAPE wins. Its parameters are then re-estimated on the whole window.
 */
export function selectModel(y: Float64Array, options: { readonly multiplicative?: boolean } = {}): SeriesModel {
  const n = y.length;
  const train = y.subarray(0, n - VALIDATION);
  const multiplicative = (options.multiplicative ?? true) && multiplicativeAllowed(y);
  const validation: Partial<Record<Candidate, number>> = {};
  let best: { candidate: Candidate; wape: number } | undefined;
  for (const candidate of CANDIDATES) {
    if (shape(candidate).seasonal === 'multiplicative' && !multiplicative) continue;
    let wape: number;
    try {
      const parameters = new HoltWinters({ period: PERIOD, ...shape(candidate) }).fit(train).parameters;
      let error = 0;
      let total = 0;
      for (let origin = n - VALIDATION; origin + HORIZON <= n; origin++) {
        const forecast = forecastWith(candidate, parameters, y.subarray(0, origin));
        for (let k = 0; k < HORIZON; k++) {
          error += Math.abs((forecast[k] as number) - (y[origin + k] as number));
          total += Math.abs(y[origin + k] as number);
        }
      }
      wape = error / total;
    } catch {
      continue; // the recursions diverged: not a candidate for this series
    }
    validation[candidate] = wape;
    if (Number.isFinite(wape) && (best === undefined || wape < best.wape)) best = { candidate, wape };
  }
  const candidate = best?.candidate ?? 'additive-damped';
  const parameters = new HoltWinters({ period: PERIOD, ...shape(candidate) }).fit(y).parameters;
  return { candidate, parameters, validation };
}

/**
 * Whether a forecast is beyond what the window makes plausible (above twice its largest day):
 * the sign of multiplicative recursions that ran away after slow days.
 */
export function implausible(forecast: Float64Array, y: Float64Array): boolean {
  let most = 0;
  for (const v of y) most = Math.max(most, v);
  return forecast.some((v) => !(v <= 2 * most));
}

/** The next HORIZON days after `y` with fixed parameters (the states are updated through all of y), never below 0. */
export function forecastWith(candidate: Candidate, parameters: Readonly<Record<string, number>>, y: Float64Array): Float64Array {
  const model = new HoltWinters({ period: PERIOD, ...shape(candidate), ...parameters });
  model.fit(y);
  return model.forecast(HORIZON).map((v) => Math.max(0, v));
}

/** Seasonal naive: each of the next HORIZON days gets the value of the same weekday a week earlier. */
export function seasonalNaive(history: Float64Array): Float64Array {
  const n = history.length;
  return Float64Array.from({ length: HORIZON }, (_, k) => history[n - PERIOD + (k % PERIOD)] as number);
}
