import { DuckDBTypeId } from '@duckdb/node-api';
import type { DuckDBType } from '@duckdb/node-api';
import type { FileColumn } from './file-scan.js';
import { sqlIdentifier } from './sql-text.js';
import type { ColumnType } from './table.js';

/** The types a caller can ask a file column to be read as. */
export type ReadColumnType = 'timestamp' | 'number' | 'string' | 'boolean';

/** How one file column becomes a table column. */
export interface ColumnPlan {
  readonly name: string;
  readonly type: ColumnType;
  /** SQL giving a DOUBLE for number, timestamp and boolean columns, a VARCHAR for string and json. */
  readonly value: string;
  /** SQL giving the file's text for the value, when converting that text can fail. */
  readonly text?: string;
}

type SourceKind = 'number' | 'boolean' | 'timestamp' | 'text' | 'json' | 'other';

const DEFAULT_TYPE: Readonly<Record<SourceKind, ColumnType>> = {
  number: 'number',
  boolean: 'boolean',
  timestamp: 'timestamp',
  text: 'string',
  json: 'json',
  other: 'string',
};

/** The plan for `column`, read as `requested` or else as the type its DuckDB type suggests. */
export function planColumn(column: FileColumn, requested: ReadColumnType | undefined): ColumnPlan {
  const { name, type } = column;
  const kind = sourceKind(type);
  const c = sqlIdentifier(name);
  const target = requested ?? DEFAULT_TYPE[kind];
  switch (target) {
    case 'string':
      return { name, type: target, value: kind === 'text' ? c : kind === 'json' && isJsonText(type) ? `(${c} ->> '$')` : `CAST(${c} AS VARCHAR)` };
    case 'json':
      return { name, type: target, value: isJsonText(type) ? `CAST(${c} AS VARCHAR)` : `CAST(to_json(${c}) AS VARCHAR)` };
    case 'number': {
      if (kind === 'number' || kind === 'boolean') return { name, type: target, value: `CAST(${c} AS DOUBLE)` };
      const text = textOf(c, type, kind);
      return { name, type: target, value: `TRY_CAST(${text} AS DOUBLE)`, text };
    }
    case 'boolean': {
      if (kind === 'boolean') return { name, type: target, value: `CAST(${c} AS DOUBLE)` };
      if (kind === 'number') {
        return { name, type: target, value: `CAST(CASE WHEN ${c} = 0 THEN 0 WHEN ${c} = 1 THEN 1 END AS DOUBLE)`, text: `CAST(${c} AS VARCHAR)` };
      }
      const text = textOf(c, type, kind);
      return { name, type: target, value: `CAST(TRY_CAST(${text} AS BOOLEAN) AS DOUBLE)`, text };
    }
    case 'timestamp': {
      if (kind === 'timestamp') return { name, type: target, value: epochMs(c, { nanoseconds: type.typeId === DuckDBTypeId.TIMESTAMP_NS }) };
      if (kind === 'number') return { name, type: target, value: `floor(CAST(${c} AS DOUBLE))`, text: `CAST(${c} AS VARCHAR)` };
      const text = textOf(c, type, kind);
      // One cast per form: DuckDB does not share repeated subexpressions, and the TIMESTAMPTZ
      // cast is the slow part. Dividing in floating point is exact until the year 2255.
      const iso = `floor(epoch_us(TRY_CAST(${text} AS TIMESTAMPTZ)) / 1000)`;
      return { name, type: target, value: `coalesce(floor(TRY_CAST(${text} AS DOUBLE)), ${iso})`, text };
    }
  }
}

/**
 * Whether a column DuckDB detected as `type` can be read as `requested` without going through
 * text. Strings qualify only when detected as text: detection turns the id `007` into 7.
 */
export function readsWithoutText(type: DuckDBType, requested: ReadColumnType): boolean {
  const kind = sourceKind(type);
  switch (requested) {
    case 'string':
      return kind === 'text';
    case 'number':
      return kind === 'number' || kind === 'boolean';
    case 'boolean':
      return kind === 'boolean' || kind === 'number';
    case 'timestamp':
      return kind === 'timestamp' || kind === 'number';
  }
}

function sourceKind(type: DuckDBType): SourceKind {
  switch (type.typeId) {
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.BIGNUM:
      return 'number';
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.DATE:
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'timestamp';
    case DuckDBTypeId.VARCHAR:
      return isJsonText(type) ? 'json' : 'text';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
      return 'json';
    default:
      return 'other';
  }
}

/** DuckDB's JSON type is VARCHAR under an alias (NDJSON fields whose values mix types). */
function isJsonText(type: DuckDBType): boolean {
  return type.typeId === DuckDBTypeId.VARCHAR && type.alias === 'JSON';
}

/**
 * The value as text, with empty text as null: an empty CSV field in a number column is missing.
 * (DuckDB's casts ignore surrounding spaces; blank text that is not empty is handled in repair.)
 */
function textOf(c: string, type: DuckDBType, kind: SourceKind): string {
  const text = kind === 'text' ? c : isJsonText(type) ? `(${c} ->> '$')` : `CAST(${c} AS VARCHAR)`;
  return `NULLIF(${text}, '')`;
}

/**
 * Epoch milliseconds, floored: DuckDB's epoch_ms truncates toward zero, which would move
 * pre-1970 sub-millisecond times forward. Integer division keeps far-future times exact.
 */
function epochMs(timestamp: string, options: { readonly nanoseconds: boolean }): string {
  const [ticks, perMs] = options.nanoseconds ? [`epoch_ns(${timestamp})`, 1_000_000] : [`epoch_us(${timestamp})`, 1000];
  return `CAST(${ticks} // ${perMs} - CASE WHEN ${ticks} % ${perMs} < 0 THEN 1 ELSE 0 END AS DOUBLE)`;
}
