/**
 * Each provider profile of an issuer (shared/issuers.ts) against the shape its vendor documents: the
 * issuer identifier, every endpoint URL in the discovery document, the JWKS at the vendor's path, and
 * openid-client completing code + PKCE at the issuer through the real login form, with the claim shapes
 * the vendor's SDKs read (main/core/tokens/profile-claims.ts).
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuerProfile, IssuerSummary } from '../../shared/issuers';
import type { Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import { openidClientCodeFlow } from '../helpers/openid-client-flow';

const REDIRECT = 'http://127.0.0.1:5173/callback';

/** Realm roles and client roles in the claims Keycloak's profile reads them from. */
const SEED: Workspace = {
  users: [
    {
      username: 'alice',
      password: 'alice-pw',
      claims: {
        email: 'alice@example.test',
        roles: ['admin', 'editor'],
        client_roles: { web: ['orders-viewer'] },
        department: 'compilers',
      },
    },
  ],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email offline_access orders.read',
      access_token_format: 'jwt',
    },
  ],
};

/** Microsoft's own tenant id: an Entra issuer named by a GUID has that GUID as `tid` and in `iss`. */
const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** Issuer name per profile; Okta's default custom authorization server is literally called "default". */
const NAMES: Record<IssuerProfile, string> = {
  generic: 'plain',
  keycloak: 'shop',
  entra: TENANT_ID,
  auth0: 'dev-tenant',
  okta: 'default',
};

let engine: Awaited<ReturnType<typeof startTestEngine>>;
const issuers = {} as Record<IssuerProfile, IssuerSummary>;

beforeAll(async () => {
  engine = await startTestEngine({ inMemory: true });
  for (const profile of Object.keys(NAMES) as IssuerProfile[]) {
    issuers[profile] = (await engine.call('issuers.create', {
      name: NAMES[profile],
      profile,
    })) as IssuerSummary;
    await engine.call('workspace.import', SEED, { issuer: NAMES[profile] });
  }
});
afterAll(async () => {
  await engine?.cleanup();
});

/** The discovery document each vendor documents for its issuer, with `o` the engine's origin. */
function documentedShape(profile: IssuerProfile, o: string): Record<string, string> {
  switch (profile) {
    case 'generic': {
      const base = `${o}/plain`;
      return {
        issuer: base,
        authorization_endpoint: `${base}/authorize`,
        token_endpoint: `${base}/token`,
        userinfo_endpoint: `${base}/userinfo`,
        jwks_uri: `${base}/jwks`,
        introspection_endpoint: `${base}/introspect`,
        revocation_endpoint: `${base}/revoke`,
        end_session_endpoint: `${base}/logout`,
      };
    }
    // https://www.keycloak.org/securing-apps/oidc-layers#_endpoints
    case 'keycloak': {
      const realm = `${o}/realms/shop`;
      const oidcBase = `${realm}/protocol/openid-connect`;
      return {
        issuer: realm,
        authorization_endpoint: `${oidcBase}/auth`,
        token_endpoint: `${oidcBase}/token`,
        userinfo_endpoint: `${oidcBase}/userinfo`,
        jwks_uri: `${oidcBase}/certs`,
        introspection_endpoint: `${oidcBase}/token/introspect`,
        revocation_endpoint: `${oidcBase}/revoke`,
        end_session_endpoint: `${oidcBase}/logout`,
        device_authorization_endpoint: `${oidcBase}/auth/device`,
      };
    }
    // https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration
    case 'entra': {
      const tenant = `${o}/${TENANT_ID}`;
      return {
        issuer: `${tenant}/v2.0`,
        authorization_endpoint: `${tenant}/oauth2/v2.0/authorize`,
        token_endpoint: `${tenant}/oauth2/v2.0/token`,
        jwks_uri: `${tenant}/discovery/v2.0/keys`,
        end_session_endpoint: `${tenant}/oauth2/v2.0/logout`,
        device_authorization_endpoint: `${tenant}/oauth2/v2.0/devicecode`,
      };
    }
    // https://<tenant>.auth0.com/.well-known/openid-configuration
    case 'auth0': {
      const tenant = `${o}/dev-tenant`;
      return {
        issuer: `${tenant}/`,
        authorization_endpoint: `${tenant}/authorize`,
        token_endpoint: `${tenant}/oauth/token`,
        userinfo_endpoint: `${tenant}/userinfo`,
        jwks_uri: `${tenant}/.well-known/jwks.json`,
        revocation_endpoint: `${tenant}/oauth/revoke`,
        end_session_endpoint: `${tenant}/oidc/logout`,
        device_authorization_endpoint: `${tenant}/oauth/device/code`,
      };
    }
    // https://developer.okta.com/docs/reference/api/oidc/#well-known-openid-configuration
    case 'okta': {
      const server = `${o}/oauth2/default`;
      return {
        issuer: server,
        authorization_endpoint: `${server}/v1/authorize`,
        token_endpoint: `${server}/v1/token`,
        userinfo_endpoint: `${server}/v1/userinfo`,
        jwks_uri: `${server}/v1/keys`,
        introspection_endpoint: `${server}/v1/introspect`,
        revocation_endpoint: `${server}/v1/revoke`,
        end_session_endpoint: `${server}/v1/logout`,
        device_authorization_endpoint: `${server}/v1/device/authorize`,
      };
    }
  }
}

/** Where each vendor serves its discovery document, relative to the engine's origin. */
const DISCOVERY_PATH: Record<IssuerProfile, string> = {
  generic: '/plain/.well-known/openid-configuration',
  keycloak: '/realms/shop/.well-known/openid-configuration',
  entra: `/${TENANT_ID}/v2.0/.well-known/openid-configuration`,
  auth0: '/dev-tenant/.well-known/openid-configuration',
  okta: '/oauth2/default/.well-known/openid-configuration',
};

async function rp(profile: IssuerProfile) {
  return oidc.discovery(
    new URL(issuers[profile].issuer),
    'web',
    'web-secret',
    oidc.ClientSecretBasic('web-secret'),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
}

async function codeFlow(config: oidc.Configuration) {
  const options = { redirectUri: REDIRECT, scope: 'openid profile email orders.read', username: 'alice' };
  return (await openidClientCodeFlow(config, { ...options, password: 'alice-pw' })).tokens;
}

const PROFILES = Object.keys(NAMES) as IssuerProfile[];

describe.each(PROFILES)('the %s profile', (profile) => {
  it('publishes the vendor’s issuer format and endpoint URLs at the vendor’s discovery path', async () => {
    const expected = documentedShape(profile, engine.issuer);
    expect(issuers[profile]).toMatchObject({
      profile,
      issuer: expected.issuer,
      discovery_url: `${engine.issuer}${DISCOVERY_PATH[profile]}`,
    });
    const response = await fetch(`${engine.issuer}${DISCOVERY_PATH[profile]}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject(expected);
  });

  it('answers its JWKS at the vendor’s path with keys of its own', async () => {
    const { jwks_uri } = documentedShape(profile, engine.issuer);
    const response = await fetch(jwks_uri as string);
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: { kid: string; kty: string; use?: string }[] };
    expect(keys.length).toBeGreaterThan(0);
    const rootKeys = (await (await fetch(`${engine.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    expect(keys.map((k) => k.kid)).not.toEqual(expect.arrayContaining(rootKeys.keys.map((k) => k.kid)));
  });

  it('completes code + PKCE with openid-client, tokens signed by the keys at the vendor’s JWKS path', async () => {
    const config = await rp(profile);
    const tokens = await codeFlow(config);
    const { issuer, jwks_uri } = documentedShape(profile, engine.issuer);
    const jwks = createRemoteJWKSet(new URL(jwks_uri as string));
    const id = await jwtVerify(tokens.id_token as string, jwks, { issuer, audience: 'web' });
    expect(id.payload.iss).toBe(issuer);
    const access = await jwtVerify(tokens.access_token, jwks, { issuer });
    expect(access.payload.client_id ?? access.payload.azp ?? access.payload.cid).toBe('web');
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, id.payload.sub as string);
    expect(userinfo.email).toBe('alice@example.test');
  });
});

/** A code + PKCE flow's tokens at one profile's issuer, decoded. */
async function signedInClaims(profile: IssuerProfile) {
  const tokens = await codeFlow(await rp(profile));
  return { access: decodeJwt(tokens.access_token), id: decodeJwt(tokens.id_token as string) };
}

describe('claim shapes the vendors’ SDKs read', () => {
  it('Keycloak: preferred_username, azp, typ, realm_access and resource_access roles', async () => {
    const { access, id } = await signedInClaims('keycloak');
    expect(access).toMatchObject({
      preferred_username: 'alice',
      azp: 'web',
      typ: 'Bearer',
      realm_access: { roles: ['admin', 'editor'] },
      resource_access: { web: { roles: ['orders-viewer'] } },
    });
    expect(access).not.toHaveProperty('roles');
    expect(id).toMatchObject({ typ: 'ID', azp: 'web', preferred_username: 'alice' });
  });

  it('Entra ID: tid (the tenant GUID), oid, ver 2.0, scp, azp', async () => {
    const { access, id } = await signedInClaims('entra');
    expect(access).toMatchObject({ tid: TENANT_ID, ver: '2.0', azp: 'web', preferred_username: 'alice' });
    expect(access.oid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // scp lists the API scopes, space separated, without the OpenID Connect ones.
    expect(access.scp).toBe('orders.read');
    expect(id).toMatchObject({ tid: TENANT_ID, ver: '2.0', oid: access.oid });
  });

  it('Auth0: custom claims namespaced by the issuer, azp', async () => {
    const { access } = await signedInClaims('auth0');
    const namespace = issuers.auth0.issuer;
    expect(access).toMatchObject({ azp: 'web', [`${namespace}department`]: 'compilers' });
    expect(access).not.toHaveProperty('department');
  });

  it('Okta: ver 1, cid, uid, scp as an array', async () => {
    const { access } = await signedInClaims('okta');
    expect(access).toMatchObject({ ver: 1, cid: 'web' });
    expect(access.uid).toMatch(/^00u[\w]{17}$/);
    expect(access.scp).toEqual(expect.arrayContaining(['openid', 'email', 'orders.read']));
  });

  it('generic: none of the vendors’ claims', async () => {
    const { access } = await signedInClaims('generic');
    for (const claim of ['realm_access', 'tid', 'ver', 'cid', 'uid', 'typ'])
      expect(access).not.toHaveProperty(claim);
  });
});
