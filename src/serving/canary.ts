import { murmur3 } from '../engine/hash.js';
import { KEY_SEPARATOR } from '../features/entity.js';
import type { PredictRequest } from './types.js';

/**
 * Whether a request belongs to a model's canary: a MurmurHash3 of the model name and the
 * request's entity key values, mapped to [0, 1), below `share`. The same entity always lands
 * on the same side (a customer does not flip between versions), and the split is the same in
 * every replica and after restarts.
 */
export function inCanary(model: string, keyFields: readonly string[], request: PredictRequest, share: number): boolean {
  let text = model;
  for (let i = 0; i < keyFields.length; i++) text += KEY_SEPARATOR + String(request[keyFields[i]!]);
  return murmur3(text, 0x0c4a7a11) / 4_294_967_296 < share;
}
