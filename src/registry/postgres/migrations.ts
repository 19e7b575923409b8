/**
 * PostgreSQL schema changes in order, each applied once in a transaction and recorded in
 * tandem_schema_migrations. Table names carry a prefix so Tandem can share a database.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE tandem_model_artifacts (
     sha256 TEXT PRIMARY KEY,
     body TEXT NOT NULL
   );
   CREATE TABLE tandem_model_versions (
     model TEXT NOT NULL,
     version INTEGER NOT NULL,
     created_at TIMESTAMPTZ NOT NULL,
     kind TEXT NOT NULL,
     artifact_sha256 TEXT NOT NULL REFERENCES tandem_model_artifacts (sha256),
     metrics JSONB NOT NULL,
     lineage JSONB NOT NULL,
     PRIMARY KEY (model, version)
   );
   CREATE TABLE tandem_model_aliases (
     model TEXT NOT NULL,
     alias TEXT NOT NULL,
     version INTEGER NOT NULL,
     updated_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (model, alias),
     FOREIGN KEY (model, version) REFERENCES tandem_model_versions (model, version)
   );
   CREATE TABLE tandem_audit_log (
     id BIGSERIAL PRIMARY KEY,
     at TIMESTAMPTZ NOT NULL,
     action TEXT NOT NULL,
     model TEXT NOT NULL,
     detail JSONB NOT NULL
   );`,
  `CREATE TABLE tandem_model_profiles (
     model TEXT NOT NULL,
     version INTEGER NOT NULL,
     profile TEXT NOT NULL,
     PRIMARY KEY (model, version),
     FOREIGN KEY (model, version) REFERENCES tandem_model_versions (model, version)
   );
   CREATE INDEX tandem_audit_log_model ON tandem_audit_log (model, id);`,
];
