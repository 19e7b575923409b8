import type { SeededRandom } from '../shared/random.js';

/** Row-major points: `x[i * p + j]`. */
export interface Points {
  readonly x: Float64Array;
  readonly weight: Float64Array;
  readonly rows: number;
  readonly p: number;
}

export interface Clustering {
  /** Row-major k × p. */
  readonly centroids: Float64Array;
  readonly labels: Int32Array;
  readonly inertia: number;
  readonly iterations: number;
}

/**
 * k-means++ seeding (Arthur & Vassilvitskii, "k-means++: The Advantages of Careful Seeding",
 * SODA 2007): the first centre uniformly at random (by row weight), each next one with
 * probability proportional to weight × D(x)², D the distance to the nearest centre so far.
 */
export function seedPlusPlus(points: Points, k: number, random: SeededRandom): Float64Array {
  const { x, weight, rows, p } = points;
  const centroids = new Float64Array(k * p);
  const nearest = new Float64Array(rows).fill(Infinity);
  for (let c = 0; c < k; c++) {
    const chosen = c === 0 ? pickWeighted(weight, rows, random) : pickWeighted(nearest, rows, random, weight);
    centroids.set(x.subarray(chosen * p, chosen * p + p), c * p);
    for (let i = 0; i < rows; i++) {
      const d = squaredDistance(x, i * p, centroids, c * p, p);
      if (d < (nearest[i] as number)) nearest[i] = d;
    }
  }
  return centroids;
}

/**
 * Lloyd's algorithm (Lloyd 1982): assign every point to its nearest centroid, move each centroid
 * to its points' weighted mean, until the total squared shift is at most `shiftTolerance`. A
 * centroid left without points moves to the point farthest from its own centroid.
 */
export function lloyd(points: Points, initial: Float64Array, k: number, maxIterations: number, shiftTolerance: number): Clustering {
  const { x, weight, rows, p } = points;
  const centroids = Float64Array.from(initial);
  const sums = new Float64Array(k * p);
  const mass = new Float64Array(k);
  const labels = new Int32Array(rows);
  const distance = new Float64Array(rows);
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    assign(points, centroids, k, labels, distance);
    sums.fill(0);
    mass.fill(0);
    for (let i = 0; i < rows; i++) {
      const c = labels[i] as number;
      const w = weight[i] as number;
      mass[c] = (mass[c] as number) + w;
      for (let j = 0; j < p; j++) sums[c * p + j] = (sums[c * p + j] as number) + w * (x[i * p + j] as number);
    }
    relocateEmpty(points, mass, sums, labels, distance);
    let shift = 0;
    for (let c = 0; c < k; c++) {
      const m = mass[c] as number;
      if (m === 0) continue;
      for (let j = 0; j < p; j++) {
        const next = (sums[c * p + j] as number) / m;
        const d = next - (centroids[c * p + j] as number);
        shift += d * d;
        centroids[c * p + j] = next;
      }
    }
    if (shift <= shiftTolerance) break;
  }
  // Final assignment, so labels and inertia describe the returned centroids.
  const inertia = assign(points, centroids, k, labels, distance);
  return { centroids, labels, inertia, iterations };
}

/** Nearest centroid of every point (ties to the lower index); returns the weighted inertia. */
function assign(points: Points, centroids: Float64Array, k: number, labels: Int32Array, distance: Float64Array): number {
  const { x, weight, rows, p } = points;
  let inertia = 0;
  for (let i = 0; i < rows; i++) {
    let best = 0;
    let bestDistance = Infinity;
    for (let c = 0; c < k; c++) {
      const d = squaredDistance(x, i * p, centroids, c * p, p);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    labels[i] = best;
    distance[i] = bestDistance;
    inertia += (weight[i] as number) * bestDistance;
  }
  return inertia;
}

function relocateEmpty(points: Points, mass: Float64Array, sums: Float64Array, labels: Int32Array, distance: Float64Array): void {
  const { x, weight, rows, p } = points;
  for (let c = 0; c < mass.length; c++) {
    if ((mass[c] as number) > 0) continue;
    let far = -1;
    for (let i = 0; i < rows; i++) {
      const owner = labels[i] as number;
      // Take a point only from a cluster that keeps at least one other point.
      if ((weight[i] as number) > 0 && (mass[owner] as number) > (weight[i] as number) && (far < 0 || (distance[i] as number) > (distance[far] as number))) far = i;
    }
    if (far < 0) return;
    const owner = labels[far] as number;
    const w = weight[far] as number;
    mass[owner] = (mass[owner] as number) - w;
    for (let j = 0; j < p; j++) sums[owner * p + j] = (sums[owner * p + j] as number) - w * (x[far * p + j] as number);
    mass[c] = w;
    for (let j = 0; j < p; j++) sums[c * p + j] = w * (x[far * p + j] as number);
    labels[far] = c;
    distance[far] = 0;
  }
}

export function squaredDistance(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, p: number): number {
  let sum = 0;
  for (let j = 0; j < p; j++) {
    const d = (a[aOffset + j] as number) - (b[bOffset + j] as number);
    sum += d * d;
  }
  return sum;
}

/** Index drawn with probability ∝ `mass[i]` (× `weight[i]`); uniform over rows when all mass is 0. */
function pickWeighted(mass: Float64Array, rows: number, random: SeededRandom, weight?: Float64Array): number {
  let total = 0;
  for (let i = 0; i < rows; i++) total += (mass[i] as number) * (weight ? (weight[i] as number) : 1);
  if (!(total > 0)) return random.int(rows);
  let target = random.next() * total;
  for (let i = 0; i < rows; i++) {
    const m = (mass[i] as number) * (weight ? (weight[i] as number) : 1);
    if (m === 0) continue;
    target -= m;
    if (target < 0) return i;
  }
  // Rounding left a sliver: the last row with mass.
  for (let i = rows - 1; i >= 0; i--) if ((mass[i] as number) * (weight ? (weight[i] as number) : 1) > 0) return i;
  return rows - 1;
}
