import type { JsonValue } from '../models/artifact.js';
import type { ReferenceProfile } from '../monitoring/types.js';

/**
 * Where a version came from: enough to say what it was trained on and to rebuild it byte for
 * byte (`tandem train --reproduce`).
 */
export interface Lineage {
  /** SHA-256 of the model's definition and every feature view, request feature and source it reads. */
  readonly definitionsHash: string;
  /** SHA-256 of the training set as the model saw it (time, label, encoded features). */
  readonly dataHash: string;
  /** Input files by source name, with the SHA-256 of each file's bytes. */
  readonly inputs: readonly { readonly source: string; readonly path: string; readonly sha256: string }[];
  readonly algorithm: string;
  /** Parameters as written in the project file; the artifact holds them after defaults. */
  readonly params: { readonly [key: string]: JsonValue };
  readonly seed: number | null;
  readonly packageVersion: string;
  readonly nodeVersion: string;
  /** Rows in the train, validation and test parts. */
  readonly rows: { readonly train: number; readonly validation: number; readonly test: number };
  readonly configPath: string | null;
}

export interface ModelVersion {
  readonly model: string;
  /** 1, 2, 3… per model, in registration order. */
  readonly version: number;
  readonly createdAt: string;
  readonly kind: string;
  /** SHA-256 of the serialized artifact: the version's identity. */
  readonly artifactSha256: string;
  readonly metrics: { readonly [key: string]: JsonValue };
  readonly lineage: Lineage;
  /** Aliases currently pointing at this version, e.g. ['champion']. */
  readonly aliases: readonly string[];
}

export interface NewVersion {
  readonly model: string;
  readonly kind: string;
  /** The serialized artifact (canonical JSON). */
  readonly artifact: string;
  readonly metrics: { readonly [key: string]: JsonValue };
  readonly lineage: Lineage;
  /** Point these aliases at the new version in the same transaction. @default [] */
  readonly aliases?: readonly string[];
  /** What the version saw in training, for drift monitoring; stored beside the version. */
  readonly profile?: ReferenceProfile;
}

/**
 * Registry changes are recorded by the registry itself ('register', 'alias', 'remove-alias');
 * monitoring records what it noticed and did: an alert that fired, the action it took, a
 * champion/challenger gate decision, a promotion and a rollback.
 */
export type AuditAction = 'register' | 'alias' | 'remove-alias' | 'alert' | 'action' | 'gate' | 'promote' | 'rollback';

/** The actions `record` accepts: the registry writes the others itself. */
export type RecordedAction = Exclude<AuditAction, 'register' | 'alias' | 'remove-alias'>;

export interface AuditEntry {
  readonly at: string;
  readonly action: AuditAction;
  readonly model: string;
  readonly detail: { readonly [key: string]: JsonValue };
}

/**
 * Model versions, their artifacts, aliases and an audit trail. Embedded: SQLite + artifact
 * files; PostgreSQL shares the contract suite in test/registry.
 */
export interface ModelRegistry {
  /**
   * Where the registry lives, so that another thread (a retrain) can open it too; undefined
   * for one that cannot be opened again from a description (in memory, a wrapper).
   */
  readonly location?: RegistryLocation;
  register(version: NewVersion): Promise<ModelVersion>;
  /** All versions of `model` (or of every model), oldest first. */
  versions(model?: string): Promise<ModelVersion[]>;
  /** A version by number or alias ('champion'); undefined when there is none. */
  get(model: string, ref: number | string): Promise<ModelVersion | undefined>;
  /** The serialized artifact of a version; checked against its SHA-256. */
  artifact(model: string, version: number): Promise<string>;
  setAlias(model: string, alias: string, version: number): Promise<void>;
  removeAlias(model: string, alias: string): Promise<void>;
  /** The reference profile stored with a version; undefined when it was registered without one. */
  profile(model: string, version: number): Promise<ReferenceProfile | undefined>;
  /** Appends a monitoring record (an alert, an action, a gate decision…) to the audit log. */
  record(action: RecordedAction, model: string, detail: { readonly [key: string]: JsonValue }): Promise<void>;
  /** The audit log, oldest first; `limit` keeps the most recent entries. */
  audit(model?: string, options?: { readonly limit?: number }): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

/** How to open a registry again: `openRegistryAt` takes it. */
export type RegistryLocation =
  | { readonly kind: 'sqlite'; readonly dir: string }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly schema: string };

/** `fraud`, `fraud@3` or `fraud@champion`. */
export function parseModelRef(text: string): { readonly model: string; readonly ref: number | string | undefined } {
  const at = text.indexOf('@');
  if (at < 0) return { model: text, ref: undefined };
  const ref = text.slice(at + 1);
  return { model: text.slice(0, at), ref: /^\d+$/.test(ref) ? Number(ref) : ref };
}
