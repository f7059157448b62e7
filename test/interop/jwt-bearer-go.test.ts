/**
 * The JWT bearer grant (RFC 7523 §2.1) from Go's golang.org/x/oauth2/jwt (Debian's package, built
 * offline), unmodified: jwt.Config signs the assertion itself (iss = Email, sub = Subject, aud =
 * TokenURL, RS256 with a PEM key, no jti) and trades it at the built provider; the program then calls
 * userinfo with the token. The token is verified here with jose. A key the client does not trust and a
 * subject that is no user are refused with invalid_grant.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rsaPemKey } from '../helpers/assertion-keys';
import { tempDir } from '../helpers/engine';
import { runToEnd } from './apps/verifiers/run';
import { buildGoProgram } from './apps/verifiers/toolchains';
import { type InteropProvider, startProvider } from './provider';

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ASSERTION_ISSUER = 'reports-signer@service.example';
const PROGRAM = path.join(import.meta.dirname, 'apps', 'jwt-bearer-go', 'main.go');
const DEBIAN_OAUTH2_JWT = '/usr/share/gocode/src/golang.org/x/oauth2/jwt/jwt.go';

/** Fails with how to install them when Go or Debian's x/oauth2 are missing. */
function checkGoOauth2(): void {
  const missing =
    'This test needs Go and golang.org/x/oauth2 from Debian: apt-get install -y golang-go golang-golang-x-oauth2-dev';
  try {
    execFileSync('go', ['version'], { stdio: 'pipe' });
  } catch {
    throw new Error(missing);
  }
  if (!fs.existsSync(DEBIAN_OAUTH2_JWT)) throw new Error(missing);
}

let provider: InteropProvider;
let dir: string;
let binary: string;
// PKCS #1, the "RSA PRIVATE KEY" PEM Go services are often handed (x/oauth2 reads PKCS #8 too).
const trustedKey = rsaPemKey('signer-1', 'pkcs1');
const strangerKey = rsaPemKey('signer-1', 'pkcs1');

beforeAll(async () => {
  checkGoOauth2();
  dir = tempDir('idp-sandbox-jwt-bearer-go-');
  fs.copyFileSync(PROGRAM, path.join(dir, 'main.go'));
  fs.writeFileSync(path.join(dir, 'trusted.pem'), trustedKey.pem);
  fs.writeFileSync(path.join(dir, 'stranger.pem'), strangerKey.pem);
  binary = await buildGoProgram(dir, 'main.go');
  provider = await startProvider({
    seed: {
      users: [{ username: 'alice', sub: 'alice-sub', claims: { name: 'Alice Example' } }],
      clients: [
        {
          client_id: 'reports',
          client_secret: 'reports-secret',
          grant_types: [GRANT],
          scope: 'openid profile reports:read',
          audience: ['reports-api'],
          jwt_bearer: {
            trusted_issuers: [{ issuer: ASSERTION_ISSUER, jwks: { keys: [await trustedKey.publicJwk()] } }],
          },
        },
      ],
    },
  });
}, 120_000);

afterAll(async () => {
  await provider?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function goClient(keyFile: string, subject: string): Promise<Record<string, unknown>> {
  const out = await runToEnd(binary, [
    provider.issuer,
    'reports',
    'reports-secret',
    ASSERTION_ISSUER,
    'signer-1',
    path.join(dir, keyFile),
    subject,
  ]);
  return JSON.parse(out);
}

describe('golang.org/x/oauth2/jwt (Go) with the JWT bearer grant', () => {
  it("gets alice's access token with its own assertion and calls userinfo with it", async () => {
    const answer = await goClient('trusted.pem', 'alice');
    expect(answer).toMatchObject({
      token_type: 'Bearer',
      refresh_token: '',
      scope: 'openid profile reports:read',
      userinfo_status: 200,
      userinfo: { sub: 'alice-sub', name: 'Alice Example' },
    });
    const jwks = createRemoteJWKSet(new URL(`${provider.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(answer.access_token as string, jwks, {
      issuer: provider.issuer,
      audience: 'reports-api',
      typ: 'at+jwt',
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ sub: 'alice-sub', client_id: 'reports' });
  });

  it('is refused with invalid_grant for a key the client does not trust, and for a subject that is no user', async () => {
    const stranger = await goClient('stranger.pem', 'alice');
    expect(stranger.refused).toMatch(
      /invalid_grant.*signature does not verify with the registered key of trusted issuer/,
    );
    const nobody = await goClient('trusted.pem', 'nobody');
    expect(nobody.refused).toMatch(/invalid_grant.*sub 'nobody' is no user's subject or username/);
  });
});
