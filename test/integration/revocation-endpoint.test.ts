import { describe, expect, it } from 'vitest';
import { RESOURCE_ENDPOINTS_SEED } from '../helpers/endpoint-seeds';
import { engine, issuer, startFileEngine } from '../helpers/file-engine';
import {
  basic,
  expectActive,
  expectInactive,
  expectOAuthError,
  jwtPayload,
  listTokens,
  postForm,
  signedInTokens,
  tokenById,
  tokenRequest,
  tokenSnapshot,
  WEB,
} from '../helpers/oauth-http';

/** Attacks on revocation (RFC 7009), over real HTTP. */

startFileEngine(RESOURCE_ENDPOINTS_SEED);

describe('revocation', () => {
  it('answers 200 for an unknown token', async () => {
    const hints: Record<string, string>[] = [
      {},
      { token_type_hint: 'access_token' },
      { token_type_hint: 'refresh_token' },
    ];
    for (const extra of hints) {
      const response = await postForm(issuer, '/revoke', { token: 'never-issued', ...extra }, WEB);
      expect(response.status).toBe(200);
      expect(response.text).toBe('');
    }
  });

  it("refuses to revoke another client's token and leaves it active", async () => {
    const tokens = await signedInTokens(issuer);
    const before = await tokenSnapshot(engine);
    for (const token of [tokens.access_token, tokens.refresh_token as string]) {
      const response = await postForm(
        issuer,
        '/revoke',
        { token },
        { authorization: basic('worker', 'worker-secret') },
      );
      expectOAuthError(response, 400, 'invalid_request');
      await expectActive(issuer, token);
    }
    // A wrong secret for the rightful client does not revoke it either.
    const wrongSecret = await postForm(
      issuer,
      '/revoke',
      { token: tokens.access_token },
      { authorization: basic('web', 'wrong') },
    );
    expectOAuthError(wrongSecret, 401, 'invalid_client');
    expect(await tokenSnapshot(engine)).toBe(before);
  });

  it('revokes the access tokens of the grant, earlier ones included, when a refresh token is revoked', async () => {
    const first = await signedInTokens(issuer);
    const second = await tokenRequest(
      issuer,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token as string },
      WEB,
    );
    expect(second.status).toBe(200);
    await expectActive(issuer, first.access_token);
    await expectActive(issuer, second.json.access_token);

    const response = await postForm(
      issuer,
      '/revoke',
      { token: second.json.refresh_token, token_type_hint: 'refresh_token' },
      WEB,
    );
    expect(response.status).toBe(200);
    for (const token of [first.access_token, second.json.access_token, second.json.refresh_token]) {
      await expectInactive(issuer, token);
    }
    const grantId = (await tokenById(engine, jwtPayload(first.access_token).jti as string)).grant_id;
    const grant = await listTokens(engine, { grant_id: grantId });
    expect(grant.filter((t) => t.kind === 'access')).toHaveLength(2);
    expect(grant.filter((t) => t.kind === 'access').every((t) => t.state === 'revoked')).toBe(true);
    expect(grant.some((t) => t.state === 'active')).toBe(false);
  });

  it('answers an unsupported token_type_hint with unsupported_token_type and revokes nothing', async () => {
    const tokens = await signedInTokens(issuer);
    const before = await tokenSnapshot(engine);
    for (const hint of ['id_token', 'authorization_code', 'ACCESS_TOKEN']) {
      const response = await postForm(
        issuer,
        '/revoke',
        { token: tokens.access_token, token_type_hint: hint },
        WEB,
      );
      expectOAuthError(response, 400, 'unsupported_token_type');
    }
    await expectActive(issuer, tokens.access_token);
    expect(await tokenSnapshot(engine)).toBe(before);
  });
});
