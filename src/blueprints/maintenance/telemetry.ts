import { Random } from '../../demo/random.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** One reading of one machine's sensors (a type, so that it is a plain record of fields). */
export type Reading = {
  readonly ts: number;
  readonly machine: string;
  /** Bearing housing temperature, °C. */
  readonly temperature: number;
  /** Vibration velocity RMS, mm/s. */
  readonly vibration: number;
  /** Hydraulic pressure, bar. */
  readonly pressure: number;
  /** Spindle speed, revolutions per minute. */
  readonly rpm: number;
  /** Electrical power draw, kW. */
  readonly power: number;
};

export type Sensor = 'temperature' | 'vibration' | 'pressure';

/** The planted faults, documented so a reader can check what a detector should find. */
export const FAULT_KINDS = {
  /** Vibration grows over 6–12 h, accelerating (×1 → ×2.5–3.5 by the end), with a slight temperature rise. */
  bearing: 'bearing wear',
  /** For 1–3 h the temperature spikes 8–16 °C above normal every 15–30 min, each spike fading in ~5 min. */
  overheat: 'overheating',
  /** For 2–6 h one sensor (temperature, vibration or pressure) repeats the value it read when it stuck. */
  stuck: 'sensor stuck-at',
  /** For 4–10 h the pressure falls by 0.3–0.6 bar an hour (at most 2.5 bar). */
  leak: 'pressure leak',
} as const;

export type FaultKind = keyof typeof FAULT_KINDS;

/** Ground truth: one planted fault, active on readings with start ≤ ts < end. */
export interface Fault {
  readonly id: number;
  readonly machine: string;
  readonly kind: FaultKind;
  readonly start: number;
  readonly end: number;
  /** The stuck sensor (stuck-at faults only). */
  readonly sensor?: Sensor;
  /** Size of the fault: bearing end multiplier, spike height °C, leak bar/h; 0 for stuck-at. */
  readonly magnitude: number;
}

/** The benign change: every machine switches to a heavier product at `at`. Not a fault. */
export interface RegimeChange {
  readonly at: number;
  readonly description: string;
  /** What changes: rpm and power factors, added °C and bar. */
  readonly rpmFactor: number;
  readonly powerFactor: number;
  readonly temperatureShift: number;
  readonly pressureShift: number;
}

export interface TelemetryOptions {
  /** @default 20 */
  readonly machines?: number;
  /** @default 4 */
  readonly days?: number;
  /** Time between two readings of a machine. @default 60_000 (one minute) */
  readonly intervalMs?: number;
  /** Fault-free start of the history, for the models to warm up and the threshold to be chosen. @default 24 h */
  readonly warmupMs?: number;
  /** Planted faults, spread over the kinds in turn. @default 12 */
  readonly faults?: number;
  /** When the benign product changeover happens, as ms after the start. @default 10:00 on the middle day */
  readonly regimeChangeAfterMs?: number;
  /** Start of the history (epoch ms). @default 2026-03-02T00:00Z */
  readonly start?: number;
  /** @default 11 */
  readonly seed?: number;
}

export interface Telemetry {
  readonly machines: readonly string[];
  readonly start: number;
  readonly end: number;
  readonly intervalMs: number;
  /** End of the fault-free warm-up. */
  readonly warmupEnd: number;
  readonly faults: readonly Fault[];
  readonly regimeChange: RegimeChange;
  /** Readings in time order (ties broken by machine), generated afresh on each call. */
  readings(): Generator<Reading>;
  /** How many readings `readings()` yields. */
  readonly count: number;
}

/** No fault is active within this span around the changeover, so alerts there are the change's. */
export const CHANGE_QUIET_BEFORE_MS = 2 * HOUR;
export const CHANGE_QUIET_AFTER_MS = 24 * HOUR;
/** Gap kept between two faults of one machine. */
const FAULT_GAP = 3 * HOUR;

const KIND_ORDER: readonly FaultKind[] = ['bearing', 'overheat', 'stuck', 'leak'];
const STUCK_SENSORS: readonly Sensor[] = ['temperature', 'vibration', 'pressure'];

/** Per-machine constants: no two machines are alike. */
interface Profile {
  readonly rpmSet: number;
  readonly ratedPower: number;
  readonly vibration: number;
  readonly pressure: number;
  readonly heating: number;
  /** Seconds after each minute this machine reports. */
  readonly offset: number;
}

/** A machine's evolving physical state. */
interface State {
  load: number;
  loadTarget: number;
  temperature: number;
  /** Extra heat of overheating spikes, °C. */
  heat: number;
  nextSpike: number;
  stuck: number | undefined;
}

/**
 * Machine telemetry for a plant running around the clock: every machine reports five sensors
 * each `intervalMs`. Load switches between regimes (idle, light, normal, heavy) every few hours
 * at random, ramping over minutes; temperature follows load and the daily ambient cycle with a
 * thermal lag; vibration grows slowly with normal wear and pressure sinks slowly as filters
 * clog. Every sensor has noise. Faults of the `FAULT_KINDS` are planted after the warm-up at
 * documented times (the ground truth), and at `regimeChange.at` the whole plant switches to a
 * heavier product (lower speed, more power, hotter, higher pressure) — a benign change a
 * detector must learn rather than keep flagging. Deterministic for a seed.
 */
export function generateTelemetry(options: TelemetryOptions = {}): Telemetry {
  const machineCount = options.machines ?? 20;
  const days = options.days ?? 4;
  const intervalMs = options.intervalMs ?? MINUTE;
  const start = options.start ?? Date.UTC(2026, 2, 2);
  const end = start + days * DAY;
  const warmupEnd = start + (options.warmupMs ?? DAY);
  const seed = options.seed ?? 11;
  const random = new Random(seed);
  const machines = Array.from({ length: machineCount }, (_, i) => `m${String(i + 1).padStart(2, '0')}`);
  const profiles: Profile[] = machines.map((_, i) => ({
    rpmSet: 1_400 + 200 * random.next(),
    ratedPower: 30 + 20 * random.next(),
    vibration: 1.6 + 0.8 * random.next(),
    pressure: 5.6 + 0.8 * random.next(),
    heating: 22 + 6 * random.next(),
    offset: Math.floor((i * intervalMs) / machineCount / 1_000) * 1_000,
  }));
  const changeAt = start + (options.regimeChangeAfterMs ?? Math.floor(days / 2) * DAY + 10 * HOUR);
  const regimeChange: RegimeChange = {
    at: changeAt,
    description: 'product changeover: every machine runs a heavier part (−12 % speed, +30 % power, +5 °C, +0.4 bar)',
    rpmFactor: 0.88,
    powerFactor: 1.3,
    temperatureShift: 5,
    pressureShift: 0.4,
  };
  const faults = plantFaults(random, machines, options.faults ?? 12, warmupEnd, end, changeAt);
  const count = machineCount * Math.ceil((end - start) / intervalMs);
  return {
    machines,
    start,
    end,
    intervalMs,
    warmupEnd,
    faults,
    regimeChange,
    count,
    readings: () => simulate({ machines, profiles, faults, regimeChange, start, end, intervalMs, seed }),
  };
}

function plantFaults(random: Random, machines: readonly string[], n: number, from: number, to: number, changeAt: number): Fault[] {
  const faults: Fault[] = [];
  for (let attempt = 0; faults.length < n && attempt < 10_000; attempt++) {
    const kind = KIND_ORDER[faults.length % KIND_ORDER.length]!;
    const hours =
      kind === 'bearing' ? 6 + 6 * random.next() : kind === 'overheat' ? 1 + 2 * random.next() : kind === 'stuck' ? 2 + 4 * random.next() : 4 + 6 * random.next();
    const duration = Math.round(hours * 60) * MINUTE;
    const machine = machines[random.int(machines.length)]!;
    const startAt = from + Math.floor((random.next() * (to - from - duration)) / MINUTE) * MINUTE;
    const endAt = startAt + duration;
    const magnitude = kind === 'bearing' ? 2.5 + random.next() : kind === 'overheat' ? 8 + 8 * random.next() : kind === 'leak' ? 0.3 + 0.3 * random.next() : 0;
    const sensor = kind === 'stuck' ? STUCK_SENSORS[random.int(STUCK_SENSORS.length)]! : undefined;
    if (startAt < from || endAt > to) continue;
    if (endAt > changeAt - CHANGE_QUIET_BEFORE_MS && startAt < changeAt + CHANGE_QUIET_AFTER_MS) continue;
    if (faults.some((f) => f.machine === machine && startAt < f.end + FAULT_GAP && f.start < endAt + FAULT_GAP)) continue;
    faults.push({ id: 0, machine, kind, start: startAt, end: endAt, ...(sensor === undefined ? {} : { sensor }), magnitude: round(magnitude, 2) });
  }
  faults.sort((a, b) => a.start - b.start || a.machine.localeCompare(b.machine));
  return faults.map((f, i) => ({ ...f, id: i + 1 }));
}

interface SimulationInput {
  readonly machines: readonly string[];
  readonly profiles: readonly Profile[];
  readonly faults: readonly Fault[];
  readonly regimeChange: RegimeChange;
  readonly start: number;
  readonly end: number;
  readonly intervalMs: number;
  readonly seed: number;
}

/**
 * Load regimes of a continuous (three-shift, 24/7) process: a machine runs light, normal or heavy
 * parts, and now and then idles for a tool change; it stays in a regime for hours.
 */
const REGIME_LOADS = [0.15, 0.4, 0.65, 0.85] as const;
const REGIME_WEIGHTS = [0.1, 0.3, 0.35, 0.25] as const;
/** Mean time a machine stays in one load regime. */
const REGIME_SOJOURN = 3 * HOUR;
const THERMAL_LAG = 15 * MINUTE;
const LOAD_LAG = 4 * MINUTE;
const SPIKE_FADE = 5 * MINUTE;

function* simulate(input: SimulationInput): Generator<Reading> {
  const { machines, profiles, faults, regimeChange, start, end, intervalMs } = input;
  // Its own stream: the schedule's draws above do not shift the sensors' noise.
  const random = new Random(input.seed * 7_919 + 1);
  const states: State[] = profiles.map((p) => {
    const load = REGIME_LOADS[2];
    return { load, loadTarget: load, temperature: ambient(start) + p.heating * load + 20, heat: 0, nextSpike: 0, stuck: undefined };
  });
  const regimes = Int32Array.from(machines, () => pickRegime(random));
  const byMachine = machines.map((m) => faults.filter((f) => f.machine === m));
  const dt = intervalMs;
  for (let t0 = start; t0 < end; t0 += dt) {
    const changed = t0 >= regimeChange.at;
    for (let m = 0; m < machines.length; m++) {
      const p = profiles[m]!;
      const s = states[m]!;
      const ts = t0 + p.offset;
      if (random.next() < dt / REGIME_SOJOURN) regimes[m] = pickRegime(random);
      s.loadTarget = REGIME_LOADS[regimes[m]!]!;
      s.load += (s.loadTarget - s.load) * (1 - Math.exp(-dt / LOAD_LAG)) + 0.01 * random.normal();
      s.load = Math.min(1, Math.max(0.05, s.load));
      const fault = byMachine[m]!.find((f) => ts >= f.start && ts < f.end);
      const progress = fault === undefined ? 0 : (ts - fault.start) / (fault.end - fault.start);
      const age = (ts - start) / DAY;

      // Thermal lag towards the load's operating point, plus the ambient cycle.
      const target = ambient(ts) + 20 + p.heating * s.load + (changed ? regimeChange.temperatureShift : 0) + (fault?.kind === 'bearing' ? 4 * progress : 0);
      s.temperature += (target - s.temperature) * (1 - Math.exp(-dt / THERMAL_LAG));
      if (fault?.kind === 'overheat') {
        if (ts >= s.nextSpike) {
          s.heat += fault.magnitude * (0.8 + 0.4 * random.next());
          s.nextSpike = ts + (15 + 15 * random.next()) * MINUTE;
        }
      } else {
        s.nextSpike = 0;
      }
      s.heat *= Math.exp(-dt / SPIKE_FADE);

      const rpm = p.rpmSet * (0.55 + 0.45 * s.load) * (changed ? regimeChange.rpmFactor : 1) + 6 * random.normal();
      const power = p.ratedPower * (0.15 + 0.85 * s.load) * (changed ? regimeChange.powerFactor : 1) + 0.6 * random.normal();
      const wear = 1 + 0.02 * age;
      const bearing = fault?.kind === 'bearing' ? 1 + (fault.magnitude - 1) * progress * progress : 1;
      const vibration = p.vibration * (0.5 + (0.5 * rpm) / p.rpmSet) * wear * bearing * (1 + 0.04 * random.normal() * (fault?.kind === 'bearing' ? 1 + 2 * progress : 1));
      const leak = fault?.kind === 'leak' ? Math.min(2.5, (fault.magnitude * (ts - fault.start)) / HOUR) : 0;
      const pressure = p.pressure + 0.6 * s.load - 0.03 * age + (changed ? regimeChange.pressureShift : 0) - leak + 0.04 * random.normal();
      const temperature = s.temperature + s.heat + 0.3 * random.normal();

      const reading = {
        ts,
        machine: machines[m]!,
        temperature: round(temperature, 2),
        vibration: round(Math.max(0, vibration), 3),
        pressure: round(pressure, 3),
        rpm: Math.round(rpm),
        power: round(power, 2),
      };
      if (fault?.kind === 'stuck') {
        s.stuck ??= reading[fault.sensor!];
        reading[fault.sensor!] = s.stuck;
      } else {
        s.stuck = undefined;
      }
      yield reading;
    }
  }
}

function pickRegime(random: Random): number {
  let u = random.next();
  for (let i = 0; i < REGIME_WEIGHTS.length - 1; i++) {
    u -= REGIME_WEIGHTS[i]!;
    if (u < 0) return i;
  }
  return REGIME_WEIGHTS.length - 1;
}

/** Hall temperature, °C: 18 at 03:00, 26 at 15:00. */
function ambient(ts: number): number {
  return 22 + 4 * Math.sin((2 * Math.PI * ((ts % DAY) / HOUR - 9)) / 24);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
