import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectJwt } from '../../shared/jwt-inspect';

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
const nowSeconds = NOW / 1000;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let jwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
});

function sign(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt', ...header })
    .sign(privateKey);
}

const codes = (result: Awaited<ReturnType<typeof inspectJwt>>) => result.findings.map((f) => f.code);
const base = {
  iss: 'http://idp.test',
  aud: 'orders-api',
  sub: 'alice',
  iat: nowSeconds - 10,
  exp: nowSeconds + 300,
};

describe('inspectJwt', () => {
  it('verifies a good token and reports no errors', async () => {
    const result = await inspectJwt(await sign(base), {
      jwks: { keys: [jwk] },
      expectedIssuer: 'http://idp.test',
      expectedAudience: 'orders-api',
      now: NOW,
    });
    expect(result.signatureValid).toBe(true);
    expect(result.findings.filter((f) => f.level === 'error')).toEqual([]);
    expect(codes(result)).toEqual(
      expect.arrayContaining(['signature_ok', 'issuer_ok', 'audience_ok', 'not_expired']),
    );
  });

  it.each([
    ['expired', { ...base, exp: nowSeconds - 5 }, 'expired'],
    ['not yet valid', { ...base, nbf: nowSeconds + 60 }, 'not_yet_valid'],
    ['wrong issuer', { ...base, iss: 'http://evil.test' }, 'wrong_issuer'],
    ['wrong audience', { ...base, aud: 'billing-api' }, 'wrong_audience'],
  ])('flags a token that is %s', async (_what, claims, code) => {
    const result = await inspectJwt(await sign(claims), {
      jwks: { keys: [jwk] },
      expectedIssuer: 'http://idp.test',
      expectedAudience: 'orders-api',
      now: NOW,
    });
    expect(codes(result)).toContain(code);
  });

  it('flags an unknown kid', async () => {
    const result = await inspectJwt(await sign(base, { kid: 'other' }), { jwks: { keys: [jwk] }, now: NOW });
    expect(result.signatureValid).toBe(false);
    expect(codes(result)).toContain('unknown_kid');
  });

  it('says a token signed by a retired key cannot be verified, rather than that its signature is invalid', async () => {
    const token = await sign(base, { kid: 'old-key' });
    const result = await inspectJwt(token, {
      jwks: { keys: [jwk] },
      now: NOW,
      retiredKeys: [{ kid: 'old-key', retired_at: '2026-12-01T10:00:00.000Z' }],
    });
    expect(result.signatureValid).toBeNull();
    expect(result.unverifiable).toBe('key retired');
    expect(codes(result)).toContain('retired_kid');
    expect(codes(result)).not.toContain('unknown_kid');
    // A retired kid that is somehow still published is checked as usual.
    const published = await inspectJwt(await sign(base), {
      jwks: { keys: [jwk] },
      now: NOW,
      retiredKeys: [{ kid: 'k1', retired_at: null }],
    });
    expect(published.signatureValid).toBe(true);
    expect(published.unverifiable).toBeNull();
  });

  it('flags a tampered payload', async () => {
    const [h, , s] = (await sign(base)).split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...base, sub: 'mallory' })).toString('base64url')}.${s}`;
    const result = await inspectJwt(forged, { jwks: { keys: [jwk] }, now: NOW });
    expect(result.signatureValid).toBe(false);
    expect(codes(result)).toContain('bad_signature');
    expect(result.payload?.sub).toBe('mallory');
  });

  it('flags alg none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const token = `${header}.${Buffer.from(JSON.stringify(base)).toString('base64url')}.`;
    const result = await inspectJwt(token, { jwks: { keys: [jwk] }, now: NOW });
    expect(result.signatureValid).toBe(false);
    expect(codes(result)).toContain('alg_none');
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(jwk));
    const token = await new SignJWT(base).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(secret);
    const result = await inspectJwt(token, { jwks: { keys: [jwk] }, now: NOW });
    expect(result.signatureValid).toBe(false);
    expect(codes(result)).toEqual(expect.arrayContaining(['symmetric_alg', 'bad_signature']));
  });

  it('recognises an opaque (reference) token as not a JWT', async () => {
    const result = await inspectJwt('q9Jd2sX0c1w4hVbP7n5mZkR8tLyA3eFgH6uIoWjQpBs');
    expect(codes(result)).toEqual(['not_a_jwt']);
  });
});
