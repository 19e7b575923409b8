import { GrowingRegisters, SweepingRegisters } from './hll.js';
import { MOMENT_SIZE, momentAdd, momentCopy, momentImprecise, momentRecompute, momentRemove, momentValue, recomputeDue, type MomentKind } from './moments.js';
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
 * the events in the sums are the index range [head, hi) of the sorted arrays instead of part
 * of a ring — and performs the same moment operations in the same order (moments.ts), so
 * values equal the stream's bit for bit for the same events. When a row's time is also the
 * next event's, the events its read subtracts are the ones applying that event drops first,
 * by the same operations: the kernel drops them for good there instead of subtracting them
 * from a copy (the allowed lateness, which only keeps events for reads in the stream's past,
 * plays no part). Deques, counts, last values and distinct counts are exact, so only their
 * results, not their steps, need to match.
 */
export function sweepWindow(
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
  const cols = window.columns;
  const times = events.times;
  const values = cols.map((c) => events.num[c.slot]);
  const raws = cols.map((c) => events.any[c.slot]);

  // Column lists per concern, so the per-event loops touch only what they need.
  const momentCols = Int32Array.from(cols.flatMap((c, i) => (c.moments ? [i] : [])));
  const momentVals = Array.from(momentCols, (c) => values[c]!);
  const nm = momentCols.length;
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

  /** Subtract the sums' events at positions [head, to) and recompute columns that became imprecise over [to, end). */
  const dropFromSums = (head: number, to: number, end: number): void => {
    for (let m = 0; m < nm; m++) {
      const o = m * MOMENT_SIZE;
      const vals = momentVals[m]!;
      for (let j = head; j < to; j++) {
        const v = vals[j]!;
        if (v === v) momentRemove(moments, o, v);
      }
      if (momentImprecise(moments, o)) momentRecompute(moments, o, vals, to, end, ALL);
    }
  };

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
    // The sums hold positions [head, hi): the newest event's window (WindowState's SKIP).
    let head = gs;
    let hi = gs;
    let lo = gs;
    let ops = 0;

    for (let si = ss; si < se; si++) {
      const t = spine.times[si]!;
      // Apply every event before t, with WindowState.apply's operations in its order.
      while (hi < ge && times[hi]! < t) {
        const i = hi++;
        const ti = times[i]!;
        if (nm > 0) {
          // The sums first lose the events older than this event's window.
          if (!lifetime && times[head]! < ti - w) {
            const from = head;
            while (head < i && times[head]! < ti - w) head++;
            dropFromSums(from, head, i);
          }
          for (let m = 0; m < nm; m++) {
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
        if (++ops > recomputeDue(hi - head)) {
          ops = 0;
          for (let m = 0; m < nm; m++) momentRecompute(moments, m * MOMENT_SIZE, momentVals[m]!, head, hi, ALL);
        }
      }

      // Read as of t, as WindowState.read does (every applied event is before t).
      const row = si;
      const from = lifetime ? -Infinity : t - w;
      if (!lifetime) while (lo < hi && times[lo]! < from) lo++;
      const first = lifetime ? gs : lo;
      if (nm > 0) {
        if (!lifetime && lo > head && hi < ge && times[hi]! === t) {
          // The next event is at t, and applying it drops these events from the sums first,
          // with the operations a read performs on a copy: drop them now, for good.
          dropFromSums(head, lo, hi);
          head = lo;
        }
        // The window's moments: the sums less the events they hold before t − w, as
        // WindowState's #windowMoments computes them.
        for (let m = 0; m < nm; m++) {
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
