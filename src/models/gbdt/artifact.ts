import { TandemError } from '../../errors.js';
import {
  artifact,
  decodeFloat64,
  decodeInt32,
  encodeFloat64,
  encodeInt32,
  type JsonValue,
  type ModelArtifact,
} from '../artifact.js';
import type { Forest, GbdtState } from './forest.js';
import { gbdtParamsSchema, type GbdtParams } from './params.js';

/**
 * The artifact: parameters (without `threads`, which never changes the result) and the flat
 * forest, arrays encoded exactly. Equal fits give byte-equal artifacts.
 */
export function gbdtArtifact(params: GbdtParams, state: GbdtState): ModelArtifact {
  const { threads: _threads, ...stored } = params;
  const f = state.forest;
  return artifact('gbdt', stored as { readonly [key: string]: JsonValue }, state.featureNames, {
    baseScore: encodeFloat64([f.baseScore]),
    trees: {
      starts: encodeInt32(f.starts),
      feature: encodeInt32(f.feature),
      threshold: encodeFloat64(f.threshold),
      defaultLeft: encodeInt32(f.defaultLeft),
      left: encodeInt32(f.left),
      right: encodeInt32(f.right),
      value: encodeFloat64(f.value),
      gain: encodeFloat64(f.gain),
      cover: encodeFloat64(f.cover),
    },
  });
}

/** Reads an artifact's parameters and state, checking every array so a damaged file fails here, not when scoring. */
export function readGbdtArtifact(model: ModelArtifact): { params: GbdtParams; state: GbdtState } {
  if (model.kind !== 'gbdt') {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', `artifact of kind '${model.kind}' is not a gbdt model`);
  }
  const params = gbdtParamsSchema.safeParse(model.params);
  if (!params.success) {
    const issue = params.error.issues[0];
    throw new TandemError(
      'TANDEM_INVALID_ARTIFACT',
      `gbdt artifact has invalid params: ${issue?.path.map(String).join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  const state = model.state as { readonly [key: string]: JsonValue } | null;
  const trees = (typeof state === 'object' && state !== null ? state['trees'] : undefined) as
    | { readonly [key: string]: JsonValue }
    | undefined;
  if (state === null || typeof state !== 'object' || trees === undefined || typeof trees !== 'object' || trees === null) {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', 'gbdt artifact has no trees');
  }
  const base = decodeFloat64(state['baseScore'], 'baseScore');
  const forest: Forest = {
    baseScore: base[0] ?? Number.NaN,
    starts: decodeInt32(trees['starts'], 'trees.starts'),
    feature: decodeInt32(trees['feature'], 'trees.feature'),
    threshold: decodeFloat64(trees['threshold'], 'trees.threshold'),
    defaultLeft: decodeInt32(trees['defaultLeft'], 'trees.defaultLeft'),
    left: decodeInt32(trees['left'], 'trees.left'),
    right: decodeInt32(trees['right'], 'trees.right'),
    value: decodeFloat64(trees['value'], 'trees.value'),
    gain: decodeFloat64(trees['gain'], 'trees.gain'),
    cover: decodeFloat64(trees['cover'], 'trees.cover'),
  };
  checkForest(forest, model.featureNames.length);
  return { params: params.data, state: { featureNames: [...model.featureNames], forest } };
}

function checkForest(f: Forest, features: number): void {
  const bad = (what: string): never => {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', `gbdt artifact is damaged: ${what}`);
  };
  if (!Number.isFinite(f.baseScore)) bad('baseScore is not a finite number');
  const nodes = f.feature.length;
  for (const [name, array] of Object.entries({ threshold: f.threshold, defaultLeft: f.defaultLeft, left: f.left, right: f.right, value: f.value, gain: f.gain, cover: f.cover })) {
    if (array.length !== nodes) bad(`trees.${name} has ${array.length} nodes, trees.feature has ${nodes}`);
  }
  for (let t = 0; t < f.starts.length; t++) {
    const start = f.starts[t] as number;
    const end = t + 1 < f.starts.length ? (f.starts[t + 1] as number) : nodes;
    if (start < 0 || start >= end || end > nodes) bad(`tree ${t} has no nodes`);
    for (let k = start; k < end; k++) {
      const j = f.feature[k] as number;
      if (j < 0) continue;
      if (j >= features) bad(`node ${k} splits on feature ${j} of ${features}`);
      // Children come after their parent within the tree, so scoring always ends at a leaf.
      for (const child of [f.left[k] as number, f.right[k] as number]) {
        if (child <= k || child >= end) bad(`node ${k} has child ${child} outside its tree`);
      }
    }
  }
}
