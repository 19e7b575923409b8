import { TandemError } from '../errors.js';

/** One field's allowed values, and whether it was written starting with `*` (for the day rule). */
export interface CronField {
  readonly values: readonly number[];
  readonly star: boolean;
}

/** The five fields after parsing; day-of-week uses 0–6 with 0 = Sunday (7 is folded into 0). */
export interface CronFields {
  readonly minute: CronField;
  readonly hour: CronField;
  readonly dayOfMonth: CronField;
  /** 1–12. */
  readonly month: CronField;
  readonly dayOfWeek: CronField;
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const SPECS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 7, names: DAYS },
];

const MACROS: { readonly [name: string]: string } = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MINUTE = 60_000;
/** Longest month per month number (February in a leap year). */
const MONTH_DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** A date exists in every weekday within one 28-year calendar cycle, so no match is further away. */
const SEARCH_YEARS = 29;

/**
 * A parsed schedule: a 5-field cron expression (minute hour day-of-month month day-of-week, in
 * UTC), one of the `@daily`-style macros, or `@every <duration>`, which fires at every multiple
 * of the duration since the Unix epoch (so `@every 10m` fires at :00, :10, :20…).
 */
export class CronSchedule {
  readonly expression: string;
  /** The cron fields; undefined for `@every`. */
  readonly fields: CronFields | undefined;
  /** The interval of `@every`; undefined for cron fields. */
  readonly everyMs: number | undefined;
  readonly #masks: readonly (readonly boolean[])[];

  private constructor(expression: string, fields: CronFields | undefined, everyMs: number | undefined) {
    this.expression = expression;
    this.fields = fields;
    this.everyMs = everyMs;
    this.#masks = fields === undefined ? [] : [fields.minute, fields.hour, fields.dayOfMonth, fields.month, fields.dayOfWeek].map(toMask);
  }

  static parse(expression: string): CronSchedule {
    const text = expression.trim();
    if (text.startsWith('@every')) return new CronSchedule(expression, undefined, parseEvery(expression, text.slice('@every'.length).trim()));
    if (text.startsWith('@')) {
      const macro = MACROS[text.toLowerCase()];
      if (macro === undefined) {
        throw invalid(expression, `macro ${quoted(text)} is not supported; use one of ${Object.keys(MACROS).join(', ')} or '@every <duration>'`);
      }
      return new CronSchedule(expression, parseFields(expression, macro), undefined);
    }
    return new CronSchedule(expression, parseFields(expression, text), undefined);
  }

  /** Whether the schedule fires at `date` (cron fields: at its whole minute). */
  matches(date: Date): boolean {
    const ms = checkDate(date);
    if (this.everyMs !== undefined) return ms % this.everyMs === 0;
    return ms % MINUTE === 0 && this.#minuteMatches(date) && this.#hourMatches(date) && this.#dayMatches(date);
  }

  /** The first firing strictly after `date`. */
  nextAfter(date: Date): Date {
    const ms = checkDate(date);
    if (this.everyMs !== undefined) return new Date((Math.floor(ms / this.everyMs) + 1) * this.everyMs);
    let t = (Math.floor(ms / MINUTE) + 1) * MINUTE;
    const lastYear = new Date(t).getUTCFullYear() + SEARCH_YEARS;
    for (;;) {
      const d = new Date(t);
      const [year, month, day, hour] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()];
      if (year > lastYear) throw invalid(this.expression, `no firing within ${SEARCH_YEARS} years after ${date.toISOString()}`);
      if (!this.#masks[3]![month + 1]) t = Date.UTC(year, month + 1, 1);
      else if (!this.#dayMatches(d)) t = Date.UTC(year, month, day + 1);
      else if (!this.#hourMatches(d)) t = Date.UTC(year, month, day, hour + 1);
      else if (!this.#minuteMatches(d)) t += MINUTE;
      else return d;
    }
  }

  #minuteMatches(d: Date): boolean {
    return this.#masks[0]![d.getUTCMinutes()] === true;
  }

  #hourMatches(d: Date): boolean {
    return this.#masks[1]![d.getUTCHours()] === true;
  }

  /** Vixie cron's rule: if either day field starts with `*` both must match, otherwise either may. */
  #dayMatches(d: Date): boolean {
    const fields = this.fields as CronFields;
    if (this.#masks[3]![d.getUTCMonth() + 1] !== true) return false;
    const dom = this.#masks[2]![d.getUTCDate()] === true;
    const dow = this.#masks[4]![d.getUTCDay()] === true;
    return fields.dayOfMonth.star || fields.dayOfWeek.star ? dom && dow : dom || dow;
  }
}

function parseFields(expression: string, text: string): CronFields {
  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    throw invalid(
      expression,
      `expected 5 fields (minute hour day-of-month month day-of-week) or a macro such as '@daily' or '@every 10m', got ${parts.length}`,
    );
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parts.map((part, i) => parseField(expression, part, SPECS[i]!)) as [
    CronField,
    CronField,
    CronField,
    CronField,
    CronField,
  ];
  const fields = { minute, hour, dayOfMonth, month, dayOfWeek: { star: dayOfWeek.star, values: foldSunday(dayOfWeek.values) } };
  if (fields.dayOfMonth.star || fields.dayOfWeek.star) {
    const firstDay = fields.dayOfMonth.values[0]!;
    if (!fields.month.values.some((m) => MONTH_DAYS[m]! >= firstDay)) {
      throw invalid(expression, `day-of-month ${quoted(parts[2]!)} never occurs in month ${quoted(parts[3]!)}`);
    }
  }
  return fields;
}

function parseField(expression: string, text: string, spec: FieldSpec): CronField {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const slash = item.indexOf('/');
    const base = slash < 0 ? item : item.slice(0, slash);
    let step = 1;
    if (slash >= 0) {
      const stepText = item.slice(slash + 1);
      step = /^\d+$/.test(stepText) ? Number(stepText) : NaN;
      if (!(step >= 1 && step <= spec.max)) {
        throw invalid(expression, `${spec.name} step ${quoted(stepText)} in ${quoted(text)} must be a whole number from 1 to ${spec.max}`);
      }
    }
    let low: number;
    let high: number;
    if (base === '*') {
      [low, high] = [spec.min, spec.max];
    } else {
      const dash = base.indexOf('-');
      low = parseValue(expression, dash < 0 ? base : base.slice(0, dash), spec);
      // `5/15` is read as `5-max/15`, as most cron implementations do.
      high = dash >= 0 ? parseValue(expression, base.slice(dash + 1), spec) : slash >= 0 ? spec.max : low;
      if (low > high) throw invalid(expression, `${spec.name} range ${quoted(base)} runs backwards`);
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return { star: text.startsWith('*'), values: [...values].sort((a, b) => a - b) };
}

function parseValue(expression: string, text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (spec.min === 1 ? 1 : 0);
  if (!/^\d+$/.test(text)) {
    const hint = spec.names === undefined ? '' : ` or a name such as '${spec.names[1]}'`;
    throw invalid(expression, `${spec.name} ${quoted(text)} is not a number${hint}`);
  }
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    throw invalid(expression, `${spec.name} ${quoted(text)} is out of range ${spec.min}-${spec.max}`);
  }
  return value;
}

function parseEvery(expression: string, text: string): number {
  if (!/^(\d+[smhd])+$/.test(text)) {
    throw invalid(expression, `duration ${quoted(text)} is not a duration; write a number and a unit (s, m, h, d), e.g. '30s', '10m' or '1h30m'`);
  }
  let ms = 0;
  for (const [, count, unit] of text.matchAll(/(\d+)([smhd])/g)) ms += Number(count) * UNIT_MS[unit as keyof typeof UNIT_MS];
  if (ms <= 0) throw invalid(expression, `duration ${quoted(text)} must be longer than zero`);
  return ms;
}

function foldSunday(values: readonly number[]): number[] {
  return [...new Set(values.map((v) => (v === 7 ? 0 : v)))].sort((a, b) => a - b);
}

function toMask(field: CronField): boolean[] {
  const mask = new Array<boolean>(32).fill(false);
  for (const v of field.values) mask[v] = true;
  return mask;
}

function checkDate(date: Date): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new TandemError('TANDEM_USAGE', `a schedule needs a valid date, got ${String(date)}`);
  return ms;
}

function quoted(text: string): string {
  return `'${text}'`;
}

function invalid(expression: string, problem: string): TandemError {
  return new TandemError('TANDEM_INVALID_DEFINITION', `cron expression ${quoted(expression)}: ${problem}`, { details: { expression } });
}
