import { describe, expect, it } from 'vitest';
import { TOKEN_ENDPOINT_SEED } from '../helpers/endpoint-seeds';
import { engine, issuer, startFileEngine } from '../helpers/file-engine';
import {
  basic,
  expectOAuthError,
  obtainCode,
  postForm,
  redeem,
  tokenRequest,
  tokenSnapshot,
  WEB,
} from '../helpers/oauth-http';

/** Bad input to the client credentials, password and refresh token grants, over real HTTP. */

startFileEngine(TOKEN_ENDPOINT_SEED);

describe('grants', () => {
  it('refuses openid (or any identity scope) for client_credentials with invalid_scope', async () => {
    const before = await tokenSnapshot(engine);
    for (const scope of ['openid', 'orders:read openid', 'profile', 'offline_access', 'orders:write']) {
      const response = await tokenRequest(issuer, {
        grant_type: 'client_credentials',
        client_id: 'worker',
        client_secret: 'worker-secret',
        scope,
      });
      expectOAuthError(response, 400, 'invalid_scope');
    }
    expect(await tokenSnapshot(engine)).toBe(before);
  });

  it('answers a wrong password or unknown user in the password grant with invalid_grant', async () => {
    const before = await tokenSnapshot(engine);
    const legacy = { authorization: basic('legacy', 'legacy-secret') };
    const attempts: Record<string, string>[] = [
      { username: 'alice', password: 'wrong' },
      { username: 'alice', password: '' },
      { username: 'alice' },
      { username: 'mallory', password: 'x' },
    ];
    for (const fields of attempts) {
      const response = await tokenRequest(
        issuer,
        { grant_type: 'password', scope: 'openid', ...fields },
        legacy,
      );
      expectOAuthError(response, 400, 'invalid_grant');
    }
    expect(await tokenSnapshot(engine)).toBe(before);
    const ok = await tokenRequest(
      issuer,
      { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
      legacy,
    );
    expect(ok.status).toBe(200);
  });

  it('refuses a resource (RFC 8707) that is not an absolute URI, has a fragment or widens a refresh, with invalid_target', async () => {
    const before = await tokenSnapshot(engine);
    const legacy = { authorization: basic('legacy', 'legacy-secret') };
    for (const resource of ['not a uri', 'orders-api', 'https://api.example/#frag']) {
      const password = await tokenRequest(
        issuer,
        { grant_type: 'password', username: 'alice', password: 'alice-pw', resource },
        legacy,
      );
      expectOAuthError(password, 400, 'invalid_target');
      const cc = await tokenRequest(issuer, {
        grant_type: 'client_credentials',
        client_id: 'worker',
        client_secret: 'worker-secret',
        resource,
      });
      expectOAuthError(cc, 400, 'invalid_target');
    }
    expect(await tokenSnapshot(engine)).toBe(before);

    const tokens = await redeem(issuer, await obtainCode(issuer));
    const wider = await tokenRequest(
      issuer,
      {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token as string,
        resource: 'https://other.example/',
      },
      WEB,
    );
    expectOAuthError(wider, 400, 'invalid_target');
  });

  it("refuses another client's refresh token with invalid_grant and leaves it usable", async () => {
    const tokens = await redeem(issuer, await obtainCode(issuer));
    const before = await tokenSnapshot(engine);
    const stolen = await tokenRequest(
      issuer,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
      { authorization: basic('web2', 'web2-secret') },
    );
    expectOAuthError(stolen, 400, 'invalid_grant');
    expect(await tokenSnapshot(engine)).toBe(before);
    const own = await postForm(
      issuer,
      '/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
      WEB,
    );
    expect(own.status).toBe(200);
  });
});
