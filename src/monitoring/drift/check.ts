import { TandemError } from '../../errors.js';

/** Binned counts or proportions: finite, non-negative, the same number of bins on both sides, not all zero. */
export function checkBins(where: string, reference: ArrayLike<number>, current: ArrayLike<number>): void {
  if (reference.length !== current.length) {
    throw new TandemError('TANDEM_INVALID_DATASET', `${where}: ${reference.length} reference bins but ${current.length} current bins`);
  }
  for (const [which, bins] of [['reference', reference], ['current', current]] as const) {
    let total = 0;
    for (let i = 0; i < bins.length; i++) {
      const value = bins[i] as number;
      if (!(value >= 0 && value < Infinity)) {
        throw new TandemError('TANDEM_INVALID_DATASET', `${where}: ${which} bin ${i} is ${value}; bins must be finite and non-negative`);
      }
      total += value;
    }
    if (total === 0) throw new TandemError('TANDEM_INVALID_DATASET', `${where}: the ${which} bins are all empty`);
  }
}

/** A sample for a distance or test: not empty, no NaN. */
export function checkSample(where: string, which: string, values: ArrayLike<number>): void {
  if (values.length === 0) throw new TandemError('TANDEM_INVALID_DATASET', `${where}: the ${which} sample is empty`);
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) throw new TandemError('TANDEM_INVALID_DATASET', `${where}: ${which} value ${i} is NaN`);
  }
}

export function proportions(counts: ArrayLike<number>): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] as number;
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = (counts[i] as number) / total;
  return out;
}
