import { Block, Code } from './codegen.js';
import { impreciseMoments, MOMENT_SIZE, momentRecompute, recomputeDue } from './moments.js';
import { PAGE_SPAN, type RingArena } from './ring-arena.js';

/**
 * `WindowState.applyRun`'s loop generated for one window's shape: the stream's counterpart of
 * the backfill's fused sweep (sweep-fused.ts).
 *
 * The interpreted loop walks the window's columns for every event, looking up each column's
 * lane, moments and deques in arrays, and keeps the sums in the record, so each update loads
 * and stores them. The generated loop spells each column out, with its lane and deque numbers
 * as constants, and holds the cursors, the moments (`Block`, as the fused sweep does) and the
 * deque cursors in locals from the first event of an entity's run to the last, writing them
 * back once. It performs the same floating-point operations in the same order as `apply`, so
 * the state is the same bit for bit (apply-batch.property.test.ts compares the two).
 */

/** Where a window keeps what the loop reads in an entity's record (window-state.ts). */
export interface RunLayout {
  readonly head: number;
  readonly size: number;
  readonly cap: number;
  readonly block: number;
  readonly keyMax: number;
  /** Updates since the sums were recomputed; -1 for a window without sums. */
  readonly ops: number;
  readonly skip: number;
  /** Deque d's head and size are at fixed + 2d and fixed + 2d + 1. */
  readonly fixed: number;
  /** Lane of the first deque's entries; deque d uses lane dequeLane + d (an event's ring slot). */
  readonly dequeLane: number;
  /** Doubles per ring slot: the event's time, its columns' values, the deques' entries. */
  readonly lanes: number;
}

/** One numeric column of the window, as the loop needs it. */
export interface RunColumn {
  readonly slot: number;
  readonly lane: number;
  /** Offset of its moments in the record, -1 without. */
  readonly momentAt: number;
  /** Its max and min deques, -1 without. */
  readonly maxDeque: number;
  readonly minDeque: number;
  readonly hashed: boolean;
}

/**
 * Apply rows [from, to) of an entity's run while they are in order (not before the entity's
 * newest event), from the record at `r` of `m`; returns the first row it did not apply.
 * `grow(capacity)` moves the ring to a block of that many events (its cursors written back
 * first); `hash(c, t, v, keyMax)` adds a value to column c's distinct-count sketch.
 */
export type RunKernel = (
  m: Float64Array,
  r: number,
  times: Float64Array,
  num: readonly (Float64Array | undefined)[],
  from: number,
  to: number,
  w: number,
  lateness: number,
  store: RingArena,
  grow: (capacity: number) => void,
  hash: (c: number, t: number, v: number, keyMax: number) => void,
) => number;

const compiled = new Map<string, RunKernel>();
let codeGeneration: boolean | undefined;
let interpreting = false;

/**
 * Make something (an engine) whose windows interpret instead of running generated loops, as
 * where code generation is off: the tests hold the generated loops to the interpreted `apply`.
 */
export function interpreted<T>(make: () => T): T {
  interpreting = true;
  try {
    return make();
  } finally {
    interpreting = false;
  }
}

/** Whether generated loops may be made now: not where the process forbids it, nor in `interpreted`. */
export function codeGenerationAllowed(): boolean {
  return codeGeneration !== false && !interpreting;
}

/** Note that the process forbids code generation from strings (an EvalError from `new Function`). */
export function codeGenerationRefused(): void {
  codeGeneration = false;
}

/**
 * The compiled loop for a window's shape (cached by its source); undefined when the process
 * forbids code generation from strings, and `applyRun` then interprets.
 */
export function compiledRun(layout: RunLayout, columns: readonly RunColumn[]): RunKernel | undefined {
  if (!codeGenerationAllowed()) return undefined;
  const source = runKernelSource(layout, columns);
  let kernel = compiled.get(source);
  if (kernel === undefined) {
    // The source is built from numbers of the plan alone (offsets, lanes, slots): no user
    // text reaches it.
    let make: (recompute: typeof momentRecompute, imprecise: typeof impreciseMoments) => RunKernel;
    try {
      make = new Function('momentRecompute', 'imprecise', source) as typeof make;
    } catch (error) {
      if (!(error instanceof EvalError)) throw error;
      codeGenerationRefused();
      return undefined;
    }
    kernel = make(momentRecompute, impreciseMoments);
    compiled.set(source, kernel);
  }
  return kernel;
}

/** The loop's JavaScript: the body of a function of `momentRecompute` and `imprecise` that returns it. */
export function runKernelSource(layout: RunLayout, columns: readonly RunColumn[]): string {
  const L = layout;
  const code = new Code();
  const moments = columns.flatMap((column, c) => (column.momentAt >= 0 ? [{ c, column, block: new Block(`m${c}_`) }] : []));
  const deques: { d: number; c: number; negate: boolean; valueLane: number }[] = [];
  columns.forEach((column, c) => {
    if (column.maxDeque >= 0) deques.push({ d: column.maxDeque, c, negate: false, valueLane: column.lane });
    if (column.minDeque >= 0) deques.push({ d: column.minDeque, c, negate: true, valueLane: column.lane });
  });
  deques.sort((x, y) => x.d - y.d);
  // A moment block's locals from the record at `at`, back to it, and from the scratch.
  const load = (block: Block, at: number): string => block.names.map((name, i) => `${name} = m[r + ${at + i}]`).join(', ');
  const store = (block: Block, at: number): string => block.names.map((name, i) => `m[r + ${at + i}] = ${name};`).join(' ');
  const fromScratch = (block: Block): string => block.names.map((name, i) => `${name} = scratch[${i}];`).join(' ');
  // Slot `slot` of the ring, lane n: b + slot × lanes + n.
  const cell = (slot: string, n: number): string => `b + ${/^\w+$/.test(slot) ? slot : `(${slot})`} * ${L.lanes}${n === 0 ? '' : ` + ${n}`}`;
  const dequeEntries = (d: number): number => L.dequeLane + d;
  const saveDeques = (): void => {
    for (const { d } of deques) code.line(`m[r + ${L.fixed + 2 * d}] = dh${d}; m[r + ${L.fixed + 2 * d + 1}] = ds${d};`);
  };
  const loadDeques = (): void => {
    for (const { d } of deques) code.line(`dh${d} = m[r + ${L.fixed + 2 * d}]; ds${d} = m[r + ${L.fixed + 2 * d + 1}];`);
  };
  // The ring's page and offset (RingArena.page, offsetOf).
  const ring = (declare: string): void => {
    code.line(`${declare}block = m[r + ${L.block}];`);
    code.line(`${declare}a = store.page(block);`);
    code.line(`${declare}b = block - ((block / ${PAGE_SPAN}) | 0) * ${PAGE_SPAN};`);
    code.line(`${declare}mask = cap - 1;`);
  };

  code.line(`const scratch = new Float64Array(${MOMENT_SIZE});`);
  code.line('return function applyRun(m, r, times, num, from, to, w, lateness, store, grow, hash) {');
  for (const [c, column] of columns.entries()) code.line(`const x${c} = num[${column.slot}];`);
  code.line(`let head = m[r + ${L.head}], size = m[r + ${L.size}], skip = m[r + ${L.skip}];`);
  if (moments.length > 0) code.line(`let ops = m[r + ${L.ops}];`);
  code.line(`let keyMax = m[r + ${L.keyMax}], cap = m[r + ${L.cap}];`);
  ring('let ');
  for (const { column, block } of moments) code.line(`let ${load(block, column.momentAt)};`);
  for (const { d } of deques) code.line(`let dh${d} = m[r + ${L.fixed + 2 * d}], ds${d} = m[r + ${L.fixed + 2 * d + 1}];`);
  code.line('let j = from;');
  code.line('for (; j < to; j++) {');
  code.line('const t = times[j];');
  code.line('if (t < keyMax) break;');
  // The sums lose the events older than this event's window (WindowState.#dropFromSums).
  code.line('const lo = t - w;');
  code.line(`if (skip < size && a[${cell('(head + skip) & mask', 0)}] < lo) {`);
  code.line('do {');
  if (moments.length > 0) code.line('const at = (head + skip) & mask;');
  for (const { column, block } of moments) {
    code.line('{');
    code.line(`const x = a[${cell('at', column.lane)}];`);
    code.line('if (x === x) {');
    block.remove(code, 'x');
    code.line('}');
    code.line('}');
  }
  code.line('skip++;');
  code.line(`} while (skip < size && a[${cell('(head + skip) & mask', 0)}] < lo);`);
  for (const { column, block } of moments) {
    code.line(`if (${block.imprecise()}) {`);
    code.line(`momentRecompute(scratch, 0, a, head + skip, head + size, mask, b + ${column.lane}, ${L.lanes});`);
    code.line(fromScratch(block));
    code.line('}');
  }
  code.line('}');
  // A full ring moves to a block twice its size; deque heads move with it.
  code.line('if (size === cap) {');
  code.line(`m[r + ${L.head}] = head; m[r + ${L.size}] = size;`);
  saveDeques();
  code.line('grow(cap * 2);');
  code.line(`head = 0; cap = m[r + ${L.cap}];`);
  ring('');
  loadDeques();
  code.line('}');
  code.line('const at = (head + size) & mask;');
  code.line('size++;');
  code.line(`a[${cell('at', 0)}] = t;`);
  for (const [c, column] of columns.entries()) {
    code.line('{');
    code.line(`const x = x${c}[j];`);
    code.line(`a[${cell('at', column.lane)}] = x;`);
    code.line('if (x === x) {');
    const block = moments.find((mo) => mo.c === c)?.block;
    if (block !== undefined) block.add(code, 'x');
    for (const { d, negate, valueLane } of deques.filter((q) => q.c === c)) {
      // A later value at least as large dominates (WindowState.#push); minima negated. An
      // entry holds its event's ring slot.
      const sign = negate ? '-' : '';
      code.line('{');
      code.line(`const v = ${sign}x;`);
      code.line(`while (ds${d} > 0 && ${sign}a[${cell(`a[${cell(`(dh${d} + ds${d} - 1) & mask`, dequeEntries(d))}]`, valueLane)}] <= v) ds${d}--;`);
      code.line(`a[${cell(`(dh${d} + ds${d}) & mask`, dequeEntries(d))}] = at;`);
      code.line(`ds${d}++;`);
      code.line('}');
    }
    if (column.hashed) code.line(`hash(${c}, t, x, keyMax);`);
    code.line('}');
    code.line('}');
  }
  code.line('if (t > keyMax) keyMax = t;');
  // recomputeDue (moments.ts, linear in n) written out with its numbers.
  if (moments.length > 0) code.line(`const recompute = ++ops > ${recomputeDue(1) - recomputeDue(0)} * (size - skip) + ${recomputeDue(0)};`);
  // The ring loses the events no read can need any more (WindowState.#drop).
  code.line('const bound = keyMax - w - lateness;');
  code.line(`if (a[${cell('head', 0)}] < bound) {`);
  code.line('const before = size;');
  code.line(`while (size > 0 && a[${cell('head', 0)}] < bound) {`);
  code.line('head = (head + 1) & mask;');
  code.line('size--;');
  code.line('}');
  code.line('skip -= before - size;');
  for (const { d } of deques) {
    // An entry's event may have just left the ring: its slot keeps its time until reused.
    code.line(`while (ds${d} > 0 && a[${cell(`a[${cell(`dh${d}`, dequeEntries(d))}]`, 0)}] < bound) {`);
    code.line(`dh${d} = (dh${d} + 1) & mask;`);
    code.line(`ds${d}--;`);
    code.line('}');
  }
  code.line('}');
  if (moments.length > 0) {
    code.line('if (recompute) {');
    code.line('ops = 0;');
    for (const { column, block } of moments) {
      code.line(`momentRecompute(scratch, 0, a, head + skip, head + size, mask, b + ${column.lane}, ${L.lanes});`);
      code.line(fromScratch(block));
    }
    code.line('}');
  }
  code.line('}');
  code.line(`m[r + ${L.head}] = head; m[r + ${L.size}] = size; m[r + ${L.skip}] = skip; m[r + ${L.keyMax}] = keyMax;`);
  if (moments.length > 0) code.line(`m[r + ${L.ops}] = ops;`);
  for (const { column, block } of moments) code.line(store(block, column.momentAt));
  saveDeques();
  code.line('return j;');
  code.line('};');
  return code.toString();
}
