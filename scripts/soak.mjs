#!/usr/bin/env node
// Soak: the built CLI, in memory, under a steady, bounded loopback load (issue, introspect, refresh,
// revoke) for --seconds N (default 60). Lifetimes are seconds long, so tokens keep expiring, and the
// expired-token purge runs every few seconds; the child's resident memory (VmRSS from
// /proc/PID/status, or `ps` elsewhere) is sampled every second. Prints start, peak and end RSS and
// the slope, and what the store holds at the end. A report, not a test: nothing here is asserted
// except that the server never answers 5xx (exit code 1 if it does).
//
//   npm run soak -- --seconds 120 [--rate 150] [--cli dist/cli/idp-sandbox.cjs] [--data-dir DIR]
//
// With --data-dir the engine keeps its database there instead of in memory, and the report adds the
// size of the database files and the rows of each table, to tell the store's growth from the heap's.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
function flag(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}
const SECONDS = Number(flag('seconds', '60'));
const RATE = Number(flag('rate', '150'));
const CLI = path.resolve(flag('cli', path.join(root, 'dist', 'cli', 'idp-sandbox.cjs')));
const DATA_DIR = flag('data-dir', undefined);
if (!(SECONDS > 0) || !(RATE > 0)) {
  process.stderr.write(
    'usage: node scripts/soak.mjs [--seconds N] [--rate REQUESTS_PER_SECOND] [--cli FILE]\n',
  );
  process.exit(2);
}
const MAX_IN_FLIGHT = 16;
const PURGE_EVERY_MS = 5000;
const ADMIN_TOKEN = `soak-${process.pid}-${Date.now()}`;

// ---------------------------------------------------------------- the engine

const CLIENTS = {
  'svc-jwt': 'svc-jwt-secret',
  'svc-ref': 'svc-ref-secret',
  app: 'app-secret',
};
const seed = {
  // Seconds-long lifetimes: everything issued expires within the run and is purged.
  settings: { access_token_ttl: 2, id_token_ttl: 2, refresh_token_ttl: 4, authorization_code_ttl: 60 },
  users: [{ username: 'alice', password: 'alice-pw', claims: { name: 'Alice', roles: ['qa'] } }],
  clients: [
    {
      client_id: 'svc-jwt',
      client_secret: CLIENTS['svc-jwt'],
      grant_types: ['client_credentials'],
      scope: 'api',
    },
    {
      client_id: 'svc-ref',
      client_secret: CLIENTS['svc-ref'],
      grant_types: ['client_credentials'],
      scope: 'api',
      access_token_format: 'reference',
    },
    {
      client_id: 'app',
      client_secret: CLIENTS.app,
      grant_types: ['password', 'refresh_token'],
      scope: 'openid profile api offline_access',
    },
  ],
};
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-soak-'));
const seedFile = path.join(work, 'seed.json');
fs.writeFileSync(seedFile, JSON.stringify(seed));

const storage = DATA_DIR ? ['--data-dir', path.resolve(DATA_DIR)] : ['--in-memory'];
const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...storage, '--seed', seedFile], {
  env: { ...process.env, IDP_SANDBOX_ADMIN_TOKEN: ADMIN_TOKEN },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
child.stdout.on('data', (chunk) => {
  output += chunk;
});
child.stderr.on('data', (chunk) => {
  output += chunk;
});
const port = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`The engine did not start:\n${output}`)), 30_000);
  child.stdout.on('data', () => {
    const match = /Issuer:\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
    if (match && output.includes('Press Ctrl+C')) {
      clearTimeout(timer);
      resolve(Number(match[1]));
    }
  });
  child.on('exit', (code) =>
    reject(new Error(`The engine exited (${code}) before it was ready:\n${output}`)),
  );
});

// ---------------------------------------------------------------- memory samples

function rssKb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  } catch {
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
  }
}
const started = Date.now();
const samples = [{ t: 0, kb: rssKb(child.pid) }];
const sampler = setInterval(
  () => samples.push({ t: (Date.now() - started) / 1000, kb: rssKb(child.pid) }),
  1000,
);

// ---------------------------------------------------------------- load

const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
const counts = { requests: 0, ok: 0, refused: 0, serverErrors: 0, networkErrors: 0, issued: 0, purged: 0 };
const serverErrors = [];

function request(urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: urlPath,
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const basic = (id) => `Basic ${Buffer.from(`${id}:${CLIENTS[id]}`).toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';

async function send(urlPath, fields, client) {
  counts.requests++;
  try {
    const answer = await request(urlPath, new URLSearchParams(fields).toString(), {
      authorization: basic(client),
      'content-type': FORM,
    });
    if (answer.status >= 500) {
      counts.serverErrors++;
      if (serverErrors.length < 5)
        serverErrors.push(`${urlPath} ${answer.status} ${answer.text.slice(0, 200)}`);
    } else if (answer.status >= 400) counts.refused++;
    else counts.ok++;
    return answer;
  } catch {
    counts.networkErrors++;
    return null;
  }
}

async function admin(method, input = {}) {
  const answer = await request(`/admin/api/${method}`, JSON.stringify(input), {
    authorization: `Bearer ${ADMIN_TOKEN}`,
    'content-type': 'application/json',
  });
  if (answer.status !== 200) throw new Error(`${method}: ${answer.status} ${answer.text}`);
  return JSON.parse(answer.text);
}

// Bounded working sets: the load never holds more than this many tokens and families.
const accessTokens = [];
const families = [];
const remember = (list, item, max) => {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
};
const any = (list) => list[Math.floor(Math.random() * list.length)];

async function operation() {
  const roll = Math.random();
  if (roll < 0.25 || accessTokens.length === 0) {
    const client = Math.random() < 0.5 ? 'svc-jwt' : 'svc-ref';
    const answer = await send('/token', { grant_type: 'client_credentials' }, client);
    if (answer?.status === 200) {
      counts.issued++;
      remember(accessTokens, { value: JSON.parse(answer.text).access_token, client }, 200);
    }
  } else if (roll < 0.5) {
    await send('/introspect', { token: any(accessTokens).value }, 'svc-jwt');
  } else if (roll < 0.65 || families.length === 0) {
    const answer = await send(
      '/token',
      { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid api offline_access' },
      'app',
    );
    if (answer?.status === 200) {
      counts.issued += 3;
      remember(families, { refresh: JSON.parse(answer.text).refresh_token, busy: false }, 100);
    }
  } else if (roll < 0.85) {
    const family = any(families);
    if (family.busy) return;
    family.busy = true;
    const answer = await send(
      '/token',
      { grant_type: 'refresh_token', refresh_token: family.refresh },
      'app',
    );
    family.busy = false;
    if (answer?.status === 200) {
      counts.issued += 3;
      family.refresh = JSON.parse(answer.text).refresh_token;
    }
  } else if (Math.random() < 0.7) {
    const token = any(accessTokens);
    await send('/revoke', { token: token.value }, token.client);
  } else {
    await send('/revoke', { token: any(families).refresh }, 'app');
  }
}

let inFlight = 0;
let due = 0;
let lastTick = Date.now();
const deadline = started + SECONDS * 1000;
const ticker = setInterval(() => {
  const now = Date.now();
  due += ((now - lastTick) / 1000) * RATE;
  lastTick = now;
  // Steady: start what is due, but never more than MAX_IN_FLIGHT at once (bounded, not a flood).
  while (due >= 1 && inFlight < MAX_IN_FLIGHT && now < deadline) {
    due--;
    inFlight++;
    void operation().finally(() => inFlight--);
  }
  if (due > RATE) due = RATE;
}, 10);

const purger = setInterval(() => {
  admin('tokens.purgeExpired')
    .then((result) => {
      counts.purged += result.purged;
    })
    .catch((error) => serverErrors.push(`purge: ${error.message}`));
}, PURGE_EVERY_MS);

const progress = setInterval(() => {
  const last = samples[samples.length - 1];
  process.stdout.write(
    `  ${Math.round(last.t)} s: RSS ${(last.kb / 1024).toFixed(1)} MB, ${counts.requests} requests, ${counts.purged} purged\n`,
  );
}, 10_000);

process.stdout.write(
  `Soak: ${SECONDS} s at ${RATE} requests/s (at most ${MAX_IN_FLIGHT} in flight) against ${CLI} on port ${port}\n`,
);
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
clearInterval(ticker);
clearInterval(progress);
clearInterval(purger);
while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
clearInterval(sampler);
samples.push({ t: (Date.now() - started) / 1000, kb: rssKb(child.pid) });

// What the store holds at the end, after one more purge.
counts.purged += (await admin('tokens.purgeExpired')).purged;
const tokensLeft = (await admin('tokens.list', { limit: 1 })).total;
const newestEvent = (await admin('events.list', { limit: 1 }))[0]?.id ?? 0;
child.kill('SIGTERM');
await new Promise((resolve) => child.on('exit', resolve));
agent.destroy();
fs.rmSync(work, { recursive: true, force: true });

// ---------------------------------------------------------------- report

const mb = (kb) => (kb / 1024).toFixed(1);
/** Least-squares slope of RSS over time, in MB per minute. */
function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const mk = points.reduce((s, p) => s + p.kb, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mt) * (p.kb - mk), 0);
  const den = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : ((num / den) * 60) / 1024;
}
const warm = samples.find((s) => s.t >= Math.min(10, SECONDS / 5)) ?? samples[0];
const peak = samples.reduce((a, b) => (b.kb > a.kb ? b : a));
const secondHalf = samples.filter((s) => s.t >= SECONDS / 2);
const elapsed = (Date.now() - started) / 1000;
const lines = [
  `soak: ${SECONDS} s, ${counts.requests} requests (${(counts.requests / elapsed).toFixed(0)}/s): ${counts.ok} ok, ` +
    `${counts.refused} refused as expected (expired, rotated or revoked tokens), ${counts.serverErrors} server errors, ` +
    `${counts.networkErrors} network errors`,
  `RSS: start ${mb(samples[0].kb)} MB, after warm-up (${Math.round(warm.t)} s) ${mb(warm.kb)} MB, ` +
    `peak ${mb(peak.kb)} MB (at ${Math.round(peak.t)} s), end ${mb(samples[samples.length - 1].kb)} MB; ` +
    `slope after warm-up ${slope(samples.filter((s) => s.t >= warm.t)).toFixed(2)} MB/min, ` +
    `over the second half ${slope(secondHalf).toFixed(2)} MB/min (${samples.length} samples)`,
  `store: ${counts.issued} tokens issued, ${counts.purged} purged, ${tokensLeft} left at the end; ` +
    `${newestEvent} events recorded`,
];
if (DATA_DIR) {
  const file = path.join(path.resolve(DATA_DIR), 'idp-sandbox.db');
  const size = ['', '-wal'].reduce(
    (sum, suffix) => sum + (fs.statSync(file + suffix, { throwIfNoEntry: false })?.size ?? 0),
    0,
  );
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true });
  const rows = ['tokens', 'grants', 'events', 'auth_codes', 'sessions']
    .map((table) => `${table} ${db.prepare(`SELECT count(*) AS n FROM ${table}`).get().n}`)
    .join(', ');
  db.close();
  lines.push(`database: ${mb(size / 1024)} MB on disk; rows: ${rows}`);
}
process.stdout.write(`${lines.join('\n')}\n`);
if (serverErrors.length) process.stdout.write(`server errors:\n  ${serverErrors.join('\n  ')}\n`);
process.exit(counts.serverErrors || counts.networkErrors ? 1 : 0);
