import { Block, Code } from './codegen.js';
import { GrowingRegisters, SweepingRegisters } from './hll.js';
import { impreciseMoments, momentRecompute, recomputeDue } from './moments.js';
import type { FeaturePlan, WindowPlan } from './plan.js';
import { sweepWindow, type SortedEvents, type SortedSpine } from './sweep.js';

/**
 * The backfill kernel for all of a view's windows at once, generated for the view's plan.
 *
 * `sweepWindow` interprets a plan: it sweeps one window at a time, keeps every moment column
 * but the first in a Float64Array and switches on each feature's opcode for every row. This
 * module writes the same sweep out as JavaScript for the windows of one view — counts, moments,
 * minimums and maximums, distinct counts and last values, every window in one pass over the
 * entity's events — with each
 * counter in a local variable and each feature's read spelled out, and compiles it once per
 * plan shape. A view's windows share the cursor of applied events, so each event is loaded
 * once for all of them, not once per window.
 *
 * The generated code performs the same floating-point operations in the same order as
 * `sweepWindow` (and so as the stream's WindowState): the values are equal bit for bit, which
 * the parity property tests check on every aggregation. Windows with values other than
 * numbers (lastK lists, last of a string) stay with `sweepWindow`.
 */

/** A compiled sweep: entity groups [fromKey, toKey) of the sorted events and spine. */
export type FusedSweep = (
  times: Float64Array,
  num: readonly (Float64Array | undefined)[],
  starts: Uint32Array,
  spineTimes: Float64Array,
  spineStarts: Uint32Array,
  out: readonly (Float64Array | undefined)[],
  fromKey: number,
  toKey: number,
  progress: ((rows: number) => void) | undefined,
) => void;

/**
 * Whether `sweepFused` can compute a window: every feature a number (counts, moments,
 * minimums, maximums, distinct counts, the last value of a number) over numeric inputs.
 */
export function fusable(window: WindowPlan): boolean {
  return window.columns.every((c) => c.storage === 'number') && window.features.every((f) => f.output === 'number' && KINDS.has(f.aggregation));
}

const KINDS = new Set(['count', 'sum', 'mean', 'variance', 'std', 'min', 'max', 'approxDistinct', 'last']);

/**
 * Sweep `windows` (all `fusable`, all of one view) over entity groups [fromKey, toKey),
 * writing each feature at its spine position in `out`, as `sweepWindow` would window by window.
 */
export function sweepFused(
  windows: readonly WindowPlan[],
  events: SortedEvents,
  spine: SortedSpine,
  out: { readonly num: readonly (Float64Array | undefined)[] },
  fromKey = 0,
  toKey = spine.starts.length - 1,
  progress?: (rows: number) => void,
): void {
  const kernel = compiledSweep(windows);
  if (kernel !== undefined) {
    kernel(events.times, events.num, events.starts, spine.times, spine.starts, out.num, fromKey, toKey, progress);
    return;
  }
  // Code generation is off in this process: interpret the windows one by one, the same values.
  windows.forEach((window, w) => {
    const report = progress && ((rows: number): void => progress(Math.round((w * (spine.times.length) + rows) / windows.length)));
    sweepWindow(window, events, spine, { num: out.num, any: [] }, report, fromKey, toKey);
  });
}

const compiled = new Map<string, FusedSweep>();

/**
 * The compiled kernel for a plan shape (cached by its source, so workers share nothing but the
 * plan); undefined when the process forbids code generation from strings
 * (`node --disallow-code-generation-from-strings`).
 */
export function compiledSweep(windows: readonly WindowPlan[]): FusedSweep | undefined {
  if (codeGeneration === false) return undefined;
  const source = fusedSweepSource(windows);
  let kernel = compiled.get(source);
  if (kernel === undefined) {
    // The source is built from numbers of the plan alone (window lengths, slots, feature
    // indices, aggregation names from a fixed set): no user text reaches it.
    let make: (recompute: typeof momentRecompute, check: typeof impreciseMoments, sliding: typeof SweepingRegisters, growing: typeof GrowingRegisters) => FusedSweep;
    try {
      make = new Function('momentRecompute', 'imprecise', 'Sweeping', 'Growing', source) as typeof make;
    } catch (error) {
      if (!(error instanceof EvalError)) throw error;
      codeGeneration = false;
      return undefined;
    }
    kernel = make(momentRecompute, impreciseMoments, SweepingRegisters, GrowingRegisters);
    compiled.set(source, kernel);
  }
  return kernel;
}

let codeGeneration: boolean | undefined;

/**
 * The kernel's JavaScript (the body of a function of `momentRecompute`, `imprecise` and the
 * sketch classes `Sweeping` and `Growing` that returns the sweep). Exposed for tests and for
 * reading what runs.
 */
export function fusedSweepSource(windows: readonly WindowPlan[]): string {
  for (const window of windows) {
    if (!fusable(window)) throw new Error('sweepFused: a window with non-numeric inputs or outputs is not fusable');
  }
  const code = new Code();
  const slots = [...new Set(windows.flatMap((w) => w.columns.map((c) => c.slot)))];
  const maxDeques: { w: number; c: number }[] = [];
  const minDeques: { w: number; c: number }[] = [];
  windows.forEach((window, w) => {
    window.columns.forEach((column, c) => {
      if (column.max) maxDeques.push({ w, c });
      if (column.min) minDeques.push({ w, c });
    });
  });
  const momentCols = (window: WindowPlan): number[] => window.columns.flatMap((c, i) => (c.moments ? [i] : []));
  const slotVar = (window: WindowPlan, c: number): string => `v${window.columns[c]!.slot}`;
  const deque = (kind: 'max' | 'min', w: number, c: number): string => `${kind}${w}_${c}`;
  const block = (w: number, c: number): Block => new Block(`m${w}_${c}`);

  code.line('return function fusedSweep(times, num, starts, spineTimes, spineStarts, out, fromKey, toKey, progress) {');
  for (const slot of slots) code.line(`const v${slot} = num[${slot}];`);
  windows.forEach((window) => {
    for (const f of window.features) code.line(`const o${f.index} = out[${f.index}];`);
  });
  // A deque holds positions of one entity's events (the largest entity bounds its size), and
  // beside them their values, so popping compares without a load through the position.
  if (maxDeques.length + minDeques.length > 0) {
    code.line('let largest = 0;');
    code.line('for (let k = fromKey; k < toKey; k++) largest = Math.max(largest, starts[k + 1] - starts[k]);');
    for (const { w, c } of maxDeques) code.line(`const ${deque('max', w, c)} = new Int32Array(largest), ${deque('max', w, c)}v = new Float64Array(largest);`);
    for (const { w, c } of minDeques) code.line(`const ${deque('min', w, c)} = new Int32Array(largest), ${deque('min', w, c)}v = new Float64Array(largest);`);
  }
  const sketches = windows.flatMap((window, w) => window.columns.flatMap((column, c) => (column.hllPrecision > 0 ? [{ w, c, column, finite: Number.isFinite(window.windowMs) }] : [])));
  // Distinct counts: SweepingRegisters in windows, GrowingRegisters over a lifetime.
  for (const { w, c, column, finite } of sketches) code.line(`const h${w}_${c} = new ${finite ? 'Sweeping' : 'Growing'}(${column.hllPrecision});`);
  code.line('const scratch = new Float64Array(7);');
  code.line('let nextReport = spineStarts[fromKey] + 262144;');
  code.line('for (let k = fromKey; k < toKey; k++) {');
  code.line('const ss = spineStarts[k];');
  code.line('if (progress !== undefined && ss >= nextReport) { progress(ss); nextReport = ss + 262144; }');
  code.line('const se = spineStarts[k + 1];');
  code.line('const gs = starts[k];');
  code.line('const ge = starts[k + 1];');
  code.line('if (ss === se || gs === ge) continue;');
  code.line('let hi = gs;');
  // A fresh state for the entity.
  windows.forEach((window, w) => {
    const finite = Number.isFinite(window.windowMs);
    if (finite) code.line(`let lo${w} = gs;`);
    if (finite && momentCols(window).length > 0) code.line(`let head${w} = gs, ops${w} = 0;`);
    for (const c of momentCols(window)) code.line(`let ${block(w, c).declare()};`);
  });
  for (const { w, c } of sketches) code.line(`h${w}_${c}.clear();`);
  for (const { w, c } of maxDeques) code.line(`let ${deque('max', w, c)}h = 0, ${deque('max', w, c)}t = 0;`);
  for (const { w, c } of minDeques) code.line(`let ${deque('min', w, c)}h = 0, ${deque('min', w, c)}t = 0;`);

  code.line('for (let si = ss; si < se; si++) {');
  code.line('const t = spineTimes[si];');
  // Apply every event before t to every window, in WindowState.apply's order per window.
  code.line('while (hi < ge && times[hi] < t) {');
  code.line('const i = hi++;');
  code.line('const ti = times[i];');
  for (const slot of slots) code.line(`const x${slot} = v${slot}[i];`);
  windows.forEach((window, w) => {
    const moments = momentCols(window);
    if (Number.isFinite(window.windowMs) && moments.length > 0) {
      // The sums first lose the events older than this event's window.
      code.line(`if (times[head${w}] < ti - ${window.windowMs}) {`);
      code.line(`const bound = ti - ${window.windowMs};`);
      dropFromSums(code, window, w, 'i', `head${w} < i && times[head${w}] < bound`);
      code.line('}');
    }
    for (const c of moments) {
      const x = `x${window.columns[c]!.slot}`;
      code.line(`if (${x} === ${x}) {`);
      block(w, c).add(code, x);
      code.line('}');
    }
    window.columns.forEach((column, c) => {
      const x = `x${column.slot}`;
      for (const kind of ['max', 'min'] as const) {
        if (!column[kind]) continue;
        const dq = deque(kind, w, c);
        const keep = kind === 'max' ? '<=' : '>=';
        code.line(`if (${x} === ${x}) {`);
        code.line(`while (${dq}t > ${dq}h && ${dq}v[${dq}t - 1] ${keep} ${x}) ${dq}t--;`);
        code.line(`${dq}v[${dq}t] = ${x};`);
        code.line(`${dq}[${dq}t++] = i;`);
        code.line('}');
      }
      if (column.hllPrecision > 0) {
        const add = Number.isFinite(window.windowMs) ? `h${w}_${c}.add(ti, ${x})` : `h${w}_${c}.add(${x})`;
        code.line(`if (${x} === ${x}) ${add};`);
      }
    });
    if (!Number.isFinite(window.windowMs) || moments.length === 0) return;
    // recomputeDue (moments.ts, linear in n) written out with its numbers.
    code.line(`if (++ops${w} > ${recomputeDue(1) - recomputeDue(0)} * (hi - head${w}) + ${recomputeDue(0)}) {`);
    code.line(`ops${w} = 0;`);
    for (const c of moments) block(w, c).recompute(code, slotVar(window, c), `head${w}`, 'hi');
    code.line('}');
  });
  code.line('}');

  // Read as of t, window by window, as WindowState.read does.
  windows.forEach((window, w) => {
    const finite = Number.isFinite(window.windowMs);
    const first = finite ? `lo${w}` : 'gs';
    code.line('{');
    if (finite) {
      code.line(`const from = t - ${window.windowMs};`);
      code.line(`while (lo${w} < hi && times[lo${w}] < from) lo${w}++;`);
    }
    if (finite && momentCols(window).length > 0) {
      // The next event is at t, and applying it drops these events from the sums first, with
      // the operations a read performs on a copy: drop them now, for good.
      code.line(`if (lo${w} > head${w} && hi < ge && times[hi] === t) {`);
      dropFromSums(code, window, w, 'hi', `head${w} < lo${w}`);
      code.line('}');
    }
    for (const c of momentCols(window)) {
      // The window's moments: the sums less the events they hold before t − w.
      const state = block(w, c);
      const reading = new Block(`r${w}_${c}`);
      code.line(`let ${reading.declareFrom(state)};`);
      if (finite) {
        code.line(`if (lo${w} > head${w}) {`);
        code.line(`for (let j = head${w}; j < lo${w}; j++) {`);
        code.line(`const z = ${slotVar(window, c)}[j];`);
        code.line('if (z === z) {');
        reading.remove(code, 'z');
        code.line('}');
        code.line('}');
        code.line(`if (${reading.imprecise()}) {`);
        reading.recompute(code, slotVar(window, c), `lo${w}`, 'hi');
        code.line('}');
        code.line('}');
      }
    }
    for (const f of window.features) code.line(`o${f.index}[si] = ${readExpression(window, w, f, first, code)};`);
    code.line('}');
  });
  code.line('}');
  code.line('}');
  code.line('};');
  return code.toString();
}

/**
 * Subtract from window w's sums its events from head while `more` holds, then recompute each
 * column whose sums became imprecise over [head, end) (WindowState's #dropFromSums).
 */
function dropFromSums(code: Code, window: WindowPlan, w: number, end: string, more: string): void {
  const moments = window.columns.flatMap((c, i) => (c.moments ? [i] : []));
  code.line(`while (${more}) {`);
  for (const c of moments) {
    const x = `y${window.columns[c]!.slot}`;
    code.line(`const ${x} = v${window.columns[c]!.slot}[head${w}];`);
    code.line(`if (${x} === ${x}) {`);
    new Block(`m${w}_${c}`).remove(code, x);
    code.line('}');
  }
  code.line(`head${w}++;`);
  code.line('}');
  for (const c of moments) {
    const b = new Block(`m${w}_${c}`);
    code.line(`if (${b.imprecise()}) {`);
    b.recompute(code, `v${window.columns[c]!.slot}`, `head${w}`, end);
    code.line('}');
  }
}

/** The expression of one feature's value as of t (NaN for null), after any statements it needs. */
function readExpression(window: WindowPlan, w: number, f: FeaturePlan, first: string, code: Code): string {
  if (f.column < 0) return `hi - ${first}`; // count() of events
  const column = window.columns[f.column]!;
  const r = new Block(`r${w}_${f.column}`);
  switch (f.aggregation) {
    case 'max':
    case 'min': {
      const dq = `${f.aggregation}${w}_${f.column}`;
      code.line(`while (${dq}h < ${dq}t && ${dq}[${dq}h] < ${first}) ${dq}h++;`);
      return `${dq}h < ${dq}t ? ${dq}v[${dq}h] : NaN`;
    }
    case 'approxDistinct':
      return Number.isFinite(window.windowMs) ? `h${w}_${f.column}.estimateFrom(from)` : `h${w}_${f.column}.estimate()`;
    case 'last': {
      // The newest non-null value of the window (sweep.ts readLast).
      const v = `last${f.index}`;
      code.line(`let ${v} = NaN;`);
      code.line(`for (let j = hi - 1; j >= ${first}; j--) {`);
      code.line(`const x = v${column.slot}[j];`);
      code.line('if (x === x) {');
      code.line(`${v} = x;`);
      code.line('break;');
      code.line('}');
      code.line('}');
      return v;
    }
    case 'count':
      return r.n;
    case 'sum':
      return `${r.n} === 0 ? 0 : ${r.n} * ${r.k} + (${r.s1} + ${r.c1})`;
    case 'mean':
      return `${r.n} === 0 ? NaN : ${r.k} + (${r.s1} + ${r.c1}) / ${r.n}`;
    case 'variance':
    case 'std': {
      // momentValue's operations: below the sums' rounding noise the variance is 0.
      const v = `var${f.index}`;
      code.line(`let ${v} = NaN;`);
      code.line(`if (${r.n} > 0) {`);
      code.line(`${v} = 0;`);
      code.line(`if (${r.n} > 1) {`);
      code.line(`const sy = ${r.s1} + ${r.c1};`);
      code.line(`const syy = ${r.s2} + ${r.c2};`);
      code.line(`${v} = (syy - (sy * sy) / ${r.n}) / ${r.n};`);
      code.line(`if (${v} <= ${8 * Number.EPSILON} * (syy / ${r.n})) ${v} = 0;`);
      code.line('}');
      code.line('}');
      return f.aggregation === 'std' ? `Math.sqrt(${v})` : v;
    }
    default:
      throw new Error(`sweepFused: ${f.aggregation} is not fusable`);
  }
}
