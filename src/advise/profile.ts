import { z } from 'zod';
import { TandemError, quote } from '../errors.js';
import { formatDuration, parseDuration } from '../features/duration.js';

/**
 * What `tandem advise` is told about a use case. Every field has a documented default so a
 * partial profile (or none) still gives an answer; durations are written as in definitions
 * ('50ms', '5s', '1m', '24h', '7d') or as milliseconds.
 */

export const AUDIT_LEVELS = ['none', 'explainability', 'regulated'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

export const SKILLS = ['sql', 'streaming', 'ml-ops', 'kubernetes', 'typescript', 'python'] as const;
export type Skill = (typeof SKILLS)[number];

export const DRIFT_LEVELS = ['low', 'moderate', 'high'] as const;
export type DriftLevel = (typeof DRIFT_LEVELS)[number];

export const TASKS = ['classification', 'regression', 'anomaly', 'forecast', 'segmentation', 'ranking'] as const;
export type AdviseTask = (typeof TASKS)[number];

/** The defaults, in the units of the input (durations as text). */
export const PROFILE_DEFAULTS = {
  /** p99 time the product can wait for a decision once it asks. @default '1s' */
  latency: '1s',
  /** Events per second: peak and average. @default { peak: 100, average: 20 } */
  eventsPerSecond: { peak: 100, average: 20 },
  /** How stale a feature may be when it is read. @default '1h' */
  freshness: '1h',
  /** History kept for training and replay. @default 90 days of the average rate, 500 bytes an event */
  retention: '90d',
  eventBytes: 500,
  /** Monthly budget in the currency of the prices; none = not a criterion. @default null */
  budgetPerMonth: null,
  /** @default 'none' */
  audit: 'none',
  /** @default ['typescript'] */
  teamSkills: ['typescript'],
  /** How long after a decision its ground truth arrives. @default '1d' */
  labelDelay: '1d',
  /** How fast the relation between features and outcome is expected to change. @default 'moderate' */
  drift: 'moderate',
  /** @default 'classification' */
  task: 'classification',
} as const;

const durationInput = z.union([z.string(), z.number()]);
const count = z.number().finite().nonnegative();

export const profileInputSchema = z.strictObject({
  latency: durationInput.optional(),
  eventsPerSecond: z.union([count, z.strictObject({ peak: count, average: count.optional() })]).optional(),
  /** Predictions asked per second at peak. @default the peak events per second */
  predictionsPerSecond: count.optional(),
  freshness: durationInput.optional(),
  dataVolume: z
    .strictObject({
      rows: count.optional(),
      gb: count.optional(),
      retention: durationInput.optional(),
      eventBytes: z.number().finite().positive().optional(),
    })
    .optional(),
  budgetPerMonth: z.union([count, z.null()]).optional(),
  audit: z.enum(AUDIT_LEVELS).optional(),
  teamSkills: z.array(z.enum(SKILLS)).optional(),
  labelDelay: durationInput.optional(),
  drift: z.enum(DRIFT_LEVELS).optional(),
  task: z.enum(TASKS).optional(),
});

export type ProfileInput = z.input<typeof profileInputSchema>;

/** A validated profile in base units: milliseconds, events per second, rows, GB. */
export interface Profile {
  readonly latencyMs: number;
  readonly eventsPerSecond: { readonly peak: number; readonly average: number };
  readonly predictionsPerSecond: number;
  readonly freshnessMs: number;
  readonly dataVolume: { readonly rows: number; readonly gb: number; readonly retentionMs: number };
  readonly budgetPerMonth: number | null;
  readonly audit: AuditLevel;
  readonly teamSkills: readonly Skill[];
  readonly labelDelayMs: number;
  readonly drift: DriftLevel;
  readonly task: AdviseTask;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function duration(value: string | number, field: string): number {
  try {
    return parseDuration(value, field);
  } catch (error) {
    throw new TandemError('TANDEM_USAGE', `profile field '${field}': ${quote(value)} is not a duration; write e.g. '50ms', '5s', '1m', '24h' or '7d'`, {
      cause: error,
      details: { field, value },
    });
  }
}

/**
 * Validate a profile (from flags, a JSON file or answers) and fill the defaults. Errors name
 * the field and quote the value: `profile field 'audit': 'strict' is not one of none, …`.
 */
export function parseProfile(input: unknown): Profile {
  const parsed = profileInputSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = fieldPath(issue.path) || 'profile';
    if (issue.code === 'unrecognized_keys') {
      const known = Object.keys(profileInputSchema.shape).join(', ');
      throw new TandemError('TANDEM_USAGE', `profile has unknown field ${issue.keys.map((k) => quote(k)).join(', ')}${issue.path.length > 0 ? ` in '${field}'` : ''}; the fields are ${known}`);
    }
    const value = valueAt(input, issue.path);
    const expected = issue.code === 'invalid_value' ? `one of ${issue.values.map(String).join(', ')}` : issue.message.replace(/^Invalid input: /, '');
    throw new TandemError('TANDEM_USAGE', `profile field '${field}': ${quote(value)} is not valid (${expected})`, { details: { field, value } });
  }
  const p = parsed.data;
  const eps = p.eventsPerSecond ?? PROFILE_DEFAULTS.eventsPerSecond;
  const peak = typeof eps === 'number' ? eps : eps.peak;
  const average = typeof eps === 'number' ? eps : (eps.average ?? peak);
  if (average > peak) {
    throw new TandemError('TANDEM_USAGE', `profile field 'eventsPerSecond.average': ${average} is above the peak ${peak}`, { details: { field: 'eventsPerSecond.average', value: average } });
  }
  const retentionMs = duration(p.dataVolume?.retention ?? PROFILE_DEFAULTS.retention, 'dataVolume.retention');
  const eventBytes = p.dataVolume?.eventBytes ?? PROFILE_DEFAULTS.eventBytes;
  const rows = p.dataVolume?.rows ?? (p.dataVolume?.gb !== undefined ? (p.dataVolume.gb * 1e9) / eventBytes : Math.round((average * retentionMs) / 1000));
  const gb = p.dataVolume?.gb ?? (rows * eventBytes) / 1e9;
  return {
    latencyMs: duration(p.latency ?? PROFILE_DEFAULTS.latency, 'latency'),
    eventsPerSecond: { peak, average },
    predictionsPerSecond: p.predictionsPerSecond ?? peak,
    freshnessMs: duration(p.freshness ?? PROFILE_DEFAULTS.freshness, 'freshness'),
    dataVolume: { rows, gb, retentionMs },
    budgetPerMonth: p.budgetPerMonth === undefined ? PROFILE_DEFAULTS.budgetPerMonth : p.budgetPerMonth,
    audit: p.audit ?? PROFILE_DEFAULTS.audit,
    teamSkills: p.teamSkills ?? [...PROFILE_DEFAULTS.teamSkills],
    labelDelayMs: duration(p.labelDelay ?? PROFILE_DEFAULTS.labelDelay, 'labelDelay'),
    drift: p.drift ?? PROFILE_DEFAULTS.drift,
    task: p.task ?? PROFILE_DEFAULTS.task,
  };
}

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** One line per field, for the report. */
export function describeProfile(p: Profile): [string, string][] {
  return [
    ['latency (p99)', formatDuration(p.latencyMs)],
    ['events/s', `peak ${number.format(p.eventsPerSecond.peak)}, average ${number.format(p.eventsPerSecond.average)}`],
    ['predictions/s (peak)', number.format(p.predictionsPerSecond)],
    ['freshness', formatDuration(p.freshnessMs)],
    ['history', `${number.format(p.dataVolume.rows)} rows, ${number.format(p.dataVolume.gb)} GB, kept ${formatDuration(p.dataVolume.retentionMs)}`],
    ['budget / month', p.budgetPerMonth === null ? 'not given' : number.format(p.budgetPerMonth)],
    ['audit', p.audit],
    ['team skills', p.teamSkills.join(', ') || 'none'],
    ['label delay', formatDuration(p.labelDelayMs)],
    ['drift expected', p.drift],
    ['task', p.task],
  ];
}
