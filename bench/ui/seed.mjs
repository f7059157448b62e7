// The workspace of the UI benchmark: the engine benchmark's user and clients, plus the services and
// users the seeded tokens belong to (so the Client and User filters have several to choose from), the
// client whose tokens fill the timeline's window and the client of the marked tokens timed under load.
import fs from 'node:fs';
import path from 'node:path';
import { engineSeed } from '../lib/engine-seed.mjs';
import { API_SCOPE } from '../lib/shared.mjs';

const service = (client_id) => ({
  client_id,
  client_secret: `${client_id}-secret-0123456789abcdefghijkl`,
  grant_types: ['client_credentials'],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: API_SCOPE,
  access_token_format: 'reference',
});

/** The services the seeded tokens are spread over (the web client's refresh tokens besides). */
export const UI_CLIENTS = [
  'svc-ref',
  'billing-api',
  'orders-worker',
  'inventory-sync',
  'reports-cron',
  'search-indexer',
  'mail-relay',
  'audit-export',
].map(service);
/** The recent tokens drawn by the timeline. */
export const TIMELINE_CLIENT = service('timeline-feed');
/** Marked tokens issued under load: the time until each shows on the open page. */
export const MARKER_CLIENT = service('svc-marker');
export const UI_USERS = ['alice', 'bob', 'carol', 'dave', 'erin'].map((username) => ({
  username,
  sub: `${username}-sub`,
  claims: { name: username[0].toUpperCase() + username.slice(1), email: `${username}@example.test` },
}));

export function writeUiSeed(dir) {
  const base = engineSeed('ES256');
  const known = new Set(base.clients.map((c) => c.client_id));
  const seed = {
    ...base,
    users: UI_USERS,
    clients: [
      ...base.clients,
      ...[...UI_CLIENTS, TIMELINE_CLIENT, MARKER_CLIENT].filter((c) => !known.has(c.client_id)),
    ],
  };
  const file = path.join(dir, 'ui-seed.json');
  fs.writeFileSync(file, `${JSON.stringify(seed, null, 2)}\n`);
  return file;
}
