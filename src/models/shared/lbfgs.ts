/**
 * Limited-memory BFGS for smooth unconstrained minimisation, after Nocedal & Wright, "Numerical
 * Optimization" (2nd ed. 2006): the two-loop recursion (Algorithm 7.4) with H₀ = γI,
 * γ = sᵀy / yᵀy (eq. 7.20), and a line search satisfying the strong Wolfe conditions
 * (Algorithms 3.5 and 3.6, cubic interpolation eq. 3.59, c₁ = 1e-4, c₂ = 0.9).
 */

/** Writes ∇f(x) into `gradient` and returns f(x). */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  /** Pairs (s, y) kept. @default 10 */
  readonly memory?: number;
  readonly maxIterations: number;
  /** Stop when max |∇f| ≤ this. */
  readonly gradientTolerance: number;
  readonly onIteration?: (iteration: number) => void;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  /** Why it stopped. */
  readonly reason: 'gradient' | 'no-progress' | 'max-iterations';
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_LINE_SEARCH = 40;
/** Zoom steps at most: past this the interval is at rounding level and further steps only cost evaluations. */
const MAX_ZOOM = 16;

export function minimizeLbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  const memory = options.memory ?? 10;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = objective(x, g);
  const s = Array.from({ length: memory }, () => new Float64Array(n));
  const y = Array.from({ length: memory }, () => new Float64Array(n));
  const rho = new Float64Array(memory);
  const alphas = new Float64Array(memory);
  const d = new Float64Array(n);
  const search = new LineSearch(objective, n);
  let stored = 0;
  let newest = -1;
  let iteration = 0;
  while (iteration < options.maxIterations) {
    if (maxAbs(g) <= options.gradientTolerance) return { x, value: f, iterations: iteration, reason: 'gradient' };
    // Two-loop recursion: d = −H∇f.
    for (let i = 0; i < n; i++) d[i] = -(g[i] as number);
    for (let k = 0; k < stored; k++) {
      const m = (newest - k + memory) % memory;
      const a = (rho[m] as number) * dot(s[m] as Float64Array, d);
      alphas[m] = a;
      axpy(-a, y[m] as Float64Array, d);
    }
    if (stored > 0) {
      const sy = dot(s[newest] as Float64Array, y[newest] as Float64Array);
      const yy = dot(y[newest] as Float64Array, y[newest] as Float64Array);
      scale(d, sy / yy);
    }
    for (let k = stored - 1; k >= 0; k--) {
      const m = (newest - k + memory) % memory;
      const b = (rho[m] as number) * dot(y[m] as Float64Array, d);
      axpy((alphas[m] as number) - b, s[m] as Float64Array, d);
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (rounding): restart from steepest descent.
      stored = 0;
      for (let i = 0; i < n; i++) d[i] = -(g[i] as number);
      slope = dot(g, d);
    }
    // First step: unit length in x, as N&W suggest when no curvature is known yet.
    const step0 = stored === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    const found = search.run(x, f, g, d, slope, step0);
    iteration++;
    options.onIteration?.(iteration);
    if (found === undefined) return { x, value: f, iterations: iteration, reason: 'no-progress' };
    const next = (newest + 1) % memory;
    const sNext = s[next] as Float64Array;
    const yNext = y[next] as Float64Array;
    for (let i = 0; i < n; i++) {
      sNext[i] = (search.x[i] as number) - (x[i] as number);
      yNext[i] = (search.g[i] as number) - (g[i] as number);
    }
    const previous = f;
    x.set(search.x);
    g.set(search.g);
    f = found;
    const sy = dot(sNext, yNext);
    if (sy > 1e-300) {
      rho[next] = 1 / sy;
      newest = next;
      stored = Math.min(stored + 1, memory);
    }
    if (previous - f <= 1e-14 * Math.max(Math.abs(previous), Math.abs(f), 1) && maxAbs(g) <= 1e3 * options.gradientTolerance) {
      return { x, value: f, iterations: iteration, reason: 'no-progress' };
    }
  }
  return { x, value: f, iterations: iteration, reason: 'max-iterations' };
}

/** Strong-Wolfe line search (N&W Algorithms 3.5 and 3.6); the accepted point is left in `x`, `g`. */
class LineSearch {
  readonly x: Float64Array;
  readonly g: Float64Array;
  readonly #objective: Objective;
  #base: Float64Array = new Float64Array(0);
  #direction: Float64Array = new Float64Array(0);

  constructor(objective: Objective, n: number) {
    this.#objective = objective;
    this.x = new Float64Array(n);
    this.g = new Float64Array(n);
  }

  /** Returns f at the accepted step, or undefined when no step satisfies the conditions. */
  run(x: Float64Array, f0: number, _g0: Float64Array, d: Float64Array, slope0: number, step0: number): number | undefined {
    this.#base = x;
    this.#direction = d;
    let previousStep = 0;
    let previousF = f0;
    let previousSlope = slope0;
    let step = step0;
    for (let i = 0; i < MAX_LINE_SEARCH; i++) {
      const [f, slope] = this.#evaluate(step);
      if (!Number.isFinite(f) || f > f0 + C1 * step * slope0 || (i > 0 && f >= previousF)) {
        return this.#zoom(f0, slope0, previousStep, previousF, previousSlope, step, f, slope);
      }
      if (Math.abs(slope) <= -C2 * slope0) return f;
      if (slope >= 0) return this.#zoom(f0, slope0, step, f, slope, previousStep, previousF, previousSlope);
      previousStep = step;
      previousF = f;
      previousSlope = slope;
      step *= 2;
    }
    return undefined;
  }

  #zoom(f0: number, slope0: number, lo: number, fLo: number, slopeLo: number, hi: number, fHi: number, slopeHi: number): number | undefined {
    for (let i = 0; i < MAX_ZOOM; i++) {
      const step = interpolate(lo, fLo, slopeLo, hi, fHi, slopeHi);
      if (step === lo || step === hi) break;
      const [f, slope] = this.#evaluate(step);
      if (!Number.isFinite(f) || f > f0 + C1 * step * slope0 || f >= fLo) {
        hi = step;
        fHi = f;
        slopeHi = slope;
      } else {
        if (Math.abs(slope) <= -C2 * slope0) return f;
        if (slope * (hi - lo) >= 0) {
          hi = lo;
          fHi = fLo;
          slopeHi = slopeLo;
        }
        lo = step;
        fLo = f;
        slopeLo = slope;
      }
    }
    // The interval collapsed: accept the best point with sufficient decrease, if any.
    if (lo === 0) return undefined;
    return this.#evaluate(lo)[0];
  }

  #evaluate(step: number): [number, number] {
    const base = this.#base;
    const d = this.#direction;
    for (let i = 0; i < base.length; i++) this.x[i] = (base[i] as number) + step * (d[i] as number);
    const f = this.#objective(this.x, this.g);
    return [f, dot(this.g, d)];
  }
}

/** Minimiser of the cubic through both ends (N&W eq. 3.59), kept inside the middle 80 %; else bisection. */
function interpolate(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const low = Math.min(a, b);
  const width = Math.abs(b - a);
  const bisect = low + width / 2;
  if (!Number.isFinite(fa) || !Number.isFinite(fb)) return bisect;
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const radicand = d1 * d1 - da * db;
  if (!(radicand >= 0)) return bisect;
  const d2 = Math.sign(b - a) * Math.sqrt(radicand);
  const step = b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
  if (!Number.isFinite(step) || step < low + 0.1 * width || step > low + 0.9 * width) return bisect;
  return step;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] = (y[i] as number) + a * (x[i] as number);
}

function scale(x: Float64Array, a: number): void {
  for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) * a;
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] as number));
  return m;
}
