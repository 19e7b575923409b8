import type { JsonValue } from '../artifact.js';
import type { AttributeObserver, ClassCounts } from './attribute-observers.js';
import type { Gaussian } from './gaussian.js';
import { invalidArtifact } from './artifact-state.js';

/** A leaf learns: class counts, per-attribute observers, and the scores of its two predictors. */
export interface Leaf {
  readonly type: 'leaf';
  readonly counts: ClassCounts;
  /** Rows learnt at this leaf (its counts also hold what it inherited at the split). */
  seen: number;
  /** `seen` at the last split attempt: the grace period counts from here. */
  lastAttempt: number;
  /** Rows the majority class, and naive Bayes, predicted right before learning them ('adaptive'). */
  majorityCorrect: number;
  naiveBayesCorrect: number;
  readonly observers: Map<string, AttributeObserver>;
}

export interface NumericSplit {
  readonly type: 'numeric-split';
  readonly feature: string;
  readonly threshold: number;
  /** Rows that passed through, for missing values (heavier branch) and unseen categories. */
  readonly counts: ClassCounts;
  left: TreeNode;
  right: TreeNode;
}

export interface NominalSplit {
  readonly type: 'nominal-split';
  readonly feature: string;
  readonly counts: ClassCounts;
  readonly branches: Map<string, TreeNode>;
}

export type SplitNode = NumericSplit | NominalSplit;
export type TreeNode = Leaf | SplitNode;

export function newLeaf(counts: ClassCounts = [0, 0]): Leaf {
  return { type: 'leaf', counts: [counts[0], counts[1]], seen: 0, lastAttempt: 0, majorityCorrect: 0, naiveBayesCorrect: 0, observers: new Map() };
}

export function weightOf(node: TreeNode): number {
  return node.counts[0] + node.counts[1];
}

// Maps become lists of pairs so their first-seen order, which breaks ties, survives a round trip.
export function nodeToJson(node: TreeNode): JsonValue {
  switch (node.type) {
    case 'leaf':
      return {
        type: 'leaf',
        counts: [...node.counts],
        seen: node.seen,
        lastAttempt: node.lastAttempt,
        majorityCorrect: node.majorityCorrect,
        naiveBayesCorrect: node.naiveBayesCorrect,
        observers: [...node.observers].map(([feature, observer]) => [feature, observerToJson(observer)]),
      };
    case 'numeric-split':
      return { type: node.type, feature: node.feature, threshold: node.threshold, counts: [...node.counts], left: nodeToJson(node.left), right: nodeToJson(node.right) };
    case 'nominal-split':
      return { type: node.type, feature: node.feature, counts: [...node.counts], branches: [...node.branches].map(([value, child]) => [value, nodeToJson(child)]) };
  }
}

function observerToJson(observer: AttributeObserver): JsonValue {
  if (observer.type === 'numeric') {
    return { type: 'numeric', classes: observer.classes.map((g) => (g === null ? null : [g.n, g.mean, g.m2, g.min, g.max])) };
  }
  return { type: 'nominal', values: [...observer.values].map(([value, counts]) => [value, counts[0], counts[1]]) };
}

const KIND = 'hoeffding-tree';

export function nodeFromJson(json: JsonValue | undefined): TreeNode {
  const record = asRecord(json, 'node');
  switch (record['type']) {
    case 'leaf':
      return {
        type: 'leaf',
        counts: counts(record['counts']),
        seen: finite(record['seen'], 'seen'),
        lastAttempt: finite(record['lastAttempt'], 'lastAttempt'),
        majorityCorrect: finite(record['majorityCorrect'], 'majorityCorrect'),
        naiveBayesCorrect: finite(record['naiveBayesCorrect'], 'naiveBayesCorrect'),
        observers: new Map(list(record['observers'], 'observers').map((pair) => {
          const [feature, observer] = list(pair, 'observer');
          return [text(feature, 'observer feature'), observerFromJson(observer)];
        })),
      };
    case 'numeric-split':
      return {
        type: 'numeric-split',
        feature: text(record['feature'], 'feature'),
        threshold: finite(record['threshold'], 'threshold'),
        counts: counts(record['counts']),
        left: nodeFromJson(record['left']),
        right: nodeFromJson(record['right']),
      };
    case 'nominal-split':
      return {
        type: 'nominal-split',
        feature: text(record['feature'], 'feature'),
        counts: counts(record['counts']),
        branches: new Map(list(record['branches'], 'branches').map((pair) => {
          const [value, child] = list(pair, 'branch');
          return [text(value, 'branch value'), nodeFromJson(child)];
        })),
      };
    default:
      throw invalidArtifact(KIND, `unknown node type ${JSON.stringify(record['type'])}`);
  }
}

function observerFromJson(json: JsonValue | undefined): AttributeObserver {
  const record = asRecord(json, 'observer');
  if (record['type'] === 'numeric') {
    const [g0, g1] = list(record['classes'], 'classes').map(gaussianFromJson);
    return { type: 'numeric', classes: [g0 ?? null, g1 ?? null] };
  }
  if (record['type'] === 'nominal') {
    return {
      type: 'nominal',
      values: new Map(list(record['values'], 'values').map((entry) => {
        const [value, c0, c1] = list(entry, 'value');
        return [text(value, 'value'), [finite(c0, 'count'), finite(c1, 'count')]];
      })),
    };
  }
  throw invalidArtifact(KIND, `unknown observer type ${JSON.stringify(record['type'])}`);
}

function gaussianFromJson(json: JsonValue): Gaussian | null {
  if (json === null) return null;
  const [n, mean, m2, min, max] = list(json, 'gaussian').map((v) => finite(v, 'gaussian'));
  return { n: n ?? 0, mean: mean ?? 0, m2: m2 ?? 0, min: min ?? 0, max: max ?? 0 };
}

function asRecord(json: JsonValue | undefined, what: string): Readonly<Record<string, JsonValue>> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalidArtifact(KIND, `${what} is not an object`);
  return json as Readonly<Record<string, JsonValue>>;
}

function list(json: JsonValue | undefined, what: string): readonly JsonValue[] {
  if (!Array.isArray(json)) throw invalidArtifact(KIND, `${what} is not a list`);
  return json as readonly JsonValue[];
}

function finite(json: JsonValue | undefined, what: string): number {
  if (typeof json !== 'number' || !Number.isFinite(json)) throw invalidArtifact(KIND, `${what} is not a finite number`);
  return json;
}

function text(json: JsonValue | undefined, what: string): string {
  if (typeof json !== 'string') throw invalidArtifact(KIND, `${what} is not a string`);
  return json;
}

function counts(json: JsonValue | undefined): ClassCounts {
  const [a, b] = list(json, 'counts').map((v) => finite(v, 'count'));
  return [a ?? 0, b ?? 0];
}
