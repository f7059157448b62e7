import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  compactVerify,
  createRemoteJWKSet,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  jwtVerify,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput } from '../../shared/contract';
import { BAD_TOKEN_VARIANTS, type BadToken, type BadTokenVariant } from '../../shared/lab';
import type { EngineEvent, SigningKey, Token, Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import { introspect } from '../helpers/oauth-http';

/**
 * Issue 17 §1, "Done when": a strict resource server, jose's jwtVerify against the provider's JWKS
 * fetched over HTTP, accepts the baseline and rejects every JWT variant; introspection answers exactly
 * {"active":false} for the bad reference tokens; every token made is recorded with its flaws.
 */

const API = 'orders-api';
/** A machine client without the refresh grant, reference tokens by default. */
const WORKER = {
  client_id: 'worker',
  client_secret: 'worker-secret',
  grant_types: ['client_credentials' as const],
  scope: 'orders:read',
  audience: [API],
  access_token_format: 'reference' as const,
};
const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice' } }],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: ['http://127.0.0.1:5173/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile orders:read',
      audience: [API],
    },
    WORKER,
    // The resource server: introspects every token (test/helpers/oauth-http.ts introspect()).
    {
      client_id: 'api',
      client_secret: 'api-secret',
      grant_types: ['client_credentials'],
      introspect_any_token: true,
    },
  ],
};

let engine: Awaited<ReturnType<typeof startTestEngine>>;
let jwks: ReturnType<typeof createRemoteJWKSet>;
beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED });
  jwks = createRemoteJWKSet(new URL(`${engine.issuer}/jwks`));
});
afterAll(async () => {
  await engine.cleanup();
});

const badTokens = (input: unknown) =>
  engine.call('lab.badTokens', input) as Promise<AdminOutput<'lab.badTokens'>>;
const tokenGet = (id: string) => engine.call('tokens.get', { id }) as Promise<AdminOutput<'tokens.get'>>;

/** Times one factory call (reported by the test run). */
async function timedBadTokens(input: unknown): Promise<AdminOutput<'lab.badTokens'>> {
  const started = performance.now();
  const output = await badTokens(input);
  console.info(`lab.badTokens(${JSON.stringify(input)}): ${(performance.now() - started).toFixed(0)} ms`);
  return output;
}

/**
 * The strict resource server's JWT check. Beyond issuer, audience and typ, RFC 9068 §2.2's required
 * claims (jose accepts a JWT without exp otherwise: missing_exp) and a maximum age (jose checks that
 * iat is not in the future only then: issued_in_future).
 */
const verify = (value: string) =>
  jwtVerify(value, jwks, {
    issuer: engine.issuer,
    audience: API,
    typ: 'at+jwt',
    requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
    maxTokenAge: '1 day',
  });

/** Variants jwtVerify must accept: genuine tokens whose flaw a resource server checks elsewhere. */
const VALID_JWT: Partial<Record<BadTokenVariant, string>> = {
  insufficient_scope: 'the scope check (RFC 6750 §3.1)',
  oversized: 'the request header limit (RFC 9110 §5.4; RFC 6585 §5)',
};

/** Why jwtVerify rejects each JWT variant: jose's error code, and the claim or header it names. */
const REJECTED_FOR: Partial<Record<BadTokenVariant, string>> = {
  expired: 'ERR_JWT_EXPIRED exp',
  not_yet_valid: 'ERR_JWT_CLAIM_VALIDATION_FAILED nbf',
  issued_in_future: 'ERR_JWT_CLAIM_VALIDATION_FAILED iat',
  wrong_issuer: 'ERR_JWT_CLAIM_VALIDATION_FAILED iss',
  wrong_audience: 'ERR_JWT_CLAIM_VALIDATION_FAILED aud',
  no_audience: 'ERR_JWT_CLAIM_VALIDATION_FAILED aud',
  id_token_typ: 'ERR_JWT_CLAIM_VALIDATION_FAILED typ',
  plain_jwt_typ: 'ERR_JWT_CLAIM_VALIDATION_FAILED typ',
  alg_none: 'ERR_JOSE_NOT_SUPPORTED',
  hs256_public_key: 'ERR_JOSE_NOT_SUPPORTED',
  unknown_kid: 'ERR_JWKS_NO_MATCHING_KEY',
  retired_kid: 'ERR_JWKS_NO_MATCHING_KEY',
  foreign_key_known_kid: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  payload_tampered: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  missing_exp: 'ERR_JWT_CLAIM_VALIDATION_FAILED exp',
  unknown_crit: 'ERR_JOSE_NOT_SUPPORTED',
  jku_header: 'ERR_JWKS_NO_MATCHING_KEY',
  x5u_header: 'ERR_JWKS_NO_MATCHING_KEY',
  embedded_jwk: 'ERR_JWKS_NO_MATCHING_KEY',
  id_token_as_access: 'ERR_JWT_CLAIM_VALIDATION_FAILED typ',
};

/** Asserts that jwtVerify rejects every JWT variant of `output`, each for its own reason. */
async function expectJwtVariantsRejected(output: AdminOutput<'lab.badTokens'>): Promise<void> {
  const jwtVariants = output.variants.filter((v) => v.format === 'jwt' && !VALID_JWT[v.variant]);
  expect(jwtVariants.map((v) => v.variant).sort()).toEqual(Object.keys(REJECTED_FOR).sort());
  for (const v of jwtVariants) {
    const error = await verify(v.value).then(
      () => ({ code: 'accepted', claim: undefined }),
      (e: { code: string; claim?: string }) => e,
    );
    const reason = [error.code, error.claim].filter(Boolean).join(' ');
    expect(reason, `jwtVerify on the ${v.variant} variant`).toBe(REJECTED_FOR[v.variant]);
  }
}

function byVariant(output: AdminOutput<'lab.badTokens'>): Map<BadTokenVariant, BadToken> {
  expect(output.variants.map((v) => v.variant)).toEqual([...BAD_TOKEN_VARIANTS]);
  return new Map(output.variants.map((v) => [v.variant, v]));
}

describe('lab.badTokens with a user and a JWT baseline', () => {
  let output: AdminOutput<'lab.badTokens'>;
  let variants: Map<BadTokenVariant, BadToken>;
  beforeAll(async () => {
    output = await timedBadTokens({ client_id: 'web', username: 'alice', required_scope: 'orders:read' });
    variants = byVariant(output);
  });

  it('makes every variant, each labelled with what is wrong, what to do and the specification', () => {
    for (const v of output.variants) {
      expect(v.title, v.variant).not.toBe('');
      expect(v.expected, v.variant).not.toBe('');
      expect(v.reference, v.variant).toMatch(/^(RFC \d+|OpenID)/);
      expect(v.value, v.variant).not.toBe('');
      expect(v.header === null, v.variant).toBe(v.format !== 'jwt');
    }
  });

  it('jwtVerify with the JWKS over HTTP accepts the baseline and rejects every JWT variant', async () => {
    expect(output.baseline.format).toBe('jwt');
    const { payload } = await verify(output.baseline.value);
    expect(payload).toMatchObject({ sub: 'alice-sub', scope: 'openid profile orders:read' });

    await expectJwtVariantsRejected(output);
    // The genuine ones fail elsewhere: one lacks the scope the API requires, one is too large to send.
    const insufficient = variants.get('insufficient_scope') as BadToken;
    expect((await verify(insufficient.value)).payload.scope).toBe('openid profile');
    expect((await verify((variants.get('oversized') as BadToken).value)).payload.iss).toBe(engine.issuer);
    // The non-JWT ones are no JWT at all.
    for (const variant of ['refresh_token_as_access', 'revoked_reference', 'expired_reference'] as const) {
      await expect(verify((variants.get(variant) as BadToken).value), variant).rejects.toThrow();
    }
  });

  it('makes the oversized token too large for a default Node.js server (431)', async () => {
    const oversized = variants.get('oversized') as BadToken;
    expect(oversized.value.length).toBeGreaterThan(16 * 1024);
    const server = http.createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const send = (token: string) => fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect((await send(output.baseline.value)).status).toBe(200);
      expect((await send(oversized.value)).status).toBe(431);
    } finally {
      server.close();
    }
  });

  it('makes the forged ones as described', () => {
    const header = (variant: BadTokenVariant) => (variants.get(variant) as BadToken).header ?? {};
    const currentKid = decodeProtectedHeader(output.baseline.value).kid;
    expect(header('alg_none')).toEqual({ alg: 'none', kid: currentKid, typ: 'at+jwt' });
    expect(header('hs256_public_key')).toEqual({ alg: 'HS256', kid: currentKid, typ: 'at+jwt' });
    expect(header('foreign_key_known_kid')).toMatchObject({ kid: currentKid });
    expect(header('unknown_kid').kid).not.toBe(currentKid);
    expect(header('jku_header').jku).toMatch(/^https:\/\/attacker\.example\//);
    expect(header('x5u_header').x5u).toMatch(/^https:\/\/attacker\.example\//);
    expect(header('embedded_jwk').jwk).toMatchObject({ kid: header('embedded_jwk').kid });
    expect(header('unknown_crit').crit).toHaveLength(1);
    expect(header('id_token_typ').typ).toBe('JWT');
    expect(header('plain_jwt_typ')).not.toHaveProperty('typ');
    expect((variants.get('payload_tampered') as BadToken).payload?.scope).toBe(
      'openid profile orders:read admin',
    );
    expect((variants.get('missing_exp') as BadToken).payload).not.toHaveProperty('exp');
    expect((variants.get('no_audience') as BadToken).payload).not.toHaveProperty('aud');
    // No key was ever retired here: the stand-in says so.
    expect((variants.get('retired_kid') as BadToken).title).toMatch(/stand-in/);
  });

  it('records every token made with its flaws, visible in tokens.get, tokens.list and the events', async () => {
    expect((await tokenGet(output.baseline.token_id)).flaws).toEqual([]);
    for (const v of output.variants) {
      expect(v.token_id, v.variant).not.toBeNull();
      expect((await tokenGet(v.token_id as string)).flaws, v.variant).toEqual([v.variant]);
    }
    const listed = (await engine.call('tokens.list', {})) as { tokens: Token[] };
    const flawsById = new Map(listed.tokens.map((t) => [t.id, t.flaws]));
    for (const v of output.variants)
      expect(flawsById.get(v.token_id as string), v.variant).toEqual([v.variant]);

    const events = (await engine.call('events.list', { type: 'token.issued', limit: 100 })) as EngineEvent[];
    const issuedEvent = new Map(events.map((e) => [e.token_id, e.data]));
    expect(issuedEvent.get(output.baseline.token_id)).toMatchObject({ grant_type: 'bad_token', flaws: [] });
    for (const v of output.variants) {
      expect(issuedEvent.get(v.token_id), v.variant).toMatchObject({
        grant_type: 'bad_token',
        flaws: [v.variant],
      });
    }
    const revoked = (await engine.call('events.list', { type: 'token.revoked' })) as EngineEvent[];
    expect(revoked.map((e) => e.token_id)).toContain(variants.get('revoked_reference')?.token_id);
  });

  it('introspection refuses what the provider must refuse, and reports the rest for the API to check', async () => {
    // Genuine tokens of the provider: introspection says active; aud, scope, iat and token_type are
    // for the resource server to check (RFC 7662 §2.2 hands them over).
    const active = new Set<BadTokenVariant>([
      'wrong_audience',
      'no_audience',
      'issued_in_future',
      'insufficient_scope',
      'oversized',
      'refresh_token_as_access',
    ]);
    for (const v of output.variants) {
      const response = await introspect(engine.issuer, v.value);
      if (active.has(v.variant)) expect(response.json.active, v.variant).toBe(true);
      else expect(response.text, `introspection of ${v.variant}`).toBe('{"active":false}');
    }
    expect(
      (await introspect(engine.issuer, (variants.get('refresh_token_as_access') as BadToken).value)).json,
    ).toMatchObject({ token_type: 'refresh_token' });
    const states = async (variant: BadTokenVariant) =>
      (await tokenGet(variants.get(variant)?.token_id as string)).state;
    expect(await states('revoked_reference')).toBe('revoked');
    expect(await states('expired_reference')).toBe('expired');
    expect(await states('expired')).toBe('expired');
  });

  it('lookup of a recorded forged token shows it but never as active', async () => {
    const forged = variants.get('alg_none') as BadToken;
    const found = (await engine.call('tokens.lookup', {
      value: forged.value,
    })) as AdminOutput<'tokens.lookup'>;
    expect(found.token?.id).toBe(forged.token_id);
    expect(found.introspection).toEqual({ active: false });
  });
});

describe('lab.badTokens with a machine client and a reference baseline', () => {
  let output: AdminOutput<'lab.badTokens'>;
  let variants: Map<BadTokenVariant, BadToken>;
  beforeAll(async () => {
    output = await timedBadTokens({ client_id: 'worker', format: 'reference' });
    variants = byVariant(output);
  });

  it('introspection: the baseline is active, each bad reference token exactly {"active":false}', async () => {
    expect(output.baseline.format).toBe('reference');
    const baseline = await introspect(engine.issuer, output.baseline.value);
    expect(baseline.json).toMatchObject({ active: true, client_id: 'worker', scope: 'orders:read' });
    for (const variant of ['revoked_reference', 'expired_reference'] as const) {
      const bad = variants.get(variant) as BadToken;
      expect(bad.format, variant).toBe('reference');
      expect((await introspect(engine.issuer, bad.value)).text, variant).toBe('{"active":false}');
    }
  });

  it('still rejects every JWT variant, and says what it stood in with', async () => {
    await expectJwtVariantsRejected(output);
    // Without required_scope the API needs the whole baseline scope: the variant carries none of it.
    expect((variants.get('insufficient_scope') as BadToken).title).toMatch(/without orders:read/);
    expect((variants.get('id_token_as_access') as BadToken).title).toMatch(/about alice/);
    expect((variants.get('refresh_token_as_access') as BadToken).title).toMatch(/no refresh_token grant/);
  });
});

describe('lab.badTokens with a retired key, for each signing algorithm', () => {
  // RS256 is the default; rotating to the others also covers their throwaway keys and the HS256
  // secret made of an EC and an Ed25519 public key. Each rotation retires the key before it.
  it.each(['ES256', 'EdDSA', 'RS256'] as const)(
    '%s: retired_kid is signed by the real retired key',
    async (alg) => {
      const before = decodeProtectedHeader((await badTokens({ client_id: 'web' })).baseline.value)
        .kid as string;
      await engine.call('keys.rotate', { alg });
      await engine.call('keys.retire', { kid: before });
      // A fresh JWKS cache: jose refetches on an unknown kid only after a 30 s cooldown.
      jwks = createRemoteJWKSet(new URL(`${engine.issuer}/jwks`));
      const output = await timedBadTokens({ client_id: 'web', username: 'alice' });
      expect(decodeProtectedHeader(output.baseline.value).alg).toBe(alg);
      const retired = byVariant(output).get('retired_kid') as BadToken;
      expect(retired.title).not.toMatch(/stand-in/);
      // Signed by one of the provider's retired keys (the one just retired, or another retired within the
      // same second: times are whole seconds), and verifiable with that key alone.
      const keys = (await engine.call('keys.list', {})) as SigningKey[];
      const signer = keys.find((key) => key.kid === retired.header?.kid);
      expect(signer?.status).toBe('retired');
      expect(keys.find((key) => key.kid === before)?.status).toBe('retired');
      const publicKey = await importJWK((signer as SigningKey).public_jwk as JWK, (signer as SigningKey).alg);
      await compactVerify(retired.value, publicKey);
      await verify(output.baseline.value);
      await expectJwtVariantsRejected(output);
    },
  );

  it('refuses a required_scope the baseline does not carry', async () => {
    await expect(badTokens({ client_id: 'worker', required_scope: 'orders:write' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});

describe('lab.badTokens in a workspace without users', () => {
  it('stands in for the ID token with an ID-token-shaped JWT about the client, and says so', async () => {
    const bare = await startTestEngine({ inMemory: true, seed: { users: [], clients: [WORKER] } });
    try {
      expect((await bare.call('users.list', {})) as unknown[]).toEqual([]);
      const output = (await bare.call('lab.badTokens', {
        client_id: 'worker',
      })) as AdminOutput<'lab.badTokens'>;
      const idToken = byVariant(output).get('id_token_as_access') as BadToken;
      expect(idToken.title).toMatch(/stand-in: the workspace has no user/);
      expect(idToken.header).toMatchObject({ typ: 'JWT' });
      expect(idToken.payload).toMatchObject({ sub: 'worker', aud: 'worker' });
      expect((await bare.call('tokens.get', { id: idToken.token_id })) as Token).toMatchObject({
        kind: 'id',
        flaws: ['id_token_as_access'],
      });
    } finally {
      await bare.cleanup();
    }
  });
});
