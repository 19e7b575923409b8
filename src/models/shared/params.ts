import { z } from 'zod';
import { TandemError, quote } from '../../errors.js';

/**
 * Validates a model's parameters at the boundary. The error names the model, the parameter and
 * the value given: `logisticRegression: parameter 'l2' must be ≥ 0, got -1`.
 */
export function parseParams<S extends z.ZodType>(model: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    throw new TandemError('TANDEM_INVALID_PARAMETER', `${model}: unknown parameter '${key}'`, {
      details: { model, parameter: key },
    });
  }
  const path = issue?.path ?? [];
  const name = path.map(String).join('.');
  const value = path.reduce<unknown>(
    (at, key) => (typeof at === 'object' && at !== null ? (at as Record<PropertyKey, unknown>)[key] : undefined),
    input,
  );
  const where = name === '' ? 'parameters' : `parameter '${name}'`;
  throw new TandemError('TANDEM_INVALID_PARAMETER', `${model}: ${where} ${issue?.message ?? 'are invalid'}, got ${quote(value)}`, {
    details: { model, parameter: name, value },
  });
}

export function notFitted(model: string): TandemError {
  return new TandemError('TANDEM_NOT_FITTED', `${model} is not fitted; call fit() first`);
}

// zod pieces whose messages read after "parameter 'x' …".
const finite = () => z.number({ error: 'must be a number' }).refine(Number.isFinite, { error: 'must be finite' });

export const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be ≥ ${min}` })
    .max(max, { error: `must be ≤ ${max}` });

export const atLeast = (min: number) => finite().pipe(z.number().min(min, { error: `must be ≥ ${min}` }));

export const above = (min: number) => finite().pipe(z.number().gt(min, { error: `must be > ${min}` }));

export const between = (min: number, max: number) =>
  finite().pipe(z.number().min(min, { error: `must be between ${min} and ${max}` }).max(max, { error: `must be between ${min} and ${max}` }));

export const flag = () => z.boolean({ error: 'must be true or false' });

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.map((v) => `'${v}'`).join(', ')}` });

/** Runs a loader's parameter check, reporting a failure as a damaged artifact rather than a user mistake. */
export function fromArtifactParams<T>(kind: string, make: () => T): T {
  try {
    return make();
  } catch (cause) {
    if (!(cause instanceof TandemError) || cause.code !== 'TANDEM_INVALID_PARAMETER') throw cause;
    throw new TandemError('TANDEM_INVALID_ARTIFACT', `${kind} artifact has invalid params: ${cause.message}`, { cause });
  }
}
