import { TandemError, quote } from '../errors.js';
import { withoutFeatures } from '../features/model-serving.js';
import { MAX_TIME, requestTimeOf } from './check-request.js';
import type { PredictionLog } from './prediction-log.js';
import type { Predictor } from './predictor.js';

export interface FeedbackResult {
  readonly id: string;
  readonly model: string;
  /** Whether the label met its prediction in the in-memory log. */
  readonly joined: boolean;
  /** Whether an online model learned from it. */
  readonly learned: boolean;
  /** The joined prediction's score and version. */
  readonly score: number | null;
  readonly version: number | null;
}

function bad(where: string, field: string, message: string): TandemError {
  return new TandemError('TANDEM_BAD_REQUEST', `${where}field '${field}' ${message}`, { details: { field } });
}

/**
 * A label for a logged prediction: `{ id, label, ts? }` with label a number or boolean. The
 * label is appended to the prediction log either way; when the prediction is still in memory
 * it joins, and an online model (online: true) learns from the features that prediction used.
 */
export function applyFeedback(predictor: Predictor, log: PredictionLog, model: string, body: unknown, where = ''): FeedbackResult {
  predictor.describe(model);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TandemError('TANDEM_BAD_REQUEST', `${where}feedback must be a JSON object { id, label, ts? }, got ${quote(body)}`);
  }
  const { id: rawId, label: rawLabel, ts: rawTs } = body as Record<string, unknown>;
  const id = typeof rawId === 'number' && Number.isFinite(rawId) ? String(rawId) : rawId;
  if (typeof id !== 'string' || id === '') throw bad(where, 'id', `must be the id of a prediction, got ${quote(rawId)}`);
  const label = typeof rawLabel === 'boolean' ? (rawLabel ? 1 : 0) : rawLabel;
  if (typeof label !== 'number' || !Number.isFinite(label)) throw bad(where, 'label', `must be a number or boolean, got ${quote(rawLabel)}`);
  const ts = rawTs === undefined || rawTs === null ? Date.now() : requestTimeOf(rawTs);
  if (!(Math.abs(ts) <= MAX_TIME)) throw bad(where, 'ts', `must be a time (epoch ms or ISO 8601), got ${quote(rawTs)}`);
  const logged = log.find(model, id);
  // The model learns from the features as read when it predicted (none when they failed).
  const learned = logged !== undefined && !withoutFeatures(logged.prediction.fallback?.reason) ? predictor.learn(model, logged.features, label) : false;
  log.recordFeedback({ id, model, label, ts, joined: logged !== undefined, learned });
  const score = logged?.prediction.score;
  if (score !== undefined && logged?.prediction.fallback === undefined) predictor.labelled(model, score, label);
  predictor.metrics.feedback.series([model, String(logged !== undefined)]).inc();
  return { id, model, joined: logged !== undefined, learned, score: logged?.prediction.score ?? null, version: logged?.prediction.version ?? null };
}
