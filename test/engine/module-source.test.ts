import { describe, expect, it } from 'vitest';
import { runsFromTypeScript, typeScriptWorkerScript, workerBeside } from '../../src/engine/module-source.js';

describe('worker pools', () => {
  it('start TypeScript workers for modules a project file imported through tsx (URL with a namespace query)', () => {
    expect(runsFromTypeScript('file:///app/src/models/gbdt/worker-pool.ts')).toBe(true);
    expect(runsFromTypeScript('file:///app/src/models/gbdt/worker-pool.ts?namespace=f0276e51-9a5a')).toBe(true);
    expect(runsFromTypeScript('file:///app/dist/models/gbdt/worker-pool.js')).toBe(false);
  });

  it("import tsx's loader in a TypeScript worker's script, never require it (Node 20's require of an ES module can crash the process)", () => {
    const script = typeScriptWorkerScript('file:///app/src/engine/sweep-worker.ts');
    expect(script).not.toMatch(/require\(/);
    expect(script).toMatch(/^import\(".*tsx.*"\)\.then/);
    expect(script).toContain('import("file:///app/src/engine/sweep-worker.ts")');
  });

  it('run a TypeScript module beside the caller in a worker, when the caller is TypeScript', async () => {
    // The sweep pool's worker answers every message with the task's id.
    const worker = workerBeside(new URL('../../src/engine/sweep-pool.ts', import.meta.url).href, 'sweep-worker');
    try {
      const to = new Float64Array(new SharedArrayBuffer(16));
      const reply = await new Promise<{ id: number; error?: string }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage({ kind: 'permute', id: 7, from: Float64Array.of(1, 2), rows: Uint32Array.of(1, 0), to });
      });
      expect(reply).toEqual({ id: 7 });
      expect([...to]).toEqual([2, 1]);
    } finally {
      await worker.terminate();
    }
  });
});
