/**
 * The DuckDB side of the benchmark: the same features as SQL window aggregates.
 *
 * The frame `RANGE BETWEEN w PRECEDING AND CURRENT ROW EXCLUDE GROUP` over the event time is
 * exactly Tandem's half-open window [t − w, t): the lower edge is included, and EXCLUDE GROUP
 * removes the current row and every peer at the same instant. `checkFrame` proves it on a
 * hand-made example before any figure is taken.
 */
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import type { GeneratedEvents } from './generate.js';
import { sqlAggregate, type FeatureSpec } from './project.js';

/** A feature as SQL: an aggregate expression over a window partitioned by some columns. */
export interface SqlFeature {
  readonly name: string;
  readonly expression: string;
  readonly partition: string;
  readonly windowMs: number;
}

export function toSql(spec: FeatureSpec): SqlFeature {
  return { name: spec.name, expression: sqlAggregate(spec.kind), partition: spec.keys.join(', '), windowMs: spec.windowMs };
}

/** How the event time is typed in SQL; both give the same frames, speed may differ. */
export type TimeEncoding = 'timestamp' | 'bigint';

export async function openDuckDB(): Promise<{ connection: DuckDBConnection; version: string; threads: number; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const info = await connection.runAndReadAll("SELECT version(), current_setting('threads')");
  const [version, threads] = info.getRowsJS()[0] ?? [];
  return {
    connection,
    version: String(version),
    threads: Number(threads),
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

const CHUNK = 2048;

async function appendColumns(
  connection: DuckDBConnection,
  table: string,
  length: number,
  columns: readonly (Float64Array | Int32Array)[],
): Promise<void> {
  const appender = await connection.createAppender(table);
  const types = columns.map((c) => (c instanceof Int32Array ? INTEGER : DOUBLE));
  for (let from = 0; from < length; from += CHUNK) {
    const rows = Math.min(CHUNK, length - from);
    const chunk = DuckDBDataChunk.create(types, rows);
    for (let c = 0; c < columns.length; c++) {
      const vector = chunk.getColumnVector(c);
      const values = columns[c]!;
      for (let r = 0; r < rows; r++) vector.setItem(r, values[from + r]! as never);
      vector.flush();
    }
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
}

async function appendDictionary(connection: DuckDBConnection, table: string, names: readonly string[]): Promise<void> {
  await connection.run(`CREATE OR REPLACE TABLE ${table} (code INTEGER, name VARCHAR)`);
  const appender = await connection.createAppender(table);
  for (let from = 0; from < names.length; from += CHUNK) {
    const rows = Math.min(CHUNK, names.length - from);
    const chunk = DuckDBDataChunk.create([INTEGER, VARCHAR], rows);
    const codes = chunk.getColumnVector(0);
    const strings = chunk.getColumnVector(1);
    for (let r = 0; r < rows; r++) {
      codes.setItem(r, (from + r) as never);
      strings.setItem(r, names[from + r]! as never);
    }
    codes.flush();
    strings.flush();
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
}

/**
 * Load the events into table `events(id, ts, card, merchant, country, amount)` with string
 * keys, as a user's table would hold them. `ts` is a TIMESTAMP or a BIGINT of epoch ms.
 */
export async function loadEvents(connection: DuckDBConnection, events: GeneratedEvents, time: TimeEncoding): Promise<void> {
  await connection.run(
    'CREATE OR REPLACE TABLE events_raw (id INTEGER, ts DOUBLE, card INTEGER, merchant INTEGER, country INTEGER, amount DOUBLE)',
  );
  const id = Int32Array.from(events.id);
  await appendColumns(connection, 'events_raw', events.length, [id, events.ts, events.card, events.merchant, events.country, events.amount]);
  await appendDictionary(connection, 'card_names', events.cardNames);
  await appendDictionary(connection, 'merchant_names', events.merchantNames);
  await appendDictionary(connection, 'country_names', events.countryNames);
  const ts = time === 'timestamp' ? 'epoch_ms(r.ts::BIGINT)' : 'r.ts::BIGINT';
  await connection.run(`
    CREATE OR REPLACE TABLE events AS
    SELECT r.id, ${ts} AS ts, c.name AS card, m.name AS merchant, k.name AS country, r.amount
    FROM events_raw r
    JOIN card_names c ON c.code = r.card
    JOIN merchant_names m ON m.code = r.merchant
    JOIN country_names k ON k.code = r.country
    ORDER BY r.id`);
  await connection.run('DROP TABLE events_raw');
}

function frame(windowMs: number, time: TimeEncoding): string {
  const preceding = time === 'timestamp' ? `INTERVAL ${windowMs} MILLISECONDS` : `${windowMs}`;
  return `RANGE BETWEEN ${preceding} PRECEDING AND CURRENT ROW EXCLUDE GROUP`;
}

/** `CREATE TABLE result AS SELECT id, <one window aggregate per feature> FROM events`. */
export function featureQuery(features: readonly SqlFeature[], time: TimeEncoding, target = 'result', from = 'events'): string {
  const windows = new Map<string, string>();
  const select = features.map((f) => {
    const spec = `PARTITION BY ${f.partition} ORDER BY ts ${frame(f.windowMs, time)}`;
    let name = windows.get(spec);
    if (name === undefined) {
      name = `w${windows.size}`;
      windows.set(spec, name);
    }
    return `${f.expression} OVER ${name} AS ${f.name}`;
  });
  const windowClause = [...windows].map(([spec, name]) => `${name} AS (${spec})`).join(',\n       ');
  return `CREATE OR REPLACE TABLE ${target} AS
SELECT id,
       ${select.join(',\n       ')}
FROM ${from}
WINDOW ${windowClause}`;
}

/**
 * Read `result` back into one Float64Array per feature (NaN for SQL NULL), placed by event id
 * so rows line up with the generated table whatever order DuckDB returns them in.
 */
export async function readResult(connection: DuckDBConnection, names: readonly string[], length: number, table = 'result'): Promise<Float64Array[]> {
  const out = names.map(() => new Float64Array(length).fill(NaN));
  // Every column as DOUBLE with NULL as NaN (Tandem's own convention): vectors then carry no
  // validity mask, whose per-item BigInt test dominates reading otherwise.
  const columns = names.map((c) => `coalesce(${c}::DOUBLE, 'NaN'::DOUBLE)`);
  const result = await connection.run(`SELECT id::DOUBLE, ${columns.join(', ')} FROM ${table}`);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    const ids = chunk.getColumnVector(0);
    const position = new Int32Array(rows);
    for (let r = 0; r < rows; r++) position[r] = ids.getItem(r) as number;
    for (let c = 0; c < names.length; c++) {
      const vector = chunk.getColumnVector(c + 1);
      const target = out[c]!;
      for (let r = 0; r < rows; r++) {
        const v = vector.getItem(r);
        if (v !== null) target[position[r]!] = v as number;
      }
    }
  }
  return out;
}

/**
 * Prove on a hand-made example that the SQL frame is [t − w, t): an event exactly at t − w
 * counts, events at t (the row itself and its peers) and later do not.
 */
export async function checkFrame(connection: DuckDBConnection, time: TimeEncoding): Promise<void> {
  const H = 3_600_000;
  // id, key, ms, amount
  const rows: [number, string, number, number][] = [
    [0, 'a', 0, 1],
    [1, 'a', 1_000, 2],
    [2, 'a', 1_000, 4],
    [3, 'a', H, 8], // window [0, H): ids 0, 1, 2
    [4, 'a', H + 1_000, 16], // window [1000, H + 1000): ids 1, 2, 3 — not 0, not itself, not its peer 5
    [5, 'a', H + 1_000, 32],
    [6, 'b', H + 1_000, 64], // another key: empty window
  ];
  const values = rows.map(([id, key, ms, amount]) => `(${id}, '${key}', ${ms}, ${amount})`).join(', ');
  const ts = time === 'timestamp' ? 'epoch_ms(ms::BIGINT)' : 'ms::BIGINT';
  await connection.run(`CREATE OR REPLACE TEMP TABLE frame_check AS SELECT id, ${ts} AS ts, k, amount FROM (VALUES ${values}) t(id, k, ms, amount)`);
  const query = featureQuery(
    [
      { name: 'n', expression: 'count(*)', partition: 'k', windowMs: H },
      { name: 's', expression: 'sum(amount)', partition: 'k', windowMs: H },
      { name: 'mx', expression: 'max(amount)', partition: 'k', windowMs: H },
    ],
    time,
    'frame_check_result',
    'frame_check',
  );
  await connection.run(query);
  const [n, s, mx] = await readResult(connection, ['n', 's', 'mx'], rows.length, 'frame_check_result');
  const expected = {
    n: [0, 1, 1, 3, 3, 3, 0],
    s: [NaN, 1, 1, 7, 14, 14, NaN],
    mx: [NaN, 1, 1, 4, 8, 8, NaN],
  };
  const same = (a: Float64Array, b: number[]): boolean => b.every((v, i) => Object.is(a[i], v));
  if (!same(n!, expected.n) || !same(s!, expected.s) || !same(mx!, expected.mx)) {
    throw new Error(
      `DuckDB frame check failed (${time}): expected [t − w, t) counts ${expected.n.join(',')}, got ${[...n!].join(',')}; sums ${[...s!].join(',')}; max ${[...mx!].join(',')}`,
    );
  }
  await connection.run('DROP TABLE frame_check; DROP TABLE frame_check_result');
}
