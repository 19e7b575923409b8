import type { JsonValue } from '../../models/artifact.js';

/**
 * What alerts can make the running system do. Each returns a short outcome for the audit log
 * ('retrain run 12 started', 'champion 3 → 2', 'webhook answered 200'); a failure throws and
 * is recorded as the outcome.
 */
export interface AlertActions {
  retrain(model: string, alert: string): Promise<string>;
  rollback(model: string, alert: string): Promise<string>;
  /** Answer from the fallback chain while `alert` holds; undefined returns to the model. */
  fallback(model: string, alert: string | undefined): string;
  webhook(url: string, body: JsonValue): Promise<string>;
}

/** POSTs the alert as JSON; 5 s timeout; a non-2xx answer is an error. */
export async function postWebhook(url: string, body: JsonValue): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'tandem-monitoring' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  return `webhook answered ${response.status}`;
}
