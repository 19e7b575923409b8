import { TandemError } from '../errors.js';

/** A json column prepared for writing: each value's JSON text, and the list type it fits, if any. */
export interface JsonColumnShape {
  readonly texts: readonly (string | null)[];
  /** Set when every value is an array (or null) of one scalar type, so Parquet can store a LIST. */
  readonly listOf?: 'DOUBLE' | 'VARCHAR' | 'BOOLEAN';
}

const LIST_TYPE = { number: 'DOUBLE', string: 'VARCHAR', boolean: 'BOOLEAN' } as const;

export function jsonColumnShape(name: string, values: readonly unknown[]): JsonColumnShape {
  const texts: (string | null)[] = new Array<string | null>(values.length);
  let arrays = 0;
  let listable = true;
  const elementTypes = new Set<string>();
  for (let row = 0; row < values.length; row++) {
    const value = values[row];
    texts[row] = value === null || value === undefined ? null : jsonText(name, row, value);
    if (value === null || value === undefined) continue;
    if (!Array.isArray(value)) {
      listable = false;
      continue;
    }
    arrays++;
    for (const element of value as unknown[]) {
      if (element !== null && element !== undefined) elementTypes.add(typeof element);
    }
  }
  const [only, ...others] = elementTypes;
  const listOf = only === undefined ? 'DOUBLE' : others.length === 0 ? LIST_TYPE[only as keyof typeof LIST_TYPE] : undefined;
  return listable && arrays > 0 && listOf !== undefined ? { texts, listOf } : { texts };
}

function jsonText(name: string, row: number, value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch (cause) {
    throw new TandemError('TANDEM_FILE_COLUMN', `column '${name}' row ${row + 1}: the value cannot be written as JSON`, {
      cause,
      details: { column: name, row: row + 1 },
    });
  }
}
