import { describe, expect, it } from 'vitest';
import { TOKEN_ENDPOINT_SEED } from '../helpers/endpoint-seeds';
import { engine, issuer, startFileEngine } from '../helpers/file-engine';
import { basic, expectOAuthError, rawRequest, tokenRequest, tokenSnapshot } from '../helpers/oauth-http';

/** Malformed requests to the token endpoint (parameters, content types, sizes), over real HTTP. */

startFileEngine(TOKEN_ENDPOINT_SEED);

describe('request format', () => {
  it('refuses a parameter sent twice with invalid_request', async () => {
    const before = await tokenSnapshot(engine);
    for (const body of [
      'grant_type=client_credentials&grant_type=client_credentials',
      'grant_type=client_credentials&scope=orders:read&scope=orders:read',
      'grant_type=client_credentials&client_id=worker&client_id=worker&client_secret=worker-secret',
    ]) {
      const response = await tokenRequest(
        issuer,
        body,
        body.includes('client_id') ? {} : { authorization: basic('api', 'api-secret') },
      );
      expectOAuthError(response, 400, 'invalid_request');
      expect(response.json.error_description).toContain('more than once');
    }
    expect(await tokenSnapshot(engine)).toBe(before);
  });

  it('refuses a JSON body (or any non-form content type) with 400 invalid_request', async () => {
    const json = await tokenRequest(issuer, JSON.stringify({ grant_type: 'client_credentials' }), {
      authorization: basic('api', 'api-secret'),
      'content-type': 'application/json',
    });
    expectOAuthError(json, 400, 'invalid_request');
    const brokenJson = await tokenRequest(issuer, '{"grant_type":', {
      authorization: basic('api', 'api-secret'),
      'content-type': 'application/json',
    });
    expectOAuthError(brokenJson, 400, 'invalid_request');
    for (const type of ['text/plain', 'multipart/form-data; boundary=x', 'application/xml']) {
      const response = await tokenRequest(issuer, 'grant_type=client_credentials', {
        authorization: basic('api', 'api-secret'),
        'content-type': type,
      });
      expectOAuthError(response, 400, 'invalid_request');
    }
    // A Content-Type that is not even a media type, or none at all, is the same malformed request.
    for (const type of ['garbage', '', undefined]) {
      const body = 'grant_type=client_credentials';
      const response = await rawRequest(issuer, {
        method: 'POST',
        path: '/token',
        headers: {
          authorization: basic('api', 'api-secret'),
          'content-length': body.length,
          ...(type === undefined ? {} : { 'content-type': type }),
        },
        body,
      });
      expect({ type, status: response.status, body: JSON.parse(response.text).error }).toEqual({
        type,
        status: 400,
        body: 'invalid_request',
      });
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('answers unsupported_grant_type for grants it does not implement, and unauthorized_client for ones the client may not use', async () => {
    for (const grantType of [
      'implicit',
      'urn:openid:params:grant-type:ciba',
      'urn:ietf:params:oauth:grant-type:saml2-bearer',
      'CLIENT_CREDENTIALS',
    ]) {
      const response = await tokenRequest(
        issuer,
        { grant_type: grantType },
        { authorization: basic('api', 'api-secret') },
      );
      expectOAuthError(response, 400, 'unsupported_grant_type');
    }
    const missing = await tokenRequest(issuer, {}, { authorization: basic('api', 'api-secret') });
    expectOAuthError(missing, 400, 'invalid_request');
    const notAllowed = await tokenRequest(
      issuer,
      { grant_type: 'password', username: 'alice', password: 'alice-pw' },
      { authorization: basic('api', 'api-secret') },
    );
    expectOAuthError(notAllowed, 400, 'unauthorized_client');
    // A grant the provider implements but this client is not registered for.
    const notRegistered = await tokenRequest(
      issuer,
      { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: 'x.y.z' },
      { authorization: basic('api', 'api-secret') },
    );
    expectOAuthError(notRegistered, 400, 'unauthorized_client');
  });

  it('sends Cache-Control: no-store and Pragma: no-cache on successes and errors', async () => {
    const ok = await tokenRequest(issuer, {
      grant_type: 'client_credentials',
      client_id: 'worker',
      client_secret: 'worker-secret',
    });
    expect(ok.status).toBe(200);
    const error = await tokenRequest(issuer, { grant_type: 'client_credentials' });
    expect(error.status).toBe(401);
    for (const response of [ok, error]) {
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
    }
  });

  it('answers a body over the size limit with 413 and an OAuth-shaped JSON error, and keeps serving', async () => {
    const big = `grant_type=client_credentials&junk=${'a'.repeat(300 * 1024)}`;
    const before = await tokenSnapshot(engine);
    for (const chunks of [undefined, 8]) {
      const response = await rawRequest(issuer, {
        method: 'POST',
        path: '/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic('api', 'api-secret'),
          ...(chunks ? {} : { 'content-length': Buffer.byteLength(big) }),
        },
        body: big,
        chunks,
      });
      expect(response.status).toBe(413);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(response.text);
      expect(body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
      expect(response.headers['cache-control']).toBe('no-store');
    }
    expect(await tokenSnapshot(engine)).toBe(before);
    const alive = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(alive.status).toBe(200);
  });
});
