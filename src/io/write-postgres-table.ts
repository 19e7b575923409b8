import pg from 'pg';
import { TandemError } from '../errors.js';
import { columnValue } from './column-value.js';
import type { ColumnType, Table } from './table.js';

const SQL_TYPES: Record<ColumnType, string> = {
  number: 'DOUBLE PRECISION',
  timestamp: 'TIMESTAMPTZ',
  boolean: 'BOOLEAN',
  string: 'TEXT',
  json: 'JSONB',
};

/** PostgreSQL's limit on parameters per statement is 65 535. */
const MAX_PARAMETERS = 60_000;

export interface WritePostgresOptions {
  /** Empty the table before writing (in the same transaction). @default false: append */
  readonly replace?: boolean;
}

/**
 * Writes a table into PostgreSQL (`connectionString`, table `name`, created when missing with
 * a column per table column), in one transaction: readers see all rows or none.
 */
export async function writePostgresTable(table: Table, connectionString: string, name: string, options: WritePostgresOptions = {}): Promise<void> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(name)) {
    throw new TandemError('TANDEM_USAGE', `table name '${name}' is invalid; use letters, digits and _ (optionally schema.table)`);
  }
  const columns = [...table.columns.entries()];
  const quoted = (column: string): string => `"${column.replaceAll('"', '""')}"`;
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
  } catch (cause) {
    throw new TandemError('TANDEM_USAGE', `cannot connect to PostgreSQL to write table '${name}': ${(cause as Error).message}`, { cause });
  }
  try {
    await client.query('BEGIN');
    await client.query(`CREATE TABLE IF NOT EXISTS ${name} (${columns.map(([column, c]) => `${quoted(column)} ${SQL_TYPES[c.type]}`).join(', ')})`);
    if (options.replace === true) await client.query(`TRUNCATE ${name}`);
    const perBatch = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(columns.length, 1)));
    const names = columns.map(([column]) => quoted(column)).join(', ');
    for (let start = 0; start < table.length; start += perBatch) {
      const end = Math.min(table.length, start + perBatch);
      const values: unknown[] = [];
      const rows: string[] = [];
      for (let row = start; row < end; row++) {
        const placeholders = columns.map(([, column]) => {
          const value = columnValue(column, row);
          values.push(column.type === 'timestamp' && value !== null ? new Date(value as number) : column.type === 'json' && value !== null ? JSON.stringify(value) : value);
          return `$${values.length}`;
        });
        rows.push(`(${placeholders.join(', ')})`);
      }
      await client.query(`INSERT INTO ${name} (${names}) VALUES ${rows.join(', ')}`, values);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new TandemError('TANDEM_USAGE', `cannot write table '${name}' to PostgreSQL: ${(error as Error).message}`, { cause: error });
  } finally {
    await client.end();
  }
}
