import { describe, expect, it } from 'vitest';
import {
  guidFor,
  type ProfileClaimInput,
  shapeClaimsForProfile,
} from '../../main/core/tokens/profile-claims';
import type { IssuerProfile } from '../../shared/issuers';
import type { ClaimTarget } from '../../shared/schemas';

const USER = { username: 'alice', sub: 'alice-sub' };

/** The whole claim set a profile makes of `claims` for one target, and the reasons it gives. */
function shape(
  profile: IssuerProfile,
  target: ClaimTarget,
  claims: Record<string, unknown>,
  input: Partial<ProfileClaimInput> = {},
) {
  const out = { ...claims };
  const reasons: Record<string, string> = {};
  shapeClaimsForProfile(
    {
      profile,
      issuer: 'http://127.0.0.1:9400/acme/',
      issuerName: 'acme',
      clientId: 'web',
      user: USER,
      scopes: ['openid', 'profile', 'orders.read'],
      ...input,
    },
    target,
    out,
    (name, value, reason) => {
      out[name] = value;
      reasons[name] = reason;
    },
  );
  return { claims: out, reasons };
}

describe('provider profile claim shapes', () => {
  it('generic: changes nothing', () => {
    expect(shape('generic', 'access', { roles: ['admin'] }).claims).toEqual({ roles: ['admin'] });
  });

  it('Keycloak: realm and client roles, preferred_username, azp and typ', () => {
    const access = shape('keycloak', 'access', {
      roles: ['admin'],
      client_roles: { web: ['reader'] },
      tier: 'gold',
    });
    expect(access.claims).toEqual({
      tier: 'gold',
      preferred_username: 'alice',
      azp: 'web',
      typ: 'Bearer',
      realm_access: { roles: ['admin'] },
      resource_access: { web: { roles: ['reader'] } },
    });
    expect(access.reasons.realm_access).toBe(
      'shape of the Keycloak profile (user claim `roles` → realm_access.roles)',
    );
    expect(shape('keycloak', 'id', { roles: ['admin'] }).claims).toEqual({
      roles: ['admin'],
      preferred_username: 'alice',
      azp: 'web',
      typ: 'ID',
    });
    expect(shape('keycloak', 'userinfo', {}).claims).toEqual({ preferred_username: 'alice' });
  });

  it('Entra ID: tid from a GUID name, oid, ver 2.0, scp of the API scopes; app tokens for machines', () => {
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    expect(shape('entra', 'access', {}, { issuerName: tenant }).claims).toEqual({
      tid: tenant,
      ver: '2.0',
      oid: guidFor('user:alice-sub'),
      preferred_username: 'alice',
      azp: 'web',
      scp: 'orders.read',
    });
    expect(shape('entra', 'access', {}, { user: null, scopes: [] }).claims).toEqual({
      tid: guidFor('tenant:acme'),
      ver: '2.0',
      azp: 'web',
      idtyp: 'app',
      oid: guidFor('client:web'),
    });
    expect(guidFor('tenant:acme')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('Auth0: namespaced custom claims, permissions kept, gty for machine tokens', () => {
    expect(
      shape('auth0', 'access', { email: 'a@example.test', tier: 'gold', permissions: ['read:orders'] })
        .claims,
    ).toEqual({
      email: 'a@example.test',
      permissions: ['read:orders'],
      'http://127.0.0.1:9400/acme/tier': 'gold',
      azp: 'web',
    });
    expect(shape('auth0', 'access', {}, { user: null }).claims).toEqual({
      azp: 'web',
      gty: 'client-credentials',
    });
  });

  it('Okta: ver 1, cid, uid and scp as an array', () => {
    const { claims } = shape('okta', 'access', {});
    expect(claims).toEqual({
      ver: 1,
      cid: 'web',
      uid: expect.stringMatching(/^00u[A-Za-z0-9]{17}$/),
      scp: ['openid', 'profile', 'orders.read'],
    });
    expect(shape('okta', 'id', {}).claims).toEqual({ preferred_username: 'alice', ver: 1 });
  });
});
