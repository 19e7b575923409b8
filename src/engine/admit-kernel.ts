import { Code } from './codegen.js';
import type { callInput, toRaw, toStored } from './inputs.js';
import type { KeyDictionary } from './key-dictionary.js';
import type { EntityIds } from './entity-ids.js';
import type { SlotPlan } from './plan.js';
import { codeGenerationAllowed, codeGenerationRefused } from './run-kernel.js';

type Row = Readonly<Record<string, unknown>>;

/**
 * `StreamEngine.applyBatch`'s admission loop generated for one source: what each event of a
 * batch goes through before the views apply it (its time, its key fields' ids, its entities,
 * its views' inputs), spelled out for the source's fields and views.
 *
 * The interpreted loop reads each field through one shared site (`event[field]` with the
 * field in a variable), which V8 serves from its megamorphic cache, and calls every feature
 * function from one site. Here each field and each function has a site of its own, which
 * V8 specialises to the events' shape and the one function it calls. Field names and
 * functions come in as arguments; the source holds only numbers of the plan.
 *
 * It takes only the common case: a numeric time within the allowed lateness, string key
 * values its dictionaries hold (an entity new to a view is added, as the interpreted loop
 * adds it: after the event's inputs; views with composite keys are left to the caller, see
 * `AdmitShape.deferred`; key values are looked up a run of events ahead, see
 * `admitKernelSource`). At the first event that is anything else it stops,
 * and the interpreted loop takes that one event (with its rejections and new key values)
 * before the generated loop goes on. An input's value is converted as the interpreted loop
 * converts it (`toStored`, `toRaw`). Whatever throws leaves `state` naming the event and the
 * counters before it: the caller rejects the event for a TandemError (a value of the wrong
 * type, a failing feature function), as the interpreted loop would, and applies the events
 * before it and rethrows for anything else.
 */
export type AdmitKernel = (
  events: readonly Row[],
  n: number,
  /** In: [first event, rows so far, watermark, allowed lateness]; out: where it stopped and the two counters. */
  state: Float64Array,
  fields: readonly string[],
  dictionaries: readonly KeyDictionary[],
  parts: Int32Array,
  entities: readonly EntityIds[],
  /** Per view: what adds an entity (with its state) the view does not have yet. */
  views: readonly { addEntity(parts: Int32Array, positions: Int32Array): number }[],
  positions: readonly Int32Array[],
  /** Per view: the batch's entity id column. */
  batchIds: readonly Int32Array[],
  /** Per view, 1 where the batch applies it (`applyBatch`'s `only`): an entity new to it is added; elsewhere its id stays -1. */
  applied: Uint8Array,
  /** Per key field: the batch's column of its part ids, filled where a view's entities are left to the caller (`AdmitShape.deferred`). */
  keyColumns: readonly Int32Array[],
  /** Scratch of KEY_LOOKAHEAD rows of part ids, one per key field, for the keys looked up ahead. */
  keyIds: Int32Array,
  times: Float64Array,
  /** Per slot the kernel fills, in order: its batch column (numbers or raw values), plan and function. */
  columns: readonly (Float64Array | unknown[])[],
  slots: readonly SlotPlan[],
  inputs: readonly (((event: Row) => unknown) | undefined)[],
  convert: { readonly callInput: typeof callInput; readonly toStored: typeof toStored; readonly toRaw: typeof toRaw },
) => void;

/** One slot the kernel evaluates: which event field (or function) and how it is stored. */
export interface AdmitSlot {
  readonly plan: SlotPlan;
  /** Index of its field in the kernel's `fields`, -1 for a function. */
  readonly field: number;
}

/** The shape the kernel is generated for. */
export interface AdmitShape {
  /** Index of the timestamp field in `fields`. */
  readonly time: number;
  /** Index in `fields` of each key field, in `parts` order. */
  readonly keys: readonly number[];
  readonly views: number;
  /**
   * Per view, true where the loop leaves the event's entity to the caller: it writes the
   * key's part ids to `keyColumns`, and the caller finds (and adds) the entities of the rows
   * it admitted before anything else happens (EntityIds.findRows).
   */
  readonly deferred: readonly boolean[];
  readonly slots: readonly AdmitSlot[];
}

const compiled = new Map<string, AdmitKernel>();

/**
 * The most events whose key values the loop looks up ahead of the rest of their work (see
 * `admitKernelSource`); `keyIds` holds this many rows of part ids.
 */
export const KEY_LOOKAHEAD = 256;

/** The generated loop for a source's shape, undefined where code generation is off. */
export function compiledAdmit(shape: AdmitShape): AdmitKernel | undefined {
  if (!codeGenerationAllowed()) return undefined;
  const source = admitKernelSource(shape);
  let kernel = compiled.get(source);
  if (kernel === undefined) {
    let make: () => AdmitKernel;
    try {
      make = new Function(source) as typeof make;
    } catch (error) {
      if (!(error instanceof EvalError)) throw error;
      codeGenerationRefused();
      return undefined;
    }
    kernel = make();
    compiled.set(source, kernel);
  }
  return kernel;
}

/** The loop's JavaScript: the body of a function that returns it. */
export function admitKernelSource(shape: AdmitShape): string {
  const code = new Code();
  const fieldsUsed = [shape.time, ...shape.keys, ...shape.slots.filter((s) => s.field >= 0).map((s) => s.field)];
  code.line('return function admit(events, n, state, fields, dictionaries, parts, entities, views, positions, batchIds, applied, keyColumns, keyIds, times, columns, slots, inputs, convert) {');
  code.line('const callInput = convert.callInput, toStored = convert.toStored, toRaw = convert.toRaw;');
  for (const f of new Set(fieldsUsed)) code.line(`const f${f} = fields[${f}];`);
  const deferring = shape.deferred.some((d) => d);
  shape.keys.forEach((_, k) => code.line(`const d${k} = dictionaries[${k}];${deferring ? ` const kc${k} = keyColumns[${k}];` : ''}`));
  for (let v = 0; v < shape.views; v++) code.line(`const e${v} = entities[${v}], r${v} = views[${v}], p${v} = positions[${v}], b${v} = batchIds[${v}];`);
  shape.slots.forEach((slot, s) => {
    code.line(`const c${s} = columns[${s}], s${s} = slots[${s}];`);
    if (slot.field < 0) code.line(`const g${s} = inputs[${s}];`);
  });
  code.line('const lateness = state[3];');
  code.line('let i = state[0], count = state[1], watermark = state[2];');
  const K = shape.keys.length;
  // Key values are looked up ahead, for the next events at once: a dictionary's lookups miss
  // the cache, and in a loop of their own the processor has several in flight, where one per
  // event between the rest of its work waits for each in turn. The events [pb, pe) have
  // their part ids in keyIds (-1: not a string, or a value the dictionary does not hold).
  // The run ahead doubles from 4 events, so a call that stops early has read few keys twice.
  // A key field that throws stops the run ahead; the event's own turn reads it again.
  code.line('let pb = i, pe = i, threw = false, ahead = 4;');
  code.line('for (; i < n; i++) {');
  if (K > 0) {
    code.line('if (i === pe && !threw) {');
    code.line('pb = i;');
    code.line('const end = Math.min(n, i + ahead);');
    code.line(`if (ahead < ${KEY_LOOKAHEAD}) ahead *= 2;`);
    code.line('try {');
    code.line('for (; pe < end; pe++) {');
    code.line('const next = events[pe];');
    code.line(`const at = (pe - pb) * ${K};`);
    shape.keys.forEach((f, k) => {
      code.line(`const y${k} = next[f${f}];`);
      code.line(`keyIds[at + ${k}] = typeof y${k} === 'string' ? d${k}.find(y${k}) : -1;`);
    });
    code.line('}');
    code.line('} catch {');
    code.line('threw = true;');
    code.line('}');
    code.line('}');
  }
  code.line('const event = events[i];');
  // Where it stands, before anything of the event is read: reading a field may throw (a getter).
  code.line('state[0] = i; state[1] = count; state[2] = watermark;');
  code.line(`const t = event[f${shape.time}];`);
  // A time that is not a finite number, or too late, is the interpreted loop's (its reasons).
  code.line("if (typeof t !== 'number' || t - t !== 0 || t < watermark - lateness) break;");
  shape.keys.forEach((f, k) => {
    code.line(`let q${k};`);
    code.line(`if (i < pe) q${k} = keyIds[(i - pb) * ${K} + ${k}];`);
    code.line('else {');
    code.line(`const k${k} = event[f${f}];`);
    code.line(`if (typeof k${k} !== 'string') break;`);
    code.line(`q${k} = d${k}.find(k${k});`);
    code.line('}');
    code.line(`if (q${k} < 0) break;`);
    code.line(`parts[${k}] = q${k};`);
  });
  for (let v = 0; v < shape.views; v++) if (!shape.deferred[v]) code.line(`let id${v} = e${v}.find(parts, p${v});`);
  // From here on the event is this loop's: a conversion error rejects it (see above).
  shape.slots.forEach((slot, s) => {
    const value = slot.field >= 0 ? `event[f${slot.field}]` : `callInput(s${s}, g${s}, event)`;
    code.line('{');
    code.line(`const x = ${value};`);
    if (slot.plan.transform === 'raw') code.line(`c${s}[count] = toRaw(x);`);
    else if (slot.plan.transform === 'number') code.line(`c${s}[count] = typeof x === 'number' ? x : toStored('number', x, s${s});`);
    else code.line(`c${s}[count] = toStored('${slot.plan.transform}', x, s${s});`);
    code.line('}');
  });
  // Inputs first, then new entities: an event rejected for its inputs adds none.
  for (let v = 0; v < shape.views; v++) {
    if (shape.deferred[v]) continue;
    code.line(`if (id${v} < 0 && applied[${v}] === 1) id${v} = r${v}.addEntity(parts, p${v});`);
    code.line(`b${v}[count] = id${v};`);
  }
  if (deferring) shape.keys.forEach((_, k) => code.line(`kc${k}[count] = q${k};`));
  code.line('times[count] = t;');
  code.line('if (t > watermark) watermark = t;');
  code.line('count++;');
  code.line('}');
  code.line('state[0] = i; state[1] = count; state[2] = watermark;');
  code.line('};');
  return code.toString();
}
