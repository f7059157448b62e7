#!/usr/bin/env node
// What a connected UI costs the engine (issue 21: throughput with the UI open ≥ 0.9× without it): the
// built CLI serves client_credentials reference tokens (as cc-ref) under autocannon, in alternating
// rounds without and with a client on the admin live event stream, read the way the UI's HTTP
// transport reads it (fetch, the admin token as a header, every message parsed). Prints each round,
// the medians and how many events and messages the client got (the stream batches events). An
// experiment: nothing is written.
//
//   node bench/experiments/live-stream-cost.mjs [--rounds N] [--duration S] [--connections N] [--cli PATH]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeEngineSeed } from '../lib/engine-seed.mjs';
import { fixedRequest, runLoad } from '../lib/load.mjs';
import { ADMIN_TOKEN, ROOT, spawnNode } from '../lib/procs.mjs';
import { API_SCOPE, basicAuth, CLIENTS } from '../lib/shared.mjs';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    cli: { type: 'string' },
  },
});
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-live-cost-'));

// A copy of the CLI of its own (a build started meanwhile empties dist/), under node_modules so it
// finds its dependencies (better-sqlite3) as the bench's snapshot does.
const cliDir = path.join(ROOT, 'node_modules', '.cache', `idp-live-cost-${process.pid}`);
function copyCli() {
  if (flags.cli) return flags.cli;
  fs.cpSync(path.join(ROOT, 'dist', 'cli'), cliDir, { recursive: true });
  return path.join(cliDir, 'idp-sandbox.cjs');
}

const cli = copyCli();
const server = await spawnNode(
  [cli, 'serve', '--port', '0', '--in-memory', '--seed', writeEngineSeed(workDir, 'RS256')],
  {
    env: { IDP_SANDBOX_ADMIN_TOKEN: ADMIN_TOKEN },
    ready: (line) => {
      const issuer = /^\s*Issuer:\s+(\S+)/.exec(line)?.[1];
      if (issuer) return { issuer };
      return line.startsWith('Press Ctrl+C') ? { ready: true } : null;
    },
  },
);

const token = fixedRequest({
  method: 'POST',
  path: '/token',
  headers: { authorization: basicAuth(CLIENTS.ref), 'content-type': 'application/x-www-form-urlencoded' },
  body: `grant_type=client_credentials&scope=${encodeURIComponent(API_SCOPE)}`,
});
const discovered = await (await fetch(`${server.origin}/.well-known/openid-configuration`)).json();
token.path = new URL(discovered.token_endpoint).pathname;

/** A live-stream client like the UI's: counts the events and messages it parsed. */
async function connectLikeTheUi() {
  const controller = new AbortController();
  const response = await fetch(`${server.origin}/admin/api/events.stream`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (!response.ok) throw new Error(`events.stream answered ${response.status}`);
  // Under load a batch leaves request-rate events out and says how many in an `event: gap` message.
  const counts = { events: 0, messages: 0, omitted: 0 };
  const reading = (async () => {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const lines = buffer.slice(0, end).split('\n');
          const gap = lines.includes('event: gap');
          const data = lines
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trim())
            .join('\n');
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          if (!data) continue;
          const parsed = JSON.parse(data);
          if (gap) {
            for (const issuer of Object.values(parsed.issuers))
              for (const n of Object.values(issuer.omitted)) counts.omitted += n;
            continue;
          }
          counts.messages += 1;
          counts.events += Array.isArray(parsed) ? parsed.length : 1;
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  })();
  return {
    counts,
    async close() {
      controller.abort();
      await reading;
    },
  };
}

/** The engine's CPU time so far (user + system), in ms, from /proc: what it spent, whatever else runs. */
function engineCpuMs() {
  const fields = fs.readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const seconds = Number(flags.duration);
/** One load run: tokens/s, and the engine's CPU µs per token (steadier than the rate on a busy machine). */
async function measured() {
  const cpuBefore = engineCpuMs();
  const result = await load();
  return { rps: result.rps, cpuUsPerToken: ((engineCpuMs() - cpuBefore) * 1000) / result.ok };
}
const load = () =>
  runLoad({
    origin: server.origin,
    requests: [token],
    connections: Number(flags.connections),
    duration: seconds,
  });

// Warm-up: the JIT and SQLite's page cache, then rounds of both.
await load();
const results = { without: [], with: [], cpuWithout: [], cpuWith: [] };
for (let round = 0; round < Number(flags.rounds); round++) {
  // Every other round measures with the client first, so drift over the run hits both sides alike.
  const watchedFirst = round % 2 === 1;
  let alone = watchedFirst ? null : await measured();
  const client = await connectLikeTheUi();
  const watched = await measured();
  // The last batch is at most ~100 ms behind.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await client.close();
  if (watchedFirst) alone = await measured();
  results.without.push(alone.rps);
  results.with.push(watched.rps);
  results.cpuWithout.push(alone.cpuUsPerToken);
  results.cpuWith.push(watched.cpuUsPerToken);
  const perMessage = client.counts.messages ? client.counts.events / client.counts.messages : 0;
  console.log(
    `round ${round + 1}: without ${alone.rps.toFixed(0)}/s (${alone.cpuUsPerToken.toFixed(0)} µs CPU a token), ` +
      `with a live client ${watched.rps.toFixed(0)}/s (${watched.cpuUsPerToken.toFixed(0)} µs) ` +
      `(${client.counts.events} events in ${client.counts.messages} messages, ${perMessage.toFixed(0)} per message; ` +
      `${client.counts.omitted} left out)`,
  );
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const without = median(results.without);
const withClient = median(results.with);
console.log(
  `median: without ${without.toFixed(0)} tokens/s, with a live client ${withClient.toFixed(0)} tokens/s ` +
    `(${((withClient / without) * 100).toFixed(1)} %); engine CPU a token ${median(results.cpuWithout).toFixed(0)} µs ` +
    `vs ${median(results.cpuWith).toFixed(0)} µs`,
);
// On a busy machine the least-disturbed round of each side says most about the cost itself.
console.log(
  `best round: without ${Math.max(...results.without).toFixed(0)} tokens/s, with ${Math.max(...results.with).toFixed(0)} tokens/s; ` +
    `engine CPU a token ${Math.min(...results.cpuWithout).toFixed(0)} µs vs ${Math.min(...results.cpuWith).toFixed(0)} µs`,
);
await server.stop();
fs.rmSync(workDir, { recursive: true, force: true });
fs.rmSync(cliDir, { recursive: true, force: true });
