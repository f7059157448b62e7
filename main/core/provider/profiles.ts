import { type IssuerProfile, ROOT_ISSUER_ID } from '../../../shared/issuers';

/** Where each endpoint of one issuer answers: absolute request paths on the engine's port. */
export interface EndpointPaths {
  authorization: string;
  token: string;
  userinfo: string;
  jwks: string;
  introspection: string;
  revocation: string;
  endSession: string;
  /** RFC 8628 §3.1, and §3.2's verification_uri: the page where the user enters the device's code. */
  deviceAuthorization: string;
  deviceVerification: string;
  /** RFC 7591 registration endpoint; RFC 7592's client configuration endpoint is `<registration>/<client_id>`. */
  registration: string;
  /** The metadata documents: OIDC Discovery's and RFC 8414's under the issuer, and RFC 8414 §3.1's inserted form. */
  discovery: readonly string[];
  /** The sign-in pages' form targets: resolved from the authorize path as the browser resolves their relative actions. */
  login: string;
  resume: string;
  endSessionConfirm: string;
}

/** What makes one issuer's URLs: every path below, and the suffix of the engine's origin that is `iss`. */
export interface IssuerShape {
  id: string;
  /** The URL path segment; empty for the root issuer. */
  name: string;
  profile: IssuerProfile;
  /** Requests whose path starts with this belong to the issuer (the root issuer: all the others). */
  routePrefix: string;
  /** Appended to the engine's public origin, it is the issuer identifier (Auth0's ends with a slash). */
  issuerPath: string;
  paths: EndpointPaths;
}

type LayoutPaths = Omit<EndpointPaths, 'discovery' | 'login' | 'resume' | 'endSessionConfirm'>;

/** Resolves a page's relative form action (pages.ts) against the page's own path, as a browser does. */
function besidePage(pagePath: string, action: string): string {
  return new URL(action, `http://issuer${pagePath}`).pathname;
}

function complete(issuerPath: string, layout: LayoutPaths, insertedDiscovery: boolean): EndpointPaths {
  const base = issuerPath.replace(/\/$/, '');
  const wellKnown = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'];
  return {
    ...layout,
    discovery: [
      ...wellKnown.map((doc) => `${base}${doc}`),
      // RFC 8414 §3.1: a client of an issuer with a path may ask /.well-known/<doc><path> on the origin.
      ...(insertedDiscovery ? wellKnown.map((doc) => `${doc}${base}`) : []),
    ],
    login: besidePage(layout.authorization, 'login'),
    resume: besidePage(layout.authorization, 'resume'),
    endSessionConfirm: besidePage(layout.endSession, 'logout/confirm'),
  };
}

/** IDP Sandbox's own layout under `base` ('' for the root issuer). */
function genericLayout(base: string): LayoutPaths {
  return {
    authorization: `${base}/authorize`,
    token: `${base}/token`,
    userinfo: `${base}/userinfo`,
    jwks: `${base}/jwks`,
    introspection: `${base}/introspect`,
    revocation: `${base}/revoke`,
    endSession: `${base}/logout`,
    deviceAuthorization: `${base}/device_authorization`,
    deviceVerification: `${base}/device`,
    registration: `${base}/register`,
  };
}

/**
 * Each profile's layout, as the provider documents it. Endpoints a provider does not have (Auth0 has
 * no introspection, Entra no revocation) are placed where its own paths would put them.
 */
const LAYOUTS: Record<
  IssuerProfile,
  (name: string) => { routePrefix: string; issuerPath: string; layout: LayoutPaths }
> = {
  generic: (name) => ({ routePrefix: `/${name}`, issuerPath: `/${name}`, layout: genericLayout(`/${name}`) }),
  // Keycloak: https://HOST/realms/<realm>, endpoints under /protocol/openid-connect.
  keycloak: (name) => {
    const realm = `/realms/${name}`;
    const oidc = `${realm}/protocol/openid-connect`;
    return {
      routePrefix: realm,
      issuerPath: realm,
      layout: {
        authorization: `${oidc}/auth`,
        token: `${oidc}/token`,
        userinfo: `${oidc}/userinfo`,
        jwks: `${oidc}/certs`,
        introspection: `${oidc}/token/introspect`,
        revocation: `${oidc}/revoke`,
        endSession: `${oidc}/logout`,
        deviceAuthorization: `${oidc}/auth/device`,
        deviceVerification: `${realm}/device`,
        registration: `${realm}/clients-registrations/openid-connect`,
      },
    };
  },
  // Microsoft Entra ID v2.0: issuer https://HOST/<tenant>/v2.0, endpoints under /<tenant>/oauth2/v2.0.
  entra: (name) => {
    const tenant = `/${name}`;
    const oauth = `${tenant}/oauth2/v2.0`;
    return {
      routePrefix: tenant,
      issuerPath: `${tenant}/v2.0`,
      layout: {
        authorization: `${oauth}/authorize`,
        token: `${oauth}/token`,
        // Entra answers userinfo on Microsoft Graph (/oidc/userinfo); here it is on the tenant's path.
        userinfo: `${tenant}/oidc/userinfo`,
        jwks: `${tenant}/discovery/v2.0/keys`,
        introspection: `${oauth}/introspect`,
        revocation: `${oauth}/revoke`,
        endSession: `${oauth}/logout`,
        deviceAuthorization: `${oauth}/devicecode`,
        deviceVerification: `${oauth}/device`,
        // Entra has no RFC 7591 endpoint; placed beside its OAuth endpoints.
        registration: `${oauth}/register`,
      },
    };
  },
  // Auth0: issuer https://TENANT/ (with the slash), /oauth/token, /.well-known/jwks.json, /oidc/logout.
  auth0: (name) => {
    const tenant = `/${name}`;
    return {
      routePrefix: tenant,
      issuerPath: `${tenant}/`,
      layout: {
        authorization: `${tenant}/authorize`,
        token: `${tenant}/oauth/token`,
        userinfo: `${tenant}/userinfo`,
        jwks: `${tenant}/.well-known/jwks.json`,
        introspection: `${tenant}/oauth/introspect`,
        revocation: `${tenant}/oauth/revoke`,
        endSession: `${tenant}/oidc/logout`,
        deviceAuthorization: `${tenant}/oauth/device/code`,
        deviceVerification: `${tenant}/device`,
        registration: `${tenant}/oidc/register`,
      },
    };
  },
  // Okta custom authorization server: issuer https://HOST/oauth2/<id>, endpoints under /v1.
  okta: (name) => {
    const server = `/oauth2/${name}`;
    const v1 = `${server}/v1`;
    return {
      routePrefix: server,
      issuerPath: server,
      layout: {
        authorization: `${v1}/authorize`,
        token: `${v1}/token`,
        userinfo: `${v1}/userinfo`,
        jwks: `${v1}/keys`,
        introspection: `${v1}/introspect`,
        revocation: `${v1}/revoke`,
        endSession: `${v1}/logout`,
        deviceAuthorization: `${v1}/device/authorize`,
        deviceVerification: `${v1}/device`,
        registration: `${v1}/clients`,
      },
    };
  },
};

/** The root issuer: the engine's origin is its identifier, with IDP Sandbox's own paths. */
export function rootShape(): IssuerShape {
  return {
    id: ROOT_ISSUER_ID,
    name: '',
    profile: 'generic',
    routePrefix: '',
    issuerPath: '',
    paths: complete('', genericLayout(''), false),
  };
}

export function issuerShape(id: string, name: string, profile: IssuerProfile): IssuerShape {
  const { routePrefix, issuerPath, layout } = LAYOUTS[profile](name);
  return { id, name, profile, routePrefix, issuerPath, paths: complete(issuerPath, layout, true) };
}
