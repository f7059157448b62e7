// One bounded load run with autocannon, from this process (never the server's) to 127.0.0.1.
import autocannon from 'autocannon';
import { monotonicMicros } from './profile.mjs';

/**
 * Runs `requests` (autocannon request objects, cycled per connection) against `origin` for `duration`
 * seconds with `connections` keep-alive connections (no pipelining). `onStart(stop)` receives a function
 * that ends the run early (a one-time pool ran dry): the rate is then over the time until that call, and
 * the answers to requests sent after it (`overrun` of the pool: never-issued values) are not counted,
 * neither as successes nor as failures.
 * Returns the rate of 2xx answers per second, latency percentiles in ms and what went wrong.
 */
export function runLoad({
  origin,
  requests,
  connections,
  duration,
  onStart,
  overrun = { ok: 0, failed: 0 },
}) {
  const from = monotonicMicros();
  const started = performance.now();
  let stoppedAfter = Number.POSITIVE_INFINITY;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: origin, connections, duration, requests, timeout: 10, pipelining: 1 },
      (error, result) => {
        if (error) return reject(error);
        const ok = result['2xx'] - overrun.ok;
        const seconds = Math.min(result.duration, stoppedAfter);
        resolve({
          rps: seconds > 0 ? ok / seconds : 0,
          p50: result.latency.p50,
          p99: result.latency.p99,
          ok,
          non2xx: result.non2xx - overrun.failed,
          errors: result.errors + result.timeouts,
          seconds,
          statusCodes: result.statusCodeStats,
          /** When the load ran, on the clock of V8's profiler (to cut the engine's profile to it). */
          window: [from, monotonicMicros()],
        });
      },
    );
    onStart?.(() => {
      stoppedAfter = Math.min(stoppedAfter, (performance.now() - started) / 1000);
      instance.stop();
    });
  });
}

/** A request cycled unchanged. */
export function fixedRequest({ method = 'GET', path, headers = {}, body }) {
  return { method, path, headers, ...(body === undefined ? {} : { body }) };
}

/**
 * A request whose body (or with `headersFor`, a header: DPoP proofs) takes the next value of a one-time
 * pool (authorization codes). When the pool is
 * empty the run is stopped; the few requests made until it has stopped carry a value that was never
 * issued (an unknown code fails without side effects; a reused one would revoke its grant).
 */
export function poolRequest({ path, headers, bodyFor, headersFor, values, onEmpty }) {
  let next = 0;
  /** Answers to never-issued values (a stateless peer accepts them): left out of the counts. */
  const overrun = { ok: 0, failed: 0 };
  return {
    method: 'POST',
    path,
    headers,
    overrun,
    // autocannon hands the same per-connection context to a request's setupRequest and its onResponse.
    setupRequest: (request, context) => {
      context.overrun = next >= values.length;
      if (context.overrun) onEmpty();
      const value = context.overrun ? `never-issued-${next}` : values[next];
      next++;
      const body = bodyFor(value);
      return headersFor
        ? { ...request, headers: { ...headers, ...headersFor(value) }, body }
        : { ...request, body };
    },
    onResponse: (status, _body, context) => {
      if (context.overrun) overrun[status < 300 ? 'ok' : 'failed']++;
    },
  };
}

/**
 * Refresh-token rotation chains: each request takes a refresh token from the queue and its answer puts the
 * rotated one back, so every token is used exactly once and the chains go on for as long as the run lasts.
 */
export function rotationRequest({ path, headers, queue }) {
  return {
    method: 'POST',
    path,
    headers,
    setupRequest: (request) => {
      const token = queue.shift() ?? 'exhausted';
      return { ...request, body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}` };
    },
    onResponse: (status, body) => {
      if (status !== 200) return;
      try {
        const next = JSON.parse(body).refresh_token;
        if (next) queue.push(next);
      } catch {
        // not JSON: the chain ends here
      }
    },
  };
}
