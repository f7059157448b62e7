import { exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { parsePastedKeys } from './jwks';

describe('parsePastedKeys', () => {
  it('reads a JWKS as is', async () => {
    const jwks = { keys: [{ kty: 'RSA', kid: 'k1', alg: 'RS256', n: 'abc', e: 'AQAB' }] };
    expect(await parsePastedKeys(JSON.stringify(jwks), { alg: 'RS256', kid: 'k1' })).toEqual({
      jwks,
      notes: [],
    });
  });

  it('wraps a single JWK, taking alg and kid from the token header when they are missing', async () => {
    const { jwks, notes } = await parsePastedKeys('{"kty":"RSA","n":"abc","e":"AQAB"}', {
      alg: 'PS256',
      kid: 'k9',
    });
    expect(jwks.keys).toEqual([{ kty: 'RSA', n: 'abc', e: 'AQAB', alg: 'PS256', kid: 'k9' }]);
    expect(notes).toHaveLength(2);
  });

  it('never assumes an alg that does not fit the key type (no alg confusion)', async () => {
    const { jwks } = await parsePastedKeys('{"kty":"RSA","kid":"k","n":"abc","e":"AQAB"}', { alg: 'HS256' });
    expect(jwks.keys[0]?.alg).toBeUndefined();
    const ec = await parsePastedKeys('{"kty":"EC","kid":"k","crv":"P-256","x":"a","y":"b"}', {
      alg: 'RS256',
    });
    expect(ec.jwks.keys[0]?.alg).toBeUndefined();
  });

  it('drops private key material and says so', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const { jwks, notes } = await parsePastedKeys(JSON.stringify({ ...jwk, kid: 'e1' }), {
      alg: 'ES256',
      kid: 'e1',
    });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256', kid: 'e1' });
    expect(notes.join(' ')).toContain('Private parts');
  });

  it('reads a PEM public key for the token’s alg, and refuses a PEM private key', async () => {
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const { jwks } = await parsePastedKeys(pem, { alg: 'RS256', kid: 'r1' });
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: 'r1' });
    await expect(
      parsePastedKeys('-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----', null),
    ).rejects.toThrow(/private key/);
  });

  it('explains what is wrong with anything else', async () => {
    await expect(parsePastedKeys('', null)).rejects.toThrow(/Paste a JWKS/);
    await expect(parsePastedKeys('{nope', null)).rejects.toThrow(/Not JSON or PEM/);
    await expect(parsePastedKeys('{"foo": 1}', null)).rejects.toThrow(/Expected a JWKS/);
    await expect(parsePastedKeys('{"keys": []}', null)).rejects.toThrow(/no keys/);
  });
});
