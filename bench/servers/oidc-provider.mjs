#!/usr/bin/env node
// Peer for the benchmark: oidc-provider configured for the same scenarios as the engine.
// Usage: node bench/servers/oidc-provider.mjs '{"alg":"RS256","preseed":0,"salt":"s"}'
// Prints one line `READY {"port":…,"issuer":…}` once it answers, then serves until SIGTERM.
import http from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { API_SCOPE, CLIENTS, REDIRECT_URI, seededTokenValue, USER } from '../lib/shared.mjs';

const options = { alg: 'RS256', preseed: 0, salt: 'bench', ...JSON.parse(process.argv[2] ?? '{}') };
const API = 'urn:bench:api';
const REF = 'urn:bench:ref';

/**
 * An unbounded Map adapter. oidc-provider's bundled MemoryAdapter is an LRU of 1,000 entries, which would
 * evict codes, grants and sessions under load and cannot hold a million tokens.
 */
function mapAdapterFactory() {
  const store = new Map();
  const grants = new Map();
  const uids = new Map();
  class MapAdapter {
    constructor(model) {
      this.model = model;
    }
    key(id) {
      return `${this.model}:${id}`;
    }
    async upsert(id, payload) {
      const key = this.key(id);
      store.set(key, payload);
      if (payload.grantId) {
        const members = grants.get(payload.grantId) ?? new Set();
        members.add(key);
        grants.set(payload.grantId, members);
      }
      if (this.model === 'Session' && payload.uid) uids.set(payload.uid, id);
    }
    async find(id) {
      return store.get(this.key(id));
    }
    async findByUid(uid) {
      const id = uids.get(uid);
      return id === undefined ? undefined : store.get(this.key(id));
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id) {
      const payload = store.get(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId) {
      for (const key of grants.get(grantId) ?? []) store.delete(key);
      grants.delete(grantId);
    }
  }
  return { store, adapter: MapAdapter };
}

const { privateKey } = await generateKeyPair(options.alg, { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), alg: options.alg, use: 'sig', kid: `bench-${options.alg}` };
const { store, adapter } = mapAdapterFactory();

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  adapter,
  jwks: { keys: [jwk] },
  clients: [
    {
      client_id: CLIENTS.jwt.id,
      client_secret: CLIENTS.jwt.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: API_SCOPE,
    },
    {
      client_id: CLIENTS.ref.id,
      client_secret: CLIENTS.ref.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: API_SCOPE,
    },
    {
      // RFC 9449: every token request carries a DPoP proof (oidc-provider's dPoP feature is on by default).
      client_id: CLIENTS.dpop.id,
      client_secret: CLIENTS.dpop.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: API_SCOPE,
      dpop_bound_access_tokens: true,
    },
    {
      client_id: CLIENTS.web.id,
      client_secret: CLIENTS.web.secret,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [REDIRECT_URI],
      scope: `openid ${API_SCOPE}`,
    },
  ],
  clientDefaults: { id_token_signed_response_alg: options.alg },
  scopes: ['openid', 'offline_access', API_SCOPE],
  claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
  cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
  findAccount: async (_ctx, accountId) => ({
    accountId,
    claims: async () => ({ sub: accountId, name: USER.name, email: USER.email }),
  }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // client_credentials and code flows both get a token for one resource server: JWT or opaque.
      defaultResource: (_ctx, client) => (client?.clientId === CLIENTS.ref.id ? REF : API),
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => ({
        scope: API_SCOPE,
        audience: resource,
        accessTokenTTL: 300,
        accessTokenFormat: resource === REF ? 'opaque' : 'jwt',
        ...(resource === REF ? {} : { jwt: { sign: { alg: options.alg } } }),
      }),
    },
  },
  // Same policy as the engine: a refresh token for every client allowed the grant, rotated on every use.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: () => true,
  ttl: {
    AccessToken: 300,
    ClientCredentials: 300,
    AuthorizationCode: 600,
    IdToken: 300,
    RefreshToken: 86400,
    Grant: 86400,
    Session: 86400,
    Interaction: 600,
  },
});

/** Login and consent in one step: the benchmark's "user" always signs in as alice and grants everything. */
async function interaction(req, res) {
  try {
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({ accountId: USER.sub, clientId: details.params.client_id });
    grant.addOIDCScope(`openid ${API_SCOPE}`);
    grant.addResourceScope(API, API_SCOPE);
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: USER.sub }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) return void interaction(req, res);
  callback(req, res);
});

if (options.preseed > 0) {
  // One real reference token through the token endpoint is the template; the rest are copies of its
  // stored payload under new values, as if they had been issued one by one.
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENTS.ref.id}:${CLIENTS.ref.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const { access_token: value } = await response.json();
  const template = store.get(`ClientCredentials:${value}`);
  if (!template) throw new Error('oidc-provider did not store the reference token under its value');
  for (let i = 0; i < options.preseed; i++) {
    const jti = seededTokenValue(options.salt, i);
    store.set(`ClientCredentials:${jti}`, { ...template, jti, exp: template.exp + 86400 });
  }
}

process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
process.stdout.write(`READY ${JSON.stringify({ port, issuer, stored: store.size })}\n`);
