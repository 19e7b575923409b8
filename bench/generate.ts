/**
 * Deterministic synthetic card transactions for the backfill benchmark.
 *
 * The stream is shaped to exercise the parts of windowed aggregation that are easy to get
 * wrong: bursts per card, a diurnal cycle, many events sharing an exact timestamp (second
 * resolution terminals, split payments), events landing exactly on another event's window
 * boundary (recurring payments at +1h / +24h / +7d), skewed merchant popularity (a few keys
 * with very large windows), and non-integer amounts so floating point matters. Rows arrive
 * roughly, not strictly, in time order.
 */
import type { Column, Table } from '../src/io/table.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

export interface GenerateOptions {
  readonly events: number;
  /** @default 20240601 */
  readonly seed?: number;
  /** Time span covered by the events. @default 90 days */
  readonly spanMs?: number;
  /** @default 10_000 */
  readonly cards?: number;
  /** @default 2_000 */
  readonly merchants?: number;
}

/** The generated events, as plain typed arrays and as a Tandem table (sharing the arrays). */
export interface GeneratedEvents {
  readonly length: number;
  /** Event id: the row's position in the table, so results can be matched row by row. */
  readonly id: Float64Array;
  readonly ts: Float64Array;
  readonly card: Int32Array;
  readonly merchant: Int32Array;
  readonly country: Int32Array;
  readonly amount: Float64Array;
  readonly cardNames: readonly string[];
  readonly merchantNames: readonly string[];
  readonly countryNames: readonly string[];
  readonly table: Table;
  /** How many events were made as exact-time copies (ties) and as window-boundary repeats. */
  readonly ties: number;
  readonly boundaryRepeats: number;
}

/** sfc32: a small, fast, well-tested 32-bit PRNG (PractRand clean); seeded via splitmix32. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  };
}

function normal(random: () => number): number {
  // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Cumulative weights for sampling by binary search. */
function cumulative(weights: Float64Array): Float64Array {
  const out = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    total += weights[i]!;
    out[i] = total;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= total;
  return out;
}

function pick(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Log-normal amount in whole cents, median ≈ 33.00, about one in six above 100.00. */
function amountOf(random: () => number): number {
  const cents = Math.max(1, Math.round(Math.exp(3.5 + 1.2 * normal(random)) * 100));
  return cents / 100;
}

const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'ES', 'IT', 'SE', 'PL', 'IE', 'CA', 'BR', 'MX', 'JP', 'IN', 'AU', 'SG', 'ZA', 'NG', 'AE'];

export function generateEvents(options: GenerateOptions): GeneratedEvents {
  const n = options.events;
  const random = prng(options.seed ?? 20_240_601);
  const spanMs = options.spanMs ?? 90 * DAY;
  const cardCount = options.cards ?? 10_000;
  const merchantCount = options.merchants ?? 2_000;
  const start = Date.UTC(2024, 0, 1);

  // Merchants: Zipf-like popularity (s = 1.05), so a handful carry very large windows.
  const merchantWeights = new Float64Array(merchantCount);
  for (let m = 0; m < merchantCount; m++) merchantWeights[m] = 1 / Math.pow(m + 1, 1.05);
  const merchantCdf = cumulative(merchantWeights);
  // Cards: log-normal activity; each shops mostly at 2–8 favourite merchants.
  const cardWeights = new Float64Array(cardCount);
  for (let c = 0; c < cardCount; c++) cardWeights[c] = Math.exp(1.0 * normal(random));
  const cardCdf = cumulative(cardWeights);
  const favouriteCount = new Int32Array(cardCount);
  const favourites = new Int32Array(cardCount * 8);
  const homeCountry = new Int32Array(cardCount);
  for (let c = 0; c < cardCount; c++) {
    const k = 2 + Math.floor(random() * 7);
    favouriteCount[c] = k;
    for (let j = 0; j < k; j++) favourites[c * 8 + j] = pick(merchantCdf, random());
    homeCountry[c] = random() < 0.6 ? 0 : 1 + Math.floor(random() * (COUNTRIES.length - 1));
  }

  const ts = new Float64Array(n);
  const card = new Int32Array(n);
  const merchant = new Int32Array(n);
  const country = new Int32Array(n);
  const amount = new Float64Array(n);
  // Arrival order: event time plus a small delivery delay for some events.
  const arrival = new Float64Array(n);

  // Base arrivals: a Poisson process whose rate follows a daily cycle (quiet at night),
  // thinned from a constant-rate process so times increase.
  const meanGap = spanMs / n;
  let t = start;
  let ties = 0;
  let boundaryRepeats = 0;
  let i = 0;
  while (i < n) {
    const r = random();
    if (i > 0 && r < 0.015) {
      // Split payment: same card and merchant, the exact same instant as an earlier event.
      const j = i - 1 - Math.floor(random() * Math.min(i, 50));
      ts[i] = ts[j]!;
      card[i] = card[j]!;
      merchant[i] = merchant[j]!;
      country[i] = country[j]!;
      amount[i] = amountOf(random);
      ties++;
    } else if (i > 0 && r < 0.03) {
      // Recurring payment exactly one window length after an earlier one (the window's
      // lower edge, which the half-open interval [t − w, t) includes).
      const period = [HOUR, DAY, WEEK][Math.floor(random() * 3)]!;
      const j = Math.floor(random() * i);
      const at = ts[j]! + period;
      if (at >= start + spanMs) continue;
      ts[i] = at;
      card[i] = card[j]!;
      merchant[i] = merchant[j]!;
      country[i] = country[j]!;
      amount[i] = random() < 0.5 ? amount[j]! : amountOf(random);
      boundaryRepeats++;
    } else {
      // Exponential gap; accept with the diurnal rate (thinning keeps the process Poisson).
      let accepted = false;
      while (!accepted) {
        t += -Math.log(1 - random()) * meanGap * 0.55;
        const hourOfDay = ((t - start) % DAY) / HOUR;
        const rate = 0.55 + 0.45 * Math.sin(((hourOfDay - 9) / 24) * 2 * Math.PI);
        accepted = random() < rate;
      }
      // Half the terminals report whole seconds, which makes exact ties common.
      ts[i] = random() < 0.5 ? Math.floor(t / 1000) * 1000 : Math.floor(t);
      const c = pick(cardCdf, random());
      card[i] = c;
      merchant[i] = random() < 0.8 ? favourites[c * 8 + Math.floor(random() * favouriteCount[c]!)]! : pick(merchantCdf, random());
      country[i] = random() < 0.9 ? homeCountry[c]! : Math.floor(random() * COUNTRIES.length);
      amount[i] = amountOf(random);
      // A burst: the same card again within seconds to minutes (card testing, retries).
      if (random() < 0.04) {
        const burst = 1 + Math.floor(random() * 5);
        for (let b = 0; b < burst && i + 1 < n; b++) {
          i++;
          ts[i] = ts[i - 1]! + Math.floor(random() * 90_000);
          card[i] = c;
          merchant[i] = random() < 0.5 ? merchant[i - 1]! : pick(merchantCdf, random());
          country[i] = country[i - 1]!;
          amount[i] = random() < 0.3 ? 1 : amountOf(random);
        }
      }
    }
    i++;
  }
  for (let k = 0; k < n; k++) arrival[k] = ts[k]! + (random() < 0.05 ? Math.floor(random() * 30_000) : 0);

  // Store rows in arrival order: roughly, but not strictly, increasing event time.
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => arrival[a]! - arrival[b]! || a - b);
  const permute = <T extends Float64Array | Int32Array>(src: T): T => {
    const out = new (src.constructor as new (length: number) => T)(n);
    for (let k = 0; k < n; k++) out[k] = src[order[k]!]!;
    return out;
  };
  const id = new Float64Array(n);
  for (let k = 0; k < n; k++) id[k] = k;
  const events = {
    id,
    ts: permute(ts),
    card: permute(card),
    merchant: permute(merchant),
    country: permute(country),
    amount: permute(amount),
  };
  const cardNames = Array.from({ length: cardCount }, (_, c) => `card_${String(c).padStart(6, '0')}`);
  const merchantNames = Array.from({ length: merchantCount }, (_, m) => `m_${String(m).padStart(5, '0')}`);
  const columns = new Map<string, Column>([
    ['id', { type: 'number', values: events.id }],
    ['ts', { type: 'timestamp', values: events.ts }],
    ['card', { type: 'string', codes: events.card, dictionary: cardNames }],
    ['merchant', { type: 'string', codes: events.merchant, dictionary: merchantNames }],
    ['country', { type: 'string', codes: events.country, dictionary: COUNTRIES }],
    ['amount', { type: 'number', values: events.amount }],
  ]);
  return {
    length: n,
    ...events,
    cardNames,
    merchantNames,
    countryNames: COUNTRIES,
    table: { length: n, columns },
    ties,
    boundaryRepeats,
  };
}

/** Distinct keys per entity kind, and how many composite keys have at least `busy` events. */
export function keyStats(events: GeneratedEvents, busy = 50): { cards: number; merchants: number; cardMerchants: number; busyCardMerchants: number } {
  const cards = new Set<number>();
  const merchants = new Set<number>();
  const pairs = new Map<number, number>();
  const m = events.merchantNames.length;
  for (let k = 0; k < events.length; k++) {
    cards.add(events.card[k]!);
    merchants.add(events.merchant[k]!);
    const key = events.card[k]! * m + events.merchant[k]!;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  let busyCardMerchants = 0;
  for (const c of pairs.values()) if (c >= busy) busyCardMerchants++;
  return { cards: cards.size, merchants: merchants.size, cardMerchants: pairs.size, busyCardMerchants };
}
