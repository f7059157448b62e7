import { describe, expect, it } from 'vitest';
import { TOKEN_ENDPOINT_SEED } from '../helpers/endpoint-seeds';
import { clock, engine, issuer, startFileEngine } from '../helpers/file-engine';
import {
  basic,
  expectActive,
  expectInactive,
  expectOAuthError,
  jwtPayload,
  listTokens,
  obtainCode,
  REDIRECT,
  redeem,
  redemption,
  tokenById,
  tokenRequest,
  tokenSnapshot,
  WEB,
} from '../helpers/oauth-http';

/** Attacks on the authorization code exchange at the token endpoint, over real HTTP. */

startFileEngine(TOKEN_ENDPOINT_SEED);

describe('authorization codes', () => {
  it('refuses a second redemption with invalid_grant and revokes the tokens of the first', async () => {
    const result = await obtainCode(issuer);
    const first = await redeem(issuer, result);
    await expectActive(issuer, first.access_token);
    await expectActive(issuer, first.refresh_token as string);

    const second = await tokenRequest(issuer, redemption(result), WEB);
    expectOAuthError(second, 400, 'invalid_grant');
    expect(second.json.access_token).toBeUndefined();

    await expectInactive(issuer, first.access_token);
    await expectInactive(issuer, first.refresh_token as string);
    const grantId = (await tokenById(engine, jwtPayload(first.access_token).jti as string)).grant_id;
    const grantTokens = await listTokens(engine, { grant_id: grantId });
    expect(grantTokens.map((t) => t.kind).sort()).toEqual(['access', 'id', 'refresh']);
    expect(grantTokens.every((t) => t.state === 'revoked')).toBe(true);
    // ...and the refresh token of the first redemption can no longer be used.
    const refresh = await tokenRequest(
      issuer,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token as string },
      WEB,
    );
    expectOAuthError(refresh, 400, 'invalid_grant');
  });

  it('lets one of two concurrent redemptions win, then treats the other as reuse and revokes what was issued', async () => {
    const result = await obtainCode(issuer);
    const responses = await Promise.all([
      tokenRequest(issuer, redemption(result), WEB),
      tokenRequest(issuer, redemption(result), WEB),
    ]);
    const winners = responses.filter((r) => r.status === 200);
    const losers = responses.filter((r) => r.status !== 200);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expectOAuthError(losers[0] as (typeof responses)[number], 400, 'invalid_grant');
    await expectInactive(issuer, winners[0]?.json.access_token);
    await expectInactive(issuer, winners[0]?.json.refresh_token);
  });

  it('binds a code to its client: another client redeeming it gets invalid_grant and changes nothing', async () => {
    const result = await obtainCode(issuer);
    const before = await tokenSnapshot(engine);
    const stolen = await tokenRequest(issuer, redemption(result), {
      authorization: basic('web2', 'web2-secret'),
    });
    expectOAuthError(stolen, 400, 'invalid_grant');
    expect(await tokenSnapshot(engine)).toBe(before);
    // The rightful client still can.
    await redeem(issuer, result);
  });

  it('binds a code to its redirect_uri', async () => {
    const result = await obtainCode(issuer);
    const before = await tokenSnapshot(engine);
    for (const redirect of [
      'http://127.0.0.1:5173/other',
      `${REDIRECT}/`,
      'http://127.0.0.1:49152/callback',
    ]) {
      const response = await tokenRequest(issuer, { ...redemption(result), redirect_uri: redirect }, WEB);
      expectOAuthError(response, 400, 'invalid_grant');
    }
    const { redirect_uri: _omitted, ...withoutRedirect } = redemption(result);
    expectOAuthError(await tokenRequest(issuer, withoutRedirect, WEB), 400, 'invalid_request');
    expect(await tokenSnapshot(engine)).toBe(before);

    // A loopback code issued for another port is redeemable only with that port.
    const otherPort = await obtainCode(issuer, { redirectUri: 'http://127.0.0.1:49152/callback' });
    const wrongPort = await tokenRequest(issuer, { ...redemption(otherPort), redirect_uri: REDIRECT }, WEB);
    expectOAuthError(wrongPort, 400, 'invalid_grant');
    await redeem(issuer, otherPort);
  });

  it('binds a code to its PKCE challenge: a wrong, missing or malformed verifier is invalid_grant', async () => {
    const result = await obtainCode(issuer);
    const before = await tokenSnapshot(engine);
    const fields = redemption(result);
    const { code_verifier: _verifier, ...withoutVerifier } = fields;
    for (const attempt of [
      // The last character changed (a verifier that already ends in "A" must not get "A" again).
      {
        ...fields,
        code_verifier: `${result.verifier?.slice(0, -1)}${result.verifier?.endsWith('A') ? 'B' : 'A'}`,
      },
      { ...fields, code_verifier: 'x'.repeat(43) },
      { ...fields, code_verifier: 'short' },
      { ...fields, code_verifier: `${result.verifier} ` },
      withoutVerifier,
    ]) {
      expectOAuthError(await tokenRequest(issuer, attempt, WEB), 400, 'invalid_grant');
    }
    expect(await tokenSnapshot(engine)).toBe(before);
    await redeem(issuer, result);
  });

  it('refuses a code_verifier for a code issued without a challenge (PKCE downgrade)', async () => {
    const result = await obtainCode(issuer, { pkce: false });
    const before = await tokenSnapshot(engine);
    const response = await tokenRequest(
      issuer,
      { ...redemption(result), code_verifier: 'a'.repeat(43) },
      WEB,
    );
    expectOAuthError(response, 400, 'invalid_grant');
    expect(response.json.error_description).toContain('code_challenge');
    expect(await tokenSnapshot(engine)).toBe(before);
  });

  it('refuses an expired code', async () => {
    const result = await obtainCode(issuer);
    const before = await tokenSnapshot(engine);
    const { authorization_code_ttl } = (await engine.call('settings.get', {})) as {
      authorization_code_ttl: number;
    };
    clock.advance(authorization_code_ttl + 1);
    const response = await tokenRequest(issuer, redemption(result), WEB);
    expectOAuthError(response, 400, 'invalid_grant');
    expect(response.json.error_description).toContain('expired');
    clock.reset();
    expect(await tokenSnapshot(engine)).toBe(before);
  });

  it('refuses a made-up code', async () => {
    const response = await tokenRequest(
      issuer,
      { grant_type: 'authorization_code', code: 'made-up', redirect_uri: REDIRECT },
      WEB,
    );
    expectOAuthError(response, 400, 'invalid_grant');
  });
});
