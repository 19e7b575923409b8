import { estimate, rankOf, registerOf, SlidingRegisters } from './hll.js';
import { MOMENT_SIZE, momentAdd, momentCopy, momentImprecise, momentRecompute, momentRemove, momentReset, momentValue } from './moments.js';
import type { ViewPlan, WindowPlan } from './plan.js';
import type { FeatureOutputs } from './window-state.js';

/** A view's events ordered by entity, then time (then arrival), with every slot gathered. */
export interface SortedEvents {
  readonly times: Float64Array;
  readonly num: readonly (Float64Array | undefined)[];
  readonly any: readonly (readonly unknown[] | undefined)[];
  /** Entity k's events are positions starts[k] .. starts[k + 1]. */
  readonly starts: Uint32Array;
}

/** Spine rows in the same entity order, each with its output row. */
export interface SortedSpine {
  readonly times: Float64Array;
  readonly rows: Uint32Array;
  readonly starts: Uint32Array;
}

const ALL = -1; // index mask for plain (non-ring) arrays: i & -1 === i

/**
 * The backfill kernel for one window of a view: sweeps each entity's sorted events once,
 * reading features as of each spine row. It is WindowState specialised to sorted columns —
 * the retained events are the index range [head, hi) of the sorted arrays instead of a ring —
 * and performs the same moment operations in the same order (moments.ts), so values equal
 * the stream's bit for bit for the same events. Deques, counts, last values and distinct
 * counts are exact, so only their results, not their steps, need to match.
 */
export function sweepWindow(plan: ViewPlan, window: WindowPlan, events: SortedEvents, spine: SortedSpine, out: FeatureOutputs): void {
  const w = window.windowMs;
  const lifetime = !Number.isFinite(w);
  const lateness = plan.allowedLatenessMs;
  const cols = window.columns;
  const ncol = cols.length;
  const times = events.times;
  const values = cols.map((c) => events.num[c.slot]);
  const raws = cols.map((c) => events.any[c.slot]);
  const momentCols = cols.flatMap((c, i) => (c.moments ? [i] : []));
  const nm = momentCols.length;
  const moments = new Float64Array(ncol * MOMENT_SIZE);
  const reading = new Float64Array(ncol * MOMENT_SIZE);
  const n = times.length;
  // Monotonic deques of positions, per column; values decrease (max) or increase (min) from the front.
  const maxDq = cols.map((c) => (c.max ? new Int32Array(n) : undefined));
  const minDq = cols.map((c) => (c.min ? new Int32Array(n) : undefined));
  const dqHead = new Int32Array(ncol * 2);
  const dqTail = new Int32Array(ncol * 2);
  const sliding = cols.map((c) => (c.hllPrecision > 0 && !lifetime ? new SlidingRegisters(c.hllPrecision) : undefined));
  const registers = cols.map((c) => (c.hllPrecision > 0 && lifetime ? new Uint8Array(1 << c.hllPrecision) : undefined));
  const nonZero = new Float64Array(ncol);
  const inverse = new Float64Array(ncol);
  const touched: number[][] = cols.map(() => []);
  const features = window.features;

  const keys = spine.starts.length - 1;
  for (let k = 0; k < keys; k++) {
    const ss = spine.starts[k]!;
    const se = spine.starts[k + 1]!;
    const gs = events.starts[k]!;
    const ge = events.starts[k + 1]!;
    if (ss === se || gs === ge) continue; // no rows, or rows that keep their empty values

    // A fresh state for this entity.
    for (let m = 0; m < nm; m++) momentReset(moments, momentCols[m]! * MOMENT_SIZE);
    dqHead.fill(0);
    dqTail.fill(0);
    for (let c = 0; c < ncol; c++) {
      sliding[c]?.clear();
      const regs = registers[c];
      if (regs) {
        for (const r of touched[c]!) regs[r] = 0;
        touched[c]!.length = 0;
        nonZero[c] = inverse[c] = 0;
      }
    }
    let head = gs;
    let hi = gs;
    let lo = gs;
    let ops = 0;

    for (let si = ss; si < se; si++) {
      const t = spine.times[si]!;
      // Apply every event before t, exactly as WindowState.apply does.
      while (hi < ge && times[hi]! < t) {
        const i = hi++;
        const ti = times[i]!;
        for (let c = 0; c < ncol; c++) {
          const vals = values[c];
          if (vals === undefined) continue;
          const v = vals[i]!;
          if (v !== v) continue;
          const col = cols[c]!;
          if (col.moments) momentAdd(moments, c * MOMENT_SIZE, v);
          const mx = maxDq[c];
          if (mx !== undefined) {
            let tail = dqTail[2 * c]!;
            while (tail > dqHead[2 * c]! && vals[mx[tail - 1]!]! <= v) tail--;
            mx[tail++] = i;
            dqTail[2 * c] = tail;
          }
          const mn = minDq[c];
          if (mn !== undefined) {
            let tail = dqTail[2 * c + 1]!;
            while (tail > dqHead[2 * c + 1]! && vals[mn[tail - 1]!]! >= v) tail--;
            mn[tail++] = i;
            dqTail[2 * c + 1] = tail;
          }
          if (col.hllPrecision > 0) {
            const s = sliding[c];
            if (s !== undefined) s.add(ti, v, ti - w - lateness);
            else addRegister(c, v, col.hllPrecision);
          }
        }
        if (lifetime) continue;
        const size = hi - head;
        let recompute = ++ops > 2 * size + 32;
        const bound = ti - w - lateness;
        if (times[head]! < bound) {
          while (head < hi && times[head]! < bound) {
            for (let m = 0; m < nm; m++) {
              const c = momentCols[m]!;
              const v = values[c]![head]!;
              if (v === v) momentRemove(moments, c * MOMENT_SIZE, v);
            }
            head++;
          }
          for (let m = 0; m < nm && !recompute; m++) recompute = momentImprecise(moments, momentCols[m]! * MOMENT_SIZE);
        }
        if (recompute) {
          ops = 0;
          for (let m = 0; m < nm; m++) {
            const c = momentCols[m]!;
            momentRecompute(moments, c * MOMENT_SIZE, values[c]!, head, hi, ALL);
          }
        }
      }

      // Read as of t, exactly as WindowState.read does (every applied event is before t).
      const row = spine.rows[si]!;
      const from = lifetime ? gs : t - w;
      if (!lifetime) while (lo < hi && times[lo]! < from) lo++;
      const first = lifetime ? gs : lo;
      for (let m = 0; m < nm; m++) {
        const c = momentCols[m]!;
        const o = c * MOMENT_SIZE;
        momentCopy(moments, o, reading, o);
        if (lifetime || lo === head) continue;
        const vals = values[c]!;
        for (let j = head; j < lo; j++) {
          const v = vals[j]!;
          if (v === v) momentRemove(reading, o, v);
        }
        if (momentImprecise(reading, o)) momentRecompute(reading, o, vals, lo, hi, ALL);
      }
      for (let f = 0; f < features.length; f++) {
        const feature = features[f]!;
        const c = feature.column;
        switch (feature.aggregation) {
          case 'count':
            out.num[feature.index]![row] = c < 0 ? hi - first : momentValue('count', reading, c * MOMENT_SIZE);
            break;
          case 'sum':
          case 'mean':
          case 'variance':
          case 'std':
            out.num[feature.index]![row] = momentValue(feature.aggregation, reading, c * MOMENT_SIZE);
            break;
          case 'max':
          case 'min': {
            const d = feature.aggregation === 'max' ? 2 * c : 2 * c + 1;
            const dq = (feature.aggregation === 'max' ? maxDq[c] : minDq[c])!;
            let h = dqHead[d]!;
            while (h < dqTail[d]! && dq[h]! < first) h++;
            dqHead[d] = h;
            out.num[feature.index]![row] = h < dqTail[d]! ? values[c]![dq[h]!]! : NaN;
            break;
          }
          case 'last':
          case 'lastK': {
            const want = feature.aggregation === 'last' ? 1 : feature.k;
            const vals = values[c];
            const raw = raws[c];
            const found: unknown[] = [];
            for (let j = hi - 1; j >= first && found.length < want; j--) {
              if (vals !== undefined) {
                const v = vals[j]!;
                if (v === v) found.push(v);
              } else {
                const v = raw![j];
                if (v !== null && v !== undefined) found.push(v);
              }
            }
            if (feature.aggregation === 'lastK') out.any[feature.index]![row] = found;
            else if (feature.output === 'number') out.num[feature.index]![row] = found.length > 0 ? (found[0] as number) : NaN;
            else out.any[feature.index]![row] = found.length > 0 ? found[0] : null;
            break;
          }
          case 'approxDistinct': {
            const s = sliding[c];
            out.num[feature.index]![row] = s !== undefined ? s.estimateFrom(from) : estimate(1 << cols[c]!.hllPrecision, nonZero[c]!, inverse[c]!);
            break;
          }
        }
      }
    }
  }

  function addRegister(c: number, hash: number, p: number): void {
    const regs = registers[c]!;
    const reg = registerOf(hash, p);
    const rank = rankOf(hash, p);
    const old = regs[reg]!;
    if (rank <= old) return;
    if (old === 0) {
      nonZero[c]!++;
      touched[c]!.push(reg);
    } else {
      inverse[c]! -= 2 ** -old;
    }
    inverse[c]! += 2 ** -rank;
    regs[reg] = rank;
  }
}
