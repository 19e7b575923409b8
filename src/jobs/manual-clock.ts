import type { Clock } from './clock.js';

interface Timer {
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when told to, firing due timers in time order (ties in the order they
 * were set) as it passes them: the scheduler runs against it as against the wall clock, so tests
 * and simulations cover days in milliseconds.
 */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();

  constructor(start: number | string) {
    this.#now = typeof start === 'number' ? start : Date.parse(start);
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

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /** When the earliest pending timer fires, or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    let next: number | undefined;
    for (const timer of this.#timers.values()) if (next === undefined || timer.at < next) next = timer.at;
    return next;
  }

  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  /** Moves to `to`, firing every timer due by then. */
  set(to: number | string): void {
    const target = typeof to === 'number' ? to : Date.parse(to);
    for (;;) {
      let due: [number, Timer] | undefined;
      for (const entry of this.#timers) if (entry[1].at <= target && (due === undefined || entry[1].at < due[1].at)) due = entry;
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].at);
      due[1].callback();
    }
    this.#now = Math.max(this.#now, target);
  }
}
