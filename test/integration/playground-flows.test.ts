import fs from 'node:fs';
import path from 'node:path';
import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput, PlaygroundInput } from '../../shared/contract';
import {
  DEVICE_CODE_GRANT,
  JWT_BEARER_GRANT,
  TOKEN_EXCHANGE_GRANT,
  type Workspace,
} from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import { type AdminHttpError, adminHttp } from '../helpers/script-http';

// The playground's new flows, run through the admin HTTP API as the UI runs them: every step's
// request, status and spec section, and tokens that jose verifies against the provider's JWKS.

type Output = AdminOutput<'playground.run'>;
type Step = Output['steps'][number];

const REDIRECT = 'http://127.0.0.1:5173/callback';

let engine: Awaited<ReturnType<typeof startTestEngine>>;
let jwks: ReturnType<typeof createRemoteJWKSet>;
/** The private_key_jwt client's private key, as "Generate key pair" shows it once. */
let privateJwk: JWK;
let otherPrivateJwk: JWK;
/** The jwt_bearer trusted issuers' key pairs, as a developer makes them with jose (no kid, then one). */
const PARTNER = 'https://idp.partner.example';
const HR = 'https://hr.example';
let partnerPrivateJwk: JWK;
let partnerPublicJwk: JWK;
let hrPrivateJwk: JWK;
let hrPublicJwk: JWK;

function seed(publicJwk: JWK): Workspace {
  const confidential = { token_endpoint_auth_method: 'client_secret_post' as const };
  const keys = (jwk: JWK) => ({ keys: [jwk as Record<string, string>] });
  const partner = { issuer: PARTNER, jwks: keys(partnerPublicJwk) };
  return {
    users: [
      { username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { email: 'a@example.test' } },
    ],
    clients: [
      {
        client_id: 'front',
        client_secret: 'front-secret',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'password', 'client_credentials', 'refresh_token'],
        scope: 'openid profile email',
      },
      {
        client_id: 'orders-api',
        client_secret: 'orders-secret',
        ...confidential,
        grant_types: ['client_credentials', TOKEN_EXCHANGE_GRANT],
        scope: 'openid profile email',
      },
      {
        client_id: 'gateway',
        client_secret: 'gateway-secret',
        grant_types: [TOKEN_EXCHANGE_GRANT],
        token_exchange: { allowed_audiences: [], may_impersonate: true, allow_refresh_token_subject: false },
        access_token_format: 'reference',
      },
      {
        client_id: 'tv',
        token_endpoint_auth_method: 'none',
        grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
        scope: 'openid profile offline_access',
      },
      {
        client_id: 'spa',
        token_endpoint_auth_method: 'none',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code'],
        scope: 'openid profile',
      },
      {
        client_id: 'signed',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [publicJwk as Record<string, string>] },
        grant_types: ['client_credentials', 'password', TOKEN_EXCHANGE_GRANT],
        scope: 'openid profile',
      },
      {
        client_id: 'hmac',
        client_secret: 'a-long-enough-shared-secret-for-hs256-000',
        token_endpoint_auth_method: 'client_secret_jwt',
        grant_types: ['client_credentials'],
        scope: 'orders:read',
      },
      {
        client_id: 'partner',
        client_secret: 'partner-secret',
        grant_types: [JWT_BEARER_GRANT],
        scope: 'openid profile orders:read',
        jwt_bearer: { trusted_issuers: [partner] },
      },
      {
        client_id: 'partner-signed',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: keys(publicJwk),
        grant_types: [JWT_BEARER_GRANT],
        scope: 'orders:read',
        jwt_bearer: {
          trusted_issuers: [partner, { issuer: HR, jwks: keys(hrPublicJwk), subject_match: 'username' }],
        },
      },
    ],
  };
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateJwk = { ...(await exportJWK(pair.privateKey)), kid: 'signed-key-1' };
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'signed-key-1', alg: 'ES256', use: 'sig' };
  otherPrivateJwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
  const partner = await generateKeyPair('ES256', { extractable: true });
  partnerPrivateJwk = await exportJWK(partner.privateKey);
  partnerPublicJwk = await exportJWK(partner.publicKey);
  const hr = await generateKeyPair('RS256', { extractable: true });
  hrPrivateJwk = { ...(await exportJWK(hr.privateKey)), kid: 'hr-1' };
  hrPublicJwk = { ...(await exportJWK(hr.publicKey)), kid: 'hr-1', alg: 'RS256', use: 'sig' };
  engine = await startTestEngine({ seed: seed(publicJwk) });
  jwks = createRemoteJWKSet(new URL(`${engine.issuer}/jwks`));
});
afterAll(async () => {
  await engine.cleanup();
});

const play = (input: PlaygroundInput) => adminHttp<Output>(engine, 'playground.run', input);
const refused = (input: PlaygroundInput) =>
  play(input).then(
    () => {
      throw new Error('playground.run should have been refused');
    },
    (error: AdminHttpError) => error,
  );
const titles = (out: Output) => out.steps.map((s) => s.title);
const statuses = (out: Output) => out.steps.map((s) => s.http?.response.status ?? null);
const body = (step: Step | undefined) =>
  JSON.parse(step?.http?.response.body ?? '{}') as Record<string, unknown>;
const value = (step: Step | undefined, name: string) => step?.values[name] as Record<string, unknown>;

async function verifyAccessToken(token: string, audience?: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, jwks, {
    issuer: engine.issuer,
    typ: 'at+jwt',
    ...(audience ? { audience } : {}),
  });
  return payload;
}

describe('playground: token exchange (RFC 8693)', () => {
  it('delegation: a user token, the second client’s actor token, the exchange with act, introspection', async () => {
    const out = await play({
      flow: 'token_exchange',
      client_id: 'front',
      username: 'alice',
      actor_client_id: 'orders-api',
      exchange_mode: 'delegation',
    });
    expect(out.ok).toBe(true);
    expect(titles(out)).toEqual([
      'Client → POST /token (password, as alice)',
      'Actor orders-api → POST /token (client_credentials)',
      'orders-api → POST /token (token exchange, delegation)',
      'Resource server → POST /introspect',
    ]);
    expect(statuses(out)).toEqual([200, 200, 200, 200]);
    expect(out.steps.map((s) => s.spec)).toEqual([
      'RFC 6749 §4.3, RFC 9700 §2.4',
      'RFC 6749 §4.4',
      'RFC 8693 §2.1, §2.2.1, §4.1',
      'RFC 7662 §2.1–2.2, RFC 8693 §4',
    ]);
    const [subject, actor, exchange, introspection] = out.steps;
    const subjectToken = body(subject).access_token as string;
    const actorToken = body(actor).access_token as string;
    const sent = new URLSearchParams(exchange?.http?.request.body ?? '');
    expect(sent.get('grant_type')).toBe(TOKEN_EXCHANGE_GRANT);
    expect(sent.get('subject_token')).toBe(subjectToken);
    expect(sent.get('actor_token')).toBe(actorToken);
    expect(sent.get('client_secret')).toBe('orders-secret');
    expect(exchange?.values.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
    expect(exchange?.values.act).toEqual({ sub: 'orders-api', client_id: 'orders-api' });

    const exchanged = await verifyAccessToken(out.tokens.access_token as string, 'orders-api');
    expect(exchanged).toMatchObject({
      sub: 'alice-sub',
      client_id: 'orders-api',
      act: { sub: 'orders-api' },
    });
    expect((await verifyAccessToken(subjectToken)).sub).toBe('alice-sub');
    expect(value(introspection, 'introspection')).toMatchObject({
      active: true,
      sub: 'alice-sub',
      act: { sub: 'orders-api', client_id: 'orders-api' },
    });
    expect(introspection?.values.act).toEqual({ sub: 'orders-api', client_id: 'orders-api' });
  });

  it('impersonation: a client token exchanged with no actor token gives no act', async () => {
    const out = await play({
      flow: 'token_exchange',
      client_id: 'front',
      actor_client_id: 'gateway',
      exchange_mode: 'impersonation',
    });
    expect(out.ok).toBe(true);
    expect(titles(out)).toEqual([
      'Service → POST /token (client_credentials)',
      'gateway → POST /token (token exchange, impersonation)',
      'Resource server → POST /introspect',
    ]);
    expect(out.steps[1]?.spec).toBe('RFC 8693 §1.1, §2.1, §2.2.1');
    expect(new URLSearchParams(out.steps[1]?.http?.request.body ?? '').has('actor_token')).toBe(false);
    // gateway issues reference tokens: act is read from introspection, and there is none.
    expect(out.steps[1]?.values.act).toBeNull();
    expect(value(out.steps[2], 'introspection')).toMatchObject({ active: true, sub: 'front' });
    expect(value(out.steps[2], 'introspection')).not.toHaveProperty('act');
  });

  it('shows the provider refusing an impersonation the client is not allowed, and refuses a bad setup', async () => {
    const out = await play({
      flow: 'token_exchange',
      client_id: 'front',
      actor_client_id: 'orders-api',
      exchange_mode: 'impersonation',
    });
    expect(out.ok).toBe(false);
    expect(statuses(out)).toEqual([200, 400]);
    expect(body(out.steps[1])).toMatchObject({ error: 'invalid_request' });
    expect(String(body(out.steps[1]).error_description)).toContain('may not impersonate');

    const error = await refused({ flow: 'token_exchange', client_id: 'front', actor_client_id: 'tv' });
    expect(error.status).toBe(400);
    expect(error.body.message).toContain('not allowed the token-exchange grant');
  });
});

describe('playground: device authorization (RFC 8628)', () => {
  it('requests codes, polls too early, the user approves, the next poll gets verifiable tokens', async () => {
    const out = await play({ flow: 'device_code', client_id: 'tv', username: 'alice' });
    expect(out.ok).toBe(true);
    expect(titles(out)).toEqual([
      'Device → POST /device_authorization',
      'Device → POST /token (poll: authorization_pending)',
      'User approves the device as alice',
      'Device → POST /token (poll: tokens)',
    ]);
    expect(statuses(out)).toEqual([200, 400, null, 200]);
    expect(out.steps.map((s) => s.spec)).toEqual([
      'RFC 8628 §3.1, §3.2',
      'RFC 8628 §3.4, §3.5',
      'RFC 8628 §3.3, §3.3.1',
      'RFC 8628 §3.4, §3.5, RFC 6749 §5.1',
    ]);
    const [start, pending, approval, tokens] = out.steps;
    const userCode = start?.values.user_code as string;
    expect(userCode).toMatch(/^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/);
    expect(start?.values.verification_uri_complete).toBe(
      `${engine.issuer}/device?user_code=${encodeURIComponent(userCode)}`,
    );
    expect(pending?.values.error).toBe('authorization_pending');
    expect(approval?.explanation).toContain('verification_uri_complete');
    expect(approval?.values).toMatchObject({ approved: true, approved_as: 'alice' });
    expect(new URLSearchParams(tokens?.http?.request.body ?? '').get('grant_type')).toBe(DEVICE_CODE_GRANT);

    expect((await verifyAccessToken(out.tokens.access_token as string)).sub).toBe('alice-sub');
    const { payload } = await jwtVerify(out.tokens.id_token as string, jwks, {
      issuer: engine.issuer,
      audience: 'tv',
    });
    expect(payload.sub).toBe('alice-sub');
    expect(out.tokens.refresh_token).toEqual(expect.any(String));
    const devices = await adminHttp<AdminOutput<'devices.list'>>(engine, 'devices.list');
    expect(devices.find((d) => d.user_code === userCode)).toMatchObject({
      status: 'redeemed',
      username: 'alice',
    });
  });

  it('refuses a client without the device grant before sending anything', async () => {
    const error = await refused({ flow: 'device_code', client_id: 'spa', username: 'alice' });
    expect(error.body).toMatchObject({ code: 'invalid_input' });
    expect(error.body.message).toContain('device_code grant');
  });
});

describe('playground: DPoP (RFC 9449)', () => {
  it('binds the token to an ephemeral key, calls userinfo with a proof, and is refused without one', async () => {
    const out = await play({ flow: 'dpop', client_id: 'front', username: 'alice' });
    expect(out.ok).toBe(true);
    expect(titles(out)).toEqual([
      'Client generates its DPoP key pair',
      'Client → POST /token (password, as alice)',
      'Client → GET /userinfo (Authorization: DPoP, with a proof)',
      'Someone with the token but not the key → GET /userinfo (no proof): refused',
    ]);
    expect(statuses(out)).toEqual([null, 200, 200, 401]);
    expect(out.steps.map((s) => s.spec)).toEqual([
      'RFC 9449 §2, RFC 7638 §3',
      'RFC 6749 §4.3, RFC 9700 §2.4, RFC 9449 §4.2, §5, §6.1',
      'RFC 9449 §4.2, §7.1, OIDC Core §5.3',
      'RFC 9449 §7.1, §4.3, RFC 6750 §3',
    ]);
    const [keyStep, token, withProof, without] = out.steps;
    const jkt = keyStep?.values.jkt as string;
    expect(jkt).toBe(await calculateJwkThumbprint(keyStep?.values.public_jwk as JWK));

    const proof = value(token, 'dpop_proof');
    expect(proof.header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256', jwk: keyStep?.values.public_jwk });
    expect(proof.payload).toMatchObject({ htm: 'POST', htu: `${engine.issuer}/token` });
    expect(token?.values).toMatchObject({ token_type: 'DPoP', cnf_jkt: jkt, jkt_matches_key: true });
    expect(out.tokens.token_type).toBe('DPoP');
    const payload = await verifyAccessToken(out.tokens.access_token as string);
    expect(payload.cnf).toEqual({ jkt });

    expect(withProof?.http?.request.headers.authorization).toBe(`DPoP ${out.tokens.access_token}`);
    expect(value(withProof, 'dpop_proof').payload).toMatchObject({
      htm: 'GET',
      htu: `${engine.issuer}/userinfo`,
      ath: expect.stringMatching(/^[\w-]{43}$/),
    });
    expect(body(withProof)).toMatchObject({ sub: 'alice-sub', email: 'a@example.test' });

    expect(without?.http?.request.headers).not.toHaveProperty('dpop');
    expect(without?.values.error).toBe('invalid_dpop_proof');
    expect(String(without?.values.www_authenticate)).toMatch(/^DPoP .*error="invalid_dpop_proof"/);
  });

  it('runs the browser code flow for a public client, redeeming the code with a proof', async () => {
    const out = await play({ flow: 'dpop', client_id: 'spa', username: 'alice' });
    expect(out.ok).toBe(true);
    expect(titles(out).slice(1, 5)).toEqual([
      'Client prepares PKCE, state and nonce',
      'Browser → GET /authorize',
      'User signs in as alice → POST /login',
      'Client → POST /token (authorization_code)',
    ]);
    expect(out.steps[4]?.http?.request.headers.dpop).toEqual(expect.any(String));
    expect(out.steps[4]?.values.token_type).toBe('DPoP');
    expect(statuses(out).slice(-2)).toEqual([200, 401]);
  });
});

describe('playground: JWT client authentication (RFC 7523, OIDC Core §9)', () => {
  it('says what to paste when a private_key_jwt client has no key, and refuses a key that is not one', async () => {
    const missing = await refused({ flow: 'client_credentials', client_id: 'signed' });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('invalid_input');
    expect(missing.body.message).toContain('private_key_jwt');
    expect(missing.body.message).toContain('paste the private JWK');
    expect(missing.body.message).toContain('client_private_jwk');

    const { d: _d, ...publicOnly } = privateJwk;
    const notPrivate = await refused({
      flow: 'client_credentials',
      client_id: 'signed',
      client_private_jwk: JSON.stringify(publicOnly),
    });
    expect(notPrivate.body.message).toContain('has no "d"');

    const garbled = `{"kty":"EC","d":"${privateJwk.d}"`;
    const notJson = await refused({
      flow: 'client_credentials',
      client_id: 'signed',
      client_private_jwk: garbled,
    });
    expect(notJson.body.message).toContain('is not JSON');
    expect(JSON.stringify(notJson.body)).not.toContain(privateJwk.d);
  });

  it('signs a client assertion with the pasted key, shows it, and never returns or stores the key', async () => {
    const pasted = JSON.stringify(privateJwk);
    const out = await play({ flow: 'client_credentials', client_id: 'signed', client_private_jwk: pasted });
    expect(out.ok).toBe(true);
    expect(statuses(out)).toEqual([200, 200]);
    const [token, introspection] = out.steps;
    expect(token?.spec).toBe('RFC 6749 §4.4, RFC 7523 §2.2, OIDC Core §9');
    expect(value(token, 'client_assertion')).toMatchObject({
      header: { alg: 'ES256', kid: 'signed-key-1', typ: 'JWT' },
      payload: { iss: 'signed', sub: 'signed', aud: engine.issuer },
    });
    const sent = new URLSearchParams(token?.http?.request.body ?? '');
    expect(sent.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    // The assertion verifies with the registered public key; each request gets a new one (jti).
    const { d: _d, ...publicJwk } = privateJwk;
    const { payload } = await jwtVerify(
      sent.get('client_assertion') as string,
      await importJWK(publicJwk, 'ES256'),
      {
        issuer: 'signed',
        subject: 'signed',
        audience: engine.issuer,
      },
    );
    const second = value(introspection, 'client_assertion').payload as JWTPayload;
    expect(payload.jti).toEqual(expect.any(String));
    expect(second.jti).not.toBe(payload.jti);
    expect(value(introspection, 'introspection')).toMatchObject({ active: true, client_id: 'signed' });
    expect((await verifyAccessToken(out.tokens.access_token as string)).client_id).toBe('signed');

    // The key is in neither the output, nor the events, nor any file of the data folder.
    const secret = privateJwk.d as string;
    expect(JSON.stringify(out)).not.toContain(secret);
    const events = await adminHttp<unknown[]>(engine, 'events.list', { limit: 5000 });
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(secret);
    const dataDir = engine.dataDir as string;
    for (const name of fs.readdirSync(dataDir)) {
      const file = path.join(dataDir, name);
      if (fs.statSync(file).isFile()) expect(fs.readFileSync(file).includes(secret)).toBe(false);
    }
  });

  it('shows the provider’s 401 when the pasted key is not the registered one', async () => {
    const out = await play({
      flow: 'client_credentials',
      client_id: 'signed',
      client_private_jwk: JSON.stringify(otherPrivateJwk),
    });
    expect(out.ok).toBe(false);
    expect(statuses(out)).toEqual([401]);
    expect(body(out.steps[0])).toMatchObject({ error: 'invalid_client' });
    expect(JSON.stringify(out)).not.toContain(otherPrivateJwk.d);
  });

  it('uses client_secret_jwt with the stored secret, and JWT auth in the new flows too', async () => {
    const hmac = await play({ flow: 'client_credentials', client_id: 'hmac' });
    expect(hmac.ok).toBe(true);
    expect(value(hmac.steps[0], 'client_assertion')).toMatchObject({ header: { alg: 'HS256' } });

    const exchange = await play({
      flow: 'token_exchange',
      client_id: 'front',
      username: 'alice',
      actor_client_id: 'signed',
      actor_private_jwk: JSON.stringify(privateJwk),
    });
    expect(exchange.ok).toBe(true);
    expect(statuses(exchange)).toEqual([200, 200, 200, 200]);
    expect(exchange.steps.slice(1).every((s) => 'client_assertion' in s.values)).toBe(true);
    expect(exchange.steps[2]?.values.act).toEqual({ sub: 'signed', client_id: 'signed' });
    expect(JSON.stringify(exchange)).not.toContain(privateJwk.d);

    const dpop = await play({
      flow: 'dpop',
      client_id: 'signed',
      username: 'alice',
      client_private_jwk: JSON.stringify(privateJwk),
    });
    expect(dpop.ok).toBe(true);
    expect(dpop.steps[1]?.values).toHaveProperty('client_assertion');
    expect(dpop.steps[1]?.values.token_type).toBe('DPoP');
  });
});

describe('playground: JWT bearer grant (RFC 7523 §2.1)', () => {
  /** The jwt_bearer flow for partner about alice, signed with the partner issuer's key, changed as told. */
  const bearer = (input: Partial<PlaygroundInput> = {}) =>
    ({
      flow: 'jwt_bearer',
      client_id: 'partner',
      username: 'alice',
      assertion_private_jwk: JSON.stringify(partnerPrivateJwk),
      ...input,
    }) as PlaygroundInput;
  type Decoded = { header: Record<string, unknown>; payload: JWTPayload };
  const sent = (step: Step | undefined) => new URLSearchParams(step?.http?.request.body ?? '');
  const tokenRequests = async () =>
    (await adminHttp<unknown[]>(engine, 'events.list', { endpoint: 'token', limit: 5000 })).length;

  it('signs an assertion about the user, trades it, introspects the token, and is refused on replay', async () => {
    const out = await play(bearer());
    expect(out.ok).toBe(true);
    expect(titles(out)).toEqual([
      `Issuer ${PARTNER} signs an assertion about alice`,
      'Client → POST /token (jwt-bearer, for alice)',
      'Resource server → POST /introspect',
      'Client → POST /token again with the same assertion: refused (replay)',
    ]);
    expect(statuses(out)).toEqual([null, 200, 200, 400]);
    expect(out.steps.map((s) => s.spec)).toEqual([
      'RFC 7523 §3, RFC 7519 §4.1',
      'RFC 7523 §2.1, §3.1, RFC 7521 §4.1, RFC 6749 §5.1',
      'RFC 7662 §2.1–2.2',
      'RFC 7523 §3, §3.1',
    ]);
    const [signed, grant, introspection, replay] = out.steps;

    // Step 1: the assertion as shown, with what the provider checks in each claim.
    const shown = value(signed, 'assertion') as Decoded;
    expect(shown.header).toEqual({ alg: 'ES256', typ: 'JWT' });
    expect(shown.payload).toMatchObject({ iss: PARTNER, sub: 'alice-sub', aud: `${engine.issuer}/token` });
    expect((shown.payload.exp as number) - (shown.payload.iat as number)).toBe(300);
    expect(shown.payload.jti).toEqual(expect.any(String));
    const checked = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'signature'];
    expect(Object.keys(value(signed, 'provider_checks'))).toEqual(checked);
    expect(signed?.values.key_is_registered).toBe(true);
    expect(signed?.values.issuer_public_jwk).toEqual(partnerPublicJwk);

    // Step 2: the assertion sent is the one shown, and it verifies with the issuer's public key.
    const form = sent(grant);
    expect(form.get('grant_type')).toBe(JWT_BEARER_GRANT);
    const assertion = form.get('assertion') as string;
    const verified = await jwtVerify(assertion, await importJWK(partnerPublicJwk, 'ES256'), {
      issuer: PARTNER,
      audience: `${engine.issuer}/token`,
      subject: 'alice-sub',
    });
    expect(verified.payload).toEqual(shown.payload);
    expect(grant?.http?.request.headers.authorization).toMatch(/^Basic /);
    const answer = body(grant);
    expect(answer).toMatchObject({ token_type: 'Bearer', scope: 'openid profile orders:read' });
    expect(answer).not.toHaveProperty('refresh_token');
    expect(answer).not.toHaveProperty('id_token');
    expect(grant?.values.refresh_token).toBeNull();
    expect(grant?.explanation).toContain('No refresh token');
    const claims = await verifyAccessToken(out.tokens.access_token as string);
    expect(claims).toMatchObject({
      sub: 'alice-sub',
      client_id: 'partner',
      scope: 'openid profile orders:read',
    });
    expect(out.tokens.refresh_token).toBeUndefined();

    // Step 3: introspection says whose token it is.
    expect(value(introspection, 'introspection')).toMatchObject({
      active: true,
      sub: 'alice-sub',
      client_id: 'partner',
    });
    expect(introspection?.values.sub_is_the_user).toBe(true);

    // Step 4: the very same assertion, refused as a replay.
    expect(sent(replay).get('assertion')).toBe(assertion);
    expect(replay?.values.error).toBe('invalid_grant');
    expect(replay?.values.error_description).toMatch(/already used/);
  });

  it('acts as another trusted issuer (sub by username), with a private_key_jwt client', async () => {
    const out = await play(
      bearer({
        client_id: 'partner-signed',
        assertion_issuer: HR,
        assertion_private_jwk: JSON.stringify(hrPrivateJwk),
        client_private_jwk: JSON.stringify(privateJwk),
      }),
    );
    expect(out.ok).toBe(true);
    expect(statuses(out)).toEqual([null, 200, 200, 400]);
    const [signed, grant, introspection, replay] = out.steps;
    const shown = value(signed, 'assertion') as Decoded;
    expect(shown.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'hr-1' });
    expect(shown.payload).toMatchObject({ iss: HR, sub: 'alice' });
    // The client authenticates with its own key: a client assertion beside the grant's assertion.
    expect(grant?.spec).toBe(
      'RFC 7523 §2.1, §3.1, RFC 7521 §4.1, RFC 6749 §5.1, RFC 7523 §2.2, OIDC Core §9',
    );
    expect(value(grant, 'client_assertion')).toMatchObject({
      header: { kid: 'signed-key-1' },
      payload: { iss: 'partner-signed', sub: 'partner-signed' },
    });
    expect(value(replay, 'client_assertion')).toBeDefined();
    expect((await verifyAccessToken(out.tokens.access_token as string)).sub).toBe('alice-sub');
    expect(value(introspection, 'introspection')).toMatchObject({ active: true, sub: 'alice-sub' });
    for (const secret of [hrPrivateJwk.d, privateJwk.d]) expect(JSON.stringify(out)).not.toContain(secret);
  });

  it('shows the provider refusing an assertion signed with a key the client does not trust', async () => {
    const out = await play(bearer({ assertion_private_jwk: JSON.stringify(otherPrivateJwk) }));
    expect(out.ok).toBe(false);
    expect(statuses(out)).toEqual([null, 400]);
    expect(out.steps[0]?.values.key_is_registered).toBe(false);
    expect(body(out.steps[1])).toMatchObject({ error: 'invalid_grant' });
    expect(JSON.stringify(out)).not.toContain(otherPrivateJwk.d);
  });

  it('refuses, before any request, a client without the grant, an untrusted issuer, and a run without a key', async () => {
    const before = await tokenRequests();
    expect(before).toBeGreaterThan(0);
    const noGrant = await refused(bearer({ client_id: 'front' }));
    expect(noGrant.status).toBe(400);
    expect(noGrant.body.code).toBe('invalid_input');
    expect(noGrant.body.message).toContain(`add ${JWT_BEARER_GRANT} to its grant types`);
    expect(noGrant.body.message).toContain('jwt_bearer.trusted_issuers');

    const untrusted = await refused(bearer({ assertion_issuer: 'https://elsewhere.example' }));
    expect(untrusted.body.message).toContain(
      `is not a trusted issuer of client "partner" (trusted: "${PARTNER}")`,
    );

    // The empty case says what to paste, and how to make an issuer key when there is none at hand.
    for (const assertion_private_jwk of [undefined, '', '  \n']) {
      const noKey = await refused({ ...bearer(), assertion_private_jwk });
      expect(noKey.body.code).toBe('invalid_input');
      expect(noKey.body.message).toContain(`paste the private JWK of trusted issuer "${PARTNER}"`);
      expect(noKey.body.message).toContain('"Generate key pair" make client keys, not issuer keys');
      expect(noKey.body.message).toContain("node -e \"import('jose')");
    }

    const noUser = await refused({ ...bearer(), username: undefined });
    expect(noUser.body.message).toBe('Choose the user the assertion is about.');
    const elsewhere = await refused({ ...bearer(), flow: 'client_credentials', client_id: 'hmac' });
    expect(elsewhere.body.message).toBe('assertion_private_jwk is used only by the jwt_bearer flow.');
    expect(JSON.stringify(elsewhere.body)).not.toContain(partnerPrivateJwk.d);
    expect(await tokenRequests()).toBe(before);
  });

  it('never returns or stores the issuer key: not in the output, errors, the events, or the SQLite files', async () => {
    const secret = partnerPrivateJwk.d as string;
    const out = await play(bearer());
    expect(out.ok).toBe(true);
    expect(JSON.stringify(out)).not.toContain(secret);

    const garbled = await refused(bearer({ assertion_private_jwk: `{"kty":"EC","d":"${secret}"` }));
    expect(garbled.body.message).toContain('is not JSON');
    expect(JSON.stringify(garbled.body)).not.toContain(secret);
    const notPrivate = await refused(bearer({ assertion_private_jwk: JSON.stringify(partnerPublicJwk) }));
    expect(notPrivate.body.message).toContain('has no "d"');

    const events = await adminHttp<{ id: number; type: string }[]>(engine, 'events.list', { limit: 5000 });
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(secret);
    // The request log keeps each exchange's (redacted) request and response: the key is in none.
    for (const event of events.filter((e) => e.type === 'request')) {
      const exchange = await adminHttp<unknown>(engine, 'events.request', { event_id: event.id });
      expect(JSON.stringify(exchange)).not.toContain(secret);
    }
    const dataDir = engine.dataDir as string;
    const files = fs.readdirSync(dataDir).filter((name) => fs.statSync(path.join(dataDir, name)).isFile());
    expect(files).toContain('idp-sandbox.db');
    for (const name of files) expect(fs.readFileSync(path.join(dataDir, name)).includes(secret)).toBe(false);
  });
});
