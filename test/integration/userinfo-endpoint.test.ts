import { describe, expect, it } from 'vitest';
import { RESOURCE_ENDPOINTS_SEED } from '../helpers/endpoint-seeds';
import { clock, engine, issuer, startFileEngine } from '../helpers/file-engine';
import { basic, postForm, signedInTokens, tokenRequest, WEB } from '../helpers/oauth-http';
import { expectBearerError, userinfo } from '../helpers/userinfo';

/** Attacks on userinfo (RFC 6750), over real HTTP. */

startFileEngine(RESOURCE_ENDPOINTS_SEED);

async function clientCredentialsToken(): Promise<string> {
  const response = await tokenRequest(
    issuer,
    { grant_type: 'client_credentials', scope: 'orders:read' },
    { authorization: basic('worker', 'worker-secret') },
  );
  expect(response.status).toBe(200);
  return response.json.access_token;
}

describe('userinfo', () => {
  it('answers a request without a token with 401 and a bare WWW-Authenticate: Bearer challenge', async () => {
    for (const init of [{}, { method: 'POST', body: 'x=1' }, { query: '?access_token=whatever' }]) {
      const response = await userinfo(null, init);
      expect(response.status).toBe(401);
      const challenge = response.headers.get('www-authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer /);
      // RFC 6750 §3.1: no error code when the request carried no authentication at all.
      expect(challenge).not.toContain('error=');
    }
    const wrongScheme = await fetch(`${issuer}/userinfo`, {
      headers: { authorization: basic('web', 'web-secret') },
    });
    expect(wrongScheme.status).toBe(401);
  });

  it('answers an unknown, expired or revoked token with 401 invalid_token', async () => {
    expectBearerError(await userinfo('not-a-token'), 401, 'invalid_token');
    expectBearerError(await userinfo('a.b.c'), 401, 'invalid_token');

    const expiring = await signedInTokens(issuer);
    expect((await userinfo(expiring.access_token)).status).toBe(200);
    const { access_token_ttl } = (await engine.call('settings.get', {})) as { access_token_ttl: number };
    clock.advance(access_token_ttl + 1);
    expectBearerError(await userinfo(expiring.access_token), 401, 'invalid_token');
    clock.reset();

    const revoked = await signedInTokens(issuer);
    const revocation = await postForm(issuer, '/revoke', { token: revoked.access_token }, WEB);
    expect(revocation.status).toBe(200);
    expectBearerError(await userinfo(revoked.access_token), 401, 'invalid_token');
  });

  it('refuses an ID token presented as an access token with 401 invalid_token', async () => {
    const tokens = await signedInTokens(issuer);
    expectBearerError(await userinfo(tokens.id_token as string), 401, 'invalid_token');
    expectBearerError(await userinfo(tokens.refresh_token as string), 401, 'invalid_token');
  });

  it('refuses a client_credentials token (no user, no openid scope) with 403 insufficient_scope', async () => {
    const token = await clientCredentialsToken();
    expectBearerError(await userinfo(token), 403, 'insufficient_scope');
  });

  it('refuses a token sent in both the header and the body with 400 invalid_request', async () => {
    const tokens = await signedInTokens(issuer);
    const response = await userinfo(tokens.access_token, {
      method: 'POST',
      body: new URLSearchParams({ access_token: tokens.access_token }).toString(),
    });
    expect({ status: response.status, error: response.json.error }).toEqual({
      status: 400,
      error: 'invalid_request',
    });
    // The body alone is fine (RFC 6750 §2.2).
    const bodyOnly = await userinfo(null, {
      method: 'POST',
      body: new URLSearchParams({ access_token: tokens.access_token }).toString(),
    });
    expect(bodyOnly.status).toBe(200);
  });
});
