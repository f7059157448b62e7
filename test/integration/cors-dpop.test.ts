import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { engine, startFileEngine } from '../helpers/file-engine';
import { expectOAuthError, REDIRECT, REGISTERED_ORIGIN, tokenRequest } from '../helpers/oauth-http';

/**
 * CORS for a browser app using DPoP (RFC 9449) from its own origin: the preflight allows the DPoP
 * request header, and the answers let the app read DPoP-Nonce (§8) and, on a 401, WWW-Authenticate,
 * where userinfo names its error (§9: use_dpop_nonce). Without the latter, oauth4webapi in Chromium
 * could not tell a nonce challenge from any other failure and never retried.
 */

startFileEngine({
  users: [{ username: 'alice', password: 'alice-pw' }],
  clients: [
    {
      client_id: 'spa-dpop',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access',
      dpop_bound_access_tokens: true,
      dpop_nonce_required: true,
    },
  ],
});

function exposed(headers: Headers): string[] {
  return (headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
}

async function proof(htm: string, htu: string): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return new SignJWT({ htm, htu, jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
    .setIssuedAt()
    .sign(privateKey);
}

describe('CORS for DPoP from a browser app', () => {
  it('allows the DPoP request header in the preflight of token and userinfo', async () => {
    for (const [path, method] of [
      ['/token', 'POST'],
      ['/userinfo', 'GET'],
    ] as const) {
      const response = await fetch(`${engine.issuer}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: REGISTERED_ORIGIN,
          'access-control-request-method': method,
          'access-control-request-headers': 'authorization,dpop',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(REGISTERED_ORIGIN);
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('dpop');
    }
  });

  it("exposes DPoP-Nonce on the token endpoint's use_dpop_nonce answer", async () => {
    const response = await tokenRequest(
      engine.issuer,
      { grant_type: 'authorization_code', client_id: 'spa-dpop', code: 'x', redirect_uri: REDIRECT },
      { origin: REGISTERED_ORIGIN, dpop: await proof('POST', `${engine.issuer}/token`) },
    );
    expectOAuthError(response, 400, 'use_dpop_nonce');
    expect(response.headers.get('dpop-nonce')).toBeTruthy();
    expect(response.headers.get('access-control-allow-origin')).toBe(REGISTERED_ORIGIN);
    expect(exposed(response.headers)).toEqual(expect.arrayContaining(['dpop-nonce', 'www-authenticate']));
  });

  it("exposes WWW-Authenticate on userinfo's 401 DPoP challenge", async () => {
    const response = await fetch(`${engine.issuer}/userinfo`, {
      headers: {
        origin: REGISTERED_ORIGIN,
        authorization: 'DPoP not-a-token',
        dpop: await proof('GET', `${engine.issuer}/userinfo`),
      },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
    expect(response.headers.get('access-control-allow-origin')).toBe(REGISTERED_ORIGIN);
    expect(exposed(response.headers)).toEqual(expect.arrayContaining(['dpop-nonce', 'www-authenticate']));
  });

  it('exposes nothing to an origin that is not registered', async () => {
    const response = await fetch(`${engine.issuer}/userinfo`, {
      headers: { origin: 'https://evil.example', authorization: 'DPoP not-a-token' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-expose-headers')).toBeNull();
  });
});
