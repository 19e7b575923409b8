import { checkBins, proportions } from './check.js';

export interface PsiOptions {
  /**
   * What an empty bin's proportion becomes, so the logarithm stays finite: Evidently's 0.0001.
   * @default 0.0001
   */
  readonly epsilon?: number;
}

/**
 * Population Stability Index of binned counts: Σ (r − c) · ln(r / c) over the bins' proportions,
 * with empty bins' proportions set to `epsilon` as Evidently does (and not renormalised). Zero for
 * identical distributions; 0.1 and 0.2 are the usual "some" and "major" shift marks (Siddiqi,
 * Credit Risk Scorecards, 2006).
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, options: PsiOptions = {}): number {
  checkBins('psi', reference, current);
  const epsilon = options.epsilon ?? 0.0001;
  const r = proportions(reference);
  const c = proportions(current);
  let sum = 0;
  for (let i = 0; i < r.length; i++) {
    const ri = (r[i] as number) === 0 ? epsilon : (r[i] as number);
    const ci = (c[i] as number) === 0 ? epsilon : (c[i] as number);
    sum += (ri - ci) * Math.log(ri / ci);
  }
  return sum;
}
