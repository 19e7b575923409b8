import { describe, expect, it } from 'vitest';
import { BIN_SLOTS, buildHistogram, histogramLength, unpackHistogram } from '../../../src/models/gbdt/histogram.js';
import { QUANT, quantization, startQuantizing } from '../../../src/models/gbdt/quantize.js';
import { MISSING_BIN } from '../../../src/models/gbdt/binning.js';
import { CONTROL, allocateWork, type Work } from '../../../src/models/gbdt/work.js';
import { uniform } from './data.js';

/** The plain row-by-row sums the kernel must reproduce bit for bit. */
function naive(work: Work, start: number, end: number, selected: readonly number[]): Float64Array {
  const out = new Float64Array(histogramLength(work.features));
  for (let i = start; i < end; i++) {
    const r = work.indices[i] as number;
    for (const j of selected) {
      const k = j * BIN_SLOTS + 2 * (work.codes[4 * r * work.words + 8 + j] as number);
      out[k] = (out[k] as number) + (work.gh[r * work.words] as number);
      out[k + 1] = (out[k + 1] as number) + (work.gh[r * work.words + 1] as number);
    }
  }
  return out;
}

function workOf(rows: number, features: number, seed: number): Work {
  const next = uniform(seed);
  const work = allocateWork({ rows, features, shared: false });
  for (let r = 0; r < rows; r++) {
    // Each row's record: its (g, h), then its codes.
    work.gh[r * work.words] = next() * 2 - 1;
    work.gh[r * work.words + 1] = next();
    for (let j = 0; j < features; j++) {
      // Few distinct codes on some features, so bins receive long runs of rows.
      work.codes[4 * r * work.words + 8 + j] = next() < 0.05 ? MISSING_BIN : Math.floor(next() * (j % 3 === 0 ? 3 : 255));
    }
  }
  return work;
}

describe('gbdt histogram kernel', () => {
  for (const features of [12, 7]) {
    it(`sums exactly as a row-by-row pass on ${features} features: consecutive, dense and sparse rows, all or some features`, () => {
      const rows = 20_000;
      const work = workOf(rows, features, features);
      const next = uniform(99);
      const all = Array.from({ length: features }, (_, j) => j);
      for (const share of [1, 0.5, 0.04]) {
        let n = 0;
        for (let r = 0; r < rows; r++) if (share === 1 || next() < share) work.indices[n++] = r;
        for (const selected of [all, all.filter((j) => j % 3 !== 1)]) {
          work.selected.set(selected);
          Atomics.store(work.control, CONTROL.selectedCount, selected.length);
          // Two blocks, the second written at an offset, as tasks write their partials.
          const cut = Math.floor(n / 3);
          const size = histogramLength(features);
          buildHistogram(work, 0, cut, selected.length, 0);
          buildHistogram(work, cut, n, selected.length, size);
          const first = naive(work, 0, cut, selected);
          const second = naive(work, cut, n, selected);
          for (const j of selected) {
            const at = j * BIN_SLOTS;
            expect(work.partials.subarray(at, at + BIN_SLOTS)).toEqual(first.subarray(at, at + BIN_SLOTS));
            expect(work.partials.subarray(size + at, size + at + BIN_SLOTS)).toEqual(second.subarray(at, at + BIN_SLOTS));
          }
        }
      }
    });
  }

  it('packs quantized (g, h) into one sum per bin that unpacks to the exact integer sums', () => {
    const rows = 20_000;
    const features = 12;
    const work = allocateWork({ rows, features, shared: false, quantized: { measured: false } });
    const q = quantization(rows);
    startQuantizing(work, q, { g: 1, h: 1 });
    const next = uniform(4);
    // Rounded rows hold whole steps: g in [−2^gBits, 2^gBits], h in [0, 2^hBits], as int16
    // in the record's first word; the codes follow it.
    expect(work.words).toBe(4);
    const gq = new Float64Array(rows);
    const hq = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      gq[r] = work.pairs[2 * r * work.words] = Math.round((next() * 2 - 1) * 2 ** q.gBits);
      hq[r] = work.pairs[2 * r * work.words + 1] = Math.round(next() * 2 ** q.hBits);
      for (let j = 0; j < features; j++) work.codes[4 * r * work.words + 4 + j] = next() < 0.05 ? MISSING_BIN : Math.floor(next() * (j % 3 === 0 ? 3 : 255));
    }
    const gStep = work.quant[QUANT.gStep] as number;
    const hStep = work.quant[QUANT.hStep] as number;
    const all = Array.from({ length: features }, (_, j) => j);
    for (const selected of [all, all.filter((j) => j % 4 !== 1)]) {
      for (const share of [1, 0.3]) {
        let n = 0;
        for (let r = 0; r < rows; r++) if (share === 1 || next() < share) work.indices[n++] = r;
        work.selected.set(selected);
        Atomics.store(work.control, CONTROL.selectedCount, selected.length);
        buildHistogram(work, 0, n, selected.length, 0);
        const pairs = new Float64Array(histogramLength(features));
        unpackHistogram(work.partials, pairs, work.selected, selected.length, q.scale, gStep, hStep);
        const expected = new Float64Array(histogramLength(features));
        for (let i = 0; i < n; i++) {
          const r = work.indices[i] as number;
          for (const j of selected) {
            const k = j * BIN_SLOTS + 2 * (work.codes[4 * r * work.words + 4 + j] as number);
            expected[k] = (expected[k] as number) + (gq[r] as number);
            expected[k + 1] = (expected[k + 1] as number) + (hq[r] as number);
          }
        }
        for (const j of selected) {
          for (let b = 0; b < 256; b++) {
            const k = j * BIN_SLOTS + 2 * b;
            expect(pairs[k]).toBe((expected[k] as number) * gStep);
            expect(pairs[k + 1]).toBe((expected[k + 1] as number) * hStep);
          }
        }
      }
    }
  });
});
