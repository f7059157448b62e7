import { describe, expect, it } from 'vitest';
import { buildCurlCommands, type CurlClient, clientAuthArgs, shellQuote } from './curl';

const issuer = 'http://127.0.0.1:9400';
const web: CurlClient = {
  client_id: 'web',
  client_secret: 'web-secret',
  token_endpoint_auth_method: 'client_secret_basic',
};

function ids(commands: { id: string }[]) {
  return commands.map((c) => c.id);
}

describe('curl commands', () => {
  it('quotes for a POSIX shell only when needed', () => {
    expect(shellQuote('abc.DEF-_=:/')).toBe('abc.DEF-_=:/');
    // A leading ~ would expand to a home directory.
    expect(shellQuote('~x')).toBe("'~x'");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });

  it('authenticates the client the way it is registered', () => {
    expect(clientAuthArgs(web)).toEqual(['-u web:web-secret']);
    // Basic needs the form-encoded id and secret (RFC 6749 §2.3.1), which curl -u does not do.
    const odd = { ...web, client_id: 'my app', client_secret: 'p@ss:word' };
    expect(clientAuthArgs(odd)).toEqual([`-H 'Authorization: Basic ${btoa('my+app:p%40ss%3Aword')}'`]);
    expect(clientAuthArgs({ ...web, token_endpoint_auth_method: 'client_secret_post' })).toEqual([
      '--data-urlencode client_id=web',
      '--data-urlencode client_secret=web-secret',
    ]);
    expect(clientAuthArgs({ ...web, client_secret: null, token_endpoint_auth_method: 'none' })).toEqual([
      '--data-urlencode client_id=web',
    ]);
  });

  it('offers introspection, userinfo, revocation, an API call and the JWKS for a JWT access token', () => {
    const commands = buildCurlCommands({
      issuer: `${issuer}/`,
      client: web,
      token: 'h.p.s',
      kind: 'access',
      apiUrl: 'http://api.test/orders?id=1&x=2',
    });
    expect(ids(commands)).toEqual(['introspect', 'userinfo', 'revoke', 'api', 'jwks']);
    const byId = Object.fromEntries(commands.map((c) => [c.id, c.command]));
    expect(byId.introspect).toBe(
      'curl -s -X POST \\\n  -u web:web-secret \\\n  --data-urlencode token=h.p.s \\\n  http://127.0.0.1:9400/introspect',
    );
    expect(byId.userinfo).toBe(
      "curl -s \\\n  -H 'Authorization: Bearer h.p.s' \\\n  http://127.0.0.1:9400/userinfo",
    );
    expect(byId.revoke).toContain('--data-urlencode token_type_hint=access_token');
    expect(byId.api).toContain("'http://api.test/orders?id=1&x=2'");
  });

  it('gives a refresh token a refresh command and no API call; an ID token only introspection (inactive) and keys', () => {
    const refresh = buildCurlCommands({ issuer, client: web, token: 'opaque', kind: 'refresh', apiUrl: 'x' });
    expect(ids(refresh)).toEqual(['introspect', 'revoke', 'refresh']);
    expect(refresh.find((c) => c.id === 'refresh')?.command).toContain(
      '--data-urlencode refresh_token=opaque',
    );
    expect(refresh.find((c) => c.id === 'revoke')?.command).toContain('token_type_hint=refresh_token');

    const id = buildCurlCommands({ issuer, client: web, token: 'h.p.s', kind: 'id', apiUrl: 'x' });
    expect(ids(id)).toEqual(['introspect', 'jwks']);
    expect(id[0]?.note).toContain('not introspectable');
  });

  it('sends a DPoP-bound token with the DPoP scheme and a place for the proof of each call', () => {
    const commands = buildCurlCommands({
      issuer,
      client: web,
      token: 'h.p.s',
      kind: 'access',
      apiUrl: 'http://api.test/orders',
      tokenType: 'DPoP',
    });
    const userinfo = commands.find((c) => c.id === 'userinfo');
    expect(userinfo?.command).toBe(
      'curl -s \\\n  -H \'Authorization: DPoP h.p.s\' \\\n  -H "DPoP: $DPOP_PROOF" \\\n  http://127.0.0.1:9400/userinfo',
    );
    expect(userinfo?.note).toContain('DPOP_PROOF');
    expect(commands.find((c) => c.id === 'api')?.command).toContain('-H "DPoP: $DPOP_PROOF"');
    expect(commands.some((c) => c.command.includes('Bearer'))).toBe(false);
  });

  it('leaves introspection to a confidential client when the token’s client is public', () => {
    const spa: CurlClient = { client_id: 'spa', client_secret: null, token_endpoint_auth_method: 'none' };
    const [introspect] = buildCurlCommands({
      issuer,
      client: spa,
      token: 'ref',
      kind: 'access',
      apiUrl: 'x',
    });
    expect(introspect?.command).toContain('-u "$RS_CLIENT_ID:$RS_CLIENT_SECRET"');
    expect(introspect?.note).toContain('public client');
  });
});
