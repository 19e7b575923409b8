import { expect } from 'vitest';
import { TandemError, type ErrorCode } from '../../../src/errors.js';

/** Asserts that `run` throws a TandemError with `code` whose message matches `message`. */
export function expectTandemError(run: () => unknown, code: ErrorCode, message: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TandemError);
  expect((thrown as TandemError).code).toBe(code);
  expect((thrown as TandemError).message).toMatch(message);
}

/** Relative closeness for metrics compared with another implementation's floating-point result. */
export function expectClose(actual: number, expected: number, tolerance = 1e-12): void {
  if (Number.isNaN(expected)) {
    expect(actual).toBeNaN();
    return;
  }
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
}

export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(actual[i] as number, expected[i] as number, tolerance);
}
