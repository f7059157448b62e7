/**
 * The JWT bearer grant (RFC 7523 §2.1) from authlib (Python), unmodified: its AssertionSession signs
 * the assertion itself (RS256, aud = the token endpoint, exp an hour after iat, no jti), trades it for
 * a token at the built provider when the first API call needs one, and sends that token to userinfo.
 * The client authenticates with its secret (the session's requests Basic auth), as for any grant.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rsaPemKey } from '../helpers/assertion-keys';
import { tempDir } from '../helpers/engine';
import { runToEnd } from './apps/verifiers/run';
import { checkPythonModules, DEBIAN_PYTHON } from './apps/verifiers/toolchains';
import { type InteropProvider, startProvider } from './provider';

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ASSERTION_ISSUER = 'https://hr.example';

const AUTHLIB_CLIENT = `import json, sys
from authlib.integrations.requests_client import AssertionSession
from authlib.oauth2 import OAuth2Error

issuer, client_id, secret, assertion_issuer, key_file, subject, scope = sys.argv[1:8]
with open(key_file) as f:
    private_key = f.read()
session = AssertionSession(
    token_endpoint=issuer + '/token',
    issuer=assertion_issuer,
    subject=subject,
    scope=scope,
    key=private_key,
    alg='RS256',
    header={'kid': 'hr-1'},
)
# The token request carries the client's own credentials (requests' Basic auth).
session.auth = (client_id, secret)
try:
    userinfo = session.get(issuer + '/userinfo')
except OAuth2Error as error:
    print(json.dumps({'refused': f'{error.error}: {error.description}'}))
    sys.exit(0)
print(json.dumps({'token': session.token, 'userinfo_status': userinfo.status_code, 'userinfo': userinfo.json()}))
`;

let provider: InteropProvider;
let dir: string;
const trusted = rsaPemKey('hr-1');
const stranger = rsaPemKey('hr-1');

beforeAll(async () => {
  checkPythonModules();
  dir = tempDir('idp-sandbox-jwt-bearer-authlib-');
  fs.writeFileSync(path.join(dir, 'client.py'), AUTHLIB_CLIENT);
  fs.writeFileSync(path.join(dir, 'trusted.pem'), trusted.pem);
  fs.writeFileSync(path.join(dir, 'stranger.pem'), stranger.pem);
  provider = await startProvider({
    seed: {
      users: [{ username: 'bob', sub: 'bob-sub', claims: { email: 'bob@example.com' } }],
      clients: [
        {
          client_id: 'payroll',
          client_secret: 'payroll-secret',
          grant_types: [GRANT],
          scope: 'openid email payroll:read payroll:write',
          audience: ['payroll-api'],
          jwt_bearer: {
            // Matched by username: the HR system knows people by their login name.
            trusted_issuers: [
              {
                issuer: ASSERTION_ISSUER,
                jwks: { keys: [await trusted.publicJwk()] },
                subject_match: 'username',
              },
            ],
            allowed_scopes: ['openid', 'email', 'payroll:read'],
          },
        },
      ],
    },
  });
});

afterAll(async () => {
  await provider?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function authlib(keyFile: string, subject: string, scope: string): Promise<Record<string, unknown>> {
  const out = await runToEnd(DEBIAN_PYTHON, [
    path.join(dir, 'client.py'),
    provider.issuer,
    'payroll',
    'payroll-secret',
    ASSERTION_ISSUER,
    path.join(dir, keyFile),
    subject,
    scope,
  ]);
  return JSON.parse(out);
}

describe('authlib (Python) AssertionSession with the JWT bearer grant', () => {
  it("gets bob's token for the scope it asks, and calls userinfo with it", async () => {
    const answer = await authlib('trusted.pem', 'bob', 'openid email');
    expect(answer).toMatchObject({
      token: { token_type: 'Bearer', scope: 'openid email' },
      userinfo_status: 200,
      userinfo: { sub: 'bob-sub', email: 'bob@example.com' },
    });
    const token = answer.token as Record<string, unknown>;
    expect(token.refresh_token).toBeUndefined();
    const jwks = createRemoteJWKSet(new URL(`${provider.issuer}/jwks`));
    const { payload } = await jwtVerify(token.access_token as string, jwks, {
      issuer: provider.issuer,
      audience: 'payroll-api',
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({ sub: 'bob-sub', client_id: 'payroll', scope: 'openid email' });
  });

  it('is refused with a clear error for an untrusted key, a scope beyond the policy, and a subject that is no username', async () => {
    expect((await authlib('stranger.pem', 'bob', 'openid')).refused).toMatch(
      /^invalid_grant: .*signature does not verify with the registered key of trusted issuer 'https:\/\/hr.example'/,
    );
    expect((await authlib('trusted.pem', 'bob', 'payroll:write')).refused).toMatch(
      /^invalid_scope: .*may not get scope 'payroll:write' with the jwt-bearer grant/,
    );
    // Matched by username only: the user's subject is not a username.
    expect((await authlib('trusted.pem', 'bob-sub', 'openid')).refused).toMatch(
      /^invalid_grant: The assertion's sub 'bob-sub' is no user's username/,
    );
  });
});
