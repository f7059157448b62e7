import type { Db } from './database';

/** Freezes a record read from the database, so a shared cached copy cannot be changed by a caller. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/**
 * A table's committed contents kept in memory, for the small tables read on every request (clients,
 * users, signing keys, settings). The store calls `invalidate()` in every method that writes.
 *
 * It is filled only outside transactions: inside one, what is read may include writes that later roll
 * back. Reading a filled cache inside a transaction is still exact, because any write to the table in
 * that transaction invalidated it first. The engine is the only writer of its database (one process,
 * one connection), so nothing else can make it stale.
 */
export class CommittedCache<T> {
  private value: T | undefined;
  /** Counts invalidations; derived caches (the discovery document) compare it to know they are stale. */
  version = 0;

  constructor(
    private readonly db: Db,
    private readonly load: () => T,
  ) {}

  get(): T {
    if (this.value !== undefined) return this.value;
    const loaded = deepFreeze(this.load());
    if (!this.db.inTransaction) this.value = loaded;
    return loaded;
  }

  invalidate(): void {
    this.value = undefined;
    this.version++;
  }
}
