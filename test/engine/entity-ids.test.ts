import { describe, expect, it } from 'vitest';
import { EntityIds } from '../../src/engine/entity-ids.js';
import { KeyDictionary } from '../../src/engine/key-dictionary.js';
import { SourceKeys } from '../../src/engine/source-keys.js';
import { entity } from '../../src/index.js';

const card = entity('card', { key: 'card' });
const pair = entity('card_merchant', { key: ['card', 'merchant'] });

function setUp() {
  const dictionaries = new Map<string, KeyDictionary>();
  const dictionary = (field: string): KeyDictionary => {
    if (!dictionaries.has(field)) dictionaries.set(field, new KeyDictionary());
    return dictionaries.get(field)!;
  };
  const keys = new SourceKeys([card, pair], dictionary);
  const cards = new EntityIds(card, card.keys.map(dictionary));
  const pairs = new EntityIds(pair, pair.keys.map(dictionary));
  const idsOf = (event: Record<string, unknown>): [number, number] => {
    keys.find(event);
    let c = cards.find(keys.parts, keys.positions(card));
    let p = pairs.find(keys.parts, keys.positions(pair));
    if (c < 0 || p < 0) keys.addMissing(event);
    if (c < 0) c = cards.add(keys.parts, keys.positions(card));
    if (p < 0) p = pairs.add(keys.parts, keys.positions(pair));
    return [c, p];
  };
  return { keys, cards, pairs, idsOf, dictionaries };
}

describe('entity ids', () => {
  it('number entities densely in order of arrival, the same key always the same id', () => {
    const { idsOf } = setUp();
    expect(idsOf({ card: 'c1', merchant: 'm1' })).toEqual([0, 0]);
    expect(idsOf({ card: 'c2', merchant: 'm1' })).toEqual([1, 1]);
    expect(idsOf({ card: 'c1', merchant: 'm2' })).toEqual([0, 2]);
    expect(idsOf({ card: 'c1', merchant: 'm1' })).toEqual([0, 0]);
  });

  it('look each key field up once for all the views keyed on it', () => {
    const { idsOf, dictionaries, keys } = setUp();
    idsOf({ card: 'c1', merchant: 'm1' });
    expect(keys.fields).toEqual(['card', 'merchant']);
    expect(dictionaries.get('card')!.size).toBe(1);
  });

  it('treat a number and its string form as one key, as backfill does', () => {
    const { idsOf, cards } = setUp();
    const [a] = idsOf({ card: 42, merchant: 'm' });
    const [b] = idsOf({ card: '42', merchant: 'm' });
    expect(b).toBe(a);
    expect(cards.findKey(42)).toBe(a);
    expect(cards.parts(a)).toEqual(['42']);
  });

  it('find keys in any form callers pass them, and give back their parts', () => {
    const { idsOf, pairs } = setUp();
    const [, p] = idsOf({ card: 'c9', merchant: 'm9' });
    expect(pairs.findKey({ card: 'c9', merchant: 'm9' })).toBe(p);
    expect(pairs.findKey(['c9', 'm9'])).toBe(p);
    expect(pairs.findKey(['c9', 'nope'])).toBe(-1);
    expect(pairs.parts(p)).toEqual(['c9', 'm9']);
  });

  it('keep composite keys apart whose parts only join to the same string', () => {
    const { idsOf } = setUp();
    const [, p] = idsOf({ card: 'a\u001fb', merchant: 'c' });
    const [, q] = idsOf({ card: 'a', merchant: 'b\u001fc' });
    expect(q).not.toBe(p);
  });

  it('grow past thousands of composite keys', () => {
    const { idsOf, pairs } = setUp();
    for (let i = 0; i < 5_000; i++) expect(idsOf({ card: `c${i % 97}`, merchant: `m${i}` })[1]).toBe(i);
    for (let i = 0; i < 5_000; i += 7) expect(pairs.findKey({ card: `c${i % 97}`, merchant: `m${i}` })).toBe(i);
  });

  it('name the entity and field of a bad key value', () => {
    const { keys } = setUp();
    expect(() => keys.find({ card: 'c' })).toThrow("entity 'card_merchant' key field 'merchant' is missing");
    expect(() => keys.find({ merchant: 'm' })).toThrow("entity 'card' key field 'card' is missing");
  });
});
