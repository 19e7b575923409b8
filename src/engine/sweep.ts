import { GrowingRegisters, SweepingRegisters } from './hll.js';
import { impreciseMoments, MOMENT_SIZE, momentAdd, momentCopy, momentImprecise, momentRecompute, momentRemove, momentValue, twoSumError, type MomentKind } from './moments.js';
import type { FeaturePlan, WindowPlan } from './plan.js';
import type { FeatureOutputs } from './window-state.js';

/** A view's events ordered by entity, then time (then arrival), with every slot gathered. */
export interface SortedEvents {
  readonly times: Float64Array;
  readonly num: readonly (Float64Array | undefined)[];
  readonly any: readonly (readonly unknown[] | undefined)[];
  /** Entity k's events are positions starts[k] .. starts[k + 1]. */
  readonly starts: Uint32Array;
}

/**
 * Spine rows in the same entity order. The kernel writes features at these positions, in
 * order; the caller moves them to the spine's own row order afterwards (a scattered write
 * per value inside the sweep costs several times more than one tight pass at the end).
 */
export interface SortedSpine {
  readonly times: Float64Array;
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
export function sweepWindow(
  latenessMs: number,
  window: WindowPlan,
  events: SortedEvents,
  spine: SortedSpine,
  out: FeatureOutputs,
  /** Called now and then with the number of spine rows swept so far. */
  progress?: (rows: number) => void,
  /** Entity groups to sweep: [fromKey, toKey). @default all */
  fromKey = 0,
  toKey = spine.starts.length - 1,
): void {
  const w = window.windowMs;
  const lifetime = !Number.isFinite(w);
  const lateness = latenessMs;
  const cols = window.columns;
  const times = events.times;
  const values = cols.map((c) => events.num[c.slot]);
  const raws = cols.map((c) => events.any[c.slot]);

  // Column lists per concern, so the per-event loops touch only what they need.
  const momentCols = Int32Array.from(cols.flatMap((c, i) => (c.moments ? [i] : [])));
  const momentVals = Array.from(momentCols, (c) => values[c]!);
  const nm = momentCols.length;
  const pv = nm > 0 ? momentVals[0]! : new Float64Array(0);
  const scratch = new Float64Array(MOMENT_SIZE);
  const moments = new Float64Array(Math.max(1, nm) * MOMENT_SIZE);
  const reading = new Float64Array(Math.max(1, nm) * MOMENT_SIZE);
  const maxCols = cols.flatMap((c, i) => (c.max ? [i] : []));
  const minCols = cols.flatMap((c, i) => (c.min ? [i] : []));
  const maxVals = maxCols.map((c) => values[c]!);
  const minVals = minCols.map((c) => values[c]!);
  // Monotonic deques of positions: values decrease (max) or increase (min) from the front.
  // A deque holds positions of one entity's events: the largest entity bounds its size.
  let largest = 0;
  for (let k = fromKey; k < toKey; k++) largest = Math.max(largest, events.starts[k + 1]! - events.starts[k]!);
  const maxDq = maxCols.map(() => new Int32Array(largest));
  const minDq = minCols.map(() => new Int32Array(largest));
  const maxHead = new Int32Array(maxCols.length);
  const maxTail = new Int32Array(maxCols.length);
  const minHead = new Int32Array(minCols.length);
  const minTail = new Int32Array(minCols.length);
  const hllCols = cols.flatMap((c, i) => (c.hllPrecision > 0 ? [i] : []));
  const hllVals = hllCols.map((c) => values[c]!);
  const sliding = hllCols.map((c) => (lifetime ? undefined : new SweepingRegisters(cols[c]!.hllPrecision)));
  const growing = hllCols.map((c) => (lifetime ? new GrowingRegisters(cols[c]!.hllPrecision) : undefined));

  const features = window.features;
  const nf = features.length;
  const op = Int32Array.from(features, opcode);
  const outNum = features.map((f) => out.num[f.index]);
  const outAny = features.map((f) => out.any[f.index]);
  /** Per feature: its moment block offset, deque or sketch index. */
  const aux = Int32Array.from(features, (f) => {
    switch (op[features.indexOf(f)]) {
      case MAX:
        return maxCols.indexOf(f.column);
      case MIN:
        return minCols.indexOf(f.column);
      case DISTINCT:
        return hllCols.indexOf(f.column);
      case MOMENT:
        return momentCols.indexOf(f.column) * MOMENT_SIZE;
      default:
        return f.column;
    }
  });
  const kinds = features.map((f) => f.aggregation as MomentKind);

  let nextReport = spine.starts[fromKey]! + (1 << 18);
  for (let k = fromKey; k < toKey; k++) {
    const ss = spine.starts[k]!;
    if (progress !== undefined && ss >= nextReport) {
      progress(ss);
      nextReport = ss + (1 << 18);
    }
    const se = spine.starts[k + 1]!;
    const gs = events.starts[k]!;
    const ge = events.starts[k + 1]!;
    if (ss === se || gs === ge) continue; // no rows, or rows that keep their empty values

    // A fresh state for this entity.
    moments.fill(0);
    maxHead.fill(0);
    maxTail.fill(0);
    minHead.fill(0);
    minTail.fill(0);
    for (let h = 0; h < hllCols.length; h++) {
      sliding[h]?.clear();
      growing[h]?.clear();
    }
    let head = gs;
    let hi = gs;
    let lo = gs;
    let ops = 0;
    // The first moment column's block, in locals: count, shift, Σy and its compensation,
    // Σy² and its compensation, and the mass carried (moments.ts names them M_N … M_A2).
    let mn = 0;
    let mk = 0;
    let s1 = 0;
    let c1 = 0;
    let s2 = 0;
    let c2 = 0;
    let a2 = 0;

    for (let si = ss; si < se; si++) {
      const t = spine.times[si]!;
      // Apply every event before t, with WindowState.apply's operations in its order.
      while (hi < ge && times[hi]! < t) {
        const i = hi++;
        const ti = times[i]!;
        if (nm > 0) {
          // momentAdd on the locals (same operations, same order).
          const v = pv[i]!;
          if (v === v) {
            if (mn === 0) mk = v;
            const y = v - mk;
            let u = s1 + y;
            c1 += twoSumError(s1, y, u);
            s1 = u;
            const yy = y * y;
            u = s2 + yy;
            c2 += twoSumError(s2, yy, u);
            s2 = u;
            a2 += yy;
            mn++;
          }
          for (let m = 1; m < nm; m++) {
            const x = momentVals[m]![i]!;
            if (x === x) momentAdd(moments, m * MOMENT_SIZE, x);
          }
        }
        for (let d = 0; d < maxVals.length; d++) {
          const vals = maxVals[d]!;
          const v = vals[i]!;
          if (v !== v) continue;
          const dq = maxDq[d]!;
          let tail = maxTail[d]!;
          while (tail > maxHead[d]! && vals[dq[tail - 1]!]! <= v) tail--;
          dq[tail] = i;
          maxTail[d] = tail + 1;
        }
        for (let d = 0; d < minVals.length; d++) {
          const vals = minVals[d]!;
          const v = vals[i]!;
          if (v !== v) continue;
          const dq = minDq[d]!;
          let tail = minTail[d]!;
          while (tail > minHead[d]! && vals[dq[tail - 1]!]! >= v) tail--;
          dq[tail] = i;
          minTail[d] = tail + 1;
        }
        for (let h = 0; h < hllVals.length; h++) {
          const v = hllVals[h]![i]!;
          if (v !== v) continue;
          const s = sliding[h];
          if (s !== undefined) s.add(ti, v);
          else growing[h]!.add(v);
        }
        if (lifetime || nm === 0) continue;
        let recompute = ++ops > 2 * (hi - head) + 32;
        const bound = ti - w - lateness;
        if (times[head]! < bound) {
          while (head < hi && times[head]! < bound) {
            // momentRemove on the locals.
            const v = pv[head]!;
            if (v === v) {
              if (--mn === 0) {
                mk = s1 = c1 = s2 = c2 = a2 = 0;
              } else {
                const y = mk - v;
                let u = s1 + y;
                c1 += twoSumError(s1, y, u);
                s1 = u;
                const yy = y * y;
                u = s2 - yy;
                c2 += twoSumError(s2, -yy, u);
                s2 = u;
                a2 += yy;
              }
            }
            for (let m = 1; m < nm; m++) {
              const x = momentVals[m]![head]!;
              if (x === x) momentRemove(moments, m * MOMENT_SIZE, x);
            }
            head++;
          }
          recompute ||= impreciseMoments(mn, mk, s1, c1, s2, c2, a2);
          for (let m = 1; m < nm && !recompute; m++) recompute = momentImprecise(moments, m * MOMENT_SIZE);
        }
        if (recompute) {
          ops = 0;
          momentRecompute(scratch, 0, pv, head, hi, ALL);
          mn = scratch[0]!;
          mk = scratch[1]!;
          s1 = scratch[2]!;
          c1 = scratch[3]!;
          s2 = scratch[4]!;
          c2 = scratch[5]!;
          a2 = scratch[6]!;
          for (let m = 1; m < nm; m++) momentRecompute(moments, m * MOMENT_SIZE, momentVals[m]!, head, hi, ALL);
        }
      }

      // Read as of t, as WindowState.read does (every applied event is before t).
      const row = si;
      const from = lifetime ? -Infinity : t - w;
      if (!lifetime) while (lo < hi && times[lo]! < from) lo++;
      const first = lifetime ? gs : lo;
      if (nm > 0) {
        // The window's moments: the state less the retained events before t − w, as
        // WindowState's #windowMoments computes them.
        reading[0] = mn;
        reading[1] = mk;
        reading[2] = s1;
        reading[3] = c1;
        reading[4] = s2;
        reading[5] = c2;
        reading[6] = a2;
        if (!lifetime && lo > head) {
          for (let j = head; j < lo; j++) {
            const v = pv[j]!;
            if (v === v) momentRemove(reading, 0, v);
          }
          if (momentImprecise(reading, 0)) momentRecompute(reading, 0, pv, lo, hi, ALL);
        }
        for (let m = 1; m < nm; m++) {
          const o = m * MOMENT_SIZE;
          momentCopy(moments, o, reading, o);
          if (lifetime || lo <= head) continue;
          const vals = momentVals[m]!;
          for (let j = head; j < lo; j++) {
            const v = vals[j]!;
            if (v === v) momentRemove(reading, o, v);
          }
          if (momentImprecise(reading, o)) momentRecompute(reading, o, vals, lo, hi, ALL);
        }
      }
      for (let f = 0; f < nf; f++) {
        switch (op[f]) {
          case COUNT_EVENTS:
            outNum[f]![row] = hi - first;
            break;
          case MOMENT:
            outNum[f]![row] = momentValue(kinds[f]!, reading, aux[f]!);
            break;
          case MAX: {
            const d = aux[f]!;
            const dq = maxDq[d]!;
            let h = maxHead[d]!;
            while (h < maxTail[d]! && dq[h]! < first) h++;
            maxHead[d] = h;
            outNum[f]![row] = h < maxTail[d]! ? maxVals[d]![dq[h]!]! : NaN;
            break;
          }
          case MIN: {
            const d = aux[f]!;
            const dq = minDq[d]!;
            let h = minHead[d]!;
            while (h < minTail[d]! && dq[h]! < first) h++;
            minHead[d] = h;
            outNum[f]![row] = h < minTail[d]! ? minVals[d]![dq[h]!]! : NaN;
            break;
          }
          case LAST:
            readLast(features[f]!, values[aux[f]!], raws[aux[f]!], hi, first, outNum[f], outAny[f], row);
            break;
          case DISTINCT: {
            const h = aux[f]!;
            const s = sliding[h];
            outNum[f]![row] = s !== undefined ? s.estimateFrom(from) : growing[h]!.estimate();
            break;
          }
        }
      }
    }
  }
}

// Feature opcodes, so the per-row loop switches on small integers.
const COUNT_EVENTS = 0;
const MOMENT = 1;
const MAX = 2;
const MIN = 3;
const LAST = 4;
const DISTINCT = 5;

function opcode(f: FeaturePlan): number {
  switch (f.aggregation) {
    case 'count':
      return f.column < 0 ? COUNT_EVENTS : MOMENT;
    case 'max':
      return MAX;
    case 'min':
      return MIN;
    case 'last':
    case 'lastK':
      return LAST;
    case 'approxDistinct':
      return DISTINCT;
    default:
      return MOMENT;
  }
}

/** last / lastK: the newest non-null values of positions [first, hi), newest first. */
function readLast(
  feature: FeaturePlan,
  vals: Float64Array | undefined,
  raw: readonly unknown[] | undefined,
  hi: number,
  first: number,
  outNum: Float64Array | undefined,
  outAny: unknown[] | undefined,
  row: number,
): void {
  const want = feature.aggregation === 'last' ? 1 : feature.k;
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
  if (feature.aggregation === 'lastK') outAny![row] = found;
  else if (feature.output === 'number') outNum![row] = found.length > 0 ? (found[0] as number) : NaN;
  else outAny![row] = found.length > 0 ? found[0] : null;
}
