import { TandemError } from '../errors.js';
import { backfillParallel } from '../engine/backfill-parallel.js';
import type { ModelDefinition } from '../features/model.js';
import { modelSpineSource, resolveModelFeatures, type ModelFeature } from '../features/model-features.js';
import type { Project } from '../features/project.js';
import type { Source } from '../features/source.js';
import type { Column, Table } from '../io/table.js';
import { columnValue } from '../io/column-value.js';
import { dataset, type Dataset } from '../models/dataset.js';
import type { Row } from '../models/model.js';
import { encodeColumn, encodingFor, type FeatureEncoding } from './encoding.js';

export interface TrainingSetOptions {
  /** The events of every source the model's features read, by source name. */
  readonly events: Readonly<Record<string, Table>>;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * A model's training data: every event of its spine source with the features as of the event's
 * own time (point-in-time correct, by the backfill driver) and its label, ordered by time and
 * split in time into train, validation (for early stopping) and test.
 */
export interface TrainingSet {
  readonly model: ModelDefinition;
  readonly features: readonly ModelFeature[];
  readonly source: Source;
  /** Feature columns in model order, raw as the backfill produced them, for rows in time order. */
  readonly columns: readonly Column[];
  /** Backfill row of each training-set row (time order). */
  readonly order: Uint32Array;
  readonly time: Float64Array;
  readonly label: Float64Array;
  /** Index ranges into the time-ordered rows: [0, validationStart) train, [validationStart, testStart) validation, [testStart, n) test. */
  readonly validationStart: number;
  readonly testStart: number;
  /** Rows left out because their label was null. */
  readonly unlabelled: number;
  /** Events the backfill could not key (a null entity key). */
  readonly unkeyed: number;
  /** Encodings learnt from the training rows. */
  readonly encodings: readonly FeatureEncoding[];
}

export async function buildTrainingSet(project: Project, model: ModelDefinition, options: TrainingSetOptions): Promise<TrainingSet> {
  const features = resolveModelFeatures(project, model);
  const source = modelSpineSource(project, model, features);
  const spine = options.events[source.name];
  if (spine === undefined) {
    throw new TandemError('TANDEM_USAGE', `model '${model.name}' trains on the events of source '${source.name}'; none were given`);
  }
  const owners = [...new Set(features.map((f) => f.owner.name))];
  const result = await backfillParallel(project, {
    views: owners,
    events: options.events,
    spine,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const table = result.table;
  const timeColumn = table.columns.get(source.timestamp);
  const labelColumn = table.columns.get(model.label);
  if (timeColumn === undefined || (timeColumn.type !== 'timestamp' && timeColumn.type !== 'number')) {
    throw new TandemError('TANDEM_FILE_COLUMN', `source '${source.name}' events lack their timestamp column '${source.timestamp}'`);
  }
  if (labelColumn === undefined) {
    throw new TandemError('TANDEM_FILE_COLUMN', `model '${model.name}': the events lack the label column '${model.label}'`);
  }
  const labelled: number[] = [];
  const labels: number[] = [];
  for (let row = 0; row < table.length; row++) {
    const value = labelValue(model, labelColumn, row);
    if (value === undefined) continue;
    labelled.push(row);
    labels.push(value);
  }
  // Stable sort by time, so equal times keep file order and the split is reproducible.
  const times = timeColumn.values;
  const positions = Uint32Array.from(labelled.keys());
  positions.sort((a, b) => (times[labelled[a] as number] as number) - (times[labelled[b] as number] as number) || a - b);
  const order = positions.map((p) => labelled[p] as number);
  const label = Float64Array.from(positions, (p) => labels[p] as number);
  const time = Float64Array.from(order, (row) => times[row] as number);
  const testStart = splitPoint(model, time);
  const validationStart = testStart - Math.floor(testStart * model.validationShare);
  if (validationStart === 0) {
    throw new TandemError('TANDEM_INVALID_DATASET', `model '${model.name}': the split leaves no training rows (${time.length} labelled rows)`);
  }
  if (testStart === time.length) {
    throw new TandemError('TANDEM_INVALID_DATASET', `model '${model.name}': the split leaves no test rows (${time.length} labelled rows)`);
  }
  const columns = features.map((f) => table.columns.get(f.name) as Column);
  const trainRows = order.subarray(0, validationStart);
  const encodings = features.map((f, j) => encodingFor(f.name, columns[j] as Column, trainRows));
  return {
    model,
    features,
    source,
    columns,
    order,
    time,
    label,
    validationStart,
    testStart,
    unlabelled: table.length - labelled.length,
    unkeyed: result.rejected.length,
    encodings,
  };
}

/** Rows [from, to) of the time-ordered set as a Dataset, features encoded as numbers. */
export function datasetOf(set: TrainingSet, from: number, to: number): Dataset {
  const rows = set.order.subarray(from, to);
  return dataset({
    featureNames: set.features.map((f) => f.name),
    columns: set.encodings.map((encoding, j) => encodeColumn(encoding, set.columns[j] as Column, rows)),
    label: set.label.slice(from, to),
  });
}

/** Rows at `indices` of the time-ordered set (e.g. an even sample) as a Dataset. */
export function datasetAt(set: TrainingSet, indices: Uint32Array): Dataset {
  const rows = indices.map((i) => set.order[i] as number);
  return dataset({
    featureNames: set.features.map((f) => f.name),
    columns: set.encodings.map((encoding, j) => encodeColumn(encoding, set.columns[j] as Column, rows)),
    label: Float64Array.from(indices, (i) => set.label[i] as number),
  });
}

/** Up to `max` indices spread evenly over [from, to), ascending. */
export function evenIndices(from: number, to: number, max: number): Uint32Array {
  const n = to - from;
  if (n <= max) return Uint32Array.from({ length: Math.max(n, 0) }, (_, i) => from + i);
  return Uint32Array.from({ length: max }, (_, i) => from + Math.floor((i * n) / max));
}

/** Row `i` of the time-ordered set as raw feature values (what serving would pass). */
export function rowAt(set: TrainingSet, i: number): Row {
  const row: Record<string, number | string | boolean | null> = {};
  const at = set.order[i] as number;
  set.features.forEach((feature, j) => {
    const value = columnValue(set.columns[j] as Column, at);
    row[feature.name] = Array.isArray(value) ? null : (value as number | string | boolean | null);
  });
  return row;
}

function labelValue(model: ModelDefinition, column: Column, row: number): number | undefined {
  if (column.type === 'number' || column.type === 'boolean' || column.type === 'timestamp') {
    const value = column.values[row] as number;
    if (Number.isNaN(value)) return undefined;
    if (model.task === 'binary' && value !== 0 && value !== 1) {
      throw new TandemError(
        'TANDEM_INVALID_DATASET',
        `model '${model.name}' is a binary classifier, but label '${model.label}' is ${value} in event row ${row + 1}; labels must be 0/1 or true/false`,
      );
    }
    return value;
  }
  throw new TandemError('TANDEM_INVALID_DATASET', `model '${model.name}': label '${model.label}' must be a number or boolean field, not ${column.type}`);
}

/** First time-ordered row of the test set. */
function splitPoint(model: ModelDefinition, time: Float64Array): number {
  const split = model.split;
  if ('testShare' in split) return time.length - Math.max(1, Math.round(time.length * split.testShare));
  const cut = typeof split.testFrom === 'number' ? split.testFrom : Date.parse(split.testFrom);
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((time[mid] as number) < cut) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
