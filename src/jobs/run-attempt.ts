import type { JsonValue } from '../models/artifact.js';
import type { Clock } from './clock.js';
import type { JobContext, JobDefinition } from './job-definition.js';

export type AttemptOutcome =
  | { readonly status: 'succeeded'; readonly result: JsonValue | null }
  | { readonly status: 'failed'; readonly error: string };

export interface Attempt {
  /** Settles once: with the job's own outcome, or as failed the moment it is aborted. Never rejects. */
  readonly outcome: Promise<AttemptOutcome>;
  /** Abort the job's signal with `reason` and fail the attempt with its message. */
  abort(reason: Error): void;
}

/**
 * Run one attempt of a job. A timeout or abort fails the attempt at once rather than waiting
 * for the job to notice its signal: a job that ignores the signal keeps running, unrecorded.
 */
export function runAttempt(
  run: JobDefinition['run'],
  context: Omit<JobContext, 'signal'>,
  options: { readonly clock: Clock; readonly timeoutMs: number | null; readonly job: string },
): Attempt {
  const controller = new AbortController();
  let settle: (outcome: AttemptOutcome) => void = () => undefined;
  const outcome = new Promise<AttemptOutcome>((resolve) => {
    settle = resolve;
  });
  const abort = (reason: Error): void => {
    if (controller.signal.aborted) return;
    controller.abort(reason);
    settle({ status: 'failed', error: reason.message });
  };
  const timer =
    options.timeoutMs === null
      ? undefined
      : options.clock.setTimer(
          // The same error AbortSignal.timeout() gives, so jobs can pass the signal to fetch and friends.
          () => abort(new DOMException(`job '${options.job}' timed out after ${options.timeoutMs} ms`, 'TimeoutError')),
          options.timeoutMs,
        );
  Promise.resolve()
    .then(() => run({ ...context, signal: controller.signal }))
    .then(
      (result) => settle({ status: 'succeeded', result: result ?? null }),
      (error: unknown) => settle({ status: 'failed', error: error instanceof Error ? error.message : String(error) }),
    );
  void outcome.then(() => {
    if (timer !== undefined) options.clock.clearTimer(timer);
  });
  return { outcome, abort };
}
