import type { FeatureValue } from '../../features/aggregations.js';
import type { ModelDefinition, } from '../../features/model.js';
import type { PerformanceMetric } from '../../features/model-monitoring.js';
import { RollingBinaryMetrics } from '../../models/metrics/rolling-binary-metrics.js';
import { RollingRegressionMetrics } from '../../models/metrics/rolling-regression-metrics.js';
import { createDetector, type DetectorSpec } from '../detectors/create-detector.js';
import type { DriftDetector } from '../detectors/detector.js';
import { DriftWindow } from '../drift/index.js';
import { measureDrift } from '../measure-drift.js';
import type { ModelSignals } from '../alerts/alert-engine.js';
import type { ColumnProfile, DatasetDrift, ModelMonitoring, ReferenceProfile } from '../types.js';
import { SeriesRing } from './series-ring.js';

/** Labelled predictions the rolling performance covers. */
const PERFORMANCE_WINDOW = 5_000;
/** Points kept in each per-model series (at one per sample interval). */
const HISTORY = 720;
/** Log loss of one prediction, with probabilities clipped as scikit-learn does. */
const EPSILON = 1e-15;

/**
 * One served model under watch: the live window of its inputs and scores (compared with the
 * champion's training profile), rolling performance over labelled predictions, concept-drift
 * detectors on the per-prediction loss, and the share answered by fallbacks.
 */
export class ModelMonitor {
  readonly definition: ModelDefinition;
  #reference: ReferenceProfile | undefined;
  #version: number | null = null;
  #window: DriftWindow | undefined;
  #columns: readonly ColumnProfile[] = [];
  /** Reused for each observed row: the window copies the values out. */
  readonly #row: Record<string, number | string | null> = {};
  readonly #detectors: { readonly spec: DetectorSpec; detector: DriftDetector }[];
  readonly #binary: RollingBinaryMetrics | undefined;
  readonly #regression: RollingRegressionMetrics | undefined;
  #signalled: string[] = [];
  #latestDrift: DatasetDrift | null = null;
  #freshDrift: DatasetDrift | null = null;
  #predictions = 0;
  #fallbacks = 0;
  readonly #driftHistory = new SeriesRing(['driftShare', 'predictionDrift'], HISTORY);
  readonly #performance: SeriesRing;

  constructor(definition: ModelDefinition) {
    this.definition = definition;
    this.#detectors = definition.monitoring.detectors
      .filter((spec) => spec.kind !== 'ddm' || definition.task === 'binary')
      .map((spec) => ({ spec: spec as unknown as DetectorSpec, detector: createDetector(spec as unknown as DetectorSpec) }));
    if (definition.task === 'binary') this.#binary = new RollingBinaryMetrics({ window: PERFORMANCE_WINDOW });
    if (definition.task === 'regression') this.#regression = new RollingRegressionMetrics({ window: PERFORMANCE_WINDOW });
    this.#performance = new SeriesRing(definition.task === 'regression' ? ['mae', 'rmse', 'labelled'] : ['rocAuc', 'logLoss', 'accuracy', 'calibrationError', 'labelled'], HISTORY);
  }

  get reference(): ReferenceProfile | undefined {
    return this.#reference;
  }

  get version(): number | null {
    return this.#version;
  }

  /**
   * The champion changed (or serving started): drift is measured against its profile from
   * now on, with a fresh window. Without a profile (a version registered before profiles
   * were kept) drift is not measured.
   */
  setReference(version: number, profile: ReferenceProfile | undefined): void {
    if (version === this.#version && profile === this.#reference) return;
    this.#version = version;
    this.#reference = profile;
    this.#latestDrift = null;
    if (profile === undefined) {
      this.#window = undefined;
      this.#columns = [];
      return;
    }
    this.#columns = [...profile.features, ...(profile.prediction === null ? [] : [profile.prediction])];
    const window = this.definition.monitoring.window;
    this.#window = DriftWindow.forProfile(profile, 'rows' in window ? { rows: window.rows } : { duration: window.durationMs });
  }

  /** A prediction was answered: its inputs and score join the live window (observed now). */
  observe(features: Readonly<Record<string, FeatureValue>>, score: number, byFallback: boolean): void {
    this.#predictions++;
    if (byFallback) this.#fallbacks++;
    const window = this.#window;
    if (window === undefined) return;
    const prediction = this.#reference?.prediction;
    const row = this.#row;
    for (const column of this.#columns) {
      // Scores from fallbacks are not the model's: the prediction column skips them.
      if (column === prediction) {
        row[column.name] = byFallback ? null : score;
        continue;
      }
      const value = features[column.name];
      // Booleans were profiled as 1/0, as models see them.
      row[column.name] = typeof value === 'boolean' ? (value ? 1 : 0) : typeof value === 'number' || typeof value === 'string' ? value : null;
    }
    window.add(row);
  }

  /** A label met its prediction: rolling performance and the detectors on the loss stream. */
  observeLabel(score: number, label: number): void {
    let loss: number;
    let wrong: number;
    if (this.#binary !== undefined) {
      if (!(label === 0 || label === 1) || !(score >= 0 && score <= 1)) return;
      this.#binary.update(score, label);
      const p = Math.min(Math.max(score, EPSILON), 1 - EPSILON);
      loss = -(label * Math.log(p) + (1 - label) * Math.log(1 - p));
      wrong = (score >= 0.5 ? 1 : 0) === label ? 0 : 1;
    } else if (this.#regression !== undefined) {
      this.#regression.update(score, label);
      loss = Math.abs(score - label);
      wrong = 0;
    } else {
      return;
    }
    for (const entry of this.#detectors) {
      // DDM reads the 0/1 error stream; the others the loss.
      if (entry.detector.update(entry.spec.kind === 'ddm' ? wrong : loss) === 'drift') this.#signalled.push(entry.spec.kind);
    }
  }

  /** Compares the live window with the reference; null when there is no reference or too few rows. */
  evaluateDrift(now: number): DatasetDrift | null {
    const window = this.#window;
    if (window === undefined || this.#reference === undefined) return null;
    if (window.size < this.definition.monitoring.minRows) return null;
    const drift = measureDrift(this.#reference, (column) => window.values(column), this.definition.monitoring.drift, { at: now, windowSize: window.size });
    this.#latestDrift = drift;
    this.#freshDrift = drift;
    return drift;
  }
  /** What the alerts see now; drift and detector signals are reported once. */
  signals(freshnessMs: number | null): ModelSignals {
    const drift = this.#freshDrift;
    this.#freshDrift = null;
    const predictionName = this.#reference?.prediction?.name;
    const conceptDrift = [...new Set(this.#signalled)];
    this.#signalled = [];
    const fallbackRate = this.#predictions === 0 ? null : this.#fallbacks / this.#predictions;
    this.#predictions = 0;
    this.#fallbacks = 0;
    // The dataset share counts input features only; the prediction column is its own alert.
    const features = drift === null ? null : { ...drift, columns: drift.columns.filter((c) => c.column !== predictionName) };
    return {
      dataDrift: features,
      predictionDrift: drift?.columns.find((c) => c.column === predictionName) ?? null,
      conceptDrift,
      performance: this.performance(),
      fallbackRate,
      freshnessMs,
    };
  }

  /** One point of the per-model series, at `time` (epoch seconds). */
  tick(time: number): void {
    const drift = this.#latestDrift;
    const predictionName = this.#reference?.prediction?.name;
    this.#driftHistory.push(time, {
      driftShare: drift?.driftShare ?? null,
      predictionDrift: drift?.columns.find((c) => c.column === predictionName)?.statistic ?? null,
    });
    const performance = this.performance();
    this.#performance.push(time, { ...performance.values, labelled: performance.labelled });
  }

  /** The per-model part of the dashboard snapshot (versions and serving are filled by the caller). */
  view(): Pick<ModelMonitoring, 'drift' | 'driftHistory' | 'performance' | 'detectors'> {
    return {
      drift: this.#latestDrift,
      driftHistory: this.#driftHistory.toJSON(),
      performance: this.#performance.toJSON(),
      detectors: this.#detectors.map(({ spec, detector }) => ({ name: spec.kind, state: detector.state, changes: detector.changes })),
    };
  }

  /** Rolling metrics over the labelled predictions so far. */
  performance(): ModelSignals['performance'] {
    if (this.#binary !== undefined) {
      const m = this.#binary;
      const values: Partial<Record<PerformanceMetric | 'calibrationError', number>> = { logLoss: m.logLoss(), accuracy: m.accuracy() };
      if (m.count > 0) {
        values.rocAuc = m.rocAuc();
        values.calibrationError = m.calibrationError();
      }
      return { labelled: m.count, values };
    }
    if (this.#regression !== undefined) {
      const m = this.#regression;
      return { labelled: m.count, values: { mae: m.mae(), rmse: m.rmse() } };
    }
    return { labelled: 0, values: {} };
  }
}
