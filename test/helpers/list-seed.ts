import type { Workspace } from '../../shared/schemas';

/**
 * The workspace of the paging tests (token-paging, event-paging): alice and bob, a user-facing client
 * (`web`: authorization code and refresh) and a machine client (`svc`), both issuing reference tokens
 * so that their claims are stored and searchable.
 */
export const LIST_SEED: Workspace = {
  users: [
    { username: 'alice', password: 'alice-pw' },
    { username: 'bob', password: 'bob-pw' },
  ],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: ['http://127.0.0.1:5173/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
      access_token_format: 'reference',
    },
    {
      client_id: 'svc',
      client_secret: 'svc-secret',
      grant_types: ['client_credentials'],
      scope: 'api',
      access_token_format: 'reference',
    },
  ],
};
