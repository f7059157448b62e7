import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../main/core';
import { hashTokenValue } from '../../main/core/lib/secrets';
import { splitOpaqueValue } from '../../main/core/lib/token-values';
import type { Token, TokenState } from '../../shared/schemas';
import { BUILT_CLI, tempDir } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';

/**
 * Crash safety: the real built CLI under bounded loopback load (client_credentials issuance of JWT
 * and reference tokens, password grants, refreshes, revocations) is killed with SIGKILL at random
 * moments, many times in one run. After every kill, with the process dead, the database file must
 * pass `PRAGMA integrity_check` and hold every token whose issuance response was received; after the
 * restart every such token is listed by tokens.list in the state its acknowledged history says
 * (introspection agrees), and every acknowledged revocation holds.
 *
 * The outcome of a request in flight at the kill is unknown: the model allows both states until the
 * restart shows which one was stored, and from then on that state must stay. CRASH_CYCLES and
 * CRASH_SEED replay a run (the summary line prints the seed).
 */

const CYCLES = Number(process.env.CRASH_CYCLES) || 16;
const SEED = Number(process.env.CRASH_SEED) || Date.now() % 2 ** 31;
const WORKERS = 6;
/** Introspections per restart: of tokens new or changed since the last one, and of any token. */
const INTROSPECT_CHANGED = 120;
const INTROSPECT_SAMPLE = 20;
const ADMIN_TOKEN = 'crash-safety-admin-token-0123456789abcdef';

const CLIENTS = {
  'svc-jwt': { secret: 'svc-jwt-secret', format: 'jwt' },
  'svc-ref': { secret: 'svc-ref-secret', format: 'reference' },
  'app-jwt': { secret: 'app-jwt-secret', format: 'jwt', scope: 'openid api' },
  'app-ref': { secret: 'app-ref-secret', format: 'reference', scope: 'api' },
} as const;
type ClientId = keyof typeof CLIENTS;

const SEED_DOCUMENT = {
  users: [{ username: 'alice', password: 'alice-pw', claims: { name: 'Alice' } }],
  clients: [
    ...(['svc-jwt', 'svc-ref'] as const).map((id) => ({
      client_id: id,
      client_secret: CLIENTS[id].secret,
      grant_types: ['client_credentials'],
      scope: 'api',
      access_token_format: CLIENTS[id].format,
      // svc-jwt checks every client's tokens by introspection: a gateway.
      introspect_any_token: id === 'svc-jwt',
    })),
    ...(['app-jwt', 'app-ref'] as const).map((id) => ({
      client_id: id,
      client_secret: CLIENTS[id].secret,
      grant_types: ['password', 'refresh_token'],
      scope: 'openid api',
      access_token_format: CLIENTS[id].format,
    })),
  ],
};

/** mulberry32: a small seeded generator, so a failing run can be replayed with CRASH_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];

// ---------------------------------------------------------------- HTTP over loopback

interface Answer {
  status: number;
  text: string;
}

/** One request; rejects when the connection dies (the engine was killed) or nothing answers in 5 s. */
function request(
  agent: http.Agent,
  port: number,
  urlPath: string,
  body: string,
  headers: Record<string, string>,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: urlPath,
        agent,
        headers: {
          ...headers,
          ...(issuerHost ? { host: issuerHost } : {}),
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

function basic(clientId: ClientId): string {
  return `Basic ${Buffer.from(`${clientId}:${CLIENTS[clientId].secret}`).toString('base64')}`;
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

const FORM = 'application/x-www-form-urlencoded';

// ---------------------------------------------------------------- the model of what was acknowledged

interface Tracked {
  value: string;
  kind: 'access' | 'refresh' | 'id';
  client: ClientId;
  /** JWT jti at once; an opaque token's id is read from the database (by value hash) after the kill. */
  id: string | null;
  /** The states the acknowledged history allows; one state once a restart has shown it. */
  allowed: Set<TokenState>;
  /** Introspect at the next check (new, or its allowed states changed). */
  recheck: boolean;
  busy: boolean;
}

interface Family {
  client: ClientId;
  refresh: Tracked;
  tokens: Tracked[];
  busy: boolean;
  /** A refresh or revocation whose answer never came: no further refreshes on it. */
  settled: boolean;
}

const tokens: Tracked[] = [];
const families: Family[] = [];
const failures: string[] = [];
const stats = {
  cycles: 0,
  startupKills: 0,
  requests: 0,
  answered: 0,
  unknown: 0,
  tokensAcknowledged: 0,
  issuances: 0,
  refreshes: 0,
  revocations: 0,
  familyRevocations: 0,
  introspections: 0,
  integrityChecks: 0,
};

function jtiOf(jwt: string): string {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));
  return String(payload.jti);
}

function track(value: string, kind: Tracked['kind'], client: ClientId): Tracked {
  const isJwt = value.split('.').length === 3;
  const token: Tracked = {
    value,
    kind,
    client,
    id: isJwt ? jtiOf(value) : null,
    allowed: new Set(['active']),
    recheck: true,
    busy: false,
  };
  tokens.push(token);
  stats.tokensAcknowledged++;
  return token;
}

/** Tracks every token of a successful token response; returns them, refresh token first when present. */
function trackResponse(text: string, client: ClientId): { refresh: Tracked | null; all: Tracked[] } {
  const body = JSON.parse(text) as { access_token: string; refresh_token?: string; id_token?: string };
  const all = [track(body.access_token, 'access', client)];
  const refresh = body.refresh_token ? track(body.refresh_token, 'refresh', client) : null;
  if (refresh) all.push(refresh);
  if (body.id_token) all.push(track(body.id_token, 'id', client));
  return { refresh, all };
}

function settle(token: Tracked, state: TokenState) {
  token.allowed = new Set([state]);
  token.recheck = true;
}

function allow(token: Tracked, state: TokenState) {
  token.allowed.add(state);
  token.recheck = true;
}

// ---------------------------------------------------------------- load

interface Running {
  spawned: Spawned;
  port: number;
  agent: http.Agent;
}

/** Sends one request and classifies the outcome: an answer, or unknown (the engine died first). */
async function send(
  run: Running,
  urlPath: string,
  body: string,
  headers: Record<string, string>,
): Promise<Answer | null> {
  stats.requests++;
  try {
    const answer = await request(run.agent, run.port, urlPath, body, headers);
    stats.answered++;
    if (answer.status >= 500) failures.push(`${urlPath} answered ${answer.status}: ${answer.text}`);
    return answer;
  } catch {
    stats.unknown++;
    return null;
  }
}

async function issueClientCredentials(run: Running) {
  const client = random() < 0.5 ? 'svc-jwt' : 'svc-ref';
  const answer = await send(run, '/token', form({ grant_type: 'client_credentials' }), {
    authorization: basic(client),
    'content-type': FORM,
  });
  if (!answer) return;
  if (answer.status !== 200)
    return void failures.push(`client_credentials → ${answer.status} ${answer.text}`);
  stats.issuances++;
  trackResponse(answer.text, client);
}

async function passwordGrant(run: Running) {
  const client = random() < 0.5 ? 'app-jwt' : 'app-ref';
  const answer = await send(
    run,
    '/token',
    form({ grant_type: 'password', username: 'alice', password: 'alice-pw', scope: CLIENTS[client].scope }),
    { authorization: basic(client), 'content-type': FORM },
  );
  if (!answer) return;
  if (answer.status !== 200) return void failures.push(`password grant → ${answer.status} ${answer.text}`);
  stats.issuances++;
  const { refresh, all } = trackResponse(answer.text, client);
  if (!refresh) return void failures.push('password grant without a refresh token');
  families.push({ client, refresh, tokens: all, busy: false, settled: false });
}

async function refresh(run: Running, family: Family) {
  family.busy = true;
  const old = family.refresh;
  const answer = await send(run, '/token', form({ grant_type: 'refresh_token', refresh_token: old.value }), {
    authorization: basic(family.client),
    'content-type': FORM,
  });
  family.busy = false;
  if (!answer) {
    // Rotated or not: the restart tells. What it may have issued was never acknowledged.
    allow(old, 'rotated');
    family.settled = true;
    return;
  }
  if (answer.status !== 200) {
    family.settled = true;
    return void failures.push(`refresh of an unrotated, unrevoked token → ${answer.status} ${answer.text}`);
  }
  stats.refreshes++;
  settle(old, 'rotated');
  const { refresh: next, all } = trackResponse(answer.text, family.client);
  family.tokens.push(...all);
  if (!next) return void failures.push('refresh without a new refresh token');
  family.refresh = next;
}

async function revokeAccessToken(run: Running, token: Tracked) {
  token.busy = true;
  const answer = await send(run, '/revoke', form({ token: token.value }), {
    authorization: basic(token.client),
    'content-type': FORM,
  });
  token.busy = false;
  if (!answer) return allow(token, 'revoked');
  if (answer.status !== 200) return void failures.push(`revocation → ${answer.status} ${answer.text}`);
  stats.revocations++;
  settle(token, 'revoked');
}

/** Revoking the refresh token ends the grant: every token of the family, rotated ones included. */
async function revokeFamily(run: Running, family: Family) {
  family.busy = true;
  const answer = await send(
    run,
    '/revoke',
    form({ token: family.refresh.value, token_type_hint: 'refresh_token' }),
    { authorization: basic(family.client), 'content-type': FORM },
  );
  family.busy = false;
  family.settled = true;
  for (const token of family.tokens) {
    if (answer?.status === 200) settle(token, 'revoked');
    else allow(token, 'revoked');
  }
  if (answer && answer.status !== 200)
    return void failures.push(`family revocation → ${answer.status} ${answer.text}`);
  if (answer) {
    stats.revocations++;
    stats.familyRevocations++;
  }
}

async function worker(run: Running, stop: { now: boolean }) {
  while (!stop.now) {
    const roll = random();
    if (roll < 0.3) {
      await issueClientCredentials(run);
    } else if (roll < 0.45) {
      await passwordGrant(run);
    } else if (roll < 0.75) {
      const family = pick(families.filter((f) => !f.busy && !f.settled));
      if (family) await refresh(run, family);
      else await passwordGrant(run);
    } else if (roll < 0.92) {
      const token = pick(
        tokens.filter(
          (t) => t.kind === 'access' && !t.busy && t.allowed.size === 1 && t.allowed.has('active'),
        ),
      );
      if (token) await revokeAccessToken(run, token);
      else await issueClientCredentials(run);
    } else {
      const family = pick(families.filter((f) => !f.busy && !f.settled));
      if (family) await revokeFamily(run, family);
      else await passwordGrant(run);
    }
  }
}

// ---------------------------------------------------------------- process control

const dataDir = tempDir('idp-sandbox-crash-');
const seedFile = path.join(dataDir, 'seed.json');
const running: Spawned[] = [];

afterAll(() => {
  for (const p of running)
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/**
 * The issuer is fixed at the first start and passed with --issuer afterwards, so JWTs issued by one
 * life of the engine verify in the next. Each life listens on a fresh free port (requests carry the
 * issuer's Host), so no other process on the machine can take "our" port while the engine is dead.
 */
let issuer: string | null = null;
let issuerHost = '';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function spawnEngine(port: number): Spawned {
  const spawned = spawnProcess(
    process.execPath,
    [
      BUILT_CLI,
      'serve',
      '--port',
      String(port),
      '--data-dir',
      path.join(dataDir, 'data'),
      '--seed',
      seedFile,
      ...(issuer ? ['--issuer', issuer] : []),
    ],
    { ...process.env, IDP_SANDBOX_ADMIN_TOKEN: ADMIN_TOKEN },
  );
  running.push(spawned);
  return spawned;
}

/** Starts the engine on a free port; should another process take the port first, tries another. */
async function start(): Promise<Running> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const spawned = spawnEngine(port);
    try {
      const [, printed] = (await spawned.waitFor(/Issuer:\s+(\S+)/, 20_000)) as [string, string];
      await spawned.waitFor(/Press Ctrl\+C/);
      if (!issuer) {
        issuer = printed;
        issuerHost = new URL(printed).host;
      }
      expect(printed).toBe(issuer);
      return { spawned, port, agent: new http.Agent({ keepAlive: true, maxSockets: WORKERS + 2 }) };
    } catch (error) {
      if (attempt < 5 && /already in use/.test(spawned.output())) continue;
      throw error;
    }
  }
}

async function kill(spawned: Spawned) {
  spawned.child.kill('SIGKILL');
  const exit = await spawned.exited;
  expect(exit, spawned.output()).toEqual({ code: null, signal: 'SIGKILL' });
}

/** With the engine dead: the file is sound, and every acknowledged token is in it. */
function checkFile() {
  const db = new Database(path.join(dataDir, 'data', DATABASE_FILE), { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check') as { integrity_check: string }[];
    expect(integrity).toEqual([{ integrity_check: 'ok' }]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    stats.integrityChecks++;
    const byId = db.prepare('SELECT id, secret_hash FROM tokens WHERE id = ?');
    for (const token of tokens) {
      if (token.id === null) {
        // An opaque value is the token's id followed by its secret, whose hash is stored.
        const parts = splitOpaqueValue(token.value);
        const row = parts && (byId.get(parts.id) as { id: string; secret_hash: string } | undefined);
        if (!parts)
          failures.push(`acknowledged ${token.kind} token of ${token.client} has a malformed value`);
        else if (row?.secret_hash !== hashTokenValue(parts.secret))
          failures.push(`acknowledged ${token.kind} token of ${token.client} is not in the database`);
        else token.id = row.id;
      } else if (!byId.get(token.id)) {
        failures.push(
          `acknowledged ${token.kind} token ${token.id} of ${token.client} is not in the database`,
        );
      }
    }
  } finally {
    db.close();
  }
}

async function admin<T>(run: Running, method: string, input: unknown): Promise<T> {
  const answer = await request(run.agent, run.port, `/admin/api/${method}`, JSON.stringify(input), {
    authorization: `Bearer ${ADMIN_TOKEN}`,
    'content-type': 'application/json',
  });
  if (answer.status !== 200) throw new Error(`${method} answered ${answer.status}: ${answer.text}`);
  return JSON.parse(answer.text) as T;
}

/** After a restart: tokens.list shows every acknowledged token in an allowed state; introspection agrees. */
async function checkEngine(run: Running, everything: boolean) {
  const listed = new Map<string, Token>();
  for (let offset = 0; ; offset += 10_000) {
    const page = await admin<{ tokens: Token[]; total: number }>(run, 'tokens.list', {
      limit: 10_000,
      offset,
    });
    for (const token of page.tokens) listed.set(token.id, token);
    if (offset + page.tokens.length >= page.total) break;
  }
  for (const token of tokens) {
    const record = token.id === null ? undefined : listed.get(token.id);
    if (!record) {
      failures.push(`acknowledged ${token.kind} token ${token.id} is not listed by tokens.list`);
      continue;
    }
    if (!token.allowed.has(record.state)) {
      failures.push(
        `${token.kind} token ${token.id}: state ${record.state}, acknowledged history allows ${[...token.allowed]}`,
      );
    }
    if (token.allowed.size > 1) token.recheck = true;
    token.allowed = new Set([record.state]);
  }

  // Introspect (bounded per cycle) tokens new or changed since the last check, and a random sample of
  // the rest; tokens.list above has already checked the state of every one. After the last restart,
  // every acknowledged token is introspected.
  const candidates = tokens.filter((t) => t.kind !== 'id');
  const changed = candidates.filter((t) => t.recheck);
  const chosen = new Set<Tracked>(everything ? candidates : []);
  while (chosen.size < Math.min(INTROSPECT_CHANGED, changed.length))
    chosen.add(changed[Math.floor(random() * changed.length)] as Tracked);
  for (let i = 0; i < INTROSPECT_SAMPLE && candidates.length; i++)
    chosen.add(candidates[Math.floor(random() * candidates.length)] as Tracked);
  for (const token of changed) token.recheck = false;
  const queue = [...chosen];
  const introspector = async () => {
    for (let token = queue.pop(); token; token = queue.pop()) {
      const answer = await request(run.agent, run.port, '/introspect', form({ token: token.value }), {
        authorization: basic('svc-jwt'),
        'content-type': FORM,
      });
      stats.introspections++;
      const active = answer.status === 200 && (JSON.parse(answer.text) as { active: boolean }).active;
      const expected = token.allowed.has('active');
      if (answer.status !== 200 || active !== expected) {
        failures.push(
          `introspection of ${token.kind} token ${token.id} (state ${[...token.allowed]}) → ${answer.status} ${answer.text}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, introspector));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('kill -9 under load', () => {
  it(`loses no acknowledged token or revocation over ${CYCLES} crashes, and the file stays sound`, async () => {
    const started = Date.now();
    fs.writeFileSync(seedFile, JSON.stringify(SEED_DOCUMENT));
    let run = await start();

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Load for a random while, then SIGKILL in the middle of it.
      const stop = { now: false };
      const load = Promise.all(Array.from({ length: WORKERS }, () => worker(run, stop)));
      await sleep(100 + random() * 500);
      stop.now = true;
      await kill(run.spawned);
      await load;
      run.agent.destroy();
      stats.cycles++;
      checkFile();

      // Now and then the kill lands while the engine starts (opening, migrating, seeding, listening).
      if (cycle % 4 === 3) {
        const early = spawnEngine(await freePort());
        await sleep(random() * 500);
        await kill(early);
        stats.startupKills++;
        checkFile();
      }

      run = await start();
      await checkEngine(run, cycle === CYCLES - 1);
      expect(failures, `cycle ${cycle + 1}, seed ${SEED}`).toEqual([]);
    }

    run.spawned.child.kill('SIGTERM');
    expect((await run.spawned.exited).code).toBe(0);
    run.agent.destroy();
    checkFile();
    expect(failures).toEqual([]);
    // Nothing the engine printed over all its lives (start-up lines, errors) holds a secret.
    const printed = running.map((p) => p.output()).join('\n');
    expect(printed).not.toContain(ADMIN_TOKEN);
    expect(tokens.filter((t) => printed.includes(t.value)).map((t) => t.kind)).toEqual([]);

    const revokedHeld = tokens.filter((t) => t.allowed.has('revoked')).length;
    console.log(
      `crash-safety: seed ${SEED}, ${stats.cycles} kill -9 cycles (+${stats.startupKills} during start-up), ` +
        `${stats.requests} requests (${stats.answered} answered, ${stats.unknown} cut off by the kill), ` +
        `${stats.tokensAcknowledged} tokens acknowledged (${stats.issuances} issuances, ${stats.refreshes} refreshes), ` +
        `${stats.revocations} revocations acknowledged (${stats.familyRevocations} of whole families), ` +
        `${revokedHeld} tokens revoked and still revoked, ${stats.introspections} introspections, ` +
        `${stats.integrityChecks} integrity checks ok, 0 failures, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(stats.tokensAcknowledged).toBeGreaterThan(CYCLES * 5);
  }, 120_000);
});
