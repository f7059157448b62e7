// The engine's seed file (the README's format) for the benchmark's user and clients.
import fs from 'node:fs';
import path from 'node:path';
import { API_SCOPE, CLIENTS, REDIRECT_URI, TOKEN_EXCHANGE, USER } from './shared.mjs';

export function engineSeed(alg) {
  const service = (client, format) => ({
    client_id: client.id,
    client_secret: client.secret,
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: API_SCOPE,
    access_token_format: format,
  });
  return {
    settings: {
      signing_alg: alg,
      access_token_ttl: 300,
      id_token_ttl: 300,
      refresh_token_ttl: 86400,
      authorization_code_ttl: 600,
    },
    users: [{ username: USER.username, sub: USER.sub, claims: { name: USER.name, email: USER.email } }],
    clients: [
      service(CLIENTS.jwt, 'jwt'),
      service(CLIENTS.ref, 'reference'),
      {
        client_id: CLIENTS.web.id,
        client_secret: CLIENTS.web.secret,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: `openid ${API_SCOPE}`,
        access_token_format: 'jwt',
      },
      {
        ...service(CLIENTS.exchange, 'jwt'),
        grant_types: [TOKEN_EXCHANGE],
        token_exchange: { allowed_audiences: [], may_impersonate: true, allow_refresh_token_subject: false },
      },
      { ...service(CLIENTS.dpop, 'jwt'), dpop_bound_access_tokens: true },
    ],
  };
}

/** Writes the seed for `alg` into `dir` and returns its path. */
export function writeEngineSeed(dir, alg) {
  const file = path.join(dir, `engine-seed-${alg}.json`);
  fs.writeFileSync(file, `${JSON.stringify(engineSeed(alg), null, 2)}\n`);
  return file;
}
