import { defineProject, entity, featureView, max, mean, requestFeatures, source, std } from '../../index.js';

/** Machine telemetry as it arrives: one reading of five sensors per machine per minute. */
export const telemetry = source('telemetry', {
  timestamp: 'ts',
  schema: { ts: 'timestamp', machine: 'string', temperature: 'number', vibration: 'number', pressure: 'number', rpm: 'number', power: 'number' },
  description: 'Sensor readings of the machines of one plant',
});

export const machine = entity('machine', { key: 'machine' });

/**
 * Each machine's recent behaviour: short (5 min) and long (1 h) windows, so a reading can be
 * compared with its machine's last hour, and 15-minute spreads, which collapse when a sensor
 * sticks. Windows end just before the reading (`[t − w, t)`).
 */
export const machineStats = featureView('machine_stats', telemetry, {
  entity: machine,
  features: {
    temp_mean_5m: mean('temperature', { window: '5m' }),
    temp_max_5m: max('temperature', { window: '5m' }),
    temp_mean_1h: mean('temperature', { window: '1h' }),
    temp_std_15m: std('temperature', { window: '15m' }),
    vib_mean_5m: mean('vibration', { window: '5m' }),
    vib_mean_1h: mean('vibration', { window: '1h' }),
    vib_std_15m: std('vibration', { window: '15m' }),
    pressure_mean_5m: mean('pressure', { window: '5m' }),
    pressure_mean_1h: mean('pressure', { window: '1h' }),
    pressure_std_15m: std('pressure', { window: '15m' }),
    rpm_mean_5m: mean('rpm', { window: '5m' }),
    power_mean_5m: mean('power', { window: '5m' }),
  },
});

const reading = { temperature: 'number', vibration: 'number', pressure: 'number', rpm: 'number', power: 'number' } as const;

/**
 * Request-time features of the reading being scored against its machine's windows: how far it
 * departs from the last minutes and hour, how much each sensor has moved lately (on a log scale,
 * so a sensor that stops moving stands out as much as one that jumps), and vibration per
 * thousand rpm (a worn bearing vibrates more at the same speed; a faster spindle vibrates more
 * when healthy).
 */
export const readingDeltas = requestFeatures('reading_deltas', {
  request: reading,
  views: [machineStats],
  features: {
    temp_jump_5m: (r) => (r.temp_mean_5m === null ? null : r.temperature - r.temp_mean_5m),
    temp_delta_1h: (r) => (r.temp_mean_1h === null ? null : r.temperature - r.temp_mean_1h),
    temp_noise_15m: (r) => logSpread(r.temp_std_15m, 0.01),
    vib_per_krpm: (r) => (r.rpm > 0 ? (1_000 * r.vibration) / r.rpm : null),
    vib_noise_15m: (r) => logSpread(r.vib_std_15m, 0.001),
    pressure_delta_1h: (r) => (r.pressure_mean_1h === null ? null : r.pressure - r.pressure_mean_1h),
    pressure_noise_15m: (r) => logSpread(r.pressure_std_15m, 0.001),
  },
});

/** log10 of a window's spread, floored so that a flat line is finite; null before the window has data. */
function logSpread(spread: number | null, floor: number): number | null {
  return spread === null ? null : Math.log10(spread + floor);
}

export const maintenanceProject = defineProject({ name: 'maintenance', sources: [telemetry], views: [machineStats], requestFeatures: [readingDeltas] });
