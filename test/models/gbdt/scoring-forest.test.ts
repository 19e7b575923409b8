import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataset } from '../../../src/models/dataset.js';
import { gbdt } from '../../../src/models/gbdt/index.js';
import { readGbdtArtifact } from '../../../src/models/gbdt/artifact.js';
import { MAX_COMPLETE_DEPTH, marginOf, marginsOf, scoringForestOf, type Forest } from '../../../src/models/gbdt/forest.js';
import { binarySet } from './data.js';

/** The plain walk over the trained trees, node by node: the reference the scoring layout must match bit for bit. */
function referenceMargin(forest: Forest, x: Float64Array): number {
  let margin = forest.baseScore;
  for (let t = 0; t < forest.starts.length; t++) {
    let k = forest.starts[t] as number;
    while ((forest.feature[k] as number) >= 0) {
      const v = x[forest.feature[k] as number] as number;
      const goLeft = Number.isNaN(v) ? forest.defaultLeft[k] === 1 : v <= (forest.threshold[k] as number);
      k = (goLeft ? forest.left[k] : forest.right[k]) as number;
    }
    margin += forest.value[k] as number;
  }
  return margin;
}

describe('the scoring layout of a GBDT forest', () => {
  it('scores every row exactly as the plain walk over the trees, in every layout, one row or many at a time, missing and infinite values included', () => {
    const data = binarySet(3_000, 7);
    // Missing exactly in a third of the positive rows: trees split missing values from the rest (threshold +∞).
    const telling = { ...data, columns: data.columns.map((column, j) => (j === 0 ? column.map((v, i) => (data.label![i] === 1 && i % 3 === 0 ? Number.NaN : v)) : column)) };
    for (const [params, rows] of [
      [{ rounds: 30, maxDepth: 5, seed: 3 }, data],
      // Unbalanced trees: leaves at many depths, padded in the complete layout.
      [{ rounds: 21, growth: 'leafwise' as const, maxLeaves: 13, maxDepth: 7, seed: 5 }, data],
      // Leaves above the greatest depth (a child must weigh 20, so many nodes stop early), and trees not a multiple of four.
      [{ rounds: 13, maxDepth: 8, minChildWeight: 20, seed: 9 }, data],
      [{ rounds: 17, maxDepth: 3, seed: 4 }, telling],
    ] as const) {
      const model = gbdt(params);
      model.fit(rows);
      const { state } = readGbdtArtifact(model.toArtifact());
      const ranked = scoringForestOf(state.forest);
      const complete = scoringForestOf(state.forest, MAX_COMPLETE_DEPTH, false);
      const linked = scoringForestOf(state.forest, 0);
      expect(ranked.ranked).toBeDefined();
      expect(complete.complete).toBeDefined();
      expect(complete.ranked).toBeUndefined();
      expect(linked.complete).toBeUndefined();
      expect(linked.ranked).toBeUndefined();
      // The values thresholds are made of, exactly, so rows land on both sides of them.
      const thresholds = [...new Set(state.forest.threshold.filter((_, k) => (state.forest.feature[k] as number) >= 0))];
      const value = fc.oneof(
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.constant(Number.NaN),
        fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
        fc.integer({ min: 0, max: 5 }),
        fc.constantFrom(...thresholds),
        // Just beside a threshold, and zero of either sign.
        fc.constantFrom(...thresholds).map((t) => t + (t === 0 ? Number.MIN_VALUE : Math.abs(t) * Number.EPSILON)),
        fc.constantFrom(...thresholds).map((t) => t - (t === 0 ? Number.MIN_VALUE : Math.abs(t) * Number.EPSILON)),
        fc.constantFrom(0, -0),
      );
      fc.assert(
        fc.property(
          fc.array(value, { minLength: 4, maxLength: 4 }),
          (values) => {
            const x = Float64Array.from(values);
            const reference = referenceMargin(state.forest, x);
            expect(Object.is(marginOf(ranked, x), reference)).toBe(true);
            expect(Object.is(marginOf(complete, x), reference)).toBe(true);
            expect(Object.is(marginOf(linked, x), reference)).toBe(true);
          },
        ),
        { numRuns: 2_000 },
      );
      // Many rows at once, tree-major: every row's margin as one at a time gives it, across blocks of rows.
      fc.assert(
        fc.property(fc.array(fc.array(value, { minLength: 4, maxLength: 4 }), { maxLength: 600 }), (rows) => {
          const columns = [0, 1, 2, 3].map((j) => Float64Array.from(rows, (row) => row[j]!));
          for (const scoring of [ranked, complete, linked]) {
            const out = new Float64Array(rows.length);
            marginsOf(scoring, columns, out);
            rows.forEach((row, i) => expect(Object.is(out[i], referenceMargin(state.forest, Float64Array.from(row)))).toBe(true));
          }
        }),
        { numRuns: 40 },
      );
    }
  });

  it('scores any forest as the plain walk does, whatever its thresholds: repeated, ±0, ±∞, missing values either way (property)', () => {
    // Thresholds and values from one small pool, so rows land on, between and beyond them.
    const pool = [Number.NEGATIVE_INFINITY, -1, -0, 0, 0.5, 1, Number.POSITIVE_INFINITY];
    const threshold = fc.oneof(fc.constantFrom(...pool), fc.double({ min: -2, max: 2, noNaN: true }));
    type Node = { feature: number; threshold: number; defaultLeft: boolean; left: Node; right: Node } | { value: number };
    const node: fc.Memo<Node> = fc.memo((depth) =>
      depth <= 1
        ? fc.record({ value: fc.double({ min: -1, max: 1, noNaN: true }) })
        : fc.oneof(
            { weight: 1, arbitrary: fc.record({ value: fc.double({ min: -1, max: 1, noNaN: true }) }) },
            { weight: 3, arbitrary: fc.record({ feature: fc.integer({ min: 0, max: 3 }), threshold, defaultLeft: fc.boolean(), left: node(depth - 1), right: node(depth - 1) }) },
          ),
    );
    const forestOf = (trees: Node[]): Forest => {
      const feature: number[] = [];
      const thresholds: number[] = [];
      const defaultLeft: number[] = [];
      const left: number[] = [];
      const right: number[] = [];
      const value: number[] = [];
      const place = (n: Node): number => {
        const k = feature.length;
        feature.push(-1);
        thresholds.push(0);
        defaultLeft.push(0);
        left.push(-1);
        right.push(-1);
        value.push(0);
        if ('value' in n) {
          value[k] = n.value;
        } else {
          feature[k] = n.feature;
          thresholds[k] = n.threshold;
          defaultLeft[k] = n.defaultLeft ? 1 : 0;
          left[k] = place(n.left);
          right[k] = place(n.right);
        }
        return k;
      };
      const starts = trees.map(place);
      const nodes = feature.length;
      return {
        baseScore: 0.25,
        starts: Int32Array.from(starts),
        feature: Int32Array.from(feature),
        threshold: Float64Array.from(thresholds),
        defaultLeft: Int32Array.from(defaultLeft),
        left: Int32Array.from(left),
        right: Int32Array.from(right),
        value: Float64Array.from(value),
        gain: new Float64Array(nodes),
        cover: new Float64Array(nodes),
      };
    };
    const row = fc.array(fc.oneof(fc.constantFrom(...pool), fc.constant(Number.NaN), fc.double({ min: -2, max: 2, noNaN: true })), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(node(6), { minLength: 1, maxLength: 9 }), fc.array(row, { minLength: 1, maxLength: 40 }), (trees, rows) => {
        const forest = forestOf(trees);
        const layouts = [scoringForestOf(forest), scoringForestOf(forest, MAX_COMPLETE_DEPTH, false), scoringForestOf(forest, 0)];
        expect(layouts[0]!.ranked).toBeDefined();
        const columns = [0, 1, 2, 3].map((j) => Float64Array.from(rows, (r) => r[j]!));
        for (const scoring of layouts) {
          const out = new Float64Array(rows.length);
          marginsOf(scoring, columns, out);
          rows.forEach((r, i) => {
            const reference = referenceMargin(forest, Float64Array.from(r));
            expect(Object.is(marginOf(scoring, Float64Array.from(r)), reference)).toBe(true);
            expect(Object.is(out[i], reference)).toBe(true);
          });
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('pads trees to complete ones only up to MAX_COMPLETE_DEPTH levels, and scores deeper forests through the links', () => {
    const shallow = gbdt({ rounds: 8, maxDepth: 3, seed: 2 });
    shallow.fit(binarySet(2_000, 4));
    const small = scoringForestOf(readGbdtArtifact(shallow.toArtifact()).state.forest).complete!;
    expect(small.depth).toBe(3);
    // Per tree: 7 inner nodes and 8 leaves.
    expect(small.codes.length).toBe(8 * 7);
    expect(small.leaves.length).toBe(8 * 8);
    const deep = gbdt({ rounds: 6, growth: 'leafwise', maxLeaves: 64, maxDepth: 40, minChildWeight: 0.01, seed: 4 });
    deep.fit(binarySet(4_000, 6));
    const { state } = readGbdtArtifact(deep.toArtifact());
    const depthOf = (k: number): number => ((state.forest.feature[k] as number) < 0 ? 0 : 1 + Math.max(depthOf(state.forest.left[k] as number), depthOf(state.forest.right[k] as number)));
    const depth = Math.max(...Array.from(state.forest.starts, depthOf));
    expect(depth).toBeGreaterThan(MAX_COMPLETE_DEPTH);
    const scoring = scoringForestOf(state.forest);
    expect(scoring.complete).toBeUndefined();
    const x = Float64Array.of(0.5, Number.NaN, -1, 2);
    expect(marginOf(scoring, x)).toBe(referenceMargin(state.forest, x));
  });

  it('ranks each feature against its distinct thresholds only, and leaves out forests ranks cannot stand for', () => {
    const model = gbdt({ rounds: 20, maxDepth: 4, seed: 6 });
    model.fit(binarySet(2_000, 3));
    const { state } = readGbdtArtifact(model.toArtifact());
    const ranked = scoringForestOf(state.forest).ranked!;
    const split = (j: number): number[] => [...new Set(state.forest.threshold.filter((_, k) => state.forest.feature[k] === j))].sort((a, b) => a - b);
    ranked.edges.forEach((edges, j) => expect([...edges]).toEqual(split(j)));
    expect([...ranked.used]).toEqual(ranked.edges.flatMap((e, j) => (e.length > 0 ? [j] : [])));
    // A split of missing values from the rest (threshold +∞) needs its feature ranked too.
    const missingSplit: Forest = { ...state.forest, threshold: state.forest.threshold.map((t, k) => (state.forest.feature[k] === 0 ? Number.POSITIVE_INFINITY : t)), defaultLeft: state.forest.defaultLeft.map(() => 0) };
    const scored = scoringForestOf(missingSplit);
    expect(scored.ranked!.edges[0]).toHaveLength(0);
    expect([...scored.ranked!.used]).toContain(0);
    for (const x of [Float64Array.of(Number.NaN, 0, 0, 0), Float64Array.of(1, 0, 0, 0), Float64Array.of(Number.POSITIVE_INFINITY, 1, -1, Number.NaN)]) {
      expect(Object.is(marginOf(scored, x), referenceMargin(missingSplit, x))).toBe(true);
    }
    // A threshold no value is at most: scored through the complete layout, as before.
    const nan: Forest = { ...state.forest, threshold: state.forest.threshold.map((t, k) => (k === state.forest.starts[1] ? Number.NaN : t)) };
    const scoring = scoringForestOf(nan);
    expect(scoring.ranked).toBeUndefined();
    const x = Float64Array.of(0.5, Number.NaN, -1, 2);
    expect(Object.is(marginOf(scoring, x), referenceMargin(nan, x))).toBe(true);
  });

  it('keeps every node once: as many nodes as the trees, one root per tree', () => {
    const model = gbdt({ rounds: 12, maxDepth: 4, seed: 1 });
    model.fit(binarySet(1_500, 2));
    const { state } = readGbdtArtifact(model.toArtifact());
    const scoring = scoringForestOf(state.forest);
    expect(scoring.split.length).toBe(state.forest.feature.length);
    expect(scoring.roots.length).toBe(state.forest.starts.length);
    const leaves = (links: Int32Array): number => links.filter((_, i) => i % 2 === 0 && links[i] === -1).length;
    expect(leaves(scoring.links)).toBe(state.forest.feature.filter((j) => j < 0).length);
  });

  it('answers the base score for a forest of stumps-only leaves', () => {
    const data = dataset({ featureNames: ['a'], columns: [Float64Array.of(1, 1, 1, 1)], label: Float64Array.of(0, 1, 0, 1) });
    const model = gbdt({ rounds: 3, seed: 1 });
    model.fit(data);
    const { state } = readGbdtArtifact(model.toArtifact());
    const x = Float64Array.of(1);
    expect(marginOf(scoringForestOf(state.forest), x)).toBe(referenceMargin(state.forest, x));
  });
});
