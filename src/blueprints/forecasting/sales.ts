import { Random } from '../../demo/random.js';
import type { Column, Table } from '../../io/table.js';

export const DAY_MS = 86_400_000;

/** A product category: how many tickets a typical store sells, at what price, by weekday and season. */
export interface Category {
  readonly name: string;
  /** Tickets per day in a store of size 1 on an average day. */
  readonly tickets: number;
  /** Mean ticket amount (currency units). */
  readonly ticket: number;
  /** Multipliers of the ticket count by UTC weekday, Sunday first. */
  readonly weekly: readonly number[];
  /** Yearly seasonality: the count is multiplied by 1 + amplitude·cos(2π(dayOfYear − peak)/365). */
  readonly yearlyAmplitude: number;
  readonly yearlyPeak: number;
}

export const CATEGORIES: readonly Category[] = [
  { name: 'grocery', tickets: 60, ticket: 28, weekly: [0.9, 0.85, 0.85, 0.9, 1.0, 1.25, 1.35], yearlyAmplitude: 0.05, yearlyPeak: 355 },
  { name: 'apparel', tickets: 25, ticket: 55, weekly: [1.3, 0.7, 0.75, 0.8, 0.9, 1.2, 1.5], yearlyAmplitude: 0.15, yearlyPeak: 330 },
  { name: 'garden', tickets: 15, ticket: 40, weekly: [1.4, 0.8, 0.8, 0.8, 0.9, 1.1, 1.6], yearlyAmplitude: 0.6, yearlyPeak: 140 },
  { name: 'electronics', tickets: 12, ticket: 180, weekly: [1.2, 0.7, 0.7, 0.75, 0.85, 1.15, 1.6], yearlyAmplitude: 0.25, yearlyPeak: 350 },
];

/**
 * Holidays with their effect on every category's ticket count: a multiplier, 0 for a day every
 * store is closed. The dates are fixed (not computed), so a reader can check them in the data.
 */
export const HOLIDAYS: Readonly<Record<string, { readonly name: string; readonly uplift: number }>> = {
  '2023-11-24': { name: 'Black Friday', uplift: 1.8 },
  '2023-12-23': { name: 'last Saturday before Christmas', uplift: 1.5 },
  '2023-12-24': { name: 'Christmas Eve', uplift: 1.6 },
  '2023-12-25': { name: 'Christmas Day (closed)', uplift: 0 },
  '2023-12-26': { name: 'Boxing Day', uplift: 1.4 },
  '2023-12-31': { name: "New Year's Eve", uplift: 1.3 },
  '2024-01-01': { name: "New Year's Day (closed)", uplift: 0 },
  '2024-03-30': { name: 'Easter Saturday', uplift: 1.4 },
  '2024-05-27': { name: 'late May bank holiday', uplift: 1.25 },
  '2024-06-21': { name: 'Midsummer', uplift: 1.3 },
  '2024-11-29': { name: 'Black Friday', uplift: 1.8 },
  '2024-12-24': { name: 'Christmas Eve', uplift: 1.6 },
  '2024-12-25': { name: 'Christmas Day (closed)', uplift: 0 },
  '2024-12-26': { name: 'Boxing Day', uplift: 1.4 },
  '2024-12-31': { name: "New Year's Eve", uplift: 1.3 },
  '2025-01-01': { name: "New Year's Day (closed)", uplift: 0 },
  '2025-04-19': { name: 'Easter Saturday', uplift: 1.4 },
  '2025-05-26': { name: 'late May bank holiday', uplift: 1.25 },
  '2025-06-21': { name: 'Midsummer', uplift: 1.3 },
};

export interface SalesOptions {
  readonly stores: number;
  /** How many of CATEGORIES to sell. @default all */
  readonly categories?: number;
  /** First day (epoch ms of a UTC midnight). */
  readonly start: number;
  readonly days: number;
  /**
   * A store that opens this many days after `start`, so some series are young when forecasting
   * starts. @default none
   */
  readonly lateOpeningDay?: number;
  /** @default 11 */
  readonly seed?: number;
}

/** What the generator planted, per store, so tests and docs can check what the data holds. */
export interface StorePlan {
  readonly store: string;
  /** Relative size: multiplies every category's ticket count. */
  readonly size: number;
  /** Yearly growth of the ticket count (−0.2 is a store losing a fifth of its customers a year). */
  readonly growth: number;
  /** Day index (from `start`) of the first sale. */
  readonly openingDay: number;
  readonly kind: 'mall' | 'downtown';
}

export interface Sales {
  /** Point-of-sale events: `store`, `category`, `ts`, `amount`, `quantity`; one row per ticket. */
  readonly events: Table;
  readonly stores: readonly StorePlan[];
  readonly categories: readonly string[];
  /** Promotions planted: store, category, first day and length in days. */
  readonly promotions: readonly { readonly store: string; readonly category: string; readonly day: number; readonly days: number }[];
}

/**
 * Point-of-sale tickets of a chain of stores. Each store × category sells a Poisson number of
 * tickets a day whose mean is the product of: the category's base rate, the store's size, the
 * store's trend (growing or declining), the weekday profile (malls sell more at weekends,
 * downtown stores less), yearly seasonality, holidays (HOLIDAYS), promotions (3–7 days, +20–60 %
 * tickets at 10 % off, about every 45 days) and log-normal day noise (a store-wide part, like
 * weather, and a part of its own). Tickets fall between 08:00 and 21:00 UTC. Deterministic for a seed.
 */
export function generateSales(options: SalesOptions): Sales {
  const random = new Random(options.seed ?? 11);
  const categories = CATEGORIES.slice(0, options.categories ?? CATEGORIES.length);
  const stores: StorePlan[] = [];
  for (let s = 0; s < options.stores; s++) {
    const late = s === options.stores - 1 && options.lateOpeningDay !== undefined;
    const opensLater = !late && random.next() < 0.15;
    stores.push({
      store: `store-${String(s + 1).padStart(2, '0')}`,
      size: Math.exp(0.35 * random.normal()),
      growth: -0.2 + 0.55 * random.next(),
      openingDay: late ? (options.lateOpeningDay as number) : opensLater ? random.int(Math.floor(options.days / 3)) : 0,
      kind: random.next() < 0.5 ? 'mall' : 'downtown',
    });
  }
  const holidayOf = new Float64Array(options.days).fill(1);
  for (let d = 0; d < options.days; d++) {
    const holiday = HOLIDAYS[new Date(options.start + d * DAY_MS).toISOString().slice(0, 10)];
    if (holiday !== undefined) holidayOf[d] = holiday.uplift;
  }

  const storeCodes: number[] = [];
  const categoryCodes: number[] = [];
  const times: number[] = [];
  const amounts: number[] = [];
  const quantities: number[] = [];
  const promotions: { store: string; category: string; day: number; days: number }[] = [];
  stores.forEach((plan, s) => {
    // A store-wide shock per day (weather, local events), shared by its categories.
    const storeNoise = Float64Array.from({ length: options.days }, () => Math.exp(0.08 * random.normal()));
    categories.forEach((category, c) => {
      let promoUntil = -1;
      let nextPromo = plan.openingDay + Math.floor(random.exponential(45));
      let promoLift = 1;
      for (let d = plan.openingDay; d < options.days; d++) {
        if (d >= nextPromo) {
          const days = 3 + random.int(5);
          promoUntil = d + days;
          promoLift = 1.2 + 0.4 * random.next();
          promotions.push({ store: plan.store, category: category.name, day: d, days });
          nextPromo = promoUntil + Math.floor(random.exponential(45));
        }
        const promo = d < promoUntil;
        const dayStart = options.start + d * DAY_MS;
        const date = new Date(dayStart);
        const weekday = date.getUTCDay();
        const weekend = weekday === 0 || weekday === 6;
        const kindLift = plan.kind === 'mall' ? (weekend ? 1.15 : 1) : weekend ? 0.8 : 1.1;
        const yearly = 1 + category.yearlyAmplitude * Math.cos((2 * Math.PI * (dayOfYear(date) - category.yearlyPeak)) / 365);
        const trend = Math.exp((plan.growth * (d - plan.openingDay)) / 365);
        // A new store ramps up over its first four weeks.
        const ramp = Math.min(1, 0.5 + (0.5 * (d - plan.openingDay)) / 28);
        const mean =
          category.tickets * plan.size * trend * ramp * (category.weekly[weekday] as number) * kindLift * yearly *
          (holidayOf[d] as number) * (promo ? promoLift : 1) * (storeNoise[d] as number) * Math.exp(0.05 * random.normal());
        const tickets = poisson(random, mean);
        for (let i = 0; i < tickets; i++) {
          // 1 + geometric quantity (mean 1.5), log-normal unit price around the category's ticket / 1.5.
          const quantity = 1 + Math.floor(Math.log(1 - random.next()) / Math.log(1 / 3));
          const unit = (category.ticket / 1.5) * Math.exp(0.35 * random.normal() - 0.06125) * (promo ? 0.9 : 1);
          storeCodes.push(s);
          categoryCodes.push(c);
          times.push(dayStart + 8 * 3_600_000 + random.int(13 * 3_600_000));
          amounts.push(Math.round(quantity * unit * 100) / 100);
          quantities.push(quantity);
        }
      }
    });
  });
  const columns = new Map<string, Column>([
    ['store', { type: 'string', codes: Int32Array.from(storeCodes), dictionary: stores.map((p) => p.store) }],
    ['category', { type: 'string', codes: Int32Array.from(categoryCodes), dictionary: categories.map((c) => c.name) }],
    ['ts', { type: 'timestamp', values: Float64Array.from(times) }],
    ['amount', { type: 'number', values: Float64Array.from(amounts) }],
    ['quantity', { type: 'number', values: Float64Array.from(quantities) }],
  ]);
  return { events: { length: times.length, columns }, stores, categories: categories.map((c) => c.name), promotions };
}

function dayOfYear(date: Date): number {
  return Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
}

/** Knuth's product method for small means, a rounded normal approximation above 30. */
function poisson(random: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * random.normal()));
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random.next(); p > limit; p *= random.next()) k++;
  return k;
}
