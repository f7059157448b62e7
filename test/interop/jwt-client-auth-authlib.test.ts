/**
 * A third-party client authenticating with private_key_jwt (RFC 7523 §2.2): authlib (Python), unmodified,
 * signs its own assertions (RS256, aud = the token endpoint, exp an hour after iat) to get a token,
 * introspect it and revoke it at the built provider. A client holding another key is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rsaPemKey } from '../helpers/assertion-keys';
import { tempDir } from '../helpers/engine';
import { runToEnd } from './apps/verifiers/run';
import { checkPythonModules, DEBIAN_PYTHON } from './apps/verifiers/toolchains';
import { type InteropProvider, startProvider } from './provider';

/** authlib's requests client with its PrivateKeyJWT auth method, at every endpoint it calls. */
const AUTHLIB_CLIENT = `import json, sys
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT

issuer, client_id, key_file = sys.argv[1:4]
token_endpoint = issuer + '/token'
with open(key_file) as f:
    private_key = f.read()
session = OAuth2Session(
    client_id, private_key,
    token_endpoint_auth_method='private_key_jwt',
    revocation_endpoint_auth_method='private_key_jwt',
)
session.register_client_auth_method(PrivateKeyJWT(token_endpoint))
try:
    token = session.fetch_token(token_endpoint, grant_type='client_credentials', scope='reports:read')
except Exception as error:
    print(json.dumps({'refused': str(error)}))
    sys.exit(0)
access = token['access_token']
before = session.introspect_token(issuer + '/introspect', access).json()
session.revoke_token(issuer + '/revoke', access).raise_for_status()
after = session.introspect_token(issuer + '/introspect', access).json()
print(json.dumps({'before': before, 'after': after}))
`;

let provider: InteropProvider;
let dir: string;
const registered = rsaPemKey('reports-key-1');
const stranger = rsaPemKey('stranger');

beforeAll(async () => {
  checkPythonModules();
  dir = tempDir('idp-sandbox-authlib-jwt-');
  fs.writeFileSync(path.join(dir, 'client.py'), AUTHLIB_CLIENT);
  fs.writeFileSync(path.join(dir, 'registered.pem'), registered.pem);
  fs.writeFileSync(path.join(dir, 'stranger.pem'), stranger.pem);
  provider = await startProvider({
    seed: {
      clients: [
        {
          client_id: 'reports-service',
          grant_types: ['client_credentials'],
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [await registered.publicJwk()] },
          scope: 'reports:read',
          access_token_format: 'reference',
        },
      ],
    },
  });
});

afterAll(async () => {
  await provider?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function authlib(keyFile: string): Promise<Record<string, unknown>> {
  const out = await runToEnd(DEBIAN_PYTHON, [
    path.join(dir, 'client.py'),
    provider.issuer,
    'reports-service',
    path.join(dir, keyFile),
  ]);
  return JSON.parse(out);
}

describe('authlib (Python) authenticating with private_key_jwt', () => {
  it('gets a token, introspects it and revokes it, each request with its own assertion', async () => {
    const answer = await authlib('registered.pem');
    expect(answer.before).toMatchObject({
      active: true,
      client_id: 'reports-service',
      scope: 'reports:read',
    });
    expect(answer.after).toEqual({ active: false });
  });

  it('is refused with invalid_client when it signs with a key that is not registered', async () => {
    const answer = await authlib('stranger.pem');
    expect(answer.refused).toMatch(/invalid_client: .*signature does not verify with the registered key/);
  });
});
