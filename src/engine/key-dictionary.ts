/**
 * Dense ids for the values of one key field, in their string form (42 and '42' are one key,
 * as in backfill). Shared by every view of an engine keyed on the field, so an event's card is
 * looked up once however many views are keyed on it.
 */
export class KeyDictionary {
  readonly #ids = new Map<string, number>();
  readonly #names: string[] = [];

  get size(): number {
    return this.#names.length;
  }

  /** The id of a value, -1 if it has none yet. */
  find(text: string): number {
    return this.#ids.get(text) ?? -1;
  }

  /** The id of a value, adding it if new. */
  add(text: string): number {
    let id = this.#ids.get(text);
    if (id === undefined) {
      id = this.#names.length;
      this.#ids.set(text, id);
      this.#names.push(text);
    }
    return id;
  }

  name(id: number): string {
    return this.#names[id]!;
  }
}
