import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RedisKeys, escapeView, unescapeView } from '../../src/online/redis/redis-keys.js';

describe('Redis key layout', () => {
  const keys = new RedisKeys('prod');

  it('names entity keys by partition, escaped view and verbatim key', () => {
    expect(keys.entity(3, 'card_stats', 'c:1')).toBe('prod:e:3:card_stats:c:1');
    expect(keys.entity(3, 'a:b%', 'k')).toBe('prod:e:3:a%3Ab%25:k');
    expect(keys.entityPattern(3)).toBe('prod:e:3:*');
  });

  // The characters the encoding treats specially, and some it must leave alone.
  const tricky = fc.oneof(fc.constantFrom(':', '%', '3', 'A', '2', '5', '*', '\u001f', '😀'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));

  it('parses every view and key back out of their entity key', () => {
    fc.assert(
      fc.property(fc.string({ unit: tricky, minLength: 1 }), fc.string({ unit: tricky }), fc.nat(65_535), (view, key, partition) => {
        expect(unescapeView(escapeView(view))).toBe(view);
        expect(escapeView(view)).not.toContain(':');
        expect(keys.parseEntity(partition, keys.entity(partition, view, key))).toEqual({ view, key });
      }),
      { numRuns: 2000 },
    );
  });
});
