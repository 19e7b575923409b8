import type { ModelArtifact } from '../artifact.js';
import type { Row } from '../model.js';

/**
 * An online preprocessing step (River's `Transformer`): it learns from rows without labels and
 * rewrites them; it has no task and predicts nothing. Each one ships a `…FromArtifact` loader.
 */
export interface OnlineTransformer {
  readonly kind: string;
  learnOne(x: Row): void;
  /** A new row; `x` is not changed. */
  transformOne(x: Row): Row;
  toArtifact(): ModelArtifact;
}
