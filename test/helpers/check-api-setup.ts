/**
 * The workspace and recipes the attack-run tests share (test/integration/check-api.test.ts and the
 * CLI's), and what the careless service (test-apis.ts) must be found guilty of.
 */
import type { BadTokenVariant, Baseline } from '../../shared/lab';
import type { Workspace } from '../../shared/schemas';
import type { StrictApiOptions } from './test-apis';

export const CHECK_API_SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub' }],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: ['http://127.0.0.1:5173/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile orders.read offline_access',
      audience: ['orders-api'],
    },
    // The strict service introspects as itself: it is the tokens' audience, so the provider shows it
    // the access tokens meant for it and nothing else (a refresh token of web's stays invisible).
    {
      client_id: 'orders-api',
      client_secret: 'orders-secret',
      grant_types: ['client_credentials'],
    },
  ],
};

/** The careless service knows JWTs only: its baseline is one. */
export const carelessBaseline: Baseline = {
  client_id: 'web',
  username: 'alice',
  scope: 'openid orders.read',
  required_scope: 'orders.read',
  format: 'jwt',
};

export const strictBaseline: Baseline = { ...carelessBaseline };

export function strictApiOptions(issuer: string): StrictApiOptions {
  return {
    issuer,
    audience: 'orders-api',
    requiredScope: 'orders.read',
    introspection: { clientId: 'orders-api', secret: 'orders-secret' },
  };
}

/**
 * What the careless service wrongly accepts, flaw by flaw: `alg: none` trusted (alg_none); aud never
 * read (wrong_audience, no_audience); exp never read (expired, missing_exp).
 */
export const CARELESS_FINDINGS: BadTokenVariant[] = [
  'alg_none',
  'wrong_audience',
  'no_audience',
  'expired',
  'missing_exp',
];
