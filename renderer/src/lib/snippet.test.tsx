import { describe, expect, it } from 'vitest';
import { clientSnippet, SECRET_MASK, type SnippetFormat } from './snippet';

const base = {
  issuer: 'http://127.0.0.1:9400',
  discoveryUrl: 'http://127.0.0.1:9400/.well-known/openid-configuration',
};

type SnippetClient = Parameters<typeof clientSnippet>[0]['client'];

/** A confidential web client with two redirect URIs; each test changes what it is about. */
const WEB: SnippetClient = {
  client_id: 'web',
  client_secret: 's3cret',
  redirect_uris: ['http://localhost:3000/cb', 'http://localhost:3000/other'],
  scope: 'openid profile',
  token_endpoint_auth_method: 'client_secret_basic',
};

function snippetFor(changes: Partial<SnippetClient>, format: SnippetFormat): string {
  return clientSnippet({ ...base, client: { ...WEB, ...changes } }, format);
}

describe('clientSnippet', () => {
  it('gives a confidential client everything a service needs, as .env lines', () => {
    expect(snippetFor({}, 'env').split('\n')).toEqual([
      'OIDC_ISSUER=http://127.0.0.1:9400',
      'OIDC_DISCOVERY_URL=http://127.0.0.1:9400/.well-known/openid-configuration',
      'OIDC_JWKS_URI=http://127.0.0.1:9400/jwks',
      'OIDC_CLIENT_ID=web',
      'OIDC_CLIENT_SECRET=s3cret',
      'OIDC_REDIRECT_URI=http://localhost:3000/cb',
      "OIDC_SCOPE='openid profile'",
    ]);
  });

  it('leaves the secret out for a public client and speaks JSON too', () => {
    const text = snippetFor(
      {
        client_id: 'spa',
        client_secret: null,
        redirect_uris: [],
        scope: 'openid',
        token_endpoint_auth_method: 'none',
      },
      'json',
    );
    expect(JSON.parse(text)).toEqual({
      issuer: base.issuer,
      discovery_url: base.discoveryUrl,
      jwks_uri: 'http://127.0.0.1:9400/jwks',
      client_id: 'spa',
      scope: 'openid',
    });
  });

  // test/unit/quote.test.ts sources these lines with sh and reads the values back byte for byte.
  it('writes .env values in single quotes, where sh expands nothing', () => {
    const text = snippetFor(
      {
        client_id: "web $(touch /tmp/pwned) `id` 'q' \\",
        client_secret: 's\n"$HOME"',
        redirect_uris: ['http://localhost:3000/cb?x=$(id)'],
        scope: 'openid',
      },
      'env',
    );
    expect(text.split('\n').slice(3)).toEqual([
      "OIDC_CLIENT_ID='web $(touch /tmp/pwned) `id` '\\''q'\\'' \\'",
      "OIDC_CLIENT_SECRET='s",
      `"$HOME"'`,
      "OIDC_REDIRECT_URI='http://localhost:3000/cb?x=$(id)'",
      'OIDC_SCOPE=openid',
    ]);
  });

  it('masks the secret when asked, as the secret field does, and adds the audience', () => {
    const text = snippetFor({ audience: ['https://api.example', 'orders'] }, 'env');
    const masked = clientSnippet({ ...base, client: { ...WEB, audience: ['https://api.example'] } }, 'env', {
      maskSecret: true,
    });
    expect(text).toContain("OIDC_AUDIENCE='https://api.example orders'");
    expect(masked).toContain(`OIDC_CLIENT_SECRET='${SECRET_MASK}'`);
    expect(masked).not.toContain('s3cret');
  });

  it('tells a private_key_jwt client how it authenticates and with which keys, and gives no secret', () => {
    const json = JSON.parse(
      snippetFor(
        {
          token_endpoint_auth_method: 'private_key_jwt',
          client_secret: 'left-over',
          jwks: {
            keys: [
              { kty: 'EC', kid: 'k1' },
              { kty: 'EC', kid: 'k2' },
            ],
          },
        },
        'json',
      ),
    );
    expect(json).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', client_key_ids: 'k1 k2' });
    expect(json.client_secret).toBeUndefined();
    const byUrl = JSON.parse(
      snippetFor(
        { token_endpoint_auth_method: 'private_key_jwt', jwks: null, jwks_uri: 'https://svc.example/jwks' },
        'json',
      ),
    );
    expect(byUrl.client_jwks_uri).toBe('https://svc.example/jwks');
  });
});
