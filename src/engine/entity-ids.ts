import type { Entity } from '../features/entity.js';
import type { KeyDictionary } from './key-dictionary.js';
import { keyPart, keyParts, type EntityKey } from './keys.js';
import { sharedInt32Array } from './shared-arrays.js';

/**
 * Dense integer ids for the entities of one view, as the stream's state is indexed, from the
 * ids of the key's parts in their fields' dictionaries. A one-field key maps its part id
 * through an array; a composite key numbers the (id so far, next part id) pairs in an
 * open-addressing table, so an event's entity is found without building a string. Ids count
 * up from 0 in order of creation.
 */
export class EntityIds {
  readonly #entity: Entity;
  readonly #dictionaries: readonly KeyDictionary[];
  /** One-field keys: part id → entity id (-1: none), and back. */
  #byPart: Int32Array = new Int32Array(0);
  #partOf: Int32Array = new Int32Array(0);
  #single = 0;
  /** Composite keys: level i numbers the pairs (id of fields 0..i, part id of field i + 1). */
  readonly #pairs: PairIds[];
  /** 0, 1, 2, …: key field i at position i, for parts given in key order. */
  readonly #order: Int32Array;
  /** `findKey`'s part ids, reused (lookups are synchronous). */
  readonly #found: Int32Array;

  /** `dictionaries`: one per key field, in the entity's key order. */
  constructor(entity: Entity, dictionaries: readonly KeyDictionary[]) {
    this.#entity = entity;
    this.#dictionaries = dictionaries;
    this.#pairs = entity.keys.slice(1).map(() => new PairIds());
    this.#order = Int32Array.from(entity.keys, (_, i) => i);
    this.#found = new Int32Array(entity.keys.length);
  }

  /** Number of entities. */
  get size(): number {
    const pairs = this.#pairs;
    return pairs.length === 0 ? this.#single : pairs[pairs.length - 1]!.size;
  }

  /**
   * The entity of key parts given by their ids, -1 if it has none yet. `parts[fields[i]]` is
   * the id of key field i (-1 for a value its dictionary does not hold).
   */
  find(parts: Int32Array, fields: Int32Array): number {
    let id = parts[fields[0]!]!;
    if (id < 0) return -1;
    const pairs = this.#pairs;
    if (pairs.length === 0) return id < this.#byPart.length ? this.#byPart[id]! : -1;
    for (let i = 0; i < pairs.length && id >= 0; i++) {
      const part = parts[fields[i + 1]!]!;
      id = part < 0 ? -1 : pairs[i]!.find(id, part);
    }
    return id;
  }

  /** Whether the key has more than one field (its entities are numbered through pair tables). */
  get composite(): boolean {
    return this.#pairs.length > 0;
  }

  /**
   * `find` for rows [from, to) of key part columns into `out`, for a composite key: row r's
   * part of key field i is `columns[fields[i]][r]` (all ≥ 0). In a loop of its own the rows' table probes are
   * independent, so the processor has several cache misses in flight at once (a table of
   * a few hundred thousand pairs does not fit in cache; one probe per event between the
   * rest of the event's work waits for each in turn).
   */
  findRows(columns: readonly Int32Array[], fields: Int32Array, from: number, to: number, out: Int32Array): void {
    const pairs = this.#pairs;
    if (pairs.length === 1) {
      const pair = pairs[0]!;
      const firsts = columns[fields[0]!]!;
      const seconds = columns[fields[1]!]!;
      for (let r = from; r < to; r++) out[r] = pair.find(firsts[r]!, seconds[r]!);
      return;
    }
    for (let r = from; r < to; r++) {
      let id = columns[fields[0]!]![r]!;
      for (let i = 0; i < pairs.length && id >= 0; i++) id = pairs[i]!.find(id, columns[fields[i + 1]!]![r]!);
      out[r] = id;
    }
  }

  /** The entity of key parts given by their ids (all ≥ 0), adding it if new. */
  add(parts: Int32Array, fields: Int32Array): number {
    const pairs = this.#pairs;
    const first = parts[fields[0]!]!;
    if (pairs.length > 0) {
      let id = first;
      for (let i = 0; i < pairs.length; i++) id = pairs[i]!.add(id, parts[fields[i + 1]!]!);
      return id;
    }
    if (first >= this.#byPart.length) {
      const grown = sharedInt32Array(Math.max(64, 2 * this.#byPart.length, first + 1)).fill(-1);
      grown.set(this.#byPart);
      this.#byPart = grown;
    }
    const known = this.#byPart[first]!;
    if (known >= 0) return known;
    const id = this.#single++;
    this.#byPart[first] = id;
    if (id >= this.#partOf.length) {
      const grown = sharedInt32Array(Math.max(64, 2 * this.#partOf.length));
      grown.set(this.#partOf);
      this.#partOf = grown;
    }
    this.#partOf[id] = first;
    return id;
  }

  /** The id of a key given in any accepted form, -1 if the entity has none. */
  findKey(key: EntityKey): number {
    if (typeof key === 'string' && this.#pairs.length === 0) {
      const part = this.#dictionaries[0]!.find(key);
      return part >= 0 && part < this.#byPart.length ? this.#byPart[part]! : -1;
    }
    const ids = this.#found;
    if (typeof key === 'object' && key !== null && !Array.isArray(key)) {
      // A record holding the key fields (a request, an event): no array of parts to build.
      const record = key as Readonly<Record<string, unknown>>;
      const fields = this.#entity.keys;
      for (let i = 0; i < fields.length; i++) ids[i] = this.#dictionaries[i]!.find(keyPart(record[fields[i]!], this.#entity, fields[i]!));
    } else {
      const parts = keyParts(this.#entity, key);
      for (let i = 0; i < parts.length; i++) ids[i] = this.#dictionaries[i]!.find(parts[i]!);
    }
    return this.find(ids, this.#order);
  }

  /** The id of a key given by its parts' strings, adding it if new. */
  addParts(parts: readonly string[]): number {
    const ids = this.#found;
    for (let i = 0; i < parts.length; i++) ids[i] = this.#dictionaries[i]!.add(parts[i]!);
    return this.add(ids, this.#order);
  }

  /** An entity's key parts, in key-field order. */
  parts(id: number): string[] {
    const pairs = this.#pairs;
    const out = new Array<string>(pairs.length + 1);
    for (let i = pairs.length; i > 0; i--) {
      out[i] = this.#dictionaries[i]!.name(pairs[i - 1]!.second(id));
      id = pairs[i - 1]!.first(id);
    }
    out[0] = this.#dictionaries[0]!.name(pairs.length === 0 ? this.#partOf[id]! : id);
    return out;
  }
}

/**
 * Dense ids for pairs of non-negative int32s: open addressing with linear probing. A slot is
 * [first, second, id, unused], so a probe touches one cache line (a table of a few hundred
 * thousand pairs does not fit in cache).
 */
class PairIds {
  #slots: Int32Array = sharedInt32Array(4 * 1024).fill(-1);
  #mask = 1023;
  /** By id: the pair it numbers. */
  #byIdFirst = sharedInt32Array(512);
  #byIdSecond = sharedInt32Array(512);
  size = 0;

  find(a: number, b: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let slot = slotOf(a, b, mask); ; slot = (slot + 1) & mask) {
      const at = slot << 2;
      const f = slots[at]!;
      if (f === a && slots[at + 1] === b) return slots[at + 2]!;
      if (f < 0) return -1;
    }
  }

  add(a: number, b: number): number {
    const found = this.find(a, b);
    if (found >= 0) return found;
    const id = this.size++;
    if (id === this.#byIdFirst.length) {
      this.#byIdFirst = grown(this.#byIdFirst);
      this.#byIdSecond = grown(this.#byIdSecond);
    }
    this.#byIdFirst[id] = a;
    this.#byIdSecond[id] = b;
    if (this.size * 2 > this.#mask) this.#grow();
    else this.#place(a, b, id);
    return id;
  }

  first(id: number): number {
    return this.#byIdFirst[id]!;
  }

  second(id: number): number {
    return this.#byIdSecond[id]!;
  }

  #place(a: number, b: number, id: number): void {
    const slots = this.#slots;
    let slot = slotOf(a, b, this.#mask);
    while (slots[slot << 2]! >= 0) slot = (slot + 1) & this.#mask;
    slots[slot << 2] = a;
    slots[(slot << 2) + 1] = b;
    slots[(slot << 2) + 2] = id;
  }

  /** Double the table and place every pair again (ids are kept). */
  #grow(): void {
    const length = (this.#mask + 1) * 2;
    this.#slots = sharedInt32Array(4 * length).fill(-1);
    this.#mask = length - 1;
    for (let id = 0; id < this.size; id++) this.#place(this.#byIdFirst[id]!, this.#byIdSecond[id]!, id);
  }
}

function slotOf(a: number, b: number, mask: number): number {
  const h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  return (h ^ (h >>> 15)) & mask;
}

function grown(values: Int32Array): Int32Array {
  const next = sharedInt32Array(values.length * 2);
  next.set(values);
  return next;
}
