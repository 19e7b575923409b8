/** What fastify's `onSend` hook is given to let a response go on (its payload, possibly replaced). */
export type SendDone = (error: null, payload: unknown) => void;

/**
 * Holds each response until the end of the event-loop turn that produced it (`setImmediate`,
 * after every request read in that turn has been handled), then lets them all go, back to
 * back. Under load a server reads several requests per turn; writing each response as soon
 * as it is ready interleaves socket writes with the next request's work, and each write then
 * costs more system time (most likely the kernel waking the reader anew for each one).
 * Written together, the same responses took 7 µs of system time each instead of 12.5 µs, and
 * `POST /v1/predict` served about a third more requests per second (bench/README.md,
 * "Serving"). A response waits at most for the rest of its own turn; a request alone in its
 * turn is answered at the end of that turn.
 */
export class SendBatch {
  #dones: SendDone[] = [];
  #payloads: unknown[] = [];
  #scheduled = false;
  readonly #release = (): void => {
    this.#scheduled = false;
    // Swapped first: a send may start work that holds another response for the next turn.
    const dones = this.#dones;
    const payloads = this.#payloads;
    this.#dones = [];
    this.#payloads = [];
    for (let i = 0; i < dones.length; i++) dones[i]!(null, payloads[i]);
  };

  /** Let the response go (call `done` with `payload`) at the end of this turn. */
  hold(done: SendDone, payload: unknown): void {
    this.#dones.push(done);
    this.#payloads.push(payload);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#release);
    }
  }

  /** Responses waiting for the end of the turn. */
  get waiting(): number {
    return this.#dones.length;
  }
}
