/**
 * "Check my API" (lab.checkApi): sends a good token, then each bad token, to an endpoint of the user's
 * own service and reports which bad ones it accepted. Requests go to the one address the user gave
 * (never a redirect's), on loopback unless allowed otherwise, one at a time, bounded per request and
 * per run.
 */
import {
  request as httpRequest,
  type IncomingMessage,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIPv4 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { AdminOutput, AdminParsedInput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import type { BadToken, CheckApiResult } from '../../../../shared/lab';
import { curlCommand } from '../../../../shared/lab-report';
import type { AdminContext } from '../handlers/common';
import { makeBadTokens } from './bad-tokens';

type Input = AdminParsedInput<'lab.checkApi'>;
type Output = AdminOutput<'lab.checkApi'>;

/** A whole run ends by then: variants not sent by this time are reported as errors. */
export const RUN_TIME_LIMIT_MS = 60_000;

/** Headers the run sets itself: the user's value would be replaced or would break the request. */
const RUN_HEADERS: Record<string, string> = {
  authorization: 'the run sets "Authorization: Bearer <token>" itself, a different token each request',
  'content-length': 'the run sets it from the body',
  'transfer-encoding': 'the run sends the body whole, with a Content-Length',
  connection: 'the run opens one connection per request',
};

/** 127.0.0.0/8, ::1 and localhost: addresses that cannot leave this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host === '::1') return true;
  return isIPv4(host) && host.startsWith('127.');
}

/** The endpoint as a URL the run may send to, or invalid_input saying what to change. */
function targetUrl(input: Input): URL {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw new AdminError(
      'invalid_input',
      `The URL must be absolute, like http://127.0.0.1:8080/api (got "${input.url}").`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AdminError('invalid_input', `The URL must use http or https (got "${url.protocol}").`);
  }
  if (url.username || url.password) {
    throw new AdminError(
      'invalid_input',
      'The URL must not hold a user name or password: the run authenticates with bearer tokens only.',
    );
  }
  if (!input.allow_remote && !isLoopbackHost(url.hostname)) {
    throw new AdminError(
      'invalid_input',
      `${url.hostname} is not a loopback address (127.0.0.0/8, ::1, localhost). The run sends tokens only to ` +
        'this machine unless you allow a remote host explicitly: allow_remote: true in the admin API, ' +
        '--allow-remote in the CLI.',
    );
  }
  url.hash = '';
  return url;
}

/** The user's extra headers, checked as Node would send them, without the ones the run sets. */
function userHeaders(input: Input): Record<string, string> {
  const headers = input.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    const reason = RUN_HEADERS[name.toLowerCase()];
    if (reason) throw new AdminError('invalid_input', `Remove the ${name} header: ${reason}.`);
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      throw new AdminError(
        'invalid_input',
        `The header ${JSON.stringify(name)} cannot be sent: a name is letters, digits and !#$%&'*+-.^_\`|~; a value has no line breaks or control characters.`,
      );
    }
  }
  if (input.body !== undefined && input.method === 'HEAD') {
    throw new AdminError(
      'invalid_input',
      'A HEAD request cannot carry a body: use another method or leave the body out.',
    );
  }
  return headers;
}

interface Sent {
  status: number | null;
  error: string | null;
  duration_ms: number;
}

/** What a failed request says to a person: the usual network failures in words. */
function requestError(error: NodeJS.ErrnoException, target: URL, timeoutMs: number): string {
  if (error.code === 'ETIMEDOUT') return `no answer within ${timeoutMs} ms`;
  if (error.code === 'ECONNREFUSED') return `connection refused: is the service listening on ${target.host}?`;
  if (error.code === 'ECONNRESET') return 'the service closed the connection without answering';
  return error.code ? `${error.code}: ${error.message}` : error.message;
}

/**
 * One request to the target; settles with its status once the answer's head arrives (the body is read
 * and dropped). Node's http client follows no redirect: a 3xx is a status like any other. A request
 * still without an answer after `timeoutMs`, or still sending its body by then, is destroyed.
 */
function sendOnce(
  target: URL,
  input: Input,
  headers: Record<string, string>,
  token: string,
  timeoutMs: number,
): Promise<Sent> {
  const started = performance.now();
  const allHeaders: Record<string, string> = { ...headers, authorization: `Bearer ${token}` };
  if (input.body !== undefined) allHeaders['content-length'] = String(Buffer.byteLength(input.body));
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const done = (status: number | null, error: string | null) =>
      resolve({ status, error, duration_ms: Math.round(performance.now() - started) });
    // agent: false, so no connection is kept alive between requests or after the run.
    const req = request(
      target,
      { method: input.method, headers: allHeaders, agent: false },
      (res: IncomingMessage) => {
        done(res.statusCode ?? null, null);
        res.on('error', () => undefined);
        res.on('close', () => clearTimeout(timer));
        res.resume();
      },
    );
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      done(null, requestError(error, target, timeoutMs));
    });
    req.end(input.body);
  });
}

/** Whether the service's status means it accepted the token. */
function acceptedBy(input: Input): (status: number) => boolean {
  const statuses = input.accepted_statuses;
  if (statuses?.length) return (status) => statuses.includes(status);
  return (status) => status >= 200 && status <= 299;
}

function baselineReason(sent: Sent, input: Input): string {
  const accepted = input.accepted_statuses?.length
    ? `one of ${input.accepted_statuses.join(', ')}`
    : 'a 2xx status';
  const what = sent.error
    ? `The baseline request failed (${sent.error})`
    : `The service answered ${sent.status} to the baseline token`;
  return (
    `${what}, where ${accepted} means accepted. A run needs a good token accepted first, or a rejection ` +
    'proves nothing: check the URL, the recipe (client, user, audience, scope) and the accepted statuses. ' +
    'No bad token was sent.'
  );
}

/** Sends one bad token (or, past the run's time limit, does not) and judges the answer. */
async function checkVariant(run: Run, token: BadToken): Promise<CheckApiResult> {
  const { input, target, headers } = run;
  const curl = curlCommand({
    method: input.method,
    url: target.href,
    headers,
    body: input.body,
    token: token.value,
  });
  const label = {
    variant: token.variant,
    title: token.title,
    expected: token.expected,
    reference: token.reference,
  };
  const remaining = run.deadline - performance.now();
  if (remaining <= 0) {
    const error = `not sent: the run's time limit of ${RUN_TIME_LIMIT_MS / 1000} s was reached`;
    return { ...label, status: null, verdict: 'error', error, duration_ms: 0, curl };
  }
  const sent = await sendOnce(
    target,
    input,
    headers,
    token.value,
    Math.min(input.timeout_ms, Math.ceil(remaining)),
  );
  const verdict =
    sent.status === null ? 'error' : run.accepted(sent.status) ? 'wrongly_accepted' : 'rejected';
  return { ...label, status: sent.status, verdict, error: sent.error, duration_ms: sent.duration_ms, curl };
}

interface Run {
  input: Input;
  target: URL;
  headers: Record<string, string>;
  accepted: (status: number) => boolean;
  deadline: number;
}

export async function checkApi(admin: AdminContext, input: Input): Promise<Output> {
  const target = targetUrl(input);
  const headers = userHeaders(input);
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const run: Run = {
    input,
    target,
    headers,
    accepted: acceptedBy(input),
    deadline: started + RUN_TIME_LIMIT_MS,
  };
  const tokens = await makeBadTokens(admin, input.baseline);

  const baselineToken = tokens.baseline.value;
  const sent = await sendOnce(target, input, headers, baselineToken, input.timeout_ms);
  const accepted = sent.status !== null && run.accepted(sent.status);
  const baseline = {
    status: sent.status,
    accepted,
    curl: curlCommand({
      method: input.method,
      url: target.href,
      headers,
      body: input.body,
      token: baselineToken,
    }),
    error: accepted ? null : baselineReason(sent, input),
  };

  const results: CheckApiResult[] = [];
  if (accepted) {
    const wanted = input.variants ? new Set(input.variants) : null;
    // One at a time: a service under test sees one bad token at once, and the bound holds.
    for (const token of tokens.variants) {
      if (!wanted || wanted.has(token.variant)) results.push(await checkVariant(run, token));
    }
  }
  return {
    url: target.href,
    method: input.method,
    baseline,
    results,
    findings: results.filter((r) => r.verdict === 'wrongly_accepted').length,
    started_at: startedAt,
    duration_ms: Math.round(performance.now() - started),
  };
}
