import type { Db } from './database';

interface Outcome {
  ok: boolean;
  value: unknown;
}

const ignore = (): void => {};

function reportDetachedFailure(error: unknown): void {
  process.emitWarning(
    `IDP Sandbox could not record an observation (an introspection or a token's last use): ${error instanceof Error ? error.message : String(error)}`,
  );
}

interface PendingWrite {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Whether the write needs a savepoint of its own: all but the one-statement detached writes. */
  savepoint: boolean;
}

/**
 * Group commit for the request paths that write (issuing tokens, recording an introspection): the
 * writes queued during one turn of the event loop are committed together in one transaction, each in its
 * own savepoint. Under load that shares one commit (and one append of the touched pages to the WAL)
 * between all the requests of a turn, instead of paying for one per request.
 *
 * Every write keeps its own outcome: one that throws rolls back only its savepoint and rejects only its
 * own promise. A promise resolves only once the transaction holding its write has committed, so a
 * request never answers with something that is not yet stored.
 *
 * Observations that an answer does not depend on (an introspection's event, a token's last use) are
 * queued detached instead: the request answers at once and the write commits with the rest of its turn,
 * before the next request is read. Waiting for that commit only delayed the answer, by up to a whole
 * turn's writes.
 */
export class GroupCommit {
  private pending: PendingWrite[] = [];
  private scheduled = false;
  // better-sqlite3 builds a transaction function with five variants on each db.transaction() call,
  // which showed up in profiles when done per write: both are made once and reused.
  private readonly inTransaction: (batch: PendingWrite[]) => Outcome[];
  private readonly inSavepoint: (work: () => unknown) => unknown;

  constructor(db: Db) {
    this.inSavepoint = db.transaction((work: () => unknown) => work());
    this.inTransaction = db.transaction((batch: PendingWrite[]) =>
      batch.map((write): Outcome => {
        try {
          // Nested inside the batch's transaction, this is a savepoint: a throw undoes this write alone.
          // A write of one statement needs none: SQLite undoes a failed statement by itself, and the
          // savepoint and its release were a fifth of what recording an introspection cost.
          return { ok: true, value: write.savepoint ? this.inSavepoint(write.work) : write.work() };
        } catch (error) {
          // Some failures (SQLITE_FULL, IOERR, NOMEM) make SQLite roll back the whole transaction: the
          // batch's earlier writes are gone, and the later ones would each commit on their own, outside
          // it, while their callers were told the batch failed. The batch fails whole instead (flush).
          if (!db.inTransaction) throw error;
          return { ok: false, value: error };
        }
      }),
    );
  }

  /** Runs `work` (synchronous, database only) in the next group transaction; resolves after the commit. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue({ work, resolve: resolve as (value: unknown) => void, reject, savepoint: true });
    });
  }

  private queue(write: PendingWrite): void {
    this.pending.push(write);
    if (!this.scheduled) {
      this.scheduled = true;
      // After the I/O callbacks of this turn: every request read in it has queued its write by then.
      setImmediate(() => this.flush());
    }
  }

  /**
   * Queues `work` like run() but answers to nobody: for writes that record what happened rather than
   * decide an answer. A failure is reported as a process warning, since no request is left to fail.
   */
  runDetached(work: () => unknown): void {
    this.queue({ work, resolve: ignore, reject: reportDetachedFailure, savepoint: true });
  }

  /**
   * runDetached for a `work` that runs exactly one SQL statement (an introspection's event, a token's
   * last use): it runs without a savepoint of its own, since a statement that fails leaves nothing
   * behind. Should something after the statement throw (a live listener of the event), the row stays
   * and the failure is reported as for any detached write. Work of two statements must use
   * runDetached, or a failure of the second would keep the first.
   */
  runDetachedStatement(work: () => unknown): void {
    this.queue({ work, resolve: ignore, reject: reportDetachedFailure, savepoint: false });
  }

  /** Commits everything queued now (also called when the engine closes). */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = this.inTransaction(batch);
    } catch (error) {
      // The commit itself failed, or a write's failure rolled the transaction back (disk or in-memory
      // store full, I/O error): nothing of the batch is stored.
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.value);
    });
  }
}
