import { TandemError } from '../errors.js';
import type { Entity } from '../features/entity.js';
import type { Column, Table } from '../io/table.js';
import { asInt32, countByKey, ensurePlaced, placeByKey, planPlacement, type Placement } from './placement.js';
import { requireColumn } from './table-access.js';

/** A column's key ids (−1 for null); may be the column's own codes, which callers only read. */
function encodeColumn(column: Column, ids: Map<string, number>, where: string, field: string): Int32Array {
  const n = column.type === 'string' ? column.codes.length : column.values.length;
  const out = new Int32Array(column.type === 'string' ? 0 : n);
  const idOf = (text: string): number => {
    let id = ids.get(text);
    if (id === undefined) ids.set(text, (id = ids.size));
    return id;
  };
  switch (column.type) {
    case 'string': {
      const byCode = column.dictionary.map(idOf);
      const codes = column.codes;
      // The first table's dictionary usually gets ids in its own order: then its codes are
      // the ids (−1 for null alike), read in place.
      if (byCode.every((id, code) => id === code)) return codes;
      const mapped = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const code = codes[i]!;
        mapped[i] = code < 0 ? -1 : byCode[code]!;
      }
      return mapped;
    }
    case 'number':
    case 'timestamp': {
      const values = column.values;
      let lastValue = NaN;
      let lastId = -1;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v !== v) out[i] = -1;
        else if (v === lastValue) out[i] = lastId;
        else out[i] = lastId = idOf(String((lastValue = v)));
      }
      return out;
    }
    case 'boolean': {
      const values = column.values;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        out[i] = v !== v ? -1 : idOf(v === 1 ? 'true' : 'false');
      }
      return out;
    }
    case 'json':
      throw new TandemError('TANDEM_FILE_COLUMN', `${where} key column '${field}' holds nested values; keys must be strings, numbers or booleans`);
  }
}

/** A key field's values as dense ids (−1 for null), per side, and the number of distinct values. */
interface FieldIds {
  /** The events' ids, then the spine's when it is another table. */
  readonly ids: readonly Int32Array[];
  readonly width: number;
}

/** One table's rows grouped by the key so far, with the next key field's id of each row beside it. */
interface Side {
  readonly order: Uint32Array;
  readonly starts: Uint32Array;
  readonly carried: Int32Array;
}

/** A kept grouping's sides, and the placement that fills them when its rows are placed elsewhere. */
interface Kept {
  readonly sides: readonly Side[];
  readonly groupings: readonly Grouping[];
  readonly placement?: Placement;
}

/** The events and the spine grouped by one entity key: group k is the same key in both. */
export interface EntityGrouping {
  readonly events: Grouping;
  /** The events' grouping itself when the events are their own spine. */
  readonly spine: Grouping;
  readonly count: number;
}

/**
 * The groupings of the events and the spine of one backfill, view by view: rows grouped by
 * entity in time order, built key field by key field. Keys compare by their string form (so 42
 * and '42' are one key, as in the stream), the same key has the same group in the events and
 * the spine, and a row with a null key part is in no group.
 *
 * A key of several fields is grouped by its first field, then each group's stretch is split
 * stably by the next field, the events' and the spine's stretches of a group together so that
 * a key gets one number in both. No table of the combinations that occur is needed, only a
 * table of the next field's width stamped with the group it was last seen in, small enough to
 * stay in cache (a table of all pairs costs a cache miss per row). Groups are numbered by the
 * first field's group, then by first occurrence in time order, the events' before the spine's.
 *
 * Views share the work: each field is encoded once, and the grouping by a field that another
 * selected view's key starts with (`card` for `card` × `merchant`) is kept, with that key's
 * next field beside each row, so the longer key only splits it. The split grouping `refines`
 * the kept one: it records where each of its rows sits in it, so columns already in the kept
 * grouping's order move to the split one's within each group, and its rows' positions (a
 * scatter over the whole table) are worked out only if something asks for them.
 */
export class EntityGroupings {
  readonly #tables: readonly Table[];
  readonly #byTime: readonly Uint32Array[];
  /** The views still to be grouped. */
  readonly #planned: { readonly entity: Entity; readonly view: string }[];
  readonly #fields = new Map<string, FieldIds>();
  /** By "first field\nnext field": the sides to split, and the groupings they were returned as. */
  readonly #carried = new Map<string, Kept>();
  readonly #allocateKept: (n: number) => Uint32Array;

  /**
   * `spine` may be `events` itself. `views`: the entities of the views to be grouped and the
   * views' names, in any order.
   */
  constructor(
    events: Table,
    eventsByTime: Uint32Array,
    spine: Table,
    spineByTime: Uint32Array,
    views: readonly { readonly entity: Entity; readonly view: string }[],
    /** Arrays kept from one view to another (a grouping a longer key will split). */
    allocateKept: (n: number) => Uint32Array = PLAIN,
  ) {
    this.#allocateKept = allocateKept;
    this.#tables = spine === events ? [events] : [events, spine];
    this.#byTime = spine === events ? [eventsByTime] : [eventsByTime, spineByTime];
    this.#planned = [...views];
  }

  /**
   * With `placeLater` (`allocate` then gives shared memory), a one-field key of events that
   * are their own spine, and no null key, the rows are counted here and placed by whichever
   * thread gets to the grouping's `placement` first.
   */
  group(entity: Entity, viewName: string, allocate: (n: number) => Uint32Array, placeLater = false): EntityGrouping {
    const keys = entity.keys;
    const done = this.#planned.findIndex((p) => p.view === viewName);
    if (done >= 0) this.#planned.splice(done, 1);
    const fields = keys.map((field) => this.#field(entity, field, viewName));
    const first = fields[0]!;
    const sides = this.#tables.map((_, s) => s);
    const result = (groupings: readonly Grouping[], count: number): EntityGrouping => ({ events: groupings[0]!, spine: groupings[groupings.length - 1]!, count });
    if (fields.length === 1) {
      // Keep this grouping for a longer key to come that starts with this field.
      const longer = this.#planned.find((p) => p.entity.keys.length > 1 && p.entity.keys[0] === keys[0]);
      if (placeLater && this.#tables.length === 1) {
        const next = longer && this.#field(longer.entity, longer.entity.keys[1]!, longer.view);
        const placement = planPlacement(first.ids[0]!, this.#byTime[0]!, first.width, allocate, longer === undefined ? allocate : this.#allocateKept, next?.ids[0]);
        if (placement !== undefined) {
          const grouping = placedGrouping(placement);
          if (longer !== undefined) {
            // The order and the carried ids are in memory kept for the run already.
            this.#carried.set(`${keys[0]}\n${longer.entity.keys[1]!}`, {
              sides: [{ order: placement.order, starts: placement.starts, carried: placement.carried! }],
              groupings: [grouping],
              placement,
            });
          }
          return result([grouping], first.width);
        }
      }
      if (longer === undefined) return result(sides.map((s) => groupByKey(first.ids[s]!, this.#byTime[s]!, first.width, allocate)), first.width);
      const nextField = longer.entity.keys[1]!;
      const next = this.#field(longer.entity, nextField, longer.view);
      const groupings = sides.map((s) => groupByKey(first.ids[s]!, this.#byTime[s]!, first.width, allocate, true, next.ids[s], this.#allocateKept));
      // The grouping's arrays may go back to the backfill's arena when this view is done:
      // kept as copies.
      const kept = (a: Uint32Array): Uint32Array => {
        const copy = this.#allocateKept(a.length);
        copy.set(a);
        return copy;
      };
      this.#carried.set(`${keys[0]}\n${nextField}`, {
        sides: groupings.map((g) => ({ order: kept(g.order), starts: kept(g.starts), carried: g.carried! })),
        groupings,
      });
      return result(groupings, first.width);
    }
    const memo = `${keys[0]}\n${keys[1]}`;
    const carried = this.#carried.get(memo);
    if (carried?.placement !== undefined) ensurePlaced(carried.placement);
    let split: readonly Side[] =
      carried?.sides ?? sides.map((s) => groupByKey(first.ids[s]!, this.#byTime[s]!, first.width, PLAIN, false, fields[1]!.ids[s]) as Side);
    if (!this.#planned.some((p) => p.entity.keys.length > 1 && p.entity.keys[0] === keys[0] && p.entity.keys[1] === keys[1])) this.#carried.delete(memo);
    const rows = this.#tables.map((t) => t.length);
    for (let f = 1; ; f++) {
      const last = f === fields.length - 1;
      const next = last ? undefined : fields[f + 1]!.ids;
      // Splitting a kept grouping once: the result refines it, and says where each row came from.
      const refines = last && f === 1 && carried !== undefined;
      const { parts, count } = splitGroups(split, fields[f]!.width, last ? allocate : PLAIN, last && !refines ? rows : undefined, next, refines);
      if (!last) {
        split = parts;
        continue;
      }
      return result(
        parts.map((p, s) =>
          refines ? refinedGrouping(p.order, p.starts, carried.groupings[s]!, p.via!, rows[s]!, allocate) : { order: p.order, starts: p.starts, position: p.position! },
        ),
        count,
      );
    }
  }

  /** Whether a view still to be grouped will refine `grouping` (one this object returned). */
  willRefine(grouping: Grouping): boolean {
    for (const { groupings } of this.#carried.values()) if (groupings.includes(grouping)) return true;
    return false;
  }

  #field(entity: Entity, field: string, viewName: string): FieldIds {
    let ids = this.#fields.get(field);
    if (ids === undefined) {
      const purpose = `key of entity '${entity.name}' in view '${viewName}'`;
      // One dictionary for both tables, so a key has one id in both.
      const dictionary = new Map<string, number>();
      const encoded = this.#tables.map((table, s) => {
        const where = s === 0 ? 'the events' : 'the spine';
        return encodeColumn(requireColumn(table, field, where, purpose), dictionary, where, field);
      });
      ids = { ids: encoded, width: dictionary.size };
      this.#fields.set(field, ids);
    }
    return ids;
  }
}

const PLAIN = (n: number): Uint32Array => new Uint32Array(n);

/**
 * Each group g of each side ([starts[g], starts[g + 1]) of its `order`) split stably by the
 * side's `carried` ids (positions whose id is −1 leave the grouping), group by group and the
 * sides' stretches of a group together, so an id of group g gets one new group in every side.
 * A group's positions are read twice while they are in cache, to count its new groups and then
 * to place them. With `rows` (each side's table length), also each row's position in its new
 * order (NO_POSITION for rows in no group); with `carry` (per side), `carry[row]` beside each
 * row of the new orders.
 */
function splitGroups(
  sides: readonly Side[],
  width: number,
  allocate: (n: number) => Uint32Array,
  rows: readonly number[] | undefined,
  carry: readonly Int32Array[] | undefined,
  withVia = false,
): { parts: (Side & { readonly position: Uint32Array | undefined; readonly via: Uint32Array | undefined })[]; count: number } {
  const stamp = new Int32Array(width).fill(-1);
  const group = new Uint32Array(width); // while splitting group g: the new group of each id
  const seen = new Int32Array(width); // the ids of group g in order of first occurrence
  const most = sides.reduce((sum, side) => sum + side.order.length, 0);
  const out = sides.map((side, s) => ({
    // Sized for the most groups and rows there can be; views of the parts used are returned.
    starts: allocate(most + 1),
    order: allocate(side.order.length),
    position: rows === undefined ? undefined : allocate(rows[s]!),
    via: withVia ? allocate(side.order.length) : undefined,
    carried: new Int32Array(carry === undefined ? 0 : side.order.length),
    next: new Uint32Array(width), // while placing group g: the next free slot of each id
  }));
  for (const o of out) o.starts[0] = 0;
  let count = 0;
  const groups = sides[0]!.starts.length - 1;
  for (let g = 0; g < groups; g++) {
    const first = count;
    for (let s = 0; s < sides.length; s++) {
      const { starts, carried: ids } = sides[s]!;
      const counts = out[s]!.starts;
      for (let j = starts[g]!, end = starts[g + 1]!; j < end; j++) {
        const id = ids[j]!;
        if (id < 0) continue;
        if (stamp[id] !== g) {
          stamp[id] = g;
          seen[count - first] = id;
          group[id] = count++;
          for (const o of out) o.starts[count] = 0;
        }
        counts[group[id]! + 1]!++;
      }
    }
    for (let s = 0; s < sides.length; s++) {
      const { order, starts, carried: ids } = sides[s]!;
      const { starts: at, order: newOrder, position, via, carried, next } = out[s]!;
      for (let k = first; k < count; k++) {
        next[seen[k - first]!] = at[k]!;
        at[k + 1]! += at[k]!;
      }
      const more = carry?.[s];
      for (let j = starts[g]!, end = starts[g + 1]!; j < end; j++) {
        const id = ids[j]!;
        if (id < 0) continue;
        const slot = next[id]!++;
        const row = order[j]!;
        newOrder[slot] = row;
        if (position !== undefined) position[row] = slot;
        if (via !== undefined) via[slot] = j;
        if (more !== undefined) carried[slot] = more[row]!;
      }
    }
  }
  const parts = out.map(({ starts, order, position, via, carried }) => {
    const kept = starts[count]!;
    if (position !== undefined && kept < position.length) {
      // Rows in no group: every position not written above.
      const placed = new Uint8Array(position.length);
      for (let at = 0; at < kept; at++) placed[order[at]!] = 1;
      for (let row = 0; row < position.length; row++) if (placed[row] === 0) position[row] = NO_POSITION;
    }
    return { order: order.subarray(0, kept), starts: starts.subarray(0, count + 1), position, via: via?.subarray(0, kept), carried: carried.subarray(0, kept) };
  });
  return { parts, count };
}

/** Row indices grouped by key id (ascending), each group in time order then row order. */
export interface Grouping {
  readonly order: Uint32Array;
  /** Group k is order[starts[k] .. starts[k + 1]). */
  readonly starts: Uint32Array;
  /** The inverse of `order`: each row's position, NO_POSITION for rows with a null key. */
  readonly position: Uint32Array;
  /**
   * Set when this grouping refines `parent` (a key that starts with the parent's key, split
   * from the parent's grouping): order[p] = parent.order[via[p]]. A column already in the
   * parent's order moves to this one by reading within each parent group
   * (`gatherFromParent`), not by scattering rows over the whole column.
   */
  readonly refines?: { readonly parent: Grouping; readonly via: Uint32Array };
  /**
   * Set when the rows may still be on their way into `order`, and the view's columns into
   * this grouping's order (placement.ts): `ensurePlaced` before reading either.
   */
  readonly placement?: Placement;
}

/** A grouping that refines `parent`, with its rows' positions worked out only if asked for. */
function refinedGrouping(order: Uint32Array, starts: Uint32Array, parent: Grouping, via: Uint32Array, rows: number, allocate: (n: number) => Uint32Array): Grouping {
  let position: Uint32Array | undefined;
  return {
    order,
    starts,
    refines: { parent, via },
    get position() {
      if (position === undefined) {
        position = allocate(rows);
        if (order.length < rows) position.fill(NO_POSITION);
        for (let p = 0; p < order.length; p++) position[order[p]!] = p;
      }
      return position;
    },
  };
}

/** A grouping whose rows `placement` places, perhaps on another thread: read once they are. */
function placedGrouping(placement: Placement): Grouping {
  return {
    order: placement.order,
    starts: placement.starts,
    placement,
    get position() {
      ensurePlaced(placement);
      return placement.position;
    },
  };
}

/** A column from a parent grouping's order to a refining one's: out[p] = values[via[p]]. */
export function gatherFromParent(values: Float64Array, via: Uint32Array, out: Float64Array): void {
  for (let p = 0; p < via.length; p++) out[p] = values[via[p]!]!;
}

export const NO_POSITION = 0xffffffff;

/**
 * Stable order of rows by time. Event logs are sorted or nearly so (a little arrival
 * disorder), so this tries an insertion sort, linear in the number of inversions, and falls
 * back to a comparison sort when the data turn out to be far from sorted.
 */
export function timeOrder(times: Float64Array, allocate: (n: number) => Uint32Array = PLAIN): Uint32Array {
  const n = times.length;
  const order = allocate(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let budget = 16 * n + 1024;
  for (let i = 1; i < n; i++) {
    const row = order[i]!;
    const t = times[row]!;
    let j = i - 1;
    if (times[order[j]!]! <= t) continue;
    while (j >= 0 && times[order[j]!]! > t) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = row;
    budget -= i - j;
    if (budget < 0) {
      for (let k = 0; k < n; k++) order[k] = k;
      return order.sort((a, b) => times[a]! - times[b]! || a - b);
    }
  }
  return order;
}

/**
 * Counting sort of the time order by key: stable, O(n + keys). Rows with key -1 are left out.
 * With `carry`, also `carry[row]` beside each row of the order.
 */
export function groupByKey(
  ids: Int32Array,
  byTime: Uint32Array,
  count: number,
  allocate: (n: number) => Uint32Array = PLAIN,
  withPosition = true,
  carry?: Int32Array,
  /** Where `carried` comes from. */
  allocateCarried: (n: number) => Uint32Array = PLAIN,
): Grouping & { readonly carried?: Int32Array } {
  const { starts, keyless } = countByKey(ids, count);
  const order = allocate(starts[count]!);
  // Every row gets a position below, except rows without a key.
  const position = allocate(withPosition ? ids.length : 0);
  if (withPosition && keyless > 0) position.fill(NO_POSITION);
  const carried = carry === undefined ? undefined : asInt32(allocateCarried(order.length));
  placeByKey(ids, byTime, starts.slice(0, count), order, position, carry, carried);
  return carried === undefined ? { order, starts, position } : { order, starts, position, carried };
}

