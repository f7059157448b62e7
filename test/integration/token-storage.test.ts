import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../main/core';
import { hashTokenValue } from '../../main/core/lib/secrets';
import { splitOpaqueValue } from '../../main/core/lib/token-values';
import type { Workspace } from '../../shared/schemas';
import { FormBrowser } from '../helpers/browser-session';
import { startTestEngine, tempDir } from '../helpers/engine';
import { basic, pkcePair, REDIRECT, redeem, tokenRequest } from '../helpers/oauth-http';

/**
 * RFC 9700 §4.x / RFC 6749 §10.10: opaque values an attacker could guess or lift from a copy of the
 * database. Reference access tokens, refresh tokens, authorization codes and browser-session cookies
 * carry at least 128 bits of randomness and are stored only as SHA-256 hashes (reference and refresh
 * tokens are their id followed by a 256-bit secret, and only the secret's hash is stored), so the database file
 * (and its write-ahead log) holds none of them in plaintext. JWTs are stored whole on purpose (the UI
 * shows them; they are self-contained anyway), which the last check confirms as a positive control.
 *
 * That an ID token is never accepted as an access token (`typ` check, RFC 8725 §3.11) is covered in
 * test/integration/userinfo-endpoint.test.ts: "refuses an ID token presented as an access token
 * with 401 invalid_token" (refresh token too) and introspection-endpoint.test.ts: "answers
 * {"active":false} for a real ID token (wrong typ) and for token type hints that do not fit".
 */

const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', claims: { name: 'Alice' } }],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token', 'password'],
      scope: 'openid profile offline_access',
      access_token_format: 'reference',
    },
    {
      client_id: 'svc',
      client_secret: 'svc-secret',
      grant_types: ['client_credentials'],
      scope: 'api',
      access_token_format: 'reference',
    },
    {
      client_id: 'svc-jwt',
      client_secret: 'svc-jwt-secret',
      grant_types: ['client_credentials'],
      scope: 'api',
    },
  ],
};

const COUNT = 200;

const dataDir = tempDir('idp-sandbox-storage-');
let engine: Awaited<ReturnType<typeof startTestEngine>>;
const values = {
  reference: [] as string[],
  refresh: [] as string[],
  code: [] as string[],
  session: [] as string[],
  /** What the login page's script keeps in localStorage; the session stores its hash. */
  browserSecret: [] as string[],
};
/** Codes redeemed (so the database has seen them used) and the JWTs they produced. */
const jwts: string[] = [];
/** Raw bytes of the database files taken while the engine runs (the WAL holds the recent writes). */
let whileRunning: Buffer;

function databaseBytes(): Buffer {
  const file = path.join(dataDir, DATABASE_FILE);
  return Buffer.concat(
    ['', '-wal', '-shm']
      .map((suffix) => file + suffix)
      .filter((f) => fs.existsSync(f))
      .map((f) => fs.readFileSync(f)),
  );
}

function authorizeUrl(): string {
  const { challenge } = pkcePair();
  return `${engine.issuer}/authorize?${new URLSearchParams({
    client_id: 'web',
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid offline_access',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })}`;
}

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, dataDir });
  const { issuer } = engine;

  // Reference access tokens (client_credentials) and refresh tokens (password grant).
  for (let i = 0; i < COUNT; i++) {
    const cc = await tokenRequest(
      issuer,
      { grant_type: 'client_credentials' },
      { authorization: basic('svc', 'svc-secret') },
    );
    values.reference.push(cc.json.access_token);
    const pw = await tokenRequest(
      issuer,
      { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'offline_access' },
      { authorization: basic('web', 'web-secret') },
    );
    values.refresh.push(pw.json.refresh_token);
  }
  const jwt = await tokenRequest(
    issuer,
    { grant_type: 'client_credentials' },
    { authorization: basic('svc-jwt', 'svc-jwt-secret') },
  );
  jwts.push(jwt.json.access_token);

  // Browser sessions through the real login form; each browser then collects codes without the page.
  for (let b = 0; b < 20; b++) {
    const browser = new FormBrowser();
    const first = new URL(await browser.signIn(authorizeUrl(), 'alice', 'alice-pw'));
    values.code.push(first.searchParams.get('code') as string);
    const cookie = /idp_sandbox_session=([^;]+)/.exec(browser.cookieHeader())?.[1];
    expect(cookie).toBeDefined();
    values.session.push(cookie as string);
    values.browserSecret.push(browser.browserSecret() as string);
    for (let i = 0; i < COUNT / 20 - 1; i++) {
      const again = await browser.authorize(authorizeUrl());
      expect(again.status).toBe(303);
      values.code.push(new URL(again.headers.get('location') as string).searchParams.get('code') as string);
    }
  }
  // Redeem a few codes with PKCE, so used codes and the tokens they produced are in the file too.
  for (let i = 0; i < 3; i++) {
    const browser = new FormBrowser();
    const pkce = pkcePair();
    const url = new URL(authorizeUrl());
    url.searchParams.set('code_challenge', pkce.challenge);
    const callback = new URL(await browser.signIn(url.href, 'alice', 'alice-pw'));
    const code = callback.searchParams.get('code') as string;
    values.code.push(code);
    values.session.push(/idp_sandbox_session=([^;]+)/.exec(browser.cookieHeader())?.[1] as string);
    const tokens = await redeem(engine.issuer, {
      code,
      verifier: pkce.verifier,
      redirectUri: REDIRECT,
      callback,
      browser,
    });
    values.reference.push(tokens.access_token);
    values.refresh.push(tokens.refresh_token as string);
    jwts.push(tokens.id_token as string);
  }
  whileRunning = databaseBytes();
  await engine.close();
}, 60_000);

afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** What of a value must never be in the database: for id-prefixed tokens the secret, else all of it. */
function secretOf(kind: keyof typeof values, value: string): string {
  if (kind !== 'reference' && kind !== 'refresh') return value;
  const parts = splitOpaqueValue(value);
  if (!parts) throw new Error(`${kind} token ${value} is not an id followed by a secret`);
  return parts.secret;
}

describe('opaque values', () => {
  it.each(Object.keys(values) as (keyof typeof values)[])(
    '%s: at least 128 random bits each (base64url of ≥ 16 bytes), no two alike',
    (kind) => {
      const list = values[kind];
      expect(list.length).toBeGreaterThanOrEqual(20);
      for (const value of list) {
        const secret = secretOf(kind, value);
        expect(secret).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(Buffer.from(secret, 'base64url').length).toBeGreaterThanOrEqual(16);
      }
      expect(new Set(list).size).toBe(list.length);
    },
  );
});

describe('the data folder', () => {
  it('is made private to the user (0700) when the engine creates it; the admin token file is 0600', async () => {
    const parent = tempDir('idp-sandbox-perms-');
    const fresh = path.join(parent, 'nested', 'data');
    const created = await startTestEngine({ dataDir: fresh, inMemory: false });
    try {
      for (const dir of [fresh, path.dirname(fresh)]) {
        expect((fs.statSync(dir).mode & 0o777).toString(8), dir).toBe('700');
      }
      expect((fs.statSync(created.adminTokenFile).mode & 0o777).toString(8)).toBe('600');
    } finally {
      await created.close();
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('the database file', () => {
  it('holds no reference token, refresh token, code, session cookie, browser secret or admin token in plaintext', () => {
    const afterClose = databaseBytes();
    for (const [label, bytes] of [
      ['while running (db + wal + shm)', whileRunning],
      ['after closing', afterClose],
    ] as const) {
      for (const [kind, list] of Object.entries(values) as [keyof typeof values, string[]][]) {
        const found = list.filter((value) => bytes.includes(secretOf(kind, value)));
        expect(found, `${kind} values in the database ${label}`).toEqual([]);
      }
      expect(bytes.includes(engine.adminToken), `admin token in the database ${label}`).toBe(false);
    }
  });

  it('holds their SHA-256 hashes instead, and the JWTs whole (positive control: the search works)', () => {
    const bytes = databaseBytes();
    for (const [kind, list] of Object.entries(values) as [keyof typeof values, string[]][]) {
      for (const value of list)
        expect(bytes.includes(hashTokenValue(secretOf(kind, value))), kind).toBe(true);
    }
    expect(hashTokenValue('x')).toBe(createHash('sha256').update('x').digest('base64url'));
    for (const jwt of jwts) expect(bytes.includes(jwt)).toBe(true);
  });
});
