import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { realmToWorkspace } from '../../main/core/admin/keycloak/import';
import { adminContract } from '../../shared/contract';
import { KeycloakRealmSchema } from '../../shared/keycloak';

// A realm export as Keycloak writes it (test/fixtures/keycloak/acme-realm-export.json, written from
// Keycloak's documented representations and public exports), with much the sandbox cannot hold.

const ACME = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, '../fixtures/keycloak/acme-realm-export.json'), 'utf8'),
);
const { workspace, skipped } = realmToWorkspace(KeycloakRealmSchema.parse(ACME));
const reasonAt = (at: string) => skipped.find((s) => s.path === at)?.reason;

describe('Keycloak realm import: what is carried over', () => {
  it('takes the realm lifetimes: access, code, and the session idle time as the refresh lifetime', () => {
    expect(workspace.settings).toMatchObject({
      access_token_ttl: 300,
      id_token_ttl: 300,
      authorization_code_ttl: 60,
      refresh_token_ttl: 1800,
      signing_alg: 'RS256',
    });
  });

  it('makes a test user of each enabled user, with claims from fields and mapped attributes', () => {
    expect(workspace.users?.map((u) => u.username)).toEqual(['alice', 'bob', 'carol']);
    const alice = workspace.users?.[0];
    expect(alice).toMatchObject({ password: 'alice-password', sub: '5b8ad3e4-95bb-4cc4-9f2f-2b7e27f2b7a1' });
    expect(alice?.claims).toEqual({
      given_name: 'Alice',
      family_name: 'Liddell',
      name: 'Alice Liddell',
      email: 'alice@acme.test',
      email_verified: true,
      // A client's mapper: "long".
      level: 3,
      // Multivalued, and a dotted claim name nests.
      perms: { orders: ['orders:read', 'orders:write'] },
      // JSON type, with an escaped dot: one claim named "team.profile".
      'team.profile': { team: 'blue', seats: [1, 2] },
      // A mapper of the custom client scope "tenant".
      tenant: 'acme',
      // Keycloak's built-in profile and address scopes.
      locale: 'en',
      address: { street_address: '1 Main St', country: 'NL' },
      // A hardcoded claim of a realm default client scope: every user's tokens carry it.
      org: 'acme',
    });
    // A hashed password cannot be carried: bob has none (and signs in by username).
    expect(workspace.users?.[1]?.password).toBeUndefined();
    expect(workspace.users?.[1]?.claims).toEqual({
      email: 'bob@acme.test',
      email_verified: false,
      tenant: 'globex',
      org: 'acme',
    });
  });

  it('makes a client of each OpenID Connect client the sandbox can have', () => {
    expect(workspace.clients?.map((c) => c.client_id)).toEqual(['orders-web', 'orders-spa', 'orders-worker']);
    const [web, spa, worker] = workspace.clients ?? [];
    expect(web).toMatchObject({
      client_name: 'Orders web app',
      client_secret: 'orders-web-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: ['https://orders.acme.test/callback'],
      post_logout_redirect_uris: ['https://orders.acme.test/bye'],
      grant_types: ['authorization_code', 'password', 'refresh_token'],
      audience: ['orders-api'],
      access_token_ttl: 600,
      refresh_token_ttl: 7200,
      scope: 'openid profile email tenant address phone offline_access',
      // The client's hardcoded claim (access token only): Keycloak also puts it in service-account tokens.
      claim_mappings: [{ name: 'app_kind', source: { value: 'web' }, tokens: ['access'], machine: true }],
    });
    expect(spa).toMatchObject({
      token_endpoint_auth_method: 'none',
      // "+": the redirect URIs.
      post_logout_redirect_uris: ['http://localhost:5173/callback'],
      grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      dpop_bound_access_tokens: true,
    });
    expect(worker).toMatchObject({
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: 'https://worker.acme.test/jwks.json',
      token_endpoint_auth_signing_alg: 'ES256',
      grant_types: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      access_token_ttl: 120,
    });
  });
});

describe('Keycloak realm import: what is not, each named', () => {
  it('names every realm-level collection and setting it leaves behind', () => {
    expect(reasonAt('roles.realm')).toBe(
      '2 realm roles (admin, editor), composites: admin: the sandbox has no roles; put role names in a user claim',
    );
    expect(reasonAt('roles.client')).toContain('orders-web: orders-admin');
    expect(reasonAt('groups')).toContain('staff');
    expect(reasonAt('identityProviders')).toContain('google');
    expect(reasonAt('identityProviderMappers')).toContain('google email');
    expect(reasonAt('authenticationFlows')).toBe(
      '1 custom authentication flows (acme browser with otp): no sandbox equivalent',
    );
    expect(reasonAt('browserFlow')).toContain('acme browser with otp');
    expect(reasonAt('components["org.keycloak.storage.UserStorageProvider"]')).toContain('corporate-ldap');
    expect(reasonAt('components["org.keycloak.keys.KeyProvider"]')).toContain('own keys');
    for (const at of [
      'smtpServer',
      'registrationAllowed',
      'bruteForceProtected',
      'passwordPolicy',
      'loginTheme',
    ]) {
      expect(reasonAt(at), at).toBeDefined();
    }
    expect(reasonAt('revokeRefreshToken')).toContain('always rotates');
  });

  it('names each user, credential and attribute it could not carry', () => {
    expect(reasonAt('users[0].attributes.shoe_size')).toBe(
      'no protocol mapper puts this attribute into tokens',
    );
    expect(reasonAt('users[0].realmRoles')).toContain('admin');
    expect(reasonAt('users[0].groups')).toContain('/staff');
    expect(reasonAt('users[1].credentials[0]')).toMatch(
      /^a hashed password \(pbkdf2-sha512\) cannot be carried/,
    );
    expect(reasonAt('users[1].credentials[1]')).toContain('otp credential');
    expect(reasonAt('users[1].requiredActions')).toContain('UPDATE_PASSWORD');
    expect(reasonAt('users[2]')).toBe('disabled user "mallory"');
    expect(reasonAt('users[3]')).toContain('service account of client "orders-worker"');
    expect(reasonAt('users[4].federatedIdentities')).toBeDefined();
    expect(reasonAt('users[4].credentials[0].temporary')).toBeDefined();
  });

  it('names each client, redirect URI, flow and mapper it could not carry', () => {
    expect(reasonAt('clients')).toBe(
      "Keycloak's built-in clients (account, admin-cli, broker, realm-management, security-admin-console) are left out",
    );
    expect(reasonAt('clients[5].redirectUris[1]')).toContain('"https://orders.acme.test/*"');
    expect(reasonAt('clients[5].implicitFlowEnabled')).toBe('the sandbox has no implicit flow');
    expect(reasonAt('clients[5].protocolMappers[5]')).toContain('oidc-usermodel-realm-role-mapper');
    expect(reasonAt('clientScopes[2].protocolMappers[2]')).toContain('oidc-group-membership-mapper');
    expect(reasonAt('clients[8]')).toContain('bearer-only client "orders-api"');
    expect(reasonAt('clients[9]')).toContain('saml client');
    expect(reasonAt('clients[10]')).toBe('disabled client "legacy"');
  });

  it('reports nothing it carried, and each skipped path once', () => {
    const paths = skipped.map((s) => s.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.filter((p) => p.startsWith('clients[6]') || p.startsWith('clients[7]'))).toEqual([]);
    expect(paths).not.toContain('users[0].attributes.tenant');
    expect(paths).not.toContain('clients[5].protocolMappers[4]');
  });
});

describe('Keycloak realm import: bad input', () => {
  const input = adminContract['keycloak.import'].input;

  it('refuses a file that is not a realm, naming what is missing', () => {
    const result = input.safeParse({ realm: { users: [] } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['realm', 'realm']);
  });

  it('reports an unreadable idp-sandbox attribute and imports the client from Keycloak’s fields', () => {
    const realm = KeycloakRealmSchema.parse({
      realm: 'r',
      clients: [
        {
          clientId: 'svc',
          secret: 's',
          standardFlowEnabled: false,
          serviceAccountsEnabled: true,
          attributes: { 'idp-sandbox.client': '{not json', 'access.token.lifespan': 60 },
        },
      ],
    });
    const result = realmToWorkspace(realm);
    expect(result.workspace.clients?.[0]).toMatchObject({ client_id: 'svc', access_token_ttl: 60 });
    expect(result.skipped).toEqual([
      { path: 'clients[0].attributes["idp-sandbox.client"]', reason: expect.stringMatching(/^not JSON/) },
    ]);
  });

  it('skips a user whose mapped claims the sandbox refuses, saying why', () => {
    const realm = KeycloakRealmSchema.parse({
      realm: 'r',
      users: [{ username: 'x', attributes: { subject: ['other'] } }],
      clients: [
        {
          clientId: 'c',
          publicClient: true,
          redirectUris: ['http://127.0.0.1/cb'],
          protocolMappers: [
            {
              name: 'sub',
              protocolMapper: 'oidc-usermodel-attribute-mapper',
              config: { 'user.attribute': 'subject', 'claim.name': 'sub', 'access.token.claim': 'true' },
            },
          ],
        },
      ],
    });
    const result = realmToWorkspace(realm);
    expect(result.workspace.users).toEqual([{ username: 'x', claims: {} }]);
    expect(result.skipped).toEqual([
      {
        path: 'users[0].attributes.subject',
        reason: '"sub" is set by the provider and cannot be a user claim',
      },
    ]);
  });
});
