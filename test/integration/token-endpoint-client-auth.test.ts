import { describe, expect, it } from 'vitest';
import { TOKEN_ENDPOINT_SEED } from '../helpers/endpoint-seeds';
import { engine, issuer, startFileEngine } from '../helpers/file-engine';
import { basic, expectOAuthError, tokenRequest } from '../helpers/oauth-http';

/** Attacks on client authentication at the token endpoint, over real HTTP. */

startFileEngine(TOKEN_ENDPOINT_SEED);

describe('client authentication', () => {
  const ccFields = { grant_type: 'client_credentials' };

  it('answers an unknown client with Basic auth with 401 invalid_client and WWW-Authenticate: Basic', async () => {
    for (const authorization of [
      basic('nobody', 'x'),
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      'Basic !!!not-base64',
      `Basic ${Buffer.from('%zz:x').toString('base64')}`,
      `Basic ${Buffer.from(':secret').toString('base64')}`,
    ]) {
      const response = await tokenRequest(issuer, ccFields, { authorization });
      expectOAuthError(response, 401, 'invalid_client');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
  });

  it('decodes Basic credentials as form-urlencoded parts (RFC 6749 §2.3.1), and only those that are', async () => {
    const client = { client_id: 'odd id:+%', client_secret: 'a b+c:d%e é' };
    await engine.call('clients.create', { ...client, grant_types: ['client_credentials'], scope: 'x' });
    try {
      const raw = (id: string, secret: string) =>
        `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
      // Encoded as the RFC says: accepted.
      const encoded = await tokenRequest(issuer, ccFields, {
        authorization: basic(client.client_id, client.client_secret),
      });
      expect(encoded.status).toBe(200);
      // '+' is a space, and %XX a byte of UTF-8, in either part.
      const plus = await tokenRequest(issuer, ccFields, {
        authorization: raw('odd+id%3A%2B%25', 'a+b%2Bc%3Ad%25e+%C3%A9'),
      });
      expect(plus.status).toBe(200);
      // The same characters unencoded are another secret.
      const unencoded = await tokenRequest(issuer, ccFields, {
        authorization: raw('odd+id%3A%2B%25', client.client_secret),
      });
      expectOAuthError(unencoded, 401, 'invalid_client');
      // Plain ids and secrets (nothing to decode) still authenticate.
      const plain = await tokenRequest(issuer, ccFields, { authorization: raw('api', 'api-secret') });
      expect(plain.status).toBe(200);
    } finally {
      await engine.call('clients.delete', { client_id: client.client_id });
    }
  });

  it('refuses a wrong secret, with Basic (401 + WWW-Authenticate) and with client_secret_post (401)', async () => {
    const withBasic = await tokenRequest(issuer, ccFields, { authorization: basic('api', 'wrong') });
    expectOAuthError(withBasic, 401, 'invalid_client');
    expect(withBasic.headers.get('www-authenticate')).toMatch(/^Basic /);

    const withPost = await tokenRequest(issuer, {
      ...ccFields,
      client_id: 'worker',
      client_secret: 'wrong',
    });
    expectOAuthError(withPost, 401, 'invalid_client');
    const empty = await tokenRequest(issuer, { ...ccFields, client_id: 'worker', client_secret: '' });
    expectOAuthError(empty, 401, 'invalid_client');
  });

  it('refuses a client authenticating with another method than the one it registered', async () => {
    // api is registered for client_secret_basic and sends its (correct) secret in the body.
    const post = await tokenRequest(issuer, { ...ccFields, client_id: 'api', client_secret: 'api-secret' });
    expectOAuthError(post, 401, 'invalid_client');
    // worker is registered for client_secret_post and uses Basic.
    const viaBasic = await tokenRequest(issuer, ccFields, {
      authorization: basic('worker', 'worker-secret'),
    });
    expectOAuthError(viaBasic, 401, 'invalid_client');
    // A confidential client cannot pose as public by leaving the secret out.
    const none = await tokenRequest(issuer, { ...ccFields, client_id: 'api' });
    expectOAuthError(none, 401, 'invalid_client');
    // No client at all.
    expectOAuthError(await tokenRequest(issuer, ccFields), 401, 'invalid_client');
  });

  it('refuses two authentication methods at once and a body client_id that contradicts Basic', async () => {
    const both = await tokenRequest(
      issuer,
      { ...ccFields, client_secret: 'api-secret' },
      { authorization: basic('api', 'api-secret') },
    );
    expectOAuthError(both, 400, 'invalid_request');
    const mismatch = await tokenRequest(
      issuer,
      { ...ccFields, client_id: 'worker' },
      { authorization: basic('api', 'api-secret') },
    );
    expectOAuthError(mismatch, 400, 'invalid_request');
  });
});
