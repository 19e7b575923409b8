import { describe, expect, it } from 'vitest';
import { runsFromTypeScript } from '../../src/engine/module-source.js';

describe('worker pools', () => {
  it('start TypeScript workers for modules a project file imported through tsx (URL with a namespace query)', () => {
    expect(runsFromTypeScript('file:///app/src/models/gbdt/worker-pool.ts')).toBe(true);
    expect(runsFromTypeScript('file:///app/src/models/gbdt/worker-pool.ts?namespace=f0276e51-9a5a')).toBe(true);
    expect(runsFromTypeScript('file:///app/dist/models/gbdt/worker-pool.js')).toBe(false);
  });
});
