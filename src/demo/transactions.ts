import type { Column, Table } from '../io/table.js';
import { Random } from './random.js';

export interface TransactionOptions {
  readonly events: number;
  readonly cards?: number;
  readonly merchants?: number;
  /** Start of the history (epoch ms). @default 2026-01-01 */
  readonly start?: number;
  readonly seed?: number;
}

const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'ES', 'IT', 'BR', 'IN', 'JP'];

function dictionaryColumn(codes: Int32Array, dictionary: readonly string[]): Column {
  return { type: 'string', codes, dictionary };
}

/**
 * Card transactions over about two months: each card shops mostly at a few favourite
 * merchants in its home country, amounts are log-normal, and events arrive in time order
 * with some sharing a millisecond. Deterministic for a seed.
 */
export function generateTransactions(options: TransactionOptions): Table {
  const n = options.events;
  const cards = options.cards ?? Math.max(200, Math.round(n / 150));
  const merchants = options.merchants ?? 400;
  const start = options.start ?? Date.UTC(2026, 0, 1);
  const random = new Random(options.seed ?? 7);
  const span = 60 * 86_400_000;
  const meanGap = span / n;

  const home = Int32Array.from({ length: cards }, () => random.int(COUNTRIES.length));
  const favourites = Array.from({ length: cards }, () => Int32Array.from({ length: 4 }, () => random.int(merchants)));
  const devices = Int32Array.from({ length: cards }, (_, c) => c);

  const ts = new Float64Array(n);
  const tx = new Int32Array(n);
  const card = new Int32Array(n);
  const merchant = new Int32Array(n);
  const amount = new Float64Array(n);
  const country = new Int32Array(n);
  const device = new Int32Array(n);
  let t = start;
  for (let i = 0; i < n; i++) {
    // Bursty arrivals; about one event in twenty shares its predecessor's millisecond.
    if (random.next() > 0.05) t += Math.max(1, Math.round(random.exponential(meanGap)));
    ts[i] = t;
    tx[i] = i;
    const c = random.int(cards);
    card[i] = c;
    merchant[i] = random.next() < 0.8 ? favourites[c]![random.int(4)]! : random.int(merchants);
    amount[i] = Math.round(Math.exp(3.2 + 1.1 * random.normal()) * 100) / 100;
    country[i] = random.next() < 0.97 ? home[c]! : random.int(COUNTRIES.length);
    device[i] = random.next() < 0.95 ? devices[c]! : cards + random.int(cards);
  }
  const names = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
  return {
    length: n,
    columns: new Map<string, Column>([
      ['ts', { type: 'timestamp', values: ts }],
      ['tx_id', dictionaryColumn(tx, names('tx', n))],
      ['card', dictionaryColumn(card, names('card', cards))],
      ['merchant', dictionaryColumn(merchant, names('m', merchants))],
      ['amount', { type: 'number', values: amount }],
      ['country', dictionaryColumn(country, COUNTRIES)],
      ['device', dictionaryColumn(device, names('dev', 2 * cards))],
    ]),
  };
}
