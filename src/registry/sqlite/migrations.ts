/** Schema changes in order; each runs once, in a transaction, recorded in schema_migrations. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE model_versions (
     model TEXT NOT NULL,
     version INTEGER NOT NULL,
     created_at TEXT NOT NULL,
     kind TEXT NOT NULL,
     artifact_sha256 TEXT NOT NULL,
     artifact_file TEXT NOT NULL,
     metrics TEXT NOT NULL,
     lineage TEXT NOT NULL,
     PRIMARY KEY (model, version)
   );
   CREATE TABLE model_aliases (
     model TEXT NOT NULL,
     alias TEXT NOT NULL,
     version INTEGER NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (model, alias),
     FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
   );
   CREATE TABLE audit_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     action TEXT NOT NULL,
     model TEXT NOT NULL,
     detail TEXT NOT NULL
   );`,
  // Reference profiles are large (a value sample per feature), so they live apart from the version rows.
  `CREATE TABLE model_profiles (
     model TEXT NOT NULL,
     version INTEGER NOT NULL,
     profile TEXT NOT NULL,
     PRIMARY KEY (model, version),
     FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
   );
   CREATE INDEX audit_log_model ON audit_log (model, id);`,
];
