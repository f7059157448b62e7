// Token requests from outside the engine: a fixed rate for the live phase (paced here), as fast as the
// engine answers (autocannon) for its throughput, and single marked tokens whose arrival on the page is
// timed.
import http from 'node:http';
import autocannon from 'autocannon';
import { API_SCOPE, basicAuth } from '../lib/shared.mjs';

const FORM = 'application/x-www-form-urlencoded';
const BODY = `grant_type=client_credentials&scope=${encodeURIComponent(API_SCOPE)}`;

/**
 * client_credentials requests of `client` for `seconds`, as fast as the engine answers them over
 * `connections` keep-alive connections. Resolves with the 2xx rate and what failed.
 */
export function tokenLoad({ origin, client, seconds, connections }) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: origin,
        connections,
        duration: seconds,
        pipelining: 1,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            path: '/token',
            headers: { authorization: basicAuth(client), 'content-type': FORM },
            body: BODY,
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          rps: result['2xx'] / result.duration,
          ok: result['2xx'],
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
          p99: result.latency.p99,
          seconds: result.duration,
        });
      },
    );
  });
}

/** Issues one reference token to `client` (the marker); its id and the wall-clock time it was asked for. */
export async function issueMarker(origin, client) {
  const at = Date.now();
  const response = await fetch(`${origin}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(client), 'content-type': FORM },
    body: BODY,
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`the marker token was refused (${response.status}): ${text.slice(0, 200)}`);
  const value = JSON.parse(text).access_token;
  // A reference token's value is its id (26 characters, main/core/lib/token-values.ts) then its secret.
  return { at, answeredAt: Date.now(), id: value.slice(0, 26) };
}

/**
 * Open-loop load: `rate` client_credentials requests per second for `seconds`, sent on a 10 ms tick
 * whatever the answers (autocannon's overallRate lets each connection burst its share then wait for
 * the next second, and under a busy machine it fell far short of the rate). At most `maxInFlight`
 * outstanding: a tick that would exceed it counts its requests as not sent.
 */
export function pacedTokenLoad({ origin, client, seconds, rate, maxInFlight = 400 }) {
  const url = new URL('/token', origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const headers = {
    authorization: basicAuth(client),
    'content-type': FORM,
    'content-length': Buffer.byteLength(BODY),
  };
  const counts = { sent: 0, ok: 0, failed: 0, notSent: 0 };
  let inFlight = 0;
  const send = () => {
    inFlight++;
    counts.sent++;
    const request = http.request(url, { method: 'POST', agent, headers }, (response) => {
      response.resume();
      response.on('end', () => {
        inFlight--;
        if (response.statusCode === 200) counts.ok++;
        else counts.failed++;
      });
    });
    request.on('error', () => {
      inFlight--;
      counts.failed++;
    });
    request.end(BODY);
  };
  return new Promise((resolve) => {
    const started = performance.now();
    let due = 0;
    const timer = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed >= seconds) {
        clearInterval(timer);
        // Answers still on their way get two seconds.
        const ended = performance.now();
        const finish = () => {
          agent.destroy();
          resolve({ rps: counts.ok / seconds, ...counts, seconds, drainMs: performance.now() - ended });
        };
        const wait = setInterval(() => {
          if (inFlight === 0 || performance.now() - ended > 2000) {
            clearInterval(wait);
            finish();
          }
        }, 20);
        return;
      }
      // Catch up on ticks the timer was late for, so the rate holds over the run.
      const target = Math.floor(elapsed * rate);
      for (; due < target; due++) {
        if (inFlight >= maxInFlight) counts.notSent++;
        else send();
      }
    }, 10);
  });
}
