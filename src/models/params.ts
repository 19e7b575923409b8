import type { z } from 'zod';
import { TandemError, quote } from '../errors.js';

/**
 * Validates an algorithm's parameters at the boundary. The error names the algorithm, the
 * parameter and the value given: `gbdt: parameter 'learningRate' = 0: must be > 0`.
 */
export function parseParams<S extends z.ZodType>(algorithm: string, schema: S, params: unknown): z.output<S> {
  const result = schema.safeParse(params ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  if (issue?.code === 'unrecognized_keys') {
    const keys = (issue as { keys?: readonly string[] }).keys ?? [];
    throw new TandemError('TANDEM_INVALID_PARAMETER', `${algorithm}: unknown parameter ${keys.map((k) => `'${k}'`).join(', ')}`);
  }
  const given = path === '' ? params : valueAt(params, issue?.path ?? []);
  throw new TandemError(
    'TANDEM_INVALID_PARAMETER',
    `${algorithm}: parameter '${path}' = ${quote(given)}: ${issue?.message ?? 'invalid'}`,
    { details: { algorithm, parameter: path } },
  );
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let here = value;
  for (const key of path) {
    if (typeof here !== 'object' || here === null) return undefined;
    here = (here as Record<PropertyKey, unknown>)[key];
  }
  return here;
}
