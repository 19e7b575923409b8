import type { Entity } from '../features/entity.js';
import type { KeyDictionary } from './key-dictionary.js';
import { keyPart } from './keys.js';

type Row = Readonly<Record<string, unknown>>;

/**
 * The key fields of every view of one source, each looked up once per event: `find` fills
 * `parts` with each field's id in its dictionary (-1 for a value not seen before), and each
 * view's `EntityIds` takes its entity from there.
 */
export class SourceKeys {
  readonly fields: readonly string[];
  /** Per field, the id of the event's value (after `find`). */
  readonly parts: Int32Array;
  /** Per field, its dictionary. */
  readonly dictionaries: readonly KeyDictionary[];
  /** Per field, the first entity keyed on it: a bad value is reported as that entity's. */
  readonly #entities: readonly Entity[];

  constructor(entities: readonly Entity[], dictionary: (field: string) => KeyDictionary) {
    const fields: string[] = [];
    const owners: Entity[] = [];
    // Views in order, their key fields in order: the first bad field found is the one a
    // view-by-view check would report.
    for (const entity of entities) {
      for (const field of entity.keys) {
        if (fields.includes(field)) continue;
        fields.push(field);
        owners.push(entity);
      }
    }
    this.fields = fields;
    this.#entities = owners;
    this.dictionaries = fields.map(dictionary);
    this.parts = new Int32Array(fields.length);
  }

  /** Where each key field of `entity` is in `parts`. */
  positions(entity: Entity): Int32Array {
    return Int32Array.from(entity.keys, (field) => this.fields.indexOf(field));
  }

  /** Look up the event's key values; throws TANDEM_INVALID_KEY for a missing or non-scalar one. */
  find(event: Row): void {
    const fields = this.fields;
    for (let f = 0; f < fields.length; f++) {
      const value = event[fields[f]!];
      // Strings, the usual case, are looked up as they are; other values by their string form.
      const text = typeof value === 'string' ? value : keyPart(value, this.#entities[f]!, fields[f]!);
      this.parts[f] = this.dictionaries[f]!.find(text);
    }
  }

  /** Give the values `find` did not know their ids (the event's key is valid). */
  addMissing(event: Row): void {
    const fields = this.fields;
    for (let f = 0; f < fields.length; f++) {
      if (this.parts[f]! >= 0) continue;
      this.parts[f] = this.dictionaries[f]!.add(keyPart(event[fields[f]!], this.#entities[f]!, fields[f]!));
    }
  }
}
