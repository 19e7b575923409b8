import type { RejectedRow, StreamEngine } from '../engine/stream.js';
import type { LoggedEvent } from '../ingest/log-records.js';

/**
 * Apply decoded log events, in log order, through `StreamEngine.applyBatch`: one call per run
 * of events of the same source applied to the same views (`only` gives an event's views,
 * undefined for all of its source's; runs end where the returned set changes identity). The
 * state is the one applying them one by one leaves. `rejected` hears of every event not
 * applied, by index, in order. Returns how many were applied.
 */
export function applyLoggedEvents(
  engine: StreamEngine,
  events: readonly LoggedEvent[],
  rejected: (index: number, rejection: RejectedRow) => void,
  only?: (event: LoggedEvent) => ReadonlySet<string> | undefined,
): number {
  let applied = 0;
  for (let from = 0; from < events.length; ) {
    const source = events[from]!.source;
    const views = only?.(events[from]!);
    let to = from + 1;
    while (to < events.length && events[to]!.source === source && only?.(events[to]!) === views) to++;
    const run = new Array<LoggedEvent['event']>(to - from);
    for (let i = from; i < to; i++) run[i - from] = events[i]!.event;
    const result = engine.applyBatch(source, run, views);
    applied += result.applied;
    for (const row of result.rejected) rejected(from + row.index, row);
    from = to;
  }
  return applied;
}
