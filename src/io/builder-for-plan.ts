import type { ColumnBuilder } from './column-builder.js';
import type { ColumnPlan } from './column-plan.js';
import { DoubleColumnBuilder } from './double-column-builder.js';
import { badValue } from './file-errors.js';
import { JsonColumnBuilder } from './json-column-builder.js';
import { StringColumnBuilder, stringPiecesSql } from './string-column-builder.js';
import { parseTimestampText } from './timestamp-text.js';

/**
 * The builder that collects a plan's column, adding the SELECT expressions it reads to `select`.
 * Builders copy raw vector bytes, so each expression is cast to exactly DOUBLE or VARCHAR
 * (a bare literal such as 1.0 would otherwise be a DECIMAL).
 */
export function builderFor(plan: ColumnPlan, select: string[], context: { readonly path: string; readonly capacity: number }): ColumnBuilder {
  const add = (expression: string): number => select.push(expression) - 1;
  switch (plan.type) {
    case 'string':
      return new StringColumnBuilder(stringPiecesSql(`CAST(${plan.value} AS VARCHAR)`).map(add), context.capacity);
    case 'json':
      return new JsonColumnBuilder(add(`CAST(${plan.value} AS VARCHAR)`));
    case 'number':
    case 'timestamp':
    case 'boolean': {
      const column = add(`CAST(${plan.value} AS DOUBLE)`);
      if (plan.text === undefined) return new DoubleColumnBuilder(plan.type, column, context.capacity);
      return new DoubleColumnBuilder(plan.type, column, context.capacity, {
        rawColumn: add(plan.text),
        finiteOnly: plan.type === 'timestamp',
        repair: repairFor(plan.type, plan.name, context.path),
      });
    }
  }
}

/**
 * What to do with text SQL could not convert: blank text is missing; timestamps get one more
 * try in JS, for ISO 8601 forms DuckDB does not parse (`2024-01-15T10:30Z`); the rest is an error.
 */
function repairFor(type: 'number' | 'timestamp' | 'boolean', column: string, path: string): (text: string, row: number) => number {
  return (text, row) => {
    if (text.trim() === '') return NaN;
    const repaired = type === 'timestamp' ? parseTimestampText(text) : undefined;
    if (repaired === undefined || !Number.isFinite(repaired)) throw badValue(path, column, row, text, type);
    return repaired;
  };
}
