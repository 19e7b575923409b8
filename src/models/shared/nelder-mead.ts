/**
 * Nelder–Mead simplex minimisation (Nelder & Mead, Computer Journal 1965) with the standard
 * coefficients of Lagarias et al. (SIAM J. Optim. 1998): reflection 1, expansion 2, contraction
 * ½, shrink ½. `minimizeInUnitBox` keeps parameters in [0, 1]ⁿ through x = sin²(z) (Box 1966's
 * transformation), so the simplex never collapses onto a face as it would by clipping.
 */
export interface NelderMeadOptions {
  readonly maxIterations: number;
  /** Stop when the simplex's values differ by at most this (relative to the best). @default 1e-10 */
  readonly valueTolerance?: number;
  /** …and its vertices by at most this in every coordinate. @default 1e-8 */
  readonly pointTolerance?: number;
  /** Edge of the starting simplex. @default 0.1 */
  readonly step?: number;
}

export interface NelderMeadResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
}

export function minimizeNelderMead(f: (x: Float64Array) => number, start: ArrayLike<number>, options: NelderMeadOptions): NelderMeadResult {
  const n = start.length;
  const valueTolerance = options.valueTolerance ?? 1e-10;
  const pointTolerance = options.pointTolerance ?? 1e-8;
  const step = options.step ?? 0.1;
  const evaluate = (x: Float64Array): number => {
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const simplex: Float64Array[] = [];
  const values: number[] = [];
  for (let i = 0; i <= n; i++) {
    const x = Float64Array.from(start);
    if (i > 0) x[i - 1] = (x[i - 1] as number) + step;
    simplex.push(x);
    values.push(evaluate(x));
  }
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const along = (t: number, from: Float64Array): Float64Array => {
    const x = new Float64Array(n);
    for (let j = 0; j < n; j++) x[j] = (centroid[j] as number) + t * ((from[j] as number) - (centroid[j] as number));
    return x;
  };
  let iterations = 0;
  for (; iterations < options.maxIterations; iterations++) {
    // Stable sort: ties keep their index order, so the run is deterministic.
    order.sort((a, b) => (values[a] as number) - (values[b] as number) || a - b);
    const best = order[0] as number;
    const worst = order[n] as number;
    const secondWorst = order[n - 1] as number;
    if (converged(simplex, values, best, valueTolerance, pointTolerance)) break;
    centroid.fill(0);
    for (let k = 0; k < n; k++) {
      const vertex = simplex[order[k] as number] as Float64Array;
      for (let j = 0; j < n; j++) centroid[j] = (centroid[j] as number) + (vertex[j] as number) / n;
    }
    const worstPoint = simplex[worst] as Float64Array;
    const reflected = along(-1, worstPoint);
    const fr = evaluate(reflected);
    if (fr < (values[best] as number)) {
      const expanded = along(-2, worstPoint);
      const fe = evaluate(expanded);
      if (fe < fr) replace(worst, expanded, fe);
      else replace(worst, reflected, fr);
      continue;
    }
    if (fr < (values[secondWorst] as number)) {
      replace(worst, reflected, fr);
      continue;
    }
    // Contract outside (towards the reflection) or inside (towards the worst point).
    const outside = fr < (values[worst] as number);
    const contracted = along(outside ? -0.5 : 0.5, worstPoint);
    const fc = evaluate(contracted);
    if (fc < (outside ? fr : (values[worst] as number))) {
      replace(worst, contracted, fc);
      continue;
    }
    const bestPoint = simplex[best] as Float64Array;
    for (let k = 0; k <= n; k++) {
      if (k === best) continue;
      const vertex = simplex[k] as Float64Array;
      for (let j = 0; j < n; j++) vertex[j] = (bestPoint[j] as number) + 0.5 * ((vertex[j] as number) - (bestPoint[j] as number));
      values[k] = evaluate(vertex);
    }
  }
  let bestIndex = 0;
  for (let k = 1; k <= n; k++) if ((values[k] as number) < (values[bestIndex] as number)) bestIndex = k;
  return { x: simplex[bestIndex] as Float64Array, value: values[bestIndex] as number, iterations };

  function replace(k: number, x: Float64Array, v: number): void {
    simplex[k] = x;
    values[k] = v;
  }
}

function converged(simplex: Float64Array[], values: number[], best: number, valueTolerance: number, pointTolerance: number): boolean {
  const fBest = values[best] as number;
  const bestPoint = simplex[best] as Float64Array;
  for (let k = 0; k < simplex.length; k++) {
    if (Math.abs((values[k] as number) - fBest) > valueTolerance * Math.max(Math.abs(fBest), 1e-300)) return false;
    const vertex = simplex[k] as Float64Array;
    for (let j = 0; j < vertex.length; j++) if (Math.abs((vertex[j] as number) - (bestPoint[j] as number)) > pointTolerance) return false;
  }
  return true;
}

/** Minimises f over [0, 1]ⁿ: Nelder–Mead on z with x = sin²(z), from `start` in the box. */
export function minimizeInUnitBox(f: (x: Float64Array) => number, start: ArrayLike<number>, options: NelderMeadOptions): NelderMeadResult {
  const x = new Float64Array(start.length);
  const toBox = (z: Float64Array): Float64Array => {
    for (let j = 0; j < z.length; j++) x[j] = Math.sin(z[j] as number) ** 2;
    return x;
  };
  const z0 = Float64Array.from(start, (v) => Math.asin(Math.sqrt(Math.min(1, Math.max(0, v)))));
  const result = minimizeNelderMead((z) => f(toBox(z)), z0, options);
  return { ...result, x: Float64Array.from(toBox(result.x)) };
}
