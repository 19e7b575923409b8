import type { Column } from '../io/table.js';

/** The narrowest column type holding every value: number, boolean, string, else JSON. */
export function columnOf(values: readonly unknown[]): Column {
  let kind: 'number' | 'boolean' | 'string' | 'json' | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const k = typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : typeof v === 'string' ? 'string' : 'json';
    if (kind === undefined) kind = k;
    else if (kind !== k) {
      kind = 'json';
      break;
    }
  }
  if (kind === 'number' || kind === 'boolean') {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      out[i] = v === null || v === undefined ? NaN : Number(v);
    }
    return { type: kind, values: out };
  }
  if (kind === 'string') {
    const dictionary: string[] = [];
    const index = new Map<string, number>();
    const codes = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'string') {
        codes[i] = -1;
        continue;
      }
      let code = index.get(v);
      if (code === undefined) {
        index.set(v, (code = dictionary.length));
        dictionary.push(v);
      }
      codes[i] = code;
    }
    return { type: 'string', codes, dictionary };
  }
  return { type: 'json', values: values.map((v) => (v === undefined ? null : v)) };
}
