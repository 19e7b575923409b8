import { describe, expect, it } from 'vitest';
import { columnDrift, DriftWindow } from '../../../src/monitoring/drift/index.js';
import { profileDataset } from '../../../src/monitoring/profile/index.js';

const columns = [
  { name: 'amount', kind: 'number' },
  { name: 'country', kind: 'category' },
] as const;

describe('DriftWindow by rows', () => {
  it('keeps the last N rows, oldest first, with missing values as NaN and null', () => {
    const window = new DriftWindow({ columns, rows: 3 });
    for (let i = 0; i < 5; i++) window.add({ amount: i, country: `c${i}` });
    window.add({ amount: 'oops', country: 7 });
    expect(window.size).toBe(3);
    expect(Array.from(window.values('amount') as Float64Array)).toEqual([3, 4, Number.NaN]);
    expect(window.values('country')).toEqual(['c3', 'c4', null]);
  });

  it('gives values columnDrift takes', () => {
    const profile = profileDataset({
      features: [
        { name: 'amount', kind: 'number', values: Float64Array.from({ length: 200 }, (_, i) => i) },
        { name: 'country', kind: 'category', values: Array.from({ length: 200 }, (_, i) => (i % 2 ? 'fr' : 'de')) },
      ],
    });
    const window = DriftWindow.forProfile(profile, { rows: 100 });
    for (let i = 0; i < 100; i++) window.add({ amount: 150 + i / 2, country: 'fr' });
    const [amount, country] = profile.features;
    expect(columnDrift(amount!, window.values('amount')).drifted).toBe(true);
    expect(columnDrift(country!, window.values('country')).drifted).toBe(true);
  });

  it('names the columns it holds when asked for another', () => {
    expect(() => new DriftWindow({ columns, rows: 3 }).values('age')).toThrow(/no column 'age'; it holds 'amount', 'country'/);
    expect(() => new DriftWindow({ columns, rows: 0 })).toThrow(/rows 0 must be a positive integer/);
  });
});

describe('DriftWindow by time', () => {
  it('keeps the rows newer than now minus the duration, growing past its first capacity', () => {
    let now = 0;
    const window = new DriftWindow({ columns, duration: '1s', now: () => now });
    for (let i = 0; i < 3000; i++) {
      now = i;
      window.add({ amount: i, country: 'x' });
    }
    now = 3000;
    // Rows at 2001 … 2999 are newer than 3000 − 1000.
    expect(window.size).toBe(999);
    const amounts = window.values('amount') as Float64Array;
    expect([amounts[0], amounts[amounts.length - 1]]).toEqual([2001, 2999]);
    now = 10_000;
    expect(window.size).toBe(0);
  });
});
