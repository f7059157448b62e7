import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../main/core';
import { dispatchAdmin } from '../../main/core/admin/dispatch';
import { CommittedCache } from '../../main/core/store/committed-cache';
import { type Db, openDatabase } from '../../main/core/store/database';
import { GroupCommit } from '../../main/core/store/group-commit';
import { createTestAdmin } from '../helpers/admin';
import { tempDir } from '../helpers/engine';
import { capAtCurrentSize } from '../helpers/store-full';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A database file with one table, and a second connection to see what is committed. */
function fileDatabase(): { db: Db; committed: () => string[] } {
  const dir = tempDir();
  const db = openDatabase({ dataDir: dir });
  db.exec('CREATE TABLE notes (text TEXT NOT NULL UNIQUE)');
  const reader = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
  cleanups.push(() => {
    reader.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    db,
    committed: () =>
      (reader.prepare('SELECT text FROM notes ORDER BY rowid').all() as { text: string }[]).map(
        (r) => r.text,
      ),
  };
}

describe('GroupCommit', () => {
  it('commits the writes of one turn in one transaction and resolves each only once committed', async () => {
    const { db, committed } = fileDatabase();
    const writes = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO notes (text) VALUES (?)');
    let transactionsSeen = 0;
    const seenAtResolve: string[][] = [];
    const results = await Promise.all(
      ['a', 'b', 'c'].map((text) =>
        writes
          .run(() => {
            if (!db.inTransaction) throw new Error('outside a transaction');
            transactionsSeen++;
            return insert.run(text).changes;
          })
          .then((changes) => {
            seenAtResolve.push(committed());
            return changes;
          }),
      ),
    );
    expect(results).toEqual([1, 1, 1]);
    expect(transactionsSeen).toBe(3);
    // Already visible to another connection when the first promise resolved: one commit for the three.
    expect(seenAtResolve[0]).toEqual(['a', 'b', 'c']);
    expect(committed()).toEqual(['a', 'b', 'c']);
  });

  it('rolls back and rejects only the write that failed', async () => {
    const { db, committed } = fileDatabase();
    const writes = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO notes (text) VALUES (?)');
    const outcomes = await Promise.allSettled([
      writes.run(() => insert.run('first')),
      writes.run(() => {
        insert.run('half-written');
        insert.run('first'); // violates UNIQUE: this write, and only it, is undone
      }),
      writes.run(() => insert.run('last')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(committed()).toEqual(['first', 'last']);
  });

  it('rejects every write of a batch whose commit fails, and stores none of them', async () => {
    const { db, committed } = fileDatabase();
    const writes = new GroupCommit(db);
    const pending = [writes.run(() => db.prepare("INSERT INTO notes (text) VALUES ('x')").run())];
    db.close(); // the commit cannot happen
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes[0]?.status).toBe('rejected');
    expect(committed()).toEqual([]);
  });

  it('rejects every write of a batch when one fills the store (SQLite rolls the whole transaction back), and runs none after it', async () => {
    const { db, committed } = fileDatabase();
    const writes = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO notes (text) VALUES (?)');
    insert.run('before');
    capAtCurrentSize(db);
    let ranAfter = 0;
    const decided = [
      writes.run(() => insert.run('small')),
      writes.run(() => insert.run('x'.repeat(200_000))),
      writes.run(() => {
        ranAfter++;
        return insert.run('after');
      }),
    ];
    writes.runDetachedStatement(() => {
      ranAfter++;
      return insert.run('observed');
    });
    const outcomes = await Promise.allSettled(decided);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const outcome of outcomes)
      expect((outcome as PromiseRejectedResult).reason.code).toBe('SQLITE_FULL');
    expect(ranAfter).toBe(0);
    expect(committed()).toEqual(['before']);
    expect(db.inTransaction).toBe(false);
  });

  /** Runs `check` with the process warnings it causes collected in `warnings`. */
  async function withWarnings(check: (warnings: string[]) => Promise<void>): Promise<void> {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      await check(warnings);
    } finally {
      process.off('warning', onWarning);
    }
  }

  it('commits a detached write with its turn, and reports its failure as a warning without touching the others', async () => {
    const { db, committed } = fileDatabase();
    const writes = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO notes (text) VALUES (?)');
    await withWarnings(async (warnings) => {
      writes.runDetached(() => insert.run('observed'));
      writes.runDetached(() => insert.run('observed')); // violates UNIQUE: undone and reported
      const decided = writes.run(() => insert.run('decided'));
      // Nothing is committed before the end of the turn…
      expect(committed()).toEqual([]);
      // …and everything is once the turn's writes are (the promise resolves after that commit).
      await decided;
      expect(committed()).toEqual(['observed', 'decided']);
      // process.emitWarning delivers on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([expect.stringMatching(/could not record an observation.*UNIQUE/)]);
    });
  });

  it('runs a one-statement detached write without a savepoint: a failed statement leaves none of its rows', async () => {
    const { db, committed } = fileDatabase();
    const writes = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO notes (text) VALUES (?)');
    await withWarnings(async (warnings) => {
      const first = writes.run(() => insert.run('first'));
      writes.runDetachedStatement(() => {
        if (!db.inTransaction) throw new Error('outside the turn’s transaction');
        return insert.run('observed');
      });
      // One statement of three rows whose last violates UNIQUE: SQLite undoes the whole statement.
      writes.runDetachedStatement(() =>
        db.prepare("INSERT INTO notes (text) VALUES ('p'), ('q'), ('first')").run(),
      );
      const last = writes.run(() => insert.run('last'));
      await Promise.all([first, last]);
      expect(committed()).toEqual(['first', 'observed', 'last']);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([expect.stringMatching(/could not record an observation.*UNIQUE/)]);
    });
  });

  it('flush() commits what is queued at once (used when the engine closes)', async () => {
    const { db, committed } = fileDatabase();
    const writes = new GroupCommit(db);
    const done = writes.run(() => db.prepare("INSERT INTO notes (text) VALUES ('now')").run());
    writes.flush();
    expect(committed()).toEqual(['now']);
    await expect(done).resolves.toMatchObject({ changes: 1 });
  });
});

describe('CommittedCache', () => {
  function counting(db: Db) {
    let loads = 0;
    const cache = new CommittedCache(db, () => {
      loads++;
      return (db.prepare('SELECT text FROM notes ORDER BY rowid').all() as { text: string }[]).map(
        (r) => r.text,
      );
    });
    return { cache, loads: () => loads };
  }

  it('reads once, until a write invalidates it', () => {
    const { db } = fileDatabase();
    const { cache, loads } = counting(db);
    expect(cache.get()).toEqual([]);
    expect(cache.get()).toEqual([]);
    expect(loads()).toBe(1);
    db.prepare("INSERT INTO notes (text) VALUES ('n')").run();
    cache.invalidate();
    expect(cache.get()).toEqual(['n']);
    expect(loads()).toBe(2);
  });

  it('never keeps what a transaction read after its own write, which could still roll back', () => {
    const { db } = fileDatabase();
    const { cache } = counting(db);
    expect(() =>
      db.transaction(() => {
        db.prepare("INSERT INTO notes (text) VALUES ('rolled back')").run();
        cache.invalidate();
        expect(cache.get()).toEqual(['rolled back']); // the transaction sees its own write…
        throw new Error('abort');
      })(),
    ).toThrow('abort');
    expect(cache.get()).toEqual([]); // …and nobody sees it afterwards
  });

  it('hands out frozen values, so a caller cannot change the shared copy', () => {
    const { db } = fileDatabase();
    db.prepare("INSERT INTO notes (text) VALUES ('n')").run();
    const { cache } = counting(db);
    expect(() => cache.get().push('x')).toThrow(TypeError);
  });
});

describe('stores served from memory stay exact', () => {
  it('the discovery document, JWKS and lookups follow every admin change', async () => {
    const { admin, ctx, close } = await createTestAdmin();
    cleanups.push(close);
    await dispatchAdmin(admin, 'clients.create', {
      client_id: 'svc',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
    });
    expect(ctx.clients.find('svc')?.scope).toBe('orders:read');
    await dispatchAdmin(admin, 'clients.update', {
      client_id: 'svc',
      grant_types: ['client_credentials'],
      scope: 'orders:write',
    });
    expect(ctx.clients.find('svc')?.scope).toBe('orders:write');
    await dispatchAdmin(admin, 'users.create', { username: 'ann', claims: { department: 'QA' } });
    expect(ctx.users.findByUsername('ann')?.claims).toEqual({ department: 'QA' });
    const before = ctx.keys.current()?.kid;
    const rotated = (await dispatchAdmin(admin, 'keys.rotate', {})) as { kid: string };
    expect(ctx.keys.current()?.kid).toBe(rotated.kid);
    expect(ctx.keys.published().map((k) => k.kid)).toEqual(expect.arrayContaining([before, rotated.kid]));
    await dispatchAdmin(admin, 'clients.delete', { client_id: 'svc' });
    expect(ctx.clients.find('svc')).toBeUndefined();
    await dispatchAdmin(admin, 'users.delete', { username: 'ann' });
    expect(ctx.users.findByUsername('ann')).toBeUndefined();
  });
});
