import type { Client } from '../../../../shared/schemas';

/** A client as the admin API answers it, for renderer tests: a confidential web app unless overridden. */
export function testClient(overrides: Partial<Client> = {}): Client {
  return {
    client_id: 'web',
    client_name: null,
    client_secret: 'web-secret',
    redirect_uris: ['http://127.0.0.1:3000/callback'],
    post_logout_redirect_uris: [],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
    jwks: null,
    jwks_uri: null,
    token_endpoint_auth_signing_alg: null,
    scope: 'openid profile',
    access_token_format: 'jwt',
    audience: [],
    access_token_ttl: null,
    id_token_ttl: null,
    refresh_token_ttl: null,
    allow_loopback_port_variance: false,
    introspect_any_token: false,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
