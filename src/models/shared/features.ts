import { TandemError } from '../../errors.js';
import { numberOrNaN, type Dataset } from '../dataset.js';
import type { Row } from '../model.js';

/**
 * `data`'s columns in the order of `featureNames`, matched by name; a feature the data lacks is
 * `undefined` (all missing). Extra columns are ignored.
 */
export function columnsByName(data: Dataset, featureNames: readonly string[]): (Float64Array | undefined)[] {
  const index = new Map(data.featureNames.map((name, j) => [name, j]));
  return featureNames.map((name) => {
    const j = index.get(name);
    return j === undefined ? undefined : data.columns[j];
  });
}

/** Row values in the order of `featureNames` (NaN = missing; unknown keys ignored). */
export function rowValues(x: Row, featureNames: readonly string[], out: Float64Array): Float64Array {
  for (let j = 0; j < featureNames.length; j++) {
    const name = featureNames[j] as string;
    out[j] = Object.hasOwn(x, name) ? numberOrNaN(x[name]) : Number.NaN;
  }
  return out;
}

/**
 * Mean of each column over its non-missing values, the value a missing entry is imputed with
 * (scikit-learn's `SimpleImputer(strategy='mean')`); 0 for a column with no values at all.
 */
export function columnMeans(data: Dataset): Float64Array {
  const means = new Float64Array(data.columns.length);
  data.columns.forEach((column, j) => {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < column.length; i++) {
      const v = column[i] as number;
      if (Number.isFinite(v)) {
        sum += v;
        count++;
      }
    }
    means[j] = count === 0 ? 0 : sum / count;
  });
  return means;
}

/** Columns with missing values replaced by `means` (fresh arrays; the dataset is not changed). */
export function imputedColumns(columns: readonly (Float64Array | undefined)[], means: Float64Array, rows: number): Float64Array[] {
  return columns.map((column, j) => {
    const mean = means[j] as number;
    const out = new Float64Array(rows);
    if (column === undefined) return out.fill(mean);
    for (let i = 0; i < rows; i++) {
      const v = column[i] as number;
      out[i] = Number.isFinite(v) ? v : mean;
    }
    return out;
  });
}

/**
 * Rejects values a numeric model cannot learn from: ±Infinity in features. At serving time the
 * models treat ±Infinity as missing instead, so one odd value cannot turn a score into ±Infinity.
 */
export function checkFinite(model: string, data: Dataset): void {
  data.columns.forEach((column, j) => {
    for (let i = 0; i < column.length; i++) {
      const v = column[i] as number;
      if (v === Infinity || v === -Infinity) {
        throw new TandemError(
          'TANDEM_INVALID_DATASET',
          `${model}: feature '${data.featureNames[j]}' is ${v} in row ${i}; use NaN for missing values`,
        );
      }
    }
  });
}

/** The training label, required and free of NaN. */
export function requireLabel(model: string, data: Dataset): Float64Array {
  const label = data.label;
  if (label === undefined) throw new TandemError('TANDEM_INVALID_DATASET', `${model}: the training set has no label`);
  for (let i = 0; i < label.length; i++) {
    if (!Number.isFinite(label[i])) {
      throw new TandemError('TANDEM_INVALID_DATASET', `${model}: label of row ${i} is ${label[i]}; labels must be finite numbers`);
    }
  }
  return label;
}

export function requireRows(model: string, data: Dataset, minimum: number): void {
  if (data.rows < minimum) {
    throw new TandemError('TANDEM_INVALID_DATASET', `${model}: needs at least ${minimum} training rows, got ${data.rows}`);
  }
}

/**
 * `names` of `data` as a row-major matrix (row i, feature j at i·p + j), missing and non-finite
 * values replaced by the training means; a column `data` lacks is all means.
 */
export function imputedRowMajor(data: Dataset, names: readonly string[], means: Float64Array): Float64Array {
  const p = names.length;
  const x = new Float64Array(data.rows * p);
  columnsByName(data, names).forEach((column, j) => {
    const mean = means[j] as number;
    for (let i = 0; i < data.rows; i++) {
      const v = column === undefined ? Number.NaN : (column[i] as number);
      x[i * p + j] = Number.isFinite(v) ? v : mean;
    }
  });
  return x;
}
