import type { ClientInput, Workspace } from '../../shared/schemas';
import { REDIRECT } from './oauth-http';

/**
 * The workspaces that the endpoint tests (token, userinfo, introspection, revocation, authorize,
 * login page, transport) start their engine with, one per group of files split from one suite.
 */

/** A gateway: it introspects the tokens of every client here (what `introspect` authenticates as). */
const GATEWAY: ClientInput = {
  client_id: 'api',
  client_secret: 'api-secret',
  grant_types: ['client_credentials'],
  scope: 'introspect',
  introspect_any_token: true,
};

/** For token-endpoint-*.test.ts: two code clients, a client_secret_post worker and a password client. */
export const TOKEN_ENDPOINT_SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice' } }],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT, 'http://127.0.0.1:5173/other'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
      // As a desktop app with a secret would: codes for other loopback ports, bound to them at redemption.
      allow_loopback_port_variance: true,
    },
    {
      client_id: 'web2',
      client_secret: 'web2-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
    },
    {
      client_id: 'worker',
      client_secret: 'worker-secret',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'orders:read',
      access_token_format: 'reference',
    },
    {
      client_id: 'legacy',
      client_secret: 'legacy-secret',
      grant_types: ['password'],
      scope: 'openid profile',
    },
    GATEWAY,
  ],
};

/**
 * For userinfo-, introspection- and revocation-endpoint.test.ts: clients with JWT and with reference
 * access tokens, a public client and a worker.
 */
export const RESOURCE_ENDPOINTS_SEED: Workspace = {
  users: [
    { username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice', roles: ['user'] } },
  ],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
      audience: ['orders-api'],
    },
    {
      client_id: 'web-ref',
      client_secret: 'web-ref-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
      access_token_format: 'reference',
    },
    {
      client_id: 'spa',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile',
    },
    {
      client_id: 'worker',
      client_secret: 'worker-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
    },
    GATEWAY,
  ],
};

/** authorize-endpoint-*.test.ts and login-page.test.ts: names and claims that try to inject script. */
export const XSS_USER = '<script>alert("user")</script>';
export const XSS_NAME = '<img src=x onerror=alert(1)>';
export const AUTHORIZE_SEED: Workspace = {
  users: [
    { username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice Example' } },
    { username: XSS_USER, claims: { name: XSS_NAME } },
    { username: 'pw"><script>x()</script>', password: 'x' },
  ],
  clients: [
    {
      client_id: 'web',
      client_name: 'Web <b>App</b>',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email offline_access',
    },
    {
      client_id: 'spa',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile',
    },
    {
      client_id: 'remote',
      client_secret: 'remote-secret',
      redirect_uris: ['https://app.example.com/cb'],
      scope: 'openid',
    },
  ],
};

/** For transport-*.test.ts: a client whose redirect URI's origin CORS allows, and the gateway. */
export const TRANSPORT_SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw' }],
  clients: [
    {
      client_id: 'spa',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile',
    },
    GATEWAY,
  ],
};
