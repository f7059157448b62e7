import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuerSummary } from '../../shared/issuers';
import type { Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';

/**
 * A subject token's claims are checked by the engine itself once jose has checked its signature (the
 * stored copy must be the very JWT presented). These are the claims that can still fail on a genuine,
 * stored, active token: its issuer (after the issuer is renamed), and the key its kid names (after a
 * rotation). openid-client is the relying party, over real HTTP.
 */

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const SEED: Workspace = {
  users: [],
  clients: [
    {
      client_id: 'service',
      client_secret: 'service-secret',
      grant_types: ['client_credentials'],
      scope: 'api:read',
      access_token_format: 'jwt',
    },
    {
      client_id: 'exchanger',
      client_secret: 'exchanger-secret',
      grant_types: [EXCHANGE],
      scope: 'api:read',
      access_token_format: 'jwt',
      token_exchange: { allowed_audiences: [], may_impersonate: true, allow_refresh_token_subject: false },
    },
  ],
};

let engine: Awaited<ReturnType<typeof startTestEngine>>;

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true });
});
afterAll(async () => {
  await engine.cleanup();
});

async function rp(issuer: string, clientId: string) {
  const secret = `${clientId}-secret`;
  return oidc.discovery(new URL(issuer), clientId, secret, oidc.ClientSecretBasic(secret), {
    execute: [oidc.allowInsecureRequests],
  });
}

async function serviceToken(issuer: string): Promise<string> {
  return (await oidc.clientCredentialsGrant(await rp(issuer, 'service'))).access_token;
}

/** Exchanges `subject` at `issuer` (impersonation), through its current discovery document. */
async function exchange(issuer: string, subject: string) {
  return oidc.genericGrantRequest(await rp(issuer, 'exchanger'), EXCHANGE, {
    subject_token: subject,
    subject_token_type: ACCESS,
  });
}

/** The OAuth error an exchange is refused with. */
async function refusal(issuer: string, subject: string) {
  const error = await exchange(issuer, subject).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(oidc.ResponseBodyError);
  return error as oidc.ResponseBodyError;
}

describe('the subject token of an exchange, checked beyond its signature', () => {
  it('exchanges a genuine access JWT for one about the same subject', async () => {
    const subject = await serviceToken(engine.issuer);
    const exchanged = await exchange(engine.issuer, subject);
    expect(decodeJwt(exchanged.access_token).sub).toBe('service');
    expect(exchanged.issued_token_type).toBe(ACCESS);
  });

  it("refuses a token issued under the issuer's earlier URL, naming both URLs", async () => {
    const temp = (await engine.call('issuers.create', { name: 'temp' })) as IssuerSummary;
    await engine.call('workspace.import', SEED, { issuer: temp.id });
    const subject = await serviceToken(temp.issuer);
    expect((await exchange(temp.issuer, subject)).access_token).toBeTruthy();

    const renamed = (await engine.call('issuers.update', { id: temp.id, name: 'moved' })) as IssuerSummary;
    const refused = await refusal(renamed.issuer, subject);
    expect(refused.error).toBe('invalid_request');
    // The engine's error text shows double quotes as single ones.
    expect(refused.error_description).toContain(`earlier URL '${temp.issuer}'`);
    expect(refused.error_description).toContain(`now '${renamed.issuer}'`);
    // A token issued under the new URL is exchanged as before.
    expect((await exchange(renamed.issuer, await serviceToken(renamed.issuer))).access_token).toBeTruthy();
    await engine.call('issuers.delete', { id: renamed.id });
  });

  it("verifies with the previous key after a rotation (found by the token's kid), until it is retired", async () => {
    const subject = await serviceToken(engine.issuer);
    const { kid } = decodeProtectedHeader(subject);
    const rotated = (await engine.call('keys.rotate', {})) as { kid: string };
    expect(rotated.kid).not.toBe(kid);
    const exchanged = await exchange(engine.issuer, subject);
    expect(decodeProtectedHeader(exchanged.access_token).kid).toBe(rotated.kid);
    // Retiring the key revokes what it signed: refused as revoked.
    await engine.call('keys.retire', { kid: kid as string });
    const refused = await refusal(engine.issuer, subject);
    expect(refused.error).toBe('invalid_request');
    expect(refused.error_description).toContain('it was revoked');
  });
});
