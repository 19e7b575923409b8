import type { Clock } from '../../jobs/clock.js';

/**
 * A clock that moves only when told to, firing timers in time order as it passes them: the
 * scheduler runs against it as it would against the wall clock, days in milliseconds.
 */
export class SimulatedClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, { readonly at: number; readonly callback: () => void }>();

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + ms, callback });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** When the earliest pending timer fires, or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    let next: number | undefined;
    for (const timer of this.#timers.values()) if (next === undefined || timer.at < next) next = timer.at;
    return next;
  }

  /** Moves to `to`, firing every timer due by then (earliest first, ties in the order they were set). */
  advanceTo(to: number): void {
    for (;;) {
      let due: [number, { readonly at: number; readonly callback: () => void }] | undefined;
      for (const entry of this.#timers) if (entry[1].at <= to && (due === undefined || entry[1].at < due[1].at)) due = entry;
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].at);
      due[1].callback();
    }
    this.#now = Math.max(this.#now, to);
  }
}
