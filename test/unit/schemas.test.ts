import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { describeZodError } from '../../main/core/admin/dispatch';
import { matchRedirectUri } from '../../main/core/protocol/redirect-uri';
import {
  customClaims,
  identityClaims,
  SCOPE_CLAIMS,
  splitScope,
  standardClaimsForScopes,
} from '../../main/core/tokens/claims';
import {
  ClientInputSchema,
  RESERVED_CLAIMS,
  SettingsPatchSchema,
  SettingsSchema,
  UserInputSchema,
  WorkspaceSchema,
} from '../../shared/schemas';

/** The issues of a failed parse as [path, message] pairs (throws if the parse succeeded). */
function issues(schema: z.ZodType, input: unknown): [string, string][] {
  const result = schema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return result.error.issues.map((issue) => [issue.path.join('.'), issue.message]);
}

const accepts = (schema: z.ZodType, input: unknown) => expect(schema.safeParse(input).success).toBe(true);

describe('user claims', () => {
  it.each(RESERVED_CLAIMS)('refuses the reserved claim "%s", naming it', (name) => {
    expect(issues(UserInputSchema, { username: 'a', claims: { [name]: 'x' } })).toEqual([
      [`claims.${name}`, `"${name}" is set by the provider and cannot be a user claim`],
    ]);
  });

  it('names every reserved claim of one user, not only the first', () => {
    const found = issues(UserInputSchema, { username: 'a', claims: { iss: 1, name: 'ok', scope: 'x' } });
    expect(found.map(([path]) => path)).toEqual(['claims.iss', 'claims.scope']);
  });

  it('accepts standard and custom claims with any JSON value', () => {
    accepts(UserInputSchema, {
      username: 'a',
      claims: {
        name: 'A',
        email_verified: true,
        roles: ['admin'],
        address: { country: 'NL' },
        level: 3,
        note: null,
      },
    });
  });

  it('refuses an empty claim name and an empty or padded username', () => {
    expect(issues(UserInputSchema, { username: 'a', claims: { '': 1 } })[0]?.[0]).toBe('claims.');
    expect(issues(UserInputSchema, { username: '' })).toEqual([['username', 'username must not be empty']]);
    expect(issues(UserInputSchema, { username: ' alice' })).toEqual([
      ['username', 'username must not start or end with spaces'],
    ]);
  });
});

describe('client consistency rules', () => {
  it('needs a redirect URI for the authorization_code grant, explicit or by default', () => {
    const message = 'a client with the authorization_code grant needs at least one redirect URI';
    expect(issues(ClientInputSchema, { client_id: 'c', grant_types: ['authorization_code'] })).toEqual([
      ['redirect_uris', message],
    ]);
    // The default grant types include authorization_code.
    expect(issues(ClientInputSchema, { client_id: 'c' })).toEqual([['redirect_uris', message]]);
    accepts(ClientInputSchema, { client_id: 'c', grant_types: ['client_credentials'] });
    accepts(ClientInputSchema, { client_id: 'c', grant_types: ['password', 'refresh_token'] });
  });

  it('refuses client_credentials for a public client', () => {
    expect(
      issues(ClientInputSchema, {
        client_id: 'c',
        token_endpoint_auth_method: 'none',
        grant_types: ['client_credentials'],
      }),
    ).toEqual([
      [
        'grant_types',
        'client_credentials needs a confidential client (token_endpoint_auth_method other than "none")',
      ],
    ]);
    accepts(ClientInputSchema, {
      client_id: 'c',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/cb'],
    });
  });

  it('refuses redirect URIs that are relative, carry a fragment or a script scheme, by index', () => {
    const found = issues(ClientInputSchema, {
      client_id: 'c',
      redirect_uris: [
        '/cb',
        'http://a.example/cb#x',
        'javascript:alert(1)',
        'data:text/html,x',
        'https://ok.example/cb',
      ],
    });
    expect(found).toEqual(
      [0, 1, 2, 3].map((i) => [`redirect_uris.${i}`, 'must be an absolute URI without a fragment']),
    );
  });

  it('refuses unknown fields, a malformed scope and a non-ASCII client_id', () => {
    expect(issues(ClientInputSchema, { client_id: 'c', grant_types: ['password'], secret: 'x' })).toEqual([
      ['', 'Unrecognized key: "secret"'],
    ]);
    expect(issues(ClientInputSchema, { client_id: 'c', grant_types: ['password'], scope: 'a  b' })).toEqual([
      ['scope', 'must be space-separated scope tokens'],
    ]);
    expect(issues(ClientInputSchema, { client_id: 'clïent', grant_types: ['password'] })).toEqual([
      ['client_id', 'client_id must be printable ASCII'],
    ]);
  });
});

describe('TTL bounds', () => {
  const TTLS = ['access_token_ttl', 'id_token_ttl', 'refresh_token_ttl'] as const;

  it.each(TTLS)('settings.%s is a whole number of seconds from 1 to one year', (field) => {
    accepts(SettingsPatchSchema, { [field]: 1 });
    accepts(SettingsPatchSchema, { [field]: 31_536_000 });
    expect(issues(SettingsPatchSchema, { [field]: 0 })).toEqual([
      [field, 'Too small: expected number to be >=1'],
    ]);
    expect(issues(SettingsPatchSchema, { [field]: 31_536_001 })).toEqual([
      [field, 'Too big: expected number to be <=31536000'],
    ]);
    expect(issues(SettingsPatchSchema, { [field]: 1.5 })[0]?.[0]).toBe(field);
    expect(issues(SettingsPatchSchema, { [field]: '60' })[0]?.[0]).toBe(field);
  });

  it('caps the authorization code lifetime at an hour', () => {
    accepts(SettingsPatchSchema, { authorization_code_ttl: 3600 });
    expect(issues(SettingsPatchSchema, { authorization_code_ttl: 3601 })).toEqual([
      ['authorization_code_ttl', 'Too big: expected number to be <=3600'],
    ]);
  });

  it.each(TTLS)('a client %s override has the same bounds', (field) => {
    const client = { client_id: 'c', grant_types: ['client_credentials'] };
    accepts(ClientInputSchema, { ...client, [field]: 31_536_000 });
    expect(issues(ClientInputSchema, { ...client, [field]: 0 })).toEqual([
      [field, 'Too small: expected number to be >=1'],
    ]);
  });

  it('refuses unknown settings and signing algorithms outside the supported four', () => {
    expect(issues(SettingsPatchSchema.strict(), { token_ttl: 5 })).toEqual([
      ['', 'Unrecognized key: "token_ttl"'],
    ]);
    for (const alg of ['HS256', 'none', 'RS512']) {
      expect(issues(SettingsSchema.shape.signing_alg, alg)).toHaveLength(1);
    }
  });
});

describe('workspace documents', () => {
  it('name the JSON path of each problem, as the admin API and the seed loader report it', () => {
    const result = WorkspaceSchema.safeParse({
      settings: { access_token_ttl: 0 },
      users: [{ username: 'a' }, { username: 'b' }, { username: 'c', claims: { iss: 'x' } }],
      clients: [{ client_id: 'ok', grant_types: ['client_credentials'] }, { client_id: 'web' }],
      extra: true,
    });
    expect(result.success).toBe(false);
    const message = describeZodError((result as { error: z.ZodError }).error);
    expect(message.split('; ')).toEqual([
      'settings.access_token_ttl: Too small: expected number to be >=1',
      'users[2].claims.iss: "iss" is set by the provider and cannot be a user claim',
      'clients[1].redirect_uris: a client with the authorization_code grant needs at least one redirect URI',
      '(root): Unrecognized key: "extra"',
    ]);
  });
});

describe('scope and claims helpers', () => {
  const claims = {
    name: 'Alice',
    given_name: 'Alice',
    email: 'alice@example.test',
    email_verified: true,
    phone_number: '+31 6 0000 0000',
    address: { country: 'NL' },
    roles: ['admin'],
    tenant: 'acme',
  };

  it('splits a scope string on spaces, tolerating missing or repeated separators', () => {
    expect(splitScope('openid  profile email')).toEqual(['openid', 'profile', 'email']);
    expect(splitScope('')).toEqual([]);
    expect(splitScope(undefined)).toEqual([]);
    expect(splitScope(null)).toEqual([]);
  });

  it('gives the standard claims of each scope (OIDC Core §5.4), only those the user has', () => {
    expect(standardClaimsForScopes(claims, ['openid'])).toEqual({});
    expect(standardClaimsForScopes(claims, ['profile'])).toEqual({ name: 'Alice', given_name: 'Alice' });
    expect(standardClaimsForScopes(claims, ['email'])).toEqual({
      email: 'alice@example.test',
      email_verified: true,
    });
    expect(standardClaimsForScopes(claims, ['address', 'phone'])).toEqual({
      address: { country: 'NL' },
      phone_number: '+31 6 0000 0000',
    });
    expect(standardClaimsForScopes(claims, ['orders:read', 'offline_access'])).toEqual({});
    expect(SCOPE_CLAIMS.email).toEqual(['email', 'email_verified']);
  });

  it('treats every non-standard claim as custom and includes it whatever the scope', () => {
    expect(customClaims(claims)).toEqual({ roles: ['admin'], tenant: 'acme' });
    expect(identityClaims(claims, ['openid'])).toEqual({ roles: ['admin'], tenant: 'acme' });
    expect(identityClaims(claims, ['openid', 'email'])).toEqual({
      email: 'alice@example.test',
      email_verified: true,
      roles: ['admin'],
      tenant: 'acme',
    });
  });

  it('does not treat scopes named like Object.prototype members as claim groups', () => {
    expect(identityClaims({ name: 'a' }, ['openid', 'constructor', 'toString', '__proto__'])).toEqual({});
  });
});

describe('redirect URI matching', () => {
  const registered = ['http://127.0.0.1:5173/callback', 'https://app.example.com/cb', 'http://[::1]:8080/cb'];
  const native = { redirect_uris: registered, allow_loopback_port_variance: true };
  const exact = { redirect_uris: registered, allow_loopback_port_variance: false };
  const withVariance = (uris: string[]) => ({ redirect_uris: uris, allow_loopback_port_variance: true });

  it('matches a registered URI exactly', () => {
    for (const client of [native, exact]) {
      expect(matchRedirectUri(client, 'http://127.0.0.1:5173/callback')).toBe(true);
      expect(matchRedirectUri(client, 'https://app.example.com/cb')).toBe(true);
    }
  });

  it.each([
    'https://app.example.com/cb/',
    'https://app.example.com/CB',
    'https://app.example.com/cb?x=1',
    'https://app.example.com/cb#frag',
    'https://app.example.com:8443/cb',
    'http://app.example.com/cb',
    'https://evil.example/cb',
    'http://127.0.0.1:5173/callback/',
    'http://127.0.0.1:5173/callback?x=1',
    'http://127.0.0.1:5173/other',
    'not a url',
    '',
  ])('refuses %j', (requested) => {
    expect(matchRedirectUri(native, requested)).toBe(false);
    expect(matchRedirectUri(exact, requested)).toBe(false);
  });

  it('lets a loopback IP URI use any port (RFC 8252 §7.3) when the client allows it, nothing else', () => {
    expect(matchRedirectUri(native, 'http://127.0.0.1:49152/callback')).toBe(true);
    expect(matchRedirectUri(native, 'http://127.0.0.1/callback')).toBe(true);
    expect(matchRedirectUri(native, 'http://[::1]:1/cb')).toBe(true);
    // The loopback IP itself must match; localhost (RFC 8252 §8.3: not recommended) and https get no leeway.
    expect(matchRedirectUri(native, 'http://localhost:5173/callback')).toBe(false);
    expect(matchRedirectUri(withVariance(['http://localhost:3000/cb']), 'http://localhost:4000/cb')).toBe(
      false,
    );
    expect(matchRedirectUri(withVariance(['https://127.0.0.1:1/cb']), 'https://127.0.0.1:2/cb')).toBe(false);
    // The exception is only for loopback hosts.
    expect(
      matchRedirectUri(withVariance(['http://app.example.com:80/cb']), 'http://app.example.com:81/cb'),
    ).toBe(false);
  });

  it('matches exactly, port included, for a client that does not allow port variance', () => {
    expect(matchRedirectUri(exact, 'http://127.0.0.1:49152/callback')).toBe(false);
    expect(matchRedirectUri(exact, 'http://127.0.0.1/callback')).toBe(false);
    expect(matchRedirectUri(exact, 'http://[::1]:1/cb')).toBe(false);
  });

  it('is not fooled by userinfo tricks around a loopback host', () => {
    expect(matchRedirectUri(native, 'http://127.0.0.1:5173@evil.example/callback')).toBe(false);
    expect(matchRedirectUri(native, 'http://evil@127.0.0.1:9999/callback')).toBe(false);
    expect(matchRedirectUri(native, 'http://127.0.0.1:5173/callback@evil.example')).toBe(false);
  });
});
