import { afterEach, beforeEach, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/**
 * Runs the CLI in process with its output captured: what each test of a file printed to stdout
 * and stderr (cleared before each test), and `run(...args)` resolving to the exit code.
 */
export function captureCli(prefix: readonly string[] = []) {
  let stdout = '';
  let stderr = '';
  beforeEach(() => {
    stdout = stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return {
    get stdout(): string {
      return stdout;
    },
    get stderr(): string {
      return stderr;
    },
    /** Forget what was printed so far in this test. */
    clear(): void {
      stdout = stderr = '';
    },
    run: (...args: string[]): Promise<number> => main(['node', 'tandem', ...prefix, ...args]),
  };
}
