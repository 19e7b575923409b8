import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline/promises';
import { AUDIT_LEVELS, DRIFT_LEVELS, SKILLS, TASKS, type ProfileInput } from './profile.js';

interface Question {
  readonly text: string;
  /** Shown in brackets; an empty answer takes it. */
  readonly fallback: string;
  readonly set: (input: Record<string, unknown>, answer: string) => void;
}

const num = (answer: string): number | string => (answer.trim() !== '' && Number.isFinite(Number(answer)) ? Number(answer) : answer);

function questions(start: ProfileInput): Question[] {
  const eps = start.eventsPerSecond;
  const peak = typeof eps === 'number' ? eps : (eps?.peak ?? 100);
  const average = typeof eps === 'number' ? eps : (eps?.average ?? (eps === undefined ? 20 : peak));
  const volume = (input: Record<string, unknown>): Record<string, unknown> => (input['dataVolume'] ??= {}) as Record<string, unknown>;
  const events = (input: Record<string, unknown>): Record<string, unknown> => {
    const current = input['eventsPerSecond'];
    if (typeof current === 'object' && current !== null) return current as Record<string, unknown>;
    const value = typeof current === 'number' ? { peak: current, average: current } : { peak, average };
    input['eventsPerSecond'] = value;
    return value;
  };
  return [
    { text: 'p99 latency a decision needs (e.g. 50ms, 1s, 24h)', fallback: String(start.latency ?? '1s'), set: (i, a) => void (i['latency'] = num(a)) },
    { text: 'peak events per second', fallback: String(peak), set: (i, a) => void (events(i)['peak'] = num(a)) },
    { text: 'average events per second', fallback: String(average), set: (i, a) => void (events(i)['average'] = num(a)) },
    { text: 'how stale may features be (e.g. 5s, 1m, 1d)', fallback: String(start.freshness ?? '1h'), set: (i, a) => void (i['freshness'] = num(a)) },
    { text: 'history to keep (e.g. 90d, 2y as 730d)', fallback: String(start.dataVolume?.retention ?? '90d'), set: (i, a) => void (volume(i)['retention'] = num(a)) },
    {
      text: 'monthly budget (a number, or none)',
      fallback: start.budgetPerMonth === undefined || start.budgetPerMonth === null ? 'none' : String(start.budgetPerMonth),
      set: (i, a) => void (i['budgetPerMonth'] = a === 'none' ? null : num(a)),
    },
    { text: `audit (${AUDIT_LEVELS.join(' / ')})`, fallback: start.audit ?? 'none', set: (i, a) => void (i['audit'] = a) },
    {
      text: `team skills, comma-separated (${SKILLS.join(', ')})`,
      fallback: (start.teamSkills ?? ['typescript']).join(','),
      set: (i, a) => void (i['teamSkills'] = a.split(',').map((s) => s.trim()).filter((s) => s !== '')),
    },
    { text: 'how late labels arrive (e.g. 1h, 30d)', fallback: String(start.labelDelay ?? '1d'), set: (i, a) => void (i['labelDelay'] = num(a)) },
    { text: `drift expected (${DRIFT_LEVELS.join(' / ')})`, fallback: start.drift ?? 'moderate', set: (i, a) => void (i['drift'] = a) },
    { text: `task (${TASKS.join(' / ')})`, fallback: start.task ?? 'classification', set: (i, a) => void (i['task'] = a) },
  ];
}

/**
 * Ask the profile's questions on `output`, reading answers line by line from `input`. An empty
 * answer, or the end of the input (a pipe with fewer answers, or none), takes the default in
 * brackets. Answers from `start` (flags, a file) are the defaults shown.
 */
export async function askProfile(input: Readable, output: Writable, start: ProfileInput = {}): Promise<ProfileInput> {
  const terminal = (input as { isTTY?: boolean }).isTTY === true;
  const lines = createInterface({ input, output, terminal });
  // Lines are buffered by the iterator, so answers piped in before their question are not lost.
  const iterator = lines[Symbol.asyncIterator]();
  const answers: Record<string, unknown> = structuredClone(start) as Record<string, unknown>;
  let ended = false;
  try {
    for (const q of questions(start)) {
      output.write(`${q.text} [${q.fallback}]: `);
      let answer = '';
      if (!ended) {
        const next = await iterator.next();
        if (next.done === true) ended = true;
        else answer = String(next.value).trim();
      }
      if (!terminal) output.write(`${answer === '' ? q.fallback : answer}\n`);
      q.set(answers, answer === '' ? q.fallback : answer);
    }
  } finally {
    lines.close();
  }
  return answers as ProfileInput;
}
