import type { Row } from '../model.js';

/** A label waiting for its arrival time, with the example it belongs to. */
export interface PendingLabel {
  readonly labelAt: number;
  /** Position of the example in the stream; breaks ties between equal arrival times. */
  readonly sequence: number;
  readonly x: Row;
  readonly y: number;
}

/** A binary min-heap ordered by (labelAt, sequence): labels leave in arrival order, ties first-in first-out. */
export class PendingLabels {
  readonly #heap: PendingLabel[] = [];

  get size(): number {
    return this.#heap.length;
  }

  peek(): PendingLabel | undefined {
    return this.#heap[0];
  }

  push(label: PendingLabel): void {
    const heap = this.#heap;
    heap.push(label);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(label, heap[parent] as PendingLabel)) break;
      heap[i] = heap[parent] as PendingLabel;
      i = parent;
    }
    heap[i] = label;
  }

  pop(): PendingLabel | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as PendingLabel, heap[left] as PendingLabel) ? right : left;
      if (!before(heap[child] as PendingLabel, last)) break;
      heap[i] = heap[child] as PendingLabel;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: PendingLabel, b: PendingLabel): boolean {
  return a.labelAt < b.labelAt || (a.labelAt === b.labelAt && a.sequence < b.sequence);
}
