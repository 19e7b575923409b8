import { TandemError, quote } from '../errors.js';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** A duration as written in definitions: `'90s'`, `'15m'`, `'24h'`, `'7d'`, `'2w'`, or milliseconds. */
export type Duration = `${number}${keyof typeof UNIT_MS}` | number;

const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;

/** Parse a duration to whole milliseconds; `what` names the setting in the error message. */
export function parseDuration(value: Duration | string, what = 'duration'): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0 && Number.isInteger(value)) return value;
    throw new TandemError('TANDEM_INVALID_DURATION', `${what} must be a whole, non-negative number of milliseconds, got ${quote(value)}`);
  }
  const match = PATTERN.exec(value.trim());
  if (match === null) {
    throw new TandemError(
      'TANDEM_INVALID_DURATION',
      `${what} ${quote(value)} is not a duration; write a number and a unit (ms, s, m, h, d, w), e.g. '15m' or '7d'`,
    );
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (!Number.isInteger(ms)) {
    throw new TandemError('TANDEM_INVALID_DURATION', `${what} ${quote(value)} is not a whole number of milliseconds`);
  }
  return ms;
}

/** The shortest exact spelling of a millisecond duration, e.g. 86_400_000 → '1d'. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'lifetime';
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    if (ms !== 0 && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
