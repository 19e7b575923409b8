import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReferenceProfile } from '../../src/monitoring/types.js';
import type { Lineage, ModelRegistry, NewVersion } from '../../src/registry/registry.js';
import { sha256 } from '../../src/models/artifact.js';
import { openRegistryAt } from '../../src/registry/open-registry.js';

/** How a backend's contract run opens (and reopens) a registry on fresh storage. */
export interface RegistryHarness {
  /** A registry on this harness's storage; a second call after `close` sees the same data. */
  open(): Promise<ModelRegistry>;
  cleanup(): Promise<void>;
}

const lineage: Lineage = {
  definitionsHash: 'd'.repeat(64),
  dataHash: 'e'.repeat(64),
  inputs: [{ source: 'transactions', path: 'events.csv', sha256: 'f'.repeat(64) }],
  algorithm: 'prior',
  params: { task: 'binary' },
  seed: null,
  packageVersion: '0.1.0',
  nodeVersion: 'v20',
  rows: { train: 80, validation: 0, test: 20 },
  configPath: 'tandem.config.ts',
};

const version = (model: string, artifact: string, extra: Partial<NewVersion> = {}): NewVersion => ({
  model,
  kind: 'prior',
  artifact,
  metrics: { auc: 0.75 },
  lineage,
  ...extra,
});

/** The behaviour every model registry backend must have (embedded SQLite now, PostgreSQL later). */
export function runRegistryContract(name: string, makeHarness: () => Promise<RegistryHarness>): void {
  describe(`model registry contract: ${name}`, () => {
    let harness: RegistryHarness;
    let registry: ModelRegistry;
    beforeEach(async () => {
      harness = await makeHarness();
      registry = await harness.open();
    });
    afterEach(async () => {
      await registry.close();
      await harness.cleanup();
    });

    it('numbers versions 1, 2, 3 per model and keeps models apart', async () => {
      const a1 = await registry.register(version('fraud', '{"a":1}'));
      const b1 = await registry.register(version('churn', '{"b":1}'));
      const a2 = await registry.register(version('fraud', '{"a":2}'));
      expect([a1.version, b1.version, a2.version]).toEqual([1, 1, 2]);
      expect((await registry.versions('fraud')).map((v) => v.version)).toEqual([1, 2]);
      expect((await registry.versions()).map((v) => `${v.model}@${v.version}`).sort()).toEqual(['churn@1', 'fraud@1', 'fraud@2']);
    });

    it('opens again at its location, as a retrain thread does, and both see each other\'s writes', async () => {
      await registry.register(version('fraud', '{"a":1}', { aliases: ['champion'] }));
      expect(registry.location).toBeDefined();
      const again = await openRegistryAt(registry.location!);
      try {
        expect(again.location).toEqual(registry.location);
        expect((await again.get('fraud', 'champion'))?.version).toBe(1);
        const second = await again.register(version('fraud', '{"a":2}'));
        await again.setAlias('fraud', 'champion', second.version);
        expect((await registry.get('fraud', 'champion'))?.version).toBe(2);
        expect(await registry.artifact('fraud', 2)).toBe('{"a":2}');
      } finally {
        await again.close();
      }
    });

    it('stores the artifact, its SHA-256, metrics and lineage as given', async () => {
      const text = '{"kind":"prior","state":{"mean":0.25}}';
      const saved = await registry.register(version('fraud', text));
      expect(saved.artifactSha256).toBe(sha256(text));
      expect(await registry.artifact('fraud', saved.version)).toBe(text);
      expect(saved.metrics).toEqual({ auc: 0.75 });
      expect(saved.lineage).toEqual(lineage);
      expect(Number.isNaN(Date.parse(saved.createdAt))).toBe(false);
    });

    it('resolves aliases, moves them, and lists them on their version', async () => {
      await registry.register(version('fraud', '{"a":1}', { aliases: ['champion'] }));
      await registry.register(version('fraud', '{"a":2}'));
      expect((await registry.get('fraud', 'champion'))?.version).toBe(1);
      await registry.setAlias('fraud', 'champion', 2);
      await registry.setAlias('fraud', 'challenger', 1);
      expect((await registry.get('fraud', 'champion'))?.version).toBe(2);
      const listed = await registry.versions('fraud');
      expect(listed.map((v) => v.aliases)).toEqual([['challenger'], ['champion']]);
      await registry.removeAlias('fraud', 'challenger');
      expect(await registry.get('fraud', 'challenger')).toBeUndefined();
    });

    it('refuses aliases to versions that do not exist, naming the model and version', async () => {
      await registry.register(version('fraud', '{"a":1}'));
      await expect(registry.setAlias('fraud', 'champion', 7)).rejects.toThrow("model 'fraud' has no version 7");
      await expect(registry.artifact('fraud', 9)).rejects.toThrow("model 'fraud' has no version 9");
      await expect(registry.removeAlias('fraud', 'nope')).rejects.toThrow("model 'fraud' has no alias 'nope'");
      expect(await registry.get('fraud', 3)).toBeUndefined();
      expect(await registry.get('other', 'champion')).toBeUndefined();
    });

    it('records registrations and alias moves in the audit log, in order', async () => {
      await registry.register(version('fraud', '{"a":1}', { aliases: ['champion'] }));
      await registry.register(version('fraud', '{"a":2}'));
      await registry.setAlias('fraud', 'champion', 2);
      const audit = await registry.audit('fraud');
      expect(audit.map((e) => e.action)).toEqual(['register', 'alias', 'register', 'alias']);
      expect(audit[3]?.detail).toEqual({ alias: 'champion', version: 2, previous: 1 });
    });

    it('stores a reference profile with its version, exactly as given', async () => {
      const profile: ReferenceProfile = {
        format: 'tandem-reference-profile',
        formatVersion: 1,
        rows: 3,
        features: [{ kind: 'category', name: 'country', count: 3, missing: 0, distinct: 2, frequencies: [{ value: 'NL', count: 2 }, { value: 'FR', count: 1 }], other: 0 }],
        prediction: null,
      };
      const saved = await registry.register(version('fraud', '{"a":1}', { profile }));
      await registry.register(version('fraud', '{"a":2}'));
      expect(await registry.profile('fraud', saved.version)).toEqual(profile);
      expect(await registry.profile('fraud', 2)).toBeUndefined();
      expect(await registry.profile('fraud', 9)).toBeUndefined();
    });

    it('records monitoring entries beside registry changes, and gives the most recent on request', async () => {
      await registry.register(version('fraud', '{"a":1}', { aliases: ['champion'] }));
      await registry.record('alert', 'fraud', { alert: 'drift', driftShare: 0.75 });
      await registry.record('action', 'fraud', { action: 'retrain', outcome: 'started' });
      await registry.record('gate', 'other', { promoted: false });
      const audit = await registry.audit('fraud');
      expect(audit.map((e) => e.action)).toEqual(['register', 'alias', 'alert', 'action']);
      expect(audit[2]?.detail).toEqual({ alert: 'drift', driftShare: 0.75 });
      expect((await registry.audit('fraud', { limit: 2 })).map((e) => e.action)).toEqual(['alert', 'action']);
      expect((await registry.audit(undefined, { limit: 1 })).map((e) => `${e.model}:${e.action}`)).toEqual(['other:gate']);
    });

    it('keeps everything across close and reopen', async () => {
      await registry.register(version('fraud', '{"a":1}', { aliases: ['champion'] }));
      await registry.close();
      registry = await harness.open();
      expect((await registry.get('fraud', 'champion'))?.version).toBe(1);
      expect(await registry.artifact('fraud', 1)).toBe('{"a":1}');
      const next = await registry.register(version('fraud', '{"a":2}'));
      expect(next.version).toBe(2);
    });

    it('rejects a model name that is not an identifier', async () => {
      await expect(registry.register(version('../evil', '{}'))).rejects.toThrow(/model name '..\/evil' is invalid/);
    });
  });
}
