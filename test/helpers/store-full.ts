/** The part of a better-sqlite3 connection these helpers use. */
interface Pragmas {
  pragma(source: string, options?: { simple: boolean }): unknown;
}

/**
 * Caps the database at the pages it has now, so the next write that needs a page fails with
 * SQLITE_FULL as a full disk or the in-memory store's 1 GiB would (without filling either).
 * Returns the undo: SQLite's own largest page count.
 */
export function capAtCurrentSize(db: Pragmas): () => void {
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
  return () => db.pragma('max_page_count = 4294967294');
}
