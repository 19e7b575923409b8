import type { Column, Table } from '../io/table.js';
import { Random } from './random.js';

export interface TransactionOptions {
  readonly events: number;
  readonly cards?: number;
  readonly merchants?: number;
  /** Start of the history (epoch ms). @default 2026-01-01 */
  readonly start?: number;
  /** Length of the history. @default 60 days */
  readonly days?: number;
  /** Share of events that belong to a planted fraud incident. @default 0.01 */
  readonly fraudShare?: number;
  /**
   * A new pattern from `from` on (epoch ms): merchant fraud rings (FRAUD_PATTERNS.merchantRing)
   * adding `share` of the events after it. @default none
   */
  readonly ring?: { readonly from: number; readonly share: number };
  readonly seed?: number;
}

const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'ES', 'IT', 'BR', 'IN', 'JP'];

/** The planted fraud patterns, documented so a reader can check what a model should find. */
export const FRAUD_PATTERNS = {
  /** 5–15 tiny amounts (0.50–3.00) at random merchants within minutes, from a new device. */
  cardTesting: 'card-testing burst',
  /** 2–5 large amounts within an hour from a foreign country and a new device. */
  accountTakeover: 'account takeover',
  /** For a few days one merchant's transactions are fraudulent a third of the time, at inflated amounts. */
  compromisedMerchant: 'compromised merchant',
  /**
   * Only when `ring` is set (or planted live by the fraud blueprint), after its start: one of
   * three merchants never seen before charges 12–80 different cards within an hour, at ordinary amounts, in the cards' home countries and
   * from their own devices. Nothing about the card looks wrong; the merchant's velocity does.
   */
  merchantRing: 'merchant fraud ring',
} as const;

interface Draft {
  ts: number;
  card: number;
  merchant: number;
  amount: number;
  country: number;
  device: number;
  fraud: boolean;
}

function dictionaryColumn(codes: Int32Array, dictionary: readonly string[]): Column {
  return { type: 'string', codes, dictionary };
}

/**
 * Card transactions: each card shops mostly at a few favourite merchants in its home country
 * from its own device, amounts are log-normal, arrivals are bursty with some events sharing a
 * millisecond, and about `fraudShare` of events belong to planted fraud incidents
 * (`FRAUD_PATTERNS`), labelled `is_fraud`. Events are in time order. Deterministic for a seed.
 */
export function generateTransactions(options: TransactionOptions): Table {
  const n = options.events;
  const cards = options.cards ?? Math.max(200, Math.round(n / 150));
  const merchants = options.merchants ?? 400;
  const start = options.start ?? Date.UTC(2026, 0, 1);
  const span = (options.days ?? 60) * 86_400_000;
  const random = new Random(options.seed ?? 7);

  const home = Int32Array.from({ length: cards }, () => random.int(COUNTRIES.length));
  const favourites = Array.from({ length: cards }, () => Int32Array.from({ length: 4 }, () => random.int(merchants)));
  const foreign = (c: number): number => ((home[c] as number) + 1 + random.int(COUNTRIES.length - 1)) % COUNTRIES.length;
  const strangeDevice = (): number => 2 * cards + random.int(cards);

  const drafts: Draft[] = [];
  const fraudBudget = Math.round(n * (options.fraudShare ?? 0.01));
  // A compromised merchant for a few days in the middle of the history.
  const badMerchant = random.int(merchants);
  const badFrom = start + span * 0.45;
  const badTo = badFrom + 4 * 86_400_000;
  let fraud = 0;
  while (fraud < fraudBudget) {
    const c = random.int(cards);
    const t0 = start + Math.floor(random.next() * span);
    if (random.next() < 0.5) {
      const device = strangeDevice();
      const burst = 5 + random.int(11);
      for (let b = 0; b < burst && fraud < fraudBudget; b++, fraud++) {
        drafts.push({ ts: t0 + b * (10_000 + random.int(50_000)), card: c, merchant: random.int(merchants), amount: Math.round(50 + 250 * random.next()) / 100, country: home[c] as number, device, fraud: true });
      }
    } else {
      const device = strangeDevice();
      const country = foreign(c);
      const burst = 2 + random.int(4);
      for (let b = 0; b < burst && fraud < fraudBudget; b++, fraud++) {
        drafts.push({ ts: t0 + random.int(3_600_000), card: c, merchant: random.int(merchants), amount: Math.round(Math.exp(5.5 + 0.6 * random.normal()) * 100) / 100, country, device, fraud: true });
      }
    }
  }
  const ring = options.ring;
  if (ring !== undefined) {
    const ringBudget = Math.round(n * ring.share * Math.max(0, Math.min(1, (start + span - ring.from) / span)));
    let planted = 0;
    while (planted < ringBudget) {
      const ringMerchant = merchants + random.int(3);
      const t0 = ring.from + Math.floor(random.next() * (start + span - ring.from - 3_600_000));
      const burst = 40 + random.int(41);
      for (let b = 0; b < burst && planted < ringBudget; b++, planted++) {
        const c = random.int(cards);
        drafts.push({ ts: t0 + random.int(3_600_000), card: c, merchant: ringMerchant, amount: Math.round(Math.exp(3.2 + 0.8 * random.normal()) * 100) / 100, country: home[c] as number, device: c, fraud: true });
      }
    }
  }
  const legitimate = n - drafts.length;
  const meanGap = span / legitimate;
  let t = start;
  for (let i = 0; i < legitimate; i++) {
    // Bursty arrivals; about one event in twenty shares its predecessor's millisecond.
    if (random.next() > 0.05) t += Math.max(1, Math.round(random.exponential(meanGap)));
    const c = random.int(cards);
    const merchant = random.next() < 0.8 ? (favourites[c] as Int32Array)[random.int(4)]! : random.int(merchants);
    const compromised = merchant === badMerchant && t >= badFrom && t < badTo && random.next() < 1 / 3;
    const amount = Math.round(Math.exp(3.2 + 1.1 * random.normal()) * (compromised ? 4 : 1) * 100) / 100;
    drafts.push({
      ts: t,
      card: c,
      merchant,
      amount,
      country: random.next() < 0.97 ? (home[c] as number) : random.int(COUNTRIES.length),
      device: random.next() < 0.95 ? c : cards + random.int(cards),
      fraud: compromised,
    });
  }
  // Stable by time: incidents interleave with ordinary traffic.
  const order = Uint32Array.from(drafts.keys()).sort((a, b) => (drafts[a] as Draft).ts - (drafts[b] as Draft).ts || a - b);

  const ts = new Float64Array(n);
  const tx = new Int32Array(n);
  const card = new Int32Array(n);
  const merchant = new Int32Array(n);
  const amount = new Float64Array(n);
  const country = new Int32Array(n);
  const device = new Int32Array(n);
  const isFraud = new Float64Array(n);
  order.forEach((d, i) => {
    const draft = drafts[d] as Draft;
    ts[i] = draft.ts;
    tx[i] = i;
    card[i] = draft.card;
    merchant[i] = draft.merchant;
    amount[i] = draft.amount;
    country[i] = draft.country;
    device[i] = draft.device;
    isFraud[i] = draft.fraud ? 1 : 0;
  });
  const names = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
  return {
    length: n,
    columns: new Map<string, Column>([
      ['ts', { type: 'timestamp', values: ts }],
      ['tx_id', dictionaryColumn(tx, names('tx', n))],
      ['card', dictionaryColumn(card, names('card', cards))],
      ['merchant', dictionaryColumn(merchant, names('m', merchants + (ring === undefined ? 0 : 3)))],
      ['amount', { type: 'number', values: amount }],
      ['country', dictionaryColumn(country, COUNTRIES)],
      ['device', dictionaryColumn(device, names('dev', 3 * cards))],
      ['is_fraud', { type: 'boolean', values: isFraud }],
    ]),
  };
}
