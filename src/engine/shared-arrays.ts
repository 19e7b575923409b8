/**
 * Typed arrays over `SharedArrayBuffer`s, for the stream's memory that grows with the data
 * (the ring arena's pages, entity ids, pair tables, batch scratch), though no other thread
 * sees them. V8 counts the memory of an ordinary `ArrayBuffer` towards its external-memory
 * limit, and each 64 MB more since the last full collection starts another, which marks
 * everything the application holds and frees nothing here: these arrays live as long as the
 * engine. A shared buffer's memory is not counted (other isolates may hold it); it is freed
 * the same way, when the buffer is collected. Without shared memory (a flag can turn it off)
 * these are ordinary arrays.
 *
 * Not for arrays that leave the engine: structured cloning shares a shared buffer instead of
 * copying it.
 */
const SHARED = typeof SharedArrayBuffer === 'function';

/** `length` zeros. */
export function sharedFloat64Array(length: number): Float64Array {
  return SHARED ? new Float64Array(new SharedArrayBuffer(8 * length)) : new Float64Array(length);
}

/** `length` zeros. */
export function sharedInt32Array(length: number): Int32Array {
  return SHARED ? new Int32Array(new SharedArrayBuffer(4 * length)) : new Int32Array(length);
}

/** `length` zeros. */
export function sharedUint8Array(length: number): Uint8Array {
  return SHARED ? new Uint8Array(new SharedArrayBuffer(length)) : new Uint8Array(length);
}
