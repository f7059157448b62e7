import fs from 'node:fs';
import path from 'node:path';
import * as client from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput } from '../../shared/contract';
import type { EngineEvent } from '../../shared/schemas';
import { runningClock } from '../helpers/clock';
import { TOKEN_ENDPOINT_SEED } from '../helpers/endpoint-seeds';
import { startTestEngine, tempDir } from '../helpers/engine';
import { basic, postForm, signedInTokens, tokenRequest } from '../helpers/oauth-http';

/**
 * Every protocol request's outcome is a `request` event (issue 22 §1), with its HTTP exchange kept
 * redacted: each failure kind a developer asks "why did my service get a 400?" about, over real HTTP,
 * read back through the admin API, and the secrets checked absent from the whole SQLite file.
 */

const clock = runningClock();
const dataDir = tempDir();
let engine: Awaited<ReturnType<typeof startTestEngine>>;
let issuer: string;

beforeAll(async () => {
  engine = await startTestEngine({ seed: TOKEN_ENDPOINT_SEED, dataDir, clock });
  issuer = engine.issuer;
});
afterAll(async () => {
  await engine.cleanup();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
afterEach(() => clock.reset());

type Exchange = AdminOutput<'events.request'>;

/** The newest request event (the group commit writes it just after the answer), and its exchange. */
async function lastRequest(): Promise<{ event: EngineEvent; exchange: Exchange }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const [event] = (await engine.call('events.list', { type: 'request', limit: 1 })) as EngineEvent[];
    if (event && event.id > seen) {
      seen = event.id;
      const exchange = (await engine.call('events.request', { event_id: event.id })) as Exchange;
      return { event, exchange };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('No new request event was recorded');
}
let seen = 0;

/** Moves past what was recorded so far (a sampled success may or may not have been). */
async function skipRecorded(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  const [event] = (await engine.call('events.list', { type: 'request', limit: 1 })) as EngineEvent[];
  seen = event?.id ?? seen;
}

/**
 * What a client sent that no reader of the log may get back, checked in the stored exchange and (at the
 * end) in every byte of the database. The provider's own JWTs are not on that list: the tokens table
 * keeps them on purpose (the token drawer shows them); the exchange must still not.
 */
const secrets: string[] = [];

function expectRedacted(exchange: Exchange, values: string[], alsoStored: string[] = []): void {
  const stored = JSON.stringify(exchange);
  for (const value of [...values, ...alsoStored]) expect(stored).not.toContain(value);
  secrets.push(...values);
}

describe('request events', () => {
  it('records a wrong client secret with its error, status, client and a redacted exchange', async () => {
    const response = await tokenRequest(
      issuer,
      { grant_type: 'client_credentials', scope: 'orders:read' },
      { authorization: basic('web', 'wrong-secret-0123') },
    );
    expect(response.status).toBe(401);
    const { event, exchange } = await lastRequest();
    expect(event).toMatchObject({
      type: 'request',
      client_id: 'web',
      data: {
        endpoint: 'token',
        method: 'POST',
        status: 401,
        grant_type: 'client_credentials',
        error: 'invalid_client',
        error_description: response.json.error_description,
      },
    });
    expect(event.data.duration_ms).toBeGreaterThan(0);
    expect(exchange).toMatchObject({ method: 'POST', path: '/token', status: 401 });
    expect(exchange?.request.headers.authorization).toBe('Basic [redacted] (client_id web)');
    expect(exchange?.request.body).toEqual({ grant_type: 'client_credentials', scope: 'orders:read' });
    expect(exchange?.response.body).toEqual(response.json);
    expectRedacted(exchange, ['wrong-secret-0123', Buffer.from('web:wrong-secret-0123').toString('base64')]);

    // The same in the form body (client_secret_post).
    const posted = await tokenRequest(issuer, {
      grant_type: 'client_credentials',
      client_id: 'worker',
      client_secret: 'posted-wrong-secret-456',
    });
    expect(posted.status).toBe(401);
    const second = await lastRequest();
    expect(second.event).toMatchObject({
      client_id: 'worker',
      data: { status: 401, error: 'invalid_client' },
    });
    expect(second.exchange?.request.body).toMatchObject({ client_id: 'worker', client_secret: '[redacted]' });
    expectRedacted(second.exchange, ['posted-wrong-secret-456']);
  });

  it('records an unknown refresh token', async () => {
    const unknown = `never-issued-refresh-token-${'x'.repeat(20)}`;
    const response = await tokenRequest(
      issuer,
      { grant_type: 'refresh_token', refresh_token: unknown },
      { authorization: basic('web', 'web-secret') },
    );
    expect(response.status).toBe(400);
    const { event, exchange } = await lastRequest();
    expect(event).toMatchObject({
      client_id: 'web',
      token_id: null,
      data: { endpoint: 'token', status: 400, grant_type: 'refresh_token', error: 'invalid_grant' },
    });
    expect(event.data.error_description).toBe(response.json.error_description);
    expect(exchange?.request.body).toMatchObject({ refresh_token: 'never-…[redacted]' });
    // web's own secret is a client setting the database keeps; the exchange must not.
    expectRedacted(exchange, [unknown], ['web-secret']);
  });

  it('records an expired refresh token, linked to the token and its user', async () => {
    const tokens = await signedInTokens(issuer);
    await skipRecorded();
    const refresh = tokens.refresh_token as string;
    clock.advance(15 * 24 * 60 * 60);
    const response = await tokenRequest(
      issuer,
      { grant_type: 'refresh_token', refresh_token: refresh },
      { authorization: basic('web', 'web-secret') },
    );
    expect(response.status).toBe(400);
    const { event, exchange } = await lastRequest();
    expect(event).toMatchObject({
      client_id: 'web',
      username: 'alice',
      data: { endpoint: 'token', status: 400, error: 'invalid_grant' },
    });
    expect(event.token_id).toBe(refresh.slice(0, 26));
    expect(String((exchange?.request.body as Record<string, string> | undefined)?.refresh_token)).toMatch(
      /^.{6}…\[redacted\] \(token id [0-9a-z]{26}\)$/,
    );
    expectRedacted(exchange, [refresh], [tokens.access_token, tokens.id_token as string]);
  });

  it('records a bad scope', async () => {
    const response = await tokenRequest(issuer, {
      grant_type: 'client_credentials',
      scope: 'admin:everything',
      client_id: 'worker',
      client_secret: 'worker-secret',
    });
    expect(response.status).toBe(400);
    const { event } = await lastRequest();
    expect(event).toMatchObject({
      client_id: 'worker',
      data: { endpoint: 'token', status: 400, error: 'invalid_scope' },
    });
    expect(event.data.error_description).toBe(response.json.error_description);
  });

  it('records a wrong password without keeping it', async () => {
    const response = await tokenRequest(
      issuer,
      { grant_type: 'password', username: 'alice', password: 'not-alices-pw-42', scope: 'openid' },
      { authorization: basic('legacy', 'legacy-secret') },
    );
    expect(response.status).toBe(400);
    const { event, exchange } = await lastRequest();
    expect(event).toMatchObject({
      client_id: 'legacy',
      username: 'alice',
      data: { endpoint: 'token', grant_type: 'password', error: 'invalid_grant' },
    });
    expect(exchange?.request.body).toMatchObject({ username: 'alice', password: '[redacted]' });
    expectRedacted(exchange, ['not-alices-pw-42']);
  });

  it('records a bad bearer token at userinfo', async () => {
    const bad = 'forged-bearer-token-value-9876543210';
    const response = await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${bad}` } });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error_description: string };
    const { event, exchange } = await lastRequest();
    expect(event).toMatchObject({
      token_id: null,
      data: {
        endpoint: 'userinfo',
        method: 'GET',
        status: 401,
        error: 'invalid_token',
        error_description: body.error_description,
      },
    });
    expect(exchange?.request.headers.authorization).toBe('Bearer forged…[redacted]');
    expectRedacted(exchange, [bad]);
  });

  it('records a successful userinfo call (openid-client), with the token, user and claims', async () => {
    const tokens = await signedInTokens(issuer);
    await skipRecorded();
    const config = await client.discovery(new URL(issuer), 'web', 'web-secret', undefined, {
      execute: [client.allowInsecureRequests],
    });
    const claims = await client.fetchUserInfo(config, tokens.access_token, 'alice-sub');
    expect(claims.name).toBe('Alice');
    const { event, exchange } = await lastRequest();
    expect(event).toMatchObject({
      client_id: 'web',
      username: 'alice',
      data: { endpoint: 'userinfo', status: 200 },
    });
    expect(event.data.error).toBeUndefined();
    expect(event.token_id).toMatch(/^[0-9a-z]{26}$/);
    // Claims are what userinfo is for: they stay.
    expect(exchange?.response.body).toMatchObject({ sub: 'alice-sub', name: 'Alice' });
    expectRedacted(exchange, [tokens.refresh_token as string], [tokens.access_token]);
  });

  it('samples the successes of the token endpoint, and says how many it did not record', async () => {
    clock.advance(60);
    const ask = () =>
      tokenRequest(issuer, {
        grant_type: 'client_credentials',
        client_id: 'worker',
        client_secret: 'worker-secret',
      });
    expect((await ask()).status).toBe(200);
    const first = await lastRequest();
    expect(first.event).toMatchObject({ client_id: 'worker', data: { endpoint: 'token', status: 200 } });
    expect(first.event.token_id).toMatch(/^[0-9a-z]{26}$/);
    expect(first.event.data.similar_not_recorded).toBeUndefined();
    // The issued token's value is kept as its first characters and id only.
    const issued = first.exchange?.response.body as Record<string, string>;
    expect(issued.access_token).toContain(`…[redacted] (token id ${first.event.token_id})`);
    for (let i = 0; i < 3; i++) expect((await ask()).status).toBe(200);
    await skipRecorded();
    expect(seen).toBe(first.event.id);
    clock.advance(11);
    expect((await ask()).status).toBe(200);
    const next = await lastRequest();
    expect(next.event.data).toMatchObject({ status: 200, similar_not_recorded: 3 });
  });

  it('samples introspection successes too, apart from the token endpoint', async () => {
    clock.advance(60);
    const credentials = { client_id: 'worker', client_secret: 'worker-secret' };
    const issue = () => tokenRequest(issuer, { grant_type: 'client_credentials', ...credentials });
    const issued = await issue();
    expect(issued.status).toBe(200);
    expect((await lastRequest()).event.data).toMatchObject({ endpoint: 'token', status: 200 });
    expect((await issue()).status).toBe(200);
    const inspect = () =>
      postForm(issuer, '/introspect', { token: issued.json.access_token, ...credentials });
    expect((await inspect()).json.active).toBe(true);
    // The same client's credentials, sampled out at the token endpoint a moment ago, are new here.
    const first = await lastRequest();
    expect(first.event).toMatchObject({
      client_id: 'worker',
      data: { endpoint: 'introspection', status: 200 },
    });
    expect(first.event.data.similar_not_recorded).toBeUndefined();
    expect((await inspect()).json.active).toBe(true);
    await skipRecorded();
    expect(seen).toBe(first.event.id);
  });

  it('filters failures and endpoints, and pages through everything by id', async () => {
    const failures = (await engine.call('events.list', { errors: true })) as EngineEvent[];
    expect(failures.length).toBeGreaterThanOrEqual(6);
    expect(failures.every((event) => Number(event.data.status) >= 400)).toBe(true);
    const userinfo = (await engine.call('events.list', { endpoint: 'userinfo' })) as EngineEvent[];
    expect(userinfo.map((event) => event.data.status)).toEqual([200, 401]);
    const all = (await engine.call('events.list', { limit: 5000 })) as EngineEvent[];
    const paged: EngineEvent[] = [];
    let before: number | undefined;
    for (;;) {
      const page = (await engine.call('events.list', {
        limit: 3,
        ...(before ? { before_id: before } : {}),
      })) as EngineEvent[];
      paged.push(...page);
      if (page.length < 3) break;
      before = page[page.length - 1]?.id;
    }
    expect(paged.map((event) => event.id)).toEqual(all.map((event) => event.id));
  });

  it('keeps none of the secrets anywhere in the SQLite files', () => {
    const files = fs.readdirSync(dataDir).filter((name) => /\.(db|sqlite)(-wal|-journal)?$/.test(name));
    expect(files.length).toBeGreaterThan(0);
    const bytes = Buffer.concat(files.map((name) => fs.readFileSync(path.join(dataDir, name))));
    expect(secrets.length).toBeGreaterThanOrEqual(7);
    for (const secret of secrets) expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
  });
});

describe('bulk actions', () => {
  it('revoking all of a user’s tokens writes one event with the count, and revokes each', async () => {
    await signedInTokens(issuer);
    const active = (await engine.call('tokens.list', {
      username: 'alice',
      state: 'active',
    })) as AdminOutput<'tokens.list'>;
    expect(active.tokens.length).toBeGreaterThanOrEqual(2);
    const lastId = ((await engine.call('events.list', { limit: 1 })) as EngineEvent[])[0]?.id ?? 0;
    const { revoked } = (await engine.call('tokens.revokeUser', { username: 'alice' })) as {
      revoked: number;
    };
    expect(revoked).toBe(active.tokens.length);
    const written = (await engine.call('events.list', { after_id: lastId })) as EngineEvent[];
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({
      type: 'tokens.revoked',
      username: 'alice',
      data: { by: 'admin', scope: 'user_id', revoked },
    });
    const after = (await engine.call('tokens.list', {
      username: 'alice',
      state: 'active',
    })) as AdminOutput<'tokens.list'>;
    expect(after.tokens).toHaveLength(0);
  });
});
