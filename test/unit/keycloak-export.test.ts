import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceToRealm } from '../../main/core/admin/keycloak/export';
import { realmToWorkspace } from '../../main/core/admin/keycloak/import';
import { type KeycloakRealm, KeycloakRealmSchema } from '../../shared/keycloak';
import { DEFAULT_SETTINGS, type ParsedWorkspace, WorkspaceSchema } from '../../shared/schemas';
import { SANDBOX_WORKSPACE } from '../fixtures/keycloak/sandbox-workspace';

// Keycloak does not run here: the export is checked against Keycloak's own field lists (written into
// the fixture from its representation classes) and by converting it back.

const FIELDS = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, '../fixtures/keycloak/representation-fields.json'), 'utf8'),
) as Record<string, string[]>;
const known = (list: string) => new Set(FIELDS[list]);

const workspace: ParsedWorkspace = WorkspaceSchema.parse(SANDBOX_WORKSPACE);
/** What `kc.sh import` would read: the export as JSON text. */
const exported = workspaceToRealm(workspace, 'sandbox');
const realm = JSON.parse(JSON.stringify(exported.realm)) as Record<string, unknown> & KeycloakRealm;

type Obj = Record<string, unknown>;
const unknownKeys = (value: Obj, list: string) => Object.keys(value).filter((key) => !known(list).has(key));
const isSandboxKey = (key: string) => key.startsWith('idp-sandbox.');

/** The workspace a full round trip gives back, in the order and defaults of the original. */
function sorted(ws: ParsedWorkspace) {
  return {
    ...ws,
    clients: ws.clients?.map((c) => ({ ...c, grant_types: [...c.grant_types].sort() })),
  };
}

describe('Keycloak realm export: only fields Keycloak reads', () => {
  it('uses RealmRepresentation fields, and only idp-sandbox.* realm attributes', () => {
    expect(unknownKeys(realm, 'RealmRepresentation')).toEqual([]);
    expect(Object.keys(realm.attributes ?? {}).filter((k) => !isSandboxKey(k))).toEqual([]);
  });

  it('uses UserRepresentation and CredentialRepresentation fields', () => {
    for (const user of realm.users ?? []) {
      expect(unknownKeys(user as Obj, 'UserRepresentation'), user.username).toEqual([]);
      for (const credential of user.credentials ?? []) {
        expect(unknownKeys(credential as Obj, 'CredentialRepresentation')).toEqual([]);
      }
      // Map<String, List<String>>: every attribute value is a list of strings.
      for (const values of Object.values(user.attributes ?? {})) {
        expect(Array.isArray(values) && values.every((v) => typeof v === 'string')).toBe(true);
      }
    }
  });

  it('uses ClientRepresentation fields, known client attributes and known mapper types and configs', () => {
    for (const client of realm.clients ?? []) {
      expect(unknownKeys(client as Obj, 'ClientRepresentation'), client.clientId).toEqual([]);
      const attributes = Object.keys(client.attributes ?? {});
      expect(attributes.filter((k) => !known('clientAttributes').has(k) && !isSandboxKey(k))).toEqual([]);
      // Map<String, String>: Keycloak's attributes and mapper configs hold strings only.
      expect(Object.values(client.attributes ?? {}).every((v) => typeof v === 'string')).toBe(true);
      for (const mapper of client.protocolMappers ?? []) {
        expect(unknownKeys(mapper as Obj, 'ProtocolMapperRepresentation')).toEqual([]);
        expect(known('protocolMapperTypes').has(mapper.protocolMapper)).toBe(true);
        expect(Object.keys(mapper.config ?? {}).filter((k) => !known('protocolMapperConfig').has(k))).toEqual(
          [],
        );
        expect(Object.values(mapper.config ?? {}).every((v) => typeof v === 'string')).toBe(true);
      }
    }
  });

  it('uses ComponentExportRepresentation fields for the user profile that keeps custom attributes', () => {
    const components = realm.components as Record<string, Obj[]>;
    expect(Object.keys(components)).toEqual(FIELDS.userProfileComponent);
    for (const component of Object.values(components).flat()) {
      expect(unknownKeys(component, 'ComponentExportRepresentation')).toEqual([]);
      const config = component.config as Record<string, string[]>;
      expect(Object.keys(config)).toEqual(FIELDS.userProfileConfig);
      const profile = JSON.parse(config['kc.user.profile.config']?.[0] ?? '{}');
      expect(profile.unmanagedAttributePolicy).toBe('ENABLED');
    }
  });

  it('parses with the realm schema the import uses', () => {
    expect(KeycloakRealmSchema.safeParse(realm).success).toBe(true);
  });
});

describe('Keycloak realm export: what each part becomes', () => {
  const client = (id: string) => {
    const found = realm.clients?.find((c) => c.clientId === id);
    if (!found) throw new Error(`no client ${id}`);
    return found;
  };

  it('writes the realm lifetimes and signing algorithm', () => {
    expect(realm).toMatchObject({
      realm: 'sandbox',
      enabled: true,
      defaultSignatureAlgorithm: 'ES256',
      accessTokenLifespan: 600,
      accessCodeLifespan: 120,
      ssoSessionIdleTimeout: 86_400,
      ssoSessionMaxLifespan: 86_400,
      revokeRefreshToken: true,
      refreshTokenMaxReuse: 0,
    });
  });

  it('gives users their password as a plain credential, their standard claims as fields, the rest as attributes', () => {
    const alice = realm.users?.find((u) => u.username === 'alice');
    expect(alice).toMatchObject({
      id: '3f2b8c1e-8d43-4b7a-9a51-0c2f1e6d7a10',
      enabled: true,
      firstName: 'Alice',
      lastName: 'Liddell',
      email: 'alice@example.test',
      emailVerified: true,
      credentials: [{ type: 'password', value: 'alice-pw', temporary: false }],
    });
    expect(alice?.attributes).toMatchObject({
      locale: ['en'],
      phoneNumber: ['+31 20 123 4567'],
      street: ['1 Main St'],
      locality: ['Amsterdam'],
      country: ['NL'],
      tenant: ['acme'],
      level: ['3'],
      beta: ['true'],
      org: ['{"id":7,"units":["north",{"name":"south","size":2.5}]}'],
      'https://example.test/claims.plan': ['gold'],
    });
  });

  it('maps each custom claim with one attribute mapper per client, typed from every user’s value', () => {
    const mappers = client('web').protocolMappers ?? [];
    const config = (claim: string) =>
      mappers.find(
        (m) => m.protocolMapper === 'oidc-usermodel-attribute-mapper' && m.name === `claim ${claim}`,
      )?.config;
    expect(config('tenant')).toMatchObject({ 'jsonType.label': 'String', multivalued: 'false' });
    // level is a number for two users and a string for one: JSON keeps each as it is.
    expect(config('level')).toMatchObject({ 'jsonType.label': 'JSON' });
    expect(config('beta')).toMatchObject({ 'jsonType.label': 'boolean' });
    // carol's roles are empty: a multivalued mapper would drop the claim, so JSON.
    expect(config('roles')).toMatchObject({ 'jsonType.label': 'JSON' });
    expect(config('org')).toMatchObject({ 'jsonType.label': 'JSON' });
    expect(config('https://example.test/claims.plan')).toMatchObject({
      'claim.name': 'https://example\\.test/claims\\.plan',
      'access.token.claim': 'true',
      'id.token.claim': 'true',
      'userinfo.token.claim': 'true',
    });
    const audiences = mappers.filter((m) => m.protocolMapper === 'oidc-audience-mapper');
    expect(audiences.map((m) => m.config?.['included.custom.audience'])).toEqual([
      'orders-api',
      'billing-api',
    ]);
  });

  it('sets each kind of client’s flow switches, authentication and attributes', () => {
    expect(client('web')).toMatchObject({
      publicClient: false,
      clientAuthenticatorType: 'client-secret',
      secret: 'web-secret',
      standardFlowEnabled: true,
      directAccessGrantsEnabled: true,
      serviceAccountsEnabled: false,
      redirectUris: ['http://127.0.0.1:5173/callback', 'https://app.example.test/cb'],
      attributes: {
        'post.logout.redirect.uris': 'http://127.0.0.1:5173/bye',
        'access.token.lifespan': '300',
        'client.session.idle.timeout': '3600',
        'client.session.max.lifespan': '3600',
        'use.refresh.tokens': 'true',
      },
    });
    expect(client('spa')).toMatchObject({
      publicClient: true,
      attributes: { 'pkce.code.challenge.method': 'S256', 'dpop.bound.access.tokens': 'true' },
    });
    expect(client('spa').secret).toBeUndefined();
    expect(client('tv').attributes).toMatchObject({ 'oauth2.device.authorization.grant.enabled': 'true' });
    expect(client('worker')).toMatchObject({ serviceAccountsEnabled: true, standardFlowEnabled: false });
    expect(client('signed-worker')).toMatchObject({
      clientAuthenticatorType: 'client-jwt',
      attributes: { 'use.jwks.string': 'true', 'token.endpoint.auth.signing.alg': 'ES256' },
    });
    expect(client('hmac-worker')).toMatchObject({ clientAuthenticatorType: 'client-secret-jwt' });
    expect(client('gateway').attributes).toMatchObject({ 'standard.token.exchange.enabled': 'true' });
    expect(client('federated').attributes).toMatchObject({
      'oauth2.jwt.authorization.grant.enabled': 'true',
    });
    const hardcoded = client('worker').protocolMappers?.filter(
      (m) => m.protocolMapper === 'oidc-hardcoded-claim-mapper',
    );
    expect(hardcoded).toEqual([
      {
        name: 'static tier',
        protocol: 'openid-connect',
        protocolMapper: 'oidc-hardcoded-claim-mapper',
        consentRequired: false,
        config: {
          'claim.name': 'tier',
          'claim.value': '{"level":"gold","seats":5}',
          'jsonType.label': 'JSON',
          'access.token.claim': 'true',
          'id.token.claim': 'true',
          'userinfo.token.claim': 'true',
          'introspection.token.claim': 'true',
        },
      },
    ]);
  });

  it('keeps what Keycloak has no field for in idp-sandbox.* attributes, and says so in the notes', () => {
    const extras = (id: string) => JSON.parse(client(id).attributes?.['idp-sandbox.client'] ?? '{}');
    expect(extras('worker')).toEqual({
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'orders:write',
      access_token_format: 'reference',
      id_token_ttl: 60,
    });
    expect(extras('gateway').token_exchange).toEqual(SANDBOX_WORKSPACE.clients?.[6]?.token_exchange);
    expect(extras('web')).toEqual({ claim_mappings: SANDBOX_WORKSPACE.clients?.[0]?.claim_mappings });
    expect(extras('spa')).toEqual({});
    expect(JSON.parse(realm.attributes?.['idp-sandbox.settings'] ?? '{}')).toEqual({
      id_token_ttl: 900,
      login_hint_skips_login: true,
      clock_skew_seconds: 30,
    });
    const notes = exported.notes.join('\n');
    expect(notes).toContain('clients "worker" access_token_format: Keycloak issues JWT access tokens only');
    expect(notes).toContain('clients "federated" jwt_bearer');
    expect(notes).toContain('settings.id_token_ttl');
    expect(notes).toContain(
      'settings.signing_alg: Keycloak signs with ES256 only once the realm has a key for it',
    );
    expect(notes).toContain('create client scopes "orders:write"');
  });

  it('notes what of a user Keycloak cannot hold', () => {
    const { notes } = workspaceToRealm(
      WorkspaceSchema.parse({
        users: [
          { username: 'Dana', sub: 'x'.repeat(40), claims: { name: 'Someone Else', given_name: 'Dana' } },
        ],
      }),
      'r',
    );
    expect(notes).toEqual([
      'users "Dana" claim "name": Keycloak builds "name" from firstName and lastName ("Dana")',
      'users "Dana": Keycloak stores usernames in lower case',
      'users "Dana": sub is longer than a Keycloak user id (36 characters); Keycloak gives the user a new one',
      'users "Dana": has no password; in Keycloak it cannot sign in until one is set',
    ]);
  });
});

describe('Keycloak round trip', () => {
  it('gives the same workspace back, with nothing skipped', () => {
    const back = realmToWorkspace(KeycloakRealmSchema.parse(realm));
    expect(back.skipped).toEqual([]);
    expect(sorted(back.workspace)).toEqual(
      sorted({ ...workspace, settings: { ...DEFAULT_SETTINGS, ...workspace.settings } }),
    );
  });

  it('from Keycloak’s own fields alone (idp-sandbox.* attributes dropped), gives back everything they hold', () => {
    const plain = JSON.parse(JSON.stringify(realm)) as KeycloakRealm;
    delete plain.attributes;
    for (const c of plain.clients ?? []) delete c.attributes?.['idp-sandbox.client'];
    const back = realmToWorkspace(KeycloakRealmSchema.parse(plain));
    // Users travel in Keycloak's own fields only.
    expect(back.workspace.users).toEqual(workspace.users);
    expect(back.workspace.settings).toMatchObject({
      access_token_ttl: 600,
      id_token_ttl: 600,
      refresh_token_ttl: 86_400,
      authorization_code_ttl: 120,
      signing_alg: 'ES256',
    });
    const byId = new Map(back.workspace.clients?.map((c) => [c.client_id, c]));
    for (const original of workspace.clients ?? []) {
      const got = byId.get(original.client_id);
      const native = {
        client_secret: original.client_secret,
        redirect_uris: original.redirect_uris,
        post_logout_redirect_uris: original.post_logout_redirect_uris,
        audience: original.audience,
        access_token_ttl: original.access_token_ttl,
        refresh_token_ttl: original.refresh_token_ttl,
        jwks: original.jwks,
        token_endpoint_auth_signing_alg: original.token_endpoint_auth_signing_alg,
        dpop_bound_access_tokens: original.dpop_bound_access_tokens,
        // A static claim in every token kind is a hardcoded-claim mapper; a renamed user claim is not.
        claim_mappings: original.client_id === 'web' ? undefined : original.claim_mappings,
      };
      if (original.client_id === 'federated') continue;
      for (const key of Object.keys(native) as (keyof typeof native)[]) {
        expect(got?.[key], `${original.client_id} ${key}`).toEqual(native[key]);
      }
    }
    // The jwt-bearer client needs its trusted issuers, which only the sandbox attribute held.
    expect(byId.has('federated')).toBe(false);
    expect(back.skipped.map((s) => s.path)).toContain('clients[7]');
    expect(byId.get('worker')).toMatchObject({
      token_endpoint_auth_method: 'client_secret_basic',
      access_token_format: 'jwt',
      grant_types: ['client_credentials'],
    });
  });
});
