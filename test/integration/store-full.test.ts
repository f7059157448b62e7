import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchAdmin } from '../../main/core/admin/dispatch';
import { createAdminSecrets } from '../../main/core/http/admin-auth';
import type { ProviderContext } from '../../main/core/provider/context';
import { openDatabase, storeFullExplanation } from '../../main/core/store/database';
import { createTestAdmin, serveTestAdmin } from '../helpers/admin';
import { tempDir } from '../helpers/engine';
import { capAtCurrentSize } from '../helpers/store-full';

/**
 * A store that has no room left (the in-memory store's 1 GiB, a full disk) refuses the write whole and
 * says what to do, on the OAuth endpoints and the admin API alike. SQLite's own limit on pages
 * (max_page_count) makes the same SQLITE_FULL without filling a gigabyte.
 */

let app: FastifyInstance;
let ctx: ProviderContext;
let close: () => void;
let origin: string;
const secrets = createAdminSecrets();
const SERVICE = { id: 'full-svc', secret: 'full-secret' };

beforeAll(async () => {
  const options = { issuer: '' };
  const admin = await createTestAdmin(options);
  ({ ctx, close } = admin);
  await dispatchAdmin(admin.admin, 'clients.create', {
    client_id: SERVICE.id,
    client_secret: SERVICE.secret,
    grant_types: ['client_credentials'],
    scope: 'api:read',
    access_token_format: 'reference',
  });
  ({ app, origin } = await serveTestAdmin(admin, options, secrets));
});

afterAll(async () => {
  await app?.close();
  close?.();
});

const issue = () =>
  fetch(`${origin}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${SERVICE.id}:${SERVICE.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=api%3Aread',
  });

describe('a full store', () => {
  it('answers server_error saying the in-memory store is full and what to do; nothing of the request is stored', async () => {
    expect((await issue()).status).toBe(200);
    const tokensBefore = ctx.db.prepare('SELECT count(*) AS n FROM tokens').get() as { n: number };
    // No page more than the store has now: the next write that needs one is refused.
    const uncap = capAtCurrentSize(ctx.db);
    let refused: Response | null = null;
    let answered = 0;
    for (let i = 0; i < 500 && !refused; i++) {
      const response = await issue();
      if (response.status === 200) answered++;
      else refused = response;
    }
    expect(refused?.status).toBe(500);
    const body = (await refused?.json()) as { error: string; error_description: string };
    expect(body.error).toBe('server_error');
    expect(body.error_description).toContain('The in-memory store is full');
    expect(body.error_description).toContain('tokens.purgeExpired');
    expect(body.error_description).toContain('--data-dir');
    // Every answered request's token is stored with its event; the refused one left neither.
    const tokensAfter = ctx.db.prepare('SELECT count(*) AS n FROM tokens').get() as { n: number };
    const issuedEvents = ctx.db
      .prepare('SELECT count(*) AS n FROM events WHERE type = ?')
      .get('token.issued') as { n: number };
    expect(tokensAfter.n).toBe(tokensBefore.n + answered);
    expect(issuedEvents.n).toBe(tokensAfter.n);

    const adminAnswer = await fetch(`${origin}/admin/api/users.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'one-too-many', claims: { note: 'x'.repeat(8000) } }),
    });
    expect(adminAnswer.status).toBe(500);
    expect(await adminAnswer.json()).toEqual({
      code: 'internal',
      message: expect.stringContaining('The in-memory store is full'),
    });
    uncap();
  });

  it('on a data folder, names the database file and says to free space there', () => {
    const dir = tempDir();
    const db = openDatabase({ dataDir: dir });
    try {
      db.exec('CREATE TABLE filler (text TEXT NOT NULL)');
      capAtCurrentSize(db);
      let error: unknown = null;
      try {
        db.prepare('INSERT INTO filler VALUES (?)').run('x'.repeat(100_000));
      } catch (caught) {
        error = caught;
      }
      expect((error as { code?: string }).code).toBe('SQLITE_FULL');
      expect(storeFullExplanation(db, error)).toMatch(
        new RegExp(`^The disk holding ${db.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is full\\.`),
      );
      expect(storeFullExplanation(db, new Error('another failure'))).toBeNull();
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
