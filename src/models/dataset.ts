import { TandemError } from '../errors.js';

/**
 * Columnar training or scoring data: one Float64Array per feature, NaN = missing. Categorical
 * values reach batch models already encoded as numbers (see the training-set builder).
 */
export interface Dataset {
  readonly featureNames: readonly string[];
  /** `columns[j][i]` is feature `featureNames[j]` of row `i`. */
  readonly columns: readonly Float64Array[];
  readonly rows: number;
  /** Targets: 0/1 for binary classification, real values for regression. */
  readonly label?: Float64Array;
  /** Optional per-row weights (default 1). */
  readonly weight?: Float64Array;
}

export interface DatasetInit {
  readonly featureNames: readonly string[];
  readonly columns: readonly Float64Array[];
  readonly label?: Float64Array;
  readonly weight?: Float64Array;
}

/** Checks shapes once at the boundary, so algorithms can trust a Dataset. */
export function dataset(init: DatasetInit): Dataset {
  const { featureNames, columns, label, weight } = init;
  if (featureNames.length !== columns.length) {
    throw new TandemError(
      'TANDEM_INVALID_DATASET',
      `dataset has ${featureNames.length} feature names but ${columns.length} columns`,
    );
  }
  const seen = new Set<string>();
  for (const name of featureNames) {
    if (seen.has(name)) throw new TandemError('TANDEM_INVALID_DATASET', `dataset names feature '${name}' twice`);
    seen.add(name);
  }
  const rows = columns[0]?.length ?? label?.length ?? 0;
  columns.forEach((column, j) => {
    if (column.length !== rows) {
      throw new TandemError(
        'TANDEM_INVALID_DATASET',
        `dataset column '${featureNames[j]}' has ${column.length} rows, expected ${rows}`,
      );
    }
  });
  if (label && label.length !== rows) {
    throw new TandemError('TANDEM_INVALID_DATASET', `dataset label has ${label.length} rows, expected ${rows}`);
  }
  if (weight && weight.length !== rows) {
    throw new TandemError('TANDEM_INVALID_DATASET', `dataset weight has ${weight.length} rows, expected ${rows}`);
  }
  return {
    featureNames: [...featureNames],
    columns: [...columns],
    rows,
    ...(label ? { label } : {}),
    ...(weight ? { weight } : {}),
  };
}

/** Builds a Dataset from rows (tests, small data); non-numeric or absent values become NaN. */
export function datasetFromRows(
  rows: readonly Readonly<Record<string, unknown>>[],
  featureNames: readonly string[],
  labelName?: string,
): Dataset {
  const columns = featureNames.map(() => new Float64Array(rows.length));
  const label = labelName === undefined ? undefined : new Float64Array(rows.length);
  rows.forEach((row, i) => {
    featureNames.forEach((name, j) => {
      (columns[j] as Float64Array)[i] = numberOrNaN(row[name]);
    });
    if (label && labelName !== undefined) label[i] = numberOrNaN(row[labelName]);
  });
  return dataset({ featureNames, columns, ...(label ? { label } : {}) });
}

/** The rows of `data` at `indices`, in that order (time splits, subsampling). */
export function takeRows(data: Dataset, indices: ArrayLike<number>): Dataset {
  const pick = (source: Float64Array): Float64Array => {
    const out = new Float64Array(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = source[indices[i] as number] as number;
    return out;
  };
  return dataset({
    featureNames: data.featureNames,
    columns: data.columns.map(pick),
    ...(data.label ? { label: pick(data.label) } : {}),
    ...(data.weight ? { weight: pick(data.weight) } : {}),
  });
}

/** Row `i` of `data` as a serving-time Row (for checking batch and row predictions agree). */
export function rowOf(data: Dataset, i: number): Record<string, number> {
  const row: Record<string, number> = {};
  data.featureNames.forEach((name, j) => {
    row[name] = (data.columns[j] as Float64Array)[i] as number;
  });
  return row;
}

/** A serving-time value as a number: booleans are 0/1; strings, null and undefined are missing. */
export function numberOrNaN(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return Number.NaN;
}
