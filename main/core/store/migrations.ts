/**
 * Numbered schema migrations. Migration N brings the schema from version N-1 to N and runs in one
 * transaction; `PRAGMA user_version` records the version. Never edit a migration once released: add one.
 */
export const migrations: readonly string[] = [
  /* 1 */ `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  `,
];
