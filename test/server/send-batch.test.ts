import { describe, expect, it } from 'vitest';
import { SendBatch } from '../../src/server/send-batch.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SendBatch', () => {
  it('lets the responses of a turn go together at its end, in the order they were held', async () => {
    const batch = new SendBatch();
    const sent: unknown[] = [];
    const endOfTurn = turn();
    batch.hold((_error, payload) => sent.push(payload), 'a');
    batch.hold((_error, payload) => sent.push(payload), 'b');
    await Promise.resolve();
    // Held past the microtasks of the turn that produced them.
    expect(sent).toEqual([]);
    expect(batch.waiting).toBe(2);
    await endOfTurn;
    await turn();
    expect(sent).toEqual(['a', 'b']);
    expect(batch.waiting).toBe(0);
  });

  it('holds a response produced while a batch goes out for the next turn', async () => {
    const batch = new SendBatch();
    const sent: string[] = [];
    batch.hold(() => {
      sent.push('first');
      batch.hold(() => sent.push('second'), null);
    }, null);
    await turn();
    expect(sent).toEqual(['first']);
    expect(batch.waiting).toBe(1);
    await turn();
    expect(sent).toEqual(['first', 'second']);
  });
});
