import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdminInput,
  type AdminMethod,
  type AdminOutput,
  adminContract,
  adminMethods,
} from '../../shared/contract';
import { DEVICE_CODE_GRANT, TOKEN_STATES } from '../../shared/schemas';
import { formatIssues } from '../../shared/validation';
import { runningClock } from '../helpers/clock';
import { startTestEngine } from '../helpers/engine';
import {
  basic,
  jwtHeader,
  jwtPayload,
  listTokens,
  obtainCode,
  postForm,
  REDIRECT,
  redeem,
  type Tokens,
  tokenRequest,
} from '../helpers/oauth-http';
import { startCarelessApi, type TestApi } from '../helpers/test-apis';

/**
 * The contract's output schemas give both transports their types, but nothing on the hot path parses
 * with them (dispatch validates inputs only). This test is what keeps them honest: every admin method is
 * called on a real engine and its answer must parse with its output schema, so a schema that says
 * `string` where the engine answers `null` fails here instead of surprising the UI.
 */

const clock = runningClock();
let engine: Awaited<ReturnType<typeof startTestEngine>>;

/** Token values and ids issued over real HTTP before the calls, for the inputs that need them. */
const issued = {
  code: undefined as unknown as Tokens,
  forPlayground: undefined as unknown as Tokens,
  reference: '',
  tokenIds: [] as string[],
  grantId: '',
};

type Inputs<M extends AdminMethod> = AdminInput<M> | AdminInput<M>[];
/**
 * One entry per method: its input(s), or a function computing them from what earlier calls made.
 * A mapped type over AdminMethod, so a method added to the contract without an entry here does not
 * compile. Entries run in this order: the destructive ones (revoke, delete, retire, import, reset) are
 * last or act on things made for them, so every earlier answer is taken from a populated engine.
 */
type CallTable = { [M in AdminMethod]: Inputs<M> | (() => Inputs<M> | Promise<Inputs<M>>) };

/** A resource server on loopback for lab.checkApi, started on first use (it reads the engine's JWKS). */
let labApi: TestApi | undefined;
async function labApiUrl(): Promise<string> {
  labApi ??= await startCarelessApi({ issuer: engine.issuer });
  return labApi.url;
}

/** A new device authorization (RFC 8628) of the seeded device client: its user code. */
async function deviceUserCode(): Promise<string> {
  const response = await postForm(engine.issuer, '/device_authorization', {
    client_id: 'tv',
    scope: 'openid',
  });
  expect(response.status, response.text).toBe(200);
  return response.json.user_code;
}

/** A key that has stopped signing (made by keys.activate and keys.rotate above), for keys.retire. */
async function previousKid(): Promise<string> {
  const keys = (await engine.call('keys.list', {})) as AdminOutput<'keys.list'>;
  const key = keys.find((k) => k.status === 'previous');
  if (!key) throw new Error('No previous key');
  return key.kid;
}

const calls: CallTable = {
  'engine.info': {},
  'engine.setHttps': [{ enabled: true }, { enabled: false }],

  'settings.get': {},
  'settings.update': { access_token_ttl: 1800 },

  'users.list': [{}, { search: 'ali' }],
  // alice has a password and claims, bob has neither: both nullable shapes.
  'users.get': [{ username: 'alice' }, { username: 'bob' }],
  'users.create': { username: 'carol', password: 'carol-pw', sub: 'carol-sub', claims: { tier: 'gold' } },
  'users.update': { username: 'carol', user: { username: 'carol2', claims: { tier: 'silver' } } },
  // alice signs in at the login page before the calls (obtainCode), so she has a session.
  'users.sessions': [{ username: 'alice' }, { username: 'bob' }],
  'users.previewClaims': [
    { username: 'alice' },
    { username: 'alice', client_id: 'web', scope: 'openid profile email' },
    { username: 'bob', client_id: 'svc' },
  ],

  'clients.list': {},
  'clients.get': ['web', 'spa', 'svc', 'api', 'pw'].map((client_id) => ({ client_id })),
  'clients.create': {
    client_id: 'temp',
    client_name: 'Temporary',
    grant_types: ['client_credentials'],
    access_token_ttl: 120,
  },
  'clients.update': {
    client_id: 'temp',
    grant_types: ['client_credentials'],
    access_token_format: 'reference',
    audience: ['https://api.example'],
  },
  'clients.regenerateSecret': { client_id: 'temp' },
  // Switches the secret client to private_key_jwt, then adds a second key of another type.
  'clients.generateKeyPair': [
    { client_id: 'temp', switch_auth_method: true },
    { client_id: 'temp', alg: 'RS256' },
  ],

  'tokens.mint': [
    { client_id: 'web', username: 'alice' },
    { client_id: 'web', username: 'alice', kind: 'id', extra_claims: { role: 'admin' } },
    { client_id: 'web', username: 'alice', kind: 'refresh' },
    { client_id: 'svc', format: 'reference', audience: ['https://api.example'] },
    // Expires within the run, for tokens.purgeExpired below.
    { client_id: 'svc', ttl: 1 },
  ],
  'tokens.list': [
    {},
    { kind: 'refresh' },
    { state: 'rotated' },
    { client_id: 'svc', limit: 1, offset: 1 },
    { sort: 'expires_asc', q: 'svc', count: false, limit: 2 },
    { ids: ['no-such-token'] },
  ],
  'tokens.count': [{}, { client_id: 'svc' }, { q: 'svc', kind: 'access' }],
  // Every recorded token: each kind, format and state has its own nullable fields.
  'tokens.get': () => issued.tokenIds.map((id) => ({ id })),
  'tokens.lookup': () => [
    { value: issued.code.access_token },
    { value: issued.code.id_token as string },
    { value: issued.code.refresh_token as string },
    { value: issued.reference },
    { value: 'not-one-of-ours' },
  ],

  // Machine and user baselines, both formats: JWT, reference and opaque variants, stored and not.
  'lab.badTokens': [
    { client_id: 'web', username: 'alice', required_scope: 'openid' },
    { client_id: 'svc', format: 'reference' },
  ],

  'playground.run': () => [
    { flow: 'authorization_code', client_id: 'web', username: 'alice' },
    { flow: 'client_credentials', client_id: 'svc', scope: 'api.read' },
    { flow: 'refresh_token', client_id: 'web', token: issued.forPlayground.refresh_token as string },
    { flow: 'revocation', client_id: 'web', token: issued.forPlayground.access_token },
  ],

  // A run with findings and rejections, and one that stops at a baseline not accepted.
  'lab.checkApi': async () => [
    {
      url: await labApiUrl(),
      baseline: { client_id: 'web', username: 'alice' },
      variants: ['alg_none', 'expired', 'payload_tampered'],
    },
    { url: await labApiUrl(), baseline: { client_id: 'web', username: 'alice' }, accepted_statuses: [299] },
  ],

  // An issued token's header and claims, one claim changed, and a header naming another alg and kid.
  'lab.resign': () => {
    const [header, payload] = [jwtHeader(issued.code.access_token), jwtPayload(issued.code.access_token)];
    return [
      { header: JSON.stringify(header), payload: JSON.stringify({ ...payload, scope: 'openid admin' }) },
      { header: JSON.stringify({ ...header, alg: 'PS384', kid: 'other' }), payload: '{"sub":"x"}' },
    ];
  },

  'keys.list': {},
  'keys.stage': { activate_after_seconds: 3600 },
  'keys.activate': {},
  'keys.rotate': { alg: 'ES256' },

  'events.list': [{}, { type: 'token.issued', limit: 5 }, { q: 'svc' }],
  'events.page': [{}, { type: 'token.issued', limit: 5 }, { q: 'svc', limit: 3 }],
  'events.count': [{}, { type: 'token.issued' }, { q: 'svc' }],
  // A request event with its exchange, and an id with none (null).
  'events.request': async () => {
    await deviceUserCode();
    const [event] = (await engine.call('events.list', {
      type: 'request',
      limit: 1,
    })) as AdminOutput<'events.list'>;
    return [{ event_id: event?.id ?? 1 }, { event_id: 2 ** 31 }];
  },

  // Each answers its shape with every kind of scope; faults.clear below turns the rest off.
  'faults.add': [
    {
      endpoint: 'token',
      effect: { kind: 'oauth_error', error: 'invalid_grant' },
      grant_type: 'refresh_token',
      requests: 1,
    },
    { endpoint: 'jwks', effect: { kind: 'jwks_missing_current_key' }, seconds: 60 },
    { endpoint: 'userinfo', effect: { kind: 'error_status', status: 429 } },
  ],
  'faults.list': {},
  'faults.remove': async () => {
    const [first] = (await engine.call('faults.list', {})) as AdminOutput<'faults.list'>;
    return { id: (first as AdminOutput<'faults.list'>[number]).id };
  },
  'faults.clear': {},

  // One approved, one denied, one left pending, then listed.
  'devices.approve': async () => ({ user_code: await deviceUserCode(), username: 'alice' }),
  'devices.deny': async () => ({ user_code: await deviceUserCode() }),
  'devices.list': async () => {
    await deviceUserCode();
    return {};
  },

  'issuers.list': {},
  'issuers.create': [
    { name: 'orders', profile: 'keycloak' },
    { name: 'azure', profile: 'entra' },
  ],
  // By name or by id: the directory takes either.
  'issuers.update': { id: 'orders', display_name: 'Orders realm', profile: 'auth0' },
  'issuers.clone': { id: 'orders', name: 'orders-copy' },
  'issuers.delete': [{ id: 'orders-copy' }, { id: 'azure' }],

  'workspace.export': [{}, { include_keys: true }],
  'workspace.seedManaged': {},
  'keycloak.export': [{}, { realm: 'orders' }],

  // Destructive calls from here on.
  'tokens.revoke': () => ({ id: issued.tokenIds[0] as string }),
  'tokens.revokeGrant': () => ({ grant_id: issued.grantId }),
  'tokens.revokeUser': { username: 'alice' },
  'tokens.revokeClient': { client_id: 'svc' },
  'tokens.purgeExpired': () => {
    clock.advance(5);
    return {};
  },
  'users.signOutEverywhere': { username: 'alice' },
  'users.delete': { username: 'carol2' },
  'clients.delete': { client_id: 'temp' },
  'keys.retire': async () => ({ kid: await previousKid() }),
  // Applied twice: erin is added, then updated, so every list of the answer has an entry.
  'workspace.applySeed': [
    { settings: { id_token_ttl: 900 }, users: [{ username: 'erin' }] },
    { users: [{ username: 'erin', claims: { tier: 'gold' } }] },
  ],
  'workspace.import': {
    settings: { id_token_ttl: 600 },
    users: [{ username: 'dave' }],
    clients: [{ client_id: 'imported', grant_types: ['client_credentials'] }],
  },
  // A dry run reports without writing; the real import upserts the one user (and reports the role).
  'keycloak.import': [
    { realm: { realm: 'kc', users: [{ username: 'kim', realmRoles: ['admin'] }] }, dry_run: true },
    { realm: { realm: 'kc', users: [{ username: 'kim', realmRoles: ['admin'] }] } },
  ],
  'workspace.reset': { confirm: true },
};

beforeAll(async () => {
  engine = await startTestEngine({
    clock,
    // A host that keeps the HTTPS choice in its data folder, so engine.setHttps answers rather than refuses.
    httpsPreference: true,
    seed: {
      users: [
        { username: 'alice', password: 'alice-pw', claims: { email: 'alice@example.test', name: 'Alice' } },
        { username: 'bob' },
      ],
      clients: [
        // Confidential web app: authorization code + refresh, JWT access tokens.
        { client_id: 'web', client_secret: 'web-secret', redirect_uris: [REDIRECT] },
        // Public native app: PKCE, no secret, loopback port variance on by default.
        {
          client_id: 'spa',
          token_endpoint_auth_method: 'none',
          redirect_uris: ['http://127.0.0.1/callback'],
        },
        // Machine client: reference tokens, an audience and its own lifetimes.
        {
          client_id: 'svc',
          client_secret: 'svc-secret',
          grant_types: ['client_credentials'],
          scope: 'api.read api.write',
          access_token_format: 'reference',
          audience: ['https://api.example'],
          access_token_ttl: 600,
        },
        // Resource server that introspects every token.
        {
          client_id: 'api',
          client_secret: 'api-secret',
          grant_types: ['client_credentials'],
          introspect_any_token: true,
        },
        // A public device client (RFC 8628).
        {
          client_id: 'tv',
          token_endpoint_auth_method: 'none',
          grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
        },
        // Password grant with client_secret_post.
        {
          client_id: 'pw',
          client_secret: 'pw-secret',
          grant_types: ['password', 'refresh_token'],
          token_endpoint_auth_method: 'client_secret_post',
          access_token_ttl: 1,
        },
      ],
    },
  });

  // Tokens over real HTTP so that lists, lookups and details show what flows really record.
  issued.code = await redeem(engine.issuer, await obtainCode(engine.issuer));
  issued.forPlayground = await redeem(engine.issuer, await obtainCode(engine.issuer));
  // A refresh token used twice: rotated, then reuse detected and its family revoked.
  const family = await redeem(engine.issuer, await obtainCode(engine.issuer));
  const refresh = { grant_type: 'refresh_token', refresh_token: family.refresh_token as string };
  const asWeb = { authorization: basic('web', 'web-secret') };
  const refreshed = await tokenRequest(engine.issuer, refresh, asWeb);
  expect(refreshed.status, refreshed.text).toBe(200);
  expect((await tokenRequest(engine.issuer, refresh, asWeb)).status).toBe(400);
  // One used once: rotated.
  const rotation = { grant_type: 'refresh_token', refresh_token: issued.code.refresh_token as string };
  expect((await tokenRequest(engine.issuer, rotation, asWeb)).status).toBe(200);
  const machine = await tokenRequest(
    engine.issuer,
    { grant_type: 'client_credentials' },
    { authorization: basic('svc', 'svc-secret') },
  );
  expect(machine.status, machine.text).toBe(200);
  issued.reference = machine.json.access_token;
  const password = await tokenRequest(engine.issuer, {
    grant_type: 'password',
    username: 'alice',
    password: 'alice-pw',
    scope: 'openid offline_access',
    client_id: 'pw',
    client_secret: 'pw-secret',
  });
  expect(password.status, password.text).toBe(200);
  // pw's access tokens live one second: this one is now expired.
  clock.advance(2);

  const tokens = await listTokens(engine);
  issued.tokenIds = tokens.map((t) => t.id);
  issued.grantId = tokens.find((t) => t.grant_id !== null)?.grant_id as string;
  // Every state, with its own nullable fields, is there before any call runs.
  expect(new Set(tokens.map((t) => t.state))).toEqual(new Set(TOKEN_STATES));
  expect(issued.grantId).toBeTruthy();
});

afterAll(async () => {
  await labApi?.close();
  await engine?.cleanup();
});

describe('every admin answer parses with its output schema', () => {
  it('the call table names every method in the contract', () => {
    // @ts-expect-error a table without every method's entry does not compile: a new method is checked too
    const incomplete: CallTable = { 'engine.info': {} };
    expect(Object.keys(incomplete)).toHaveLength(1);
    expect(Object.keys(calls).sort()).toEqual([...adminMethods].sort());
  });

  for (const method of Object.keys(calls) as AdminMethod[]) {
    it(method, async () => {
      const entry = calls[method] as unknown;
      const computed = typeof entry === 'function' ? await (entry as () => unknown)() : entry;
      const inputs = Array.isArray(computed) ? computed : [computed];
      expect(inputs.length).toBeGreaterThan(0);
      for (const input of inputs) {
        const answer = await engine.call(method, input);
        const parsed = adminContract[method].output.safeParse(answer);
        const problems = parsed.success ? [] : formatIssues(parsed.error);
        // The answer names the call on failure; playground steps carry whole pages, so it is cut short.
        const call = `${method}(${JSON.stringify(input)}) answered ${JSON.stringify(answer).slice(0, 2000)}`;
        expect(problems, call).toEqual([]);
        // Object schemas drop keys they do not declare: an answer equal to its parse has none the
        // contract leaves out.
        expect(parsed.data, call).toEqual(answer);
      }
    });
  }
});
