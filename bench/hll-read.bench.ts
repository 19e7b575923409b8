/**
 * Reading a sliding distinct count (`approxDistinct` over a window, the stream's
 * SlidingRegisters) as of now, against reading it as of ever earlier times (each read then
 * scans every register, which is what every read cost before the estimate was kept up to date).
 * Same sketch, same process, precision 12 (the default: 4,096 registers).
 *
 *   npx tsx --conditions development bench/hll-read.bench.ts
 */
import { SlidingRegisters } from '../src/engine/hll.js';

const READS = 20_000;
let seed = 12345;
const nextHash = (): number => {
  seed = (Math.imul(seed ^ (seed >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
  return seed;
};

console.log('distinct values in the window   read as of now (µs, mean)   read further back each time (µs, mean)   ratio');
for (const distinct of [100, 1_000, 10_000, 100_000]) {
  // One value a second over the window; reads move one second at a time while values keep coming.
  const window = distinct * 1000;
  const sketch = new SlidingRegisters(12);
  let t = 0;
  for (; t < window; t += 1000) sketch.add(t, nextHash(), t - window);
  let sink = 0;
  const forward = performance.now();
  for (let r = 0; r < READS; r++) {
    t += 1000;
    sketch.add(t, nextHash(), t - window);
    sink += sketch.estimateFrom(t + 1 - window);
  }
  const forwardUs = ((performance.now() - forward) * 1000) / READS;
  const backReads = Math.max(200, Math.min(READS, 2_000_000 / distinct));
  const back = performance.now();
  for (let r = 0; r < backReads; r++) sink += sketch.estimateFrom(t + 1 - window - r);
  const backUs = ((performance.now() - back) * 1000) / backReads;
  console.log(
    `${distinct.toLocaleString('en-US').padStart(30)}   ${forwardUs.toFixed(2).padStart(25)}   ${backUs.toFixed(2).padStart(38)}   ${(backUs / forwardUs).toFixed(0).padStart(5)}×${sink < 0 ? ' ' : ''}`,
  );
}
