import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, generateTelemetry, type Reading } from '../../../src/blueprints/maintenance/index.js';
import { CHANGE_QUIET_AFTER_MS, CHANGE_QUIET_BEFORE_MS } from '../../../src/blueprints/maintenance/telemetry.js';

const HOUR = 3_600_000;
const telemetry = generateTelemetry({ machines: 12, days: 4, faults: 12, seed: 5 });
const readings: Reading[] = [...telemetry.readings()];

function series(machine: string, from: number, to: number): Reading[] {
  return readings.filter((r) => r.machine === machine && r.ts >= from && r.ts < to);
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

describe('generated telemetry', () => {
  it('yields every machine once a minute, in time order, as many readings as it announces', () => {
    expect(readings).toHaveLength(telemetry.count);
    for (let i = 1; i < readings.length; i++) expect(readings[i]!.ts).toBeGreaterThanOrEqual(readings[i - 1]!.ts);
    const first = series('m01', telemetry.start, telemetry.end);
    expect(first).toHaveLength((4 * 24 * HOUR) / telemetry.intervalMs);
    expect(first[1]!.ts - first[0]!.ts).toBe(telemetry.intervalMs);
  });

  it('is the same for a seed and differs for another', () => {
    expect([...generateTelemetry({ machines: 12, days: 4, faults: 12, seed: 5 }).readings()].slice(0, 5000)).toEqual(readings.slice(0, 5000));
    expect(generateTelemetry({ machines: 12, days: 4, faults: 12, seed: 6 }).faults).not.toEqual(telemetry.faults);
  });

  it('plants every kind of fault after the warm-up, apart from each other and from the changeover', () => {
    expect(telemetry.faults).toHaveLength(12);
    expect(new Set(telemetry.faults.map((f) => f.kind))).toEqual(new Set(Object.keys(FAULT_KINDS)));
    const change = telemetry.regimeChange.at;
    for (const f of telemetry.faults) {
      expect(f.start).toBeGreaterThanOrEqual(telemetry.warmupEnd);
      expect(f.end).toBeLessThanOrEqual(telemetry.end);
      expect(f.end <= change - CHANGE_QUIET_BEFORE_MS || f.start >= change + CHANGE_QUIET_AFTER_MS).toBe(true);
      for (const g of telemetry.faults) if (g !== f && g.machine === f.machine) expect(g.start >= f.end || g.end <= f.start).toBe(true);
    }
  });

  it('shows each planted fault in the sensors during its window, and only then', () => {
    for (const f of telemetry.faults) {
      const before = series(f.machine, f.start - HOUR, f.start);
      const during = series(f.machine, f.start, f.end);
      const lastHour = series(f.machine, f.end - HOUR, f.end);
      if (f.kind === 'bearing') {
        // Vibration per rpm, which load does not move much, ends well above where it started.
        const ratio = (rs: Reading[]): number => mean(rs.map((r) => r.vibration / r.rpm));
        expect(ratio(lastHour) / ratio(before)).toBeGreaterThan(1.8);
      } else if (f.kind === 'overheat') {
        expect(Math.max(...during.map((r) => r.temperature)) - mean(before.map((r) => r.temperature))).toBeGreaterThan(6);
      } else if (f.kind === 'stuck') {
        expect(new Set(during.map((r) => r[f.sensor!])).size).toBe(1);
        expect(new Set(before.map((r) => r[f.sensor!])).size).toBeGreaterThan(10);
      } else {
        const drop = mean(before.map((r) => r.pressure)) - mean(lastHour.map((r) => r.pressure));
        expect(drop).toBeGreaterThan(Math.min(2.5, f.magnitude * ((f.end - f.start) / HOUR - 1)) - 0.5);
      }
    }
  });

  it('shifts every machine at the changeover: more power, lower speed, higher pressure', () => {
    const at = telemetry.regimeChange.at;
    const before = readings.filter((r) => r.ts >= at - 6 * HOUR && r.ts < at);
    const after = readings.filter((r) => r.ts >= at + HOUR && r.ts < at + 7 * HOUR);
    expect(mean(after.map((r) => r.power)) / mean(before.map((r) => r.power))).toBeGreaterThan(1.1);
    expect(mean(after.map((r) => r.rpm)) / mean(before.map((r) => r.rpm))).toBeLessThan(0.95);
    expect(mean(after.map((r) => r.pressure)) - mean(before.map((r) => r.pressure))).toBeGreaterThan(0.2);
  });
});
