import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { logFaults } from '../../main/cli/fault-log';
import type { Fault, FaultInput } from '../../shared/faults';
import type { EngineEvent, Workspace } from '../../shared/schemas';
import { FormBrowser } from '../helpers/browser-session';
import { TOKEN_ENDPOINT_SEED } from '../helpers/endpoint-seeds';
import { startTestEngine } from '../helpers/engine';
import { REDIRECT } from '../helpers/oauth-http';

/**
 * Faults on demand (QA lab, issue 17 §4), over real HTTP on 127.0.0.1: each kind is observed by a real
 * client (openid-client, jose or fetch) and turns itself off as scoped.
 */

/** The token endpoint tests' clients, and one that signs alice in by password and refreshes (HTTP Basic). */
const SEED: Workspace = {
  ...TOKEN_ENDPOINT_SEED,
  clients: [
    ...(TOKEN_ENDPOINT_SEED.clients ?? []),
    {
      client_id: 'script',
      client_secret: 'script-secret',
      grant_types: ['password', 'refresh_token'],
      scope: 'openid profile',
      access_token_format: 'jwt',
    },
  ],
};

let engine: Awaited<ReturnType<typeof startTestEngine>>;
/** openid-client configurations, discovered before any fault is on. */
let script: oidc.Configuration;
let worker: oidc.Configuration;
let gateway: oidc.Configuration;
let web: oidc.Configuration;

function rp(
  clientId: string,
  secret: string,
  auth = oidc.ClientSecretBasic(secret),
): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(engine.issuer), clientId, secret, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true });
  [script, worker, gateway, web] = await Promise.all([
    rp('script', 'script-secret'),
    rp('worker', 'worker-secret', oidc.ClientSecretPost('worker-secret')),
    rp('api', 'api-secret'),
    rp('web', 'web-secret'),
  ]);
});
afterAll(() => engine.cleanup());
afterEach(async () => {
  await engine.call('faults.clear', {});
  await engine.call('settings.update', { clock_offset_seconds: 0 });
});

const addFault = (input: FaultInput) => engine.call('faults.add', input) as Promise<Fault>;
const activeFaults = () => engine.call('faults.list', {}) as Promise<Fault[]>;
const eventsOf = (type: EngineEvent['type']) =>
  engine.call('events.list', { type }) as Promise<EngineEvent[]>;
const moveProviderClock = (seconds: number) =>
  engine.call('settings.update', { clock_offset_seconds: seconds });

/** A password-grant token set for alice (access, ID and refresh token). */
function signIn() {
  return oidc.genericGrantRequest(script, 'password', {
    username: 'alice',
    password: 'alice-pw',
    scope: 'openid profile',
  });
}

/**
 * What a rejected openid-client call saw: the HTTP status, the OAuth error, the response. openid-client
 * reads an OAuth error body only from a 4xx; a 5xx is "unexpected HTTP response status code" with the
 * response as its cause, and a 401 with a challenge is a WWWAuthenticateChallengeError.
 */
async function refusal(
  call: Promise<unknown>,
): Promise<{ status: number; error: string; response: Response }> {
  const error = await call.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (reason: unknown) => reason,
  );
  if (error instanceof oidc.ResponseBodyError) {
    return { status: error.status, error: error.error, response: error.response };
  }
  if (error instanceof oidc.WWWAuthenticateChallengeError) {
    // A Basic challenge names no error; the body does.
    const named = error.cause[0]?.parameters.error;
    const body = named ? null : ((await error.response.json()) as { error: string });
    return { status: error.status, error: named ?? String(body?.error), response: error.response };
  }
  expect(error).toBeInstanceOf(oidc.ClientError);
  const response = (error as oidc.ClientError).cause as Response;
  expect((error as oidc.ClientError).code).toBe('OAUTH_RESPONSE_IS_NOT_CONFORM');
  const body = (await response.json()) as { error: string };
  return { status: response.status, error: body.error, response };
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('faults on the token endpoint, seen by openid-client', () => {
  it('503 temporarily_unavailable for the next 2 requests, then tokens again', async () => {
    const { refresh_token } = await signIn();
    const fault = await addFault({
      endpoint: 'token',
      effect: { kind: 'error_status', status: 503 },
      requests: 2,
    });
    expect(fault).toMatchObject({ id: expect.stringMatching(/^f\d+$/), remaining_requests: 2, applied: 0 });

    for (let i = 0; i < 2; i++) {
      const seen = await refusal(oidc.refreshTokenGrant(script, refresh_token as string));
      expect(seen).toMatchObject({ status: 503, error: 'temporarily_unavailable' });
      expect(seen.response.headers.get('cache-control')).toBe('no-store');
    }
    const refreshed = await oidc.refreshTokenGrant(script, refresh_token as string);
    expect(refreshed.access_token).toBeTruthy();
    expect(await activeFaults()).toEqual([]);
    const [expired] = await eventsOf('fault.expired');
    expect(expired?.data).toMatchObject({ fault_id: fault.id, reason: 'requests', applied: 2 });
  });

  it('429 with Retry-After, and 500 server_error', async () => {
    await addFault({
      endpoint: 'token',
      effect: { kind: 'error_status', status: 429, retry_after_seconds: 7 },
      requests: 1,
    });
    const limited = await refusal(oidc.clientCredentialsGrant(worker));
    expect(limited).toMatchObject({ status: 429, error: 'temporarily_unavailable' });
    expect(limited.response.headers.get('retry-after')).toBe('7');

    await addFault({ endpoint: 'token', effect: { kind: 'error_status', status: 500 }, requests: 1 });
    expect(await refusal(oidc.clientCredentialsGrant(worker))).toMatchObject({
      status: 500,
      error: 'server_error',
    });
    expect((await oidc.clientCredentialsGrant(worker)).access_token).toBeTruthy();
  });

  it('invalid_grant on the next refresh only: other grants pass, the refresh after it succeeds', async () => {
    const { refresh_token } = await signIn();
    await addFault({
      endpoint: 'token',
      grant_type: 'refresh_token',
      effect: { kind: 'oauth_error', error: 'invalid_grant', error_description: 'The refresh token expired' },
      requests: 1,
    });
    // Another grant type is not the fault's: it gets tokens, and the fault still waits.
    expect((await signIn()).access_token).toBeTruthy();
    expect(await activeFaults()).toHaveLength(1);

    const seen = await refusal(oidc.refreshTokenGrant(script, refresh_token as string));
    expect(seen).toMatchObject({ status: 400, error: 'invalid_grant' });
    // The refresh token was never looked at: the same one refreshes now.
    expect((await oidc.refreshTokenGrant(script, refresh_token as string)).access_token).toBeTruthy();
  });

  it('invalid_client for 30 s of provider time: moving the provider clock ends it', async () => {
    const fault = await addFault({
      endpoint: 'token',
      effect: { kind: 'oauth_error', error: 'invalid_client' },
      seconds: 30,
    });
    expect(Date.parse(fault.expires_at as string) - Date.parse(fault.added_at)).toBe(30_000);
    for (let i = 0; i < 3; i++) {
      const seen = await refusal(signIn());
      expect(seen).toMatchObject({ status: 401, error: 'invalid_client' });
      // The client used HTTP Basic, so the refusal carries the Basic challenge a real one would.
      expect(seen.response.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
    // A client_secret_post client gets no challenge.
    const posted = await refusal(oidc.clientCredentialsGrant(worker));
    expect(posted).toMatchObject({ status: 401, error: 'invalid_client' });
    expect(posted.response.headers.get('www-authenticate')).toBeNull();
    expect((await activeFaults())[0]).toMatchObject({ applied: 4, remaining_requests: null });

    await moveProviderClock(31);
    expect((await signIn()).access_token).toBeTruthy();
    expect(await activeFaults()).toEqual([]);
    const [expired] = await eventsOf('fault.expired');
    expect(expired?.data).toMatchObject({ fault_id: fault.id, reason: 'seconds', applied: 4 });
  });
});

describe('faults on discovery and the JWKS', () => {
  it("openid-client's discovery refuses a document naming another issuer, once", async () => {
    await addFault({ endpoint: 'discovery', effect: { kind: 'discovery_wrong_issuer' }, requests: 1 });
    await expect(rp('web', 'web-secret')).rejects.toThrow(/issuer/i);
    const config = await rp('web', 'web-secret');
    expect(config.serverMetadata().issuer).toBe(engine.issuer);

    await addFault({
      endpoint: 'discovery',
      effect: { kind: 'discovery_wrong_issuer', issuer: 'https://elsewhere.test' },
      requests: 1,
    });
    const raw = await fetch(`${engine.issuer}/.well-known/oauth-authorization-server`);
    expect(((await raw.json()) as { issuer: string }).issuer).toBe('https://elsewhere.test');
    // The cached document is untouched by the faulted one.
    const normal = await fetch(`${engine.issuer}/.well-known/openid-configuration`);
    expect(((await normal.json()) as { issuer: string }).issuer).toBe(engine.issuer);
  });

  it('a JWKS without the current key fails a fresh token in jose until the fault expires', async () => {
    // Two published keys, so the faulted set is a plausible stale one (the previous key only).
    await engine.call('keys.rotate', {});
    const { access_token } = await signIn();
    const jwks = createRemoteJWKSet(new URL(`${engine.issuer}/jwks`), { cooldownDuration: 0 });
    await addFault({ endpoint: 'jwks', effect: { kind: 'jwks_missing_current_key' }, seconds: 60 });

    await expect(jwtVerify(access_token, jwks, { issuer: engine.issuer })).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    });
    const served = (await (await fetch(`${engine.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    const keys = (await engine.call('keys.list', {})) as { kid: string; status: string }[];
    const current = keys.find((key) => key.status === 'current')?.kid;
    expect(served.keys.map((key) => key.kid)).not.toContain(current);
    expect(served.keys).toHaveLength(1);

    await moveProviderClock(61);
    const verified = await jwtVerify(access_token, jwks, { issuer: engine.issuer });
    expect(verified.payload.sub).toBe('alice-sub');
  });

  it('latency: discovery answers at least the added milliseconds late, for one request', async () => {
    await addFault({ endpoint: 'discovery', effect: { kind: 'latency', ms: 400 }, requests: 1 });
    const slow = await timed(() => fetch(`${engine.issuer}/.well-known/openid-configuration`));
    expect(slow.value.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(400);
    const fast = await timed(() => fetch(`${engine.issuer}/.well-known/openid-configuration`));
    expect(fast.value.status).toBe(200);
    expect(fast.ms).toBeLessThan(400);
  });
});

describe('faults on the resource endpoints and /authorize', () => {
  it('introspection 500 and userinfo invalid_token, seen by openid-client', async () => {
    const { access_token } = await signIn();
    await addFault({ endpoint: 'introspection', effect: { kind: 'error_status', status: 500 }, requests: 1 });
    expect(await refusal(oidc.tokenIntrospection(gateway, access_token))).toMatchObject({
      status: 500,
      error: 'server_error',
    });
    expect((await oidc.tokenIntrospection(gateway, access_token)).active).toBe(true);

    await addFault({
      endpoint: 'userinfo',
      effect: { kind: 'oauth_error', error: 'invalid_token' },
      requests: 1,
    });
    expect(await refusal(oidc.fetchUserInfo(script, access_token, 'alice-sub'))).toMatchObject({
      status: 401,
      error: 'invalid_token',
    });
    expect((await oidc.fetchUserInfo(script, access_token, 'alice-sub')).name).toBe('Alice');
  });

  it('connection reset: fetch fails without an answer, then the endpoint answers again', async () => {
    const { access_token } = await signIn();
    await addFault({ endpoint: 'userinfo', effect: { kind: 'connection_reset' }, requests: 1 });
    const userinfo = () =>
      fetch(`${engine.issuer}/userinfo`, { headers: { authorization: `Bearer ${access_token}` } });
    await expect(userinfo()).rejects.toThrow(/fetch failed/);
    expect((await userinfo()).status).toBe(200);

    await addFault({ endpoint: 'revocation', effect: { kind: 'connection_reset' }, requests: 1 });
    await expect(oidc.tokenRevocation(script, access_token)).rejects.toThrow();
    await oidc.tokenRevocation(script, access_token);
  });

  it('/authorize sends an OAuth error fault back to the redirect_uri, where openid-client sees it', async () => {
    await addFault({
      endpoint: 'authorize',
      effect: { kind: 'oauth_error', error: 'temporarily_unavailable' },
      requests: 1,
    });
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(web, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state,
    });
    const answer = await fetch(url, { redirect: 'manual' });
    const location = new URL(answer.headers.get('location') as string);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    await expect(
      oidc.authorizationCodeGrant(web, location, { expectedState: state, pkceCodeVerifier: 'x'.repeat(43) }),
    ).rejects.toMatchObject({ error: 'temporarily_unavailable' });

    // Used up: the next request shows the login page, and a sign-in goes through.
    const browser = new FormBrowser();
    const callback = new URL(await browser.signIn(url.href, 'alice', 'alice-pw'));
    expect(callback.searchParams.get('code')).toBeTruthy();
  });

  it('/authorize answers a 503 outage itself', async () => {
    await addFault({ endpoint: 'authorize', effect: { kind: 'error_status', status: 503 }, requests: 1 });
    const answer = await fetch(`${engine.issuer}/authorize?client_id=web`, { redirect: 'manual' });
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });
});

describe('turning faults off', () => {
  it('faults.clear turns every fault off at once, and faults.remove one', async () => {
    const kept = await addFault({ endpoint: 'token', effect: { kind: 'error_status', status: 503 } });
    await addFault({ endpoint: 'jwks', effect: { kind: 'connection_reset' } });
    await addFault({ endpoint: 'discovery', effect: { kind: 'latency', ms: 50 }, seconds: 600 });
    const until = await addFault({ endpoint: 'userinfo', effect: { kind: 'error_status', status: 500 } });
    expect((await activeFaults()).map((fault) => fault.id)).toHaveLength(4);

    expect(await engine.call('faults.remove', { id: until.id })).toEqual({ removed: true });
    await expect(engine.call('faults.remove', { id: until.id })).rejects.toMatchObject({ code: 'not_found' });
    // Until turned off: any number of requests.
    for (let i = 0; i < 3; i++) await expect(oidc.clientCredentialsGrant(worker)).rejects.toThrow();
    await expect(fetch(`${engine.issuer}/jwks`)).rejects.toThrow();
    expect((await activeFaults()).find((fault) => fault.id === kept.id)?.applied).toBe(3);

    expect(await engine.call('faults.clear', {})).toEqual({ cleared: 3 });
    expect(await activeFaults()).toEqual([]);
    expect((await oidc.clientCredentialsGrant(worker)).access_token).toBeTruthy();
    expect((await fetch(`${engine.issuer}/jwks`)).status).toBe(200);
    const [cleared] = await eventsOf('faults.cleared');
    expect(cleared?.data).toEqual({ cleared: 3 });
  });

  it('a timed fault ends by itself when its time has run out, with no request to notice it', async () => {
    const lines: string[] = [];
    const stop = logFaults(engine, (line) => lines.push(line));
    try {
      const fault = await addFault({ endpoint: 'token', effect: { kind: 'connection_reset' }, seconds: 5 });
      await moveProviderClock(6);
      // The board checks timed faults every second; nothing here asks it.
      const deadline = Date.now() + 3000;
      while (lines.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(lines[1]).toBe(
        `fault off: token → connection reset for 5 s (id ${fault.id}), its time ran out (applied 0 times)`,
      );
    } finally {
      stop();
    }
    expect(await activeFaults()).toEqual([]);
  });

  it('gives a listener with an interest (the CLI fault log) the events of its types only', async () => {
    const fault: EngineEvent[] = [];
    const every: EngineEvent[] = [];
    const stopFault = engine.subscribe(
      (event) => fault.push(event),
      (type) => type.startsWith('fault'),
    );
    const stopEvery = engine.subscribe((event) => every.push(event));
    try {
      const added = await addFault({ endpoint: 'jwks', effect: { kind: 'latency', ms: 1 } });
      expect((await oidc.clientCredentialsGrant(worker)).access_token).toBeTruthy();
      await engine.call('faults.remove', { id: added.id });
    } finally {
      stopFault();
      stopEvery();
    }
    expect(fault.map((event) => event.type)).toEqual(['fault.added', 'fault.removed']);
    expect(every.map((event) => event.type)).toContain('token.issued');
  });

  it('refuses faults that cannot be, adding nothing', async () => {
    const bad: unknown[] = [
      { endpoint: 'logout', effect: { kind: 'latency', ms: 10 } },
      { endpoint: 'token', effect: { kind: 'jwks_missing_current_key' } },
      { endpoint: 'jwks', effect: { kind: 'discovery_wrong_issuer' } },
      { endpoint: 'jwks', effect: { kind: 'oauth_error', error: 'invalid_grant' } },
      { endpoint: 'token', effect: { kind: 'latency', ms: 10 }, requests: 0 },
      { endpoint: 'token', effect: { kind: 'latency', ms: 10 }, requests: -1 },
      { endpoint: 'token', effect: { kind: 'latency', ms: 10 }, seconds: 0 },
      { endpoint: 'token', effect: { kind: 'latency', ms: 10 }, requests: 1, seconds: 5 },
      { endpoint: 'userinfo', effect: { kind: 'latency', ms: 10 }, grant_type: 'refresh_token' },
      { endpoint: 'token', effect: { kind: 'error_status', status: 502 } },
      { endpoint: 'token', effect: { kind: 'oauth_error', error: 'bad "code"' } },
      { endpoint: 'token', effect: { kind: 'teapot' } },
    ];
    for (const input of bad) {
      await expect(engine.call('faults.add', input), JSON.stringify(input)).rejects.toMatchObject({
        code: 'invalid_input',
      });
    }
    await expect(
      engine.call('faults.add', { endpoint: 'token', effect: { kind: 'jwks_missing_current_key' } }),
    ).rejects.toThrow(/jwks_missing_current_key cannot be put on token; it fits jwks/);
    expect(await activeFaults()).toEqual([]);
  });

  it('says each change in one line for the CLI log, and records it in the event log', async () => {
    const lines: string[] = [];
    const stop = logFaults(engine, (line) => lines.push(line));
    try {
      const used = await addFault({
        endpoint: 'token',
        grant_type: 'refresh_token',
        effect: { kind: 'oauth_error', error: 'invalid_grant' },
        requests: 1,
      });
      const removed = await addFault({
        endpoint: 'token',
        effect: { kind: 'error_status', status: 503 },
        requests: 2,
      });
      await engine.call('faults.remove', { id: removed.id });
      await addFault({ endpoint: 'jwks', effect: { kind: 'connection_reset' } });
      await refusal(oidc.refreshTokenGrant(script, (await signIn()).refresh_token as string));
      await engine.call('faults.clear', {});
      expect(lines).toEqual([
        `fault on: token (refresh_token) → invalid_grant for the next request (id ${used.id})`,
        `fault on: token → 503 temporarily_unavailable for the next 2 requests (id ${removed.id})`,
        `fault off: token → 503 temporarily_unavailable for the next 2 requests (id ${removed.id}), turned off`,
        expect.stringMatching(/^fault on: jwks → connection reset until turned off \(id f\d+\)$/),
        `fault off: token (refresh_token) → invalid_grant for the next request (id ${used.id}), its requests are used (applied 1 times)`,
        'faults off: all 1 turned off',
      ]);
    } finally {
      stop();
    }
    const added = await eventsOf('fault.added');
    expect(added[0]?.data).toMatchObject({ endpoint: 'jwks', kind: 'connection_reset' });
  });
});

describe('faults seen through the flow playground', () => {
  it('shows what a client sees: the token endpoint answers 503 while the fault is on, then the flow works', async () => {
    await addFault({ endpoint: 'token', effect: { kind: 'error_status', status: 503 }, requests: 1 });
    const failed = (await engine.call('playground.run', {
      flow: 'client_credentials',
      client_id: 'worker',
    })) as {
      ok: boolean;
      steps: { http: { response: { status: number; body: string } } | null }[];
    };
    expect(failed.ok).toBe(false);
    const answer = failed.steps.find((step) => step.http)?.http?.response;
    expect(answer?.status).toBe(503);
    expect(answer?.body).toContain('temporarily_unavailable');

    const next = (await engine.call('playground.run', {
      flow: 'client_credentials',
      client_id: 'worker',
    })) as {
      ok: boolean;
    };
    expect(next.ok).toBe(true);
  });
});
