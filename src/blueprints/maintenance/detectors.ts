import { halfSpaceTrees, streamingStandardScaler, type HalfSpaceTrees, type Row } from '../../index.js';
import type { Reading } from './telemetry.js';

/**
 * The features each subsystem's trees read: windows of `machine_stats` and request-time features
 * of `reading_deltas`. Half-Space Trees split on one random feature per level, so with few
 * features each tree splits each one several times and isolates a value far out in any one of
 * them; with all nine together the trees are too coarse to (see docs/blueprints/maintenance.md).
 */
export const SUBSYSTEMS = {
  thermal: ['temp_jump_5m', 'temp_delta_1h', 'temp_noise_15m'],
  vibration: ['vib_per_krpm', 'vib_noise_15m', 'power_mean_5m'],
  hydraulic: ['pressure_mean_5m', 'pressure_delta_1h', 'pressure_noise_15m', 'power_mean_5m'],
} as const;

export type Subsystem = keyof typeof SUBSYSTEMS;

/** Every feature the models read. */
export const MODEL_FEATURES: readonly string[] = [...new Set(Object.values(SUBSYSTEMS).flat())];

/** The raw sensors the static z-score baseline watches. */
export const RAW_SENSORS = ['temperature', 'vibration', 'pressure', 'rpm', 'power'] as const;

/** One machine's anomaly scorer: scores a reading first, then (when allowed) learns from it. */
export interface MachineDetector {
  /** Writes one score per channel into `out`; higher is more anomalous. */
  score(features: Row, reading: Reading, out: Float64Array): void;
  learn(features: Row, reading: Reading): void;
}

export type DetectorName = 'adaptive-hst' | 'frozen-hst' | 'static-zscore';

export interface DetectorSpec {
  readonly name: DetectorName;
  readonly description: string;
  /** What each score is about; each has its own threshold and alerts. */
  readonly channels: readonly string[];
  /** Learns from every reading (true) or only from the fitting period (false). */
  readonly online: boolean;
  create(machine: number): MachineDetector;
}

export interface HstSettings {
  readonly nTrees: number;
  readonly height: number;
  readonly windowSize: number;
  readonly sizeLimit: number;
  readonly seed: number;
}

/**
 * Standardised features are rescaled from [−LIMIT, LIMIT] to the trees' unit work space; values
 * beyond fall outside it, where the trees' perturbed work spaces still reach.
 */
const LIMIT = 3;

/**
 * A per-machine streaming standard scaler (Welford 1962) feeding Half-Space Trees (Tan, Ting &
 * Liu 2011), one set of trees per subsystem shared by all machines: the scaler puts every machine
 * on one scale, and the shared trees see the whole plant's recent readings as their reference.
 * A reading is scored with what was learnt before it, then learnt (test-then-train).
 */
class ScaledHst implements MachineDetector {
  readonly #scaler = streamingStandardScaler();
  readonly #trees: readonly HalfSpaceTrees[];
  #scaled: Row | undefined;

  constructor(trees: readonly HalfSpaceTrees[]) {
    this.#trees = trees;
  }

  score(features: Row, _reading: Reading, out: Float64Array): void {
    const scaled = (this.#scaled = this.#scaler.transformOne(features));
    for (let i = 0; i < this.#trees.length; i++) out[i] = this.#trees[i]!.predictOne(scaled);
  }

  learn(features: Row): void {
    // The trees learn the row as it was scored; the scaler then takes the reading in.
    const scaled = this.#scaled ?? this.#scaler.transformOne(features);
    for (const trees of this.#trees) trees.learnOne(scaled);
    this.#scaler.learnOne(features);
  }
}

function plantTrees(settings: HstSettings): HalfSpaceTrees[] {
  return Object.values(SUBSYSTEMS).map((features, i) =>
    halfSpaceTrees({
      nTrees: settings.nTrees,
      height: settings.height,
      windowSize: settings.windowSize,
      sizeLimit: settings.sizeLimit,
      limits: Object.fromEntries(features.map((name) => [name, [-LIMIT, LIMIT] as [number, number]])),
      seed: settings.seed * 10 + i,
    }),
  );
}

/** Largest |z| of the raw sensors against their mean and spread over the fitting period. */
class StaticZScore implements MachineDetector {
  readonly #n = new Float64Array(RAW_SENSORS.length);
  readonly #mean = new Float64Array(RAW_SENSORS.length);
  readonly #m2 = new Float64Array(RAW_SENSORS.length);

  score(_features: Row, reading: Reading, out: Float64Array): void {
    let worst = 0;
    for (let i = 0; i < RAW_SENSORS.length; i++) {
      const n = this.#n[i]!;
      const sd = n < 2 ? 0 : Math.sqrt(this.#m2[i]! / n);
      if (sd > 0) worst = Math.max(worst, Math.abs(reading[RAW_SENSORS[i]!] - this.#mean[i]!) / sd);
    }
    out[0] = worst;
  }

  learn(_features: Row, reading: Reading): void {
    for (let i = 0; i < RAW_SENSORS.length; i++) {
      const v = reading[RAW_SENSORS[i]!];
      const n = (this.#n[i] = this.#n[i]! + 1);
      const delta = v - this.#mean[i]!;
      this.#mean[i] = this.#mean[i]! + delta / n;
      this.#m2[i] = this.#m2[i]! + delta * (v - this.#mean[i]!);
    }
  }
}

/**
 * The blueprint's detector and the two baselines it is compared with. `fitReadings` is how many
 * readings the fitting period holds: the frozen trees take them all as their one
 * reference window, the best a model that stops learning can have.
 */
export function detectorSpecs(hst: HstSettings, fitReadings: number): readonly DetectorSpec[] {
  const adaptive = plantTrees(hst);
  const frozen = plantTrees({ ...hst, windowSize: fitReadings });
  const subsystems = Object.keys(SUBSYSTEMS);
  return [
    {
      name: 'adaptive-hst',
      description: `standard scaler per machine + Half-Space Trees per subsystem, learning from every reading (${hst.nTrees} trees, height ${hst.height}, window ${hst.windowSize} readings)`,
      channels: subsystems,
      online: true,
      create: () => new ScaledHst(adaptive),
    },
    {
      name: 'frozen-hst',
      description: `the same pipeline fitted on the first half of the warm-up (one window of ${fitReadings} readings), then frozen`,
      channels: subsystems,
      online: false,
      create: () => new ScaledHst(frozen),
    },
    {
      name: 'static-zscore',
      description: 'largest |z| of the five raw sensors against their warm-up mean and spread',
      channels: ['sensors'],
      online: false,
      create: () => new StaticZScore(),
    },
  ];
}
