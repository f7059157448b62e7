import type { PlaygroundStep } from '../../../../shared/contract';
import { splitScope } from '../../tokens/claims';
import type { Exchange, PlaygroundRun } from './exchange';

type StepError = NonNullable<PlaygroundStep['error']>;

function fromParams(params: URLSearchParams, source: string): StepError | undefined {
  const error = params.get('error');
  if (!error) return undefined;
  const error_description = params.get('error_description');
  return { error, ...(error_description ? { error_description } : {}), source };
}

/**
 * The OAuth error of a response, wherever the provider put it: the JSON body (RFC 6749 §5.2), the
 * redirect's query or fragment (§4.1.2.1), or WWW-Authenticate (RFC 6750 §3). Decoded, so the reader
 * does not have to pick `invalid_scope` out of a URL-encoded Location header.
 */
export function oauthErrorOf(http: Exchange): StepError | undefined {
  try {
    const body = JSON.parse(http.response.body) as { error?: unknown; error_description?: unknown };
    if (body && typeof body.error === 'string') {
      return {
        error: body.error,
        ...(typeof body.error_description === 'string' ? { error_description: body.error_description } : {}),
        source: 'JSON body',
      };
    }
  } catch {
    // Not JSON (a redirect or an HTML page): look in the other places.
  }
  const location = http.response.headers.location;
  if (location) {
    try {
      const url = new URL(location);
      const found =
        fromParams(url.searchParams, 'redirect query') ??
        fromParams(new URLSearchParams(url.hash.slice(1)), 'redirect fragment');
      if (found) return found;
    } catch {
      // A relative Location carries no OAuth error.
    }
  }
  const challenge = http.response.headers['www-authenticate'] ?? '';
  const error = /error="([^"]*)"/.exec(challenge)?.[1];
  if (error) {
    const error_description = /error_description="([^"]*)"/.exec(challenge)?.[1];
    return { error, ...(error_description ? { error_description } : {}), source: 'WWW-Authenticate' };
  }
  return undefined;
}

/** What a failed step did instead of what its text describes. */
function whatHappened(step: PlaygroundStep): string {
  if (!step.http) return 'This step failed.';
  const { status } = step.http.response;
  if (step.error) {
    const how = step.error.source.startsWith('redirect')
      ? `redirected back (${status}) with`
      : `answered ${status}:`;
    const description = step.error.error_description ? ` (“${step.error.error_description}”)` : '';
    return `This step failed: the provider ${how} ${step.error.error}${description}.`;
  }
  const html = /^\s*</.test(step.http.response.body) ? ' with an HTML page' : '';
  return `This step failed: the provider answered ${status}${html}, not what this step expects.`;
}

/** Why a null value is null, where the step tells: the request failed, or the scope had no openid. */
function noteFor(name: string, step: PlaygroundStep, run: PlaygroundRun): string | undefined {
  if (step.error) return `none: the provider refused (${step.error.error})`;
  if (step.http && step.http.response.status >= 400)
    return `none: the request failed (${step.http.response.status})`;
  if (name === 'id_token' || name === 'refresh_token') {
    let scope: string | undefined;
    try {
      scope = (JSON.parse(step.http?.response.body ?? '{}') as { scope?: string }).scope;
    } catch {
      scope = undefined;
    }
    if (name === 'id_token' && scope !== undefined && !splitScope(scope).includes('openid'))
      return 'no ID token: scope had no openid';
    if (name === 'refresh_token' && !run.client.grant_types.includes('refresh_token'))
      return `no refresh token: ${run.client.client_id} is not allowed the refresh_token grant`;
  }
  return undefined;
}

/**
 * Marks what went wrong in a finished run: every OAuth error is decoded onto its step, the step the run
 * stopped at is marked failed and says what happened instead, and null values say why where known.
 * Answers the index of the failing step (null when the run completed).
 */
export function markOutcome(run: PlaygroundRun, ok: boolean): number | null {
  for (const step of run.steps) {
    const error = step.http ? oauthErrorOf(step.http) : undefined;
    if (error && !step.error) step.error = error;
  }
  let failed: number | null = null;
  if (!ok && run.steps.length > 0) {
    const refused = run.steps.findLastIndex(
      (s) => s.failed || s.error !== undefined || (s.http !== null && s.http.response.status >= 400),
    );
    failed = refused >= 0 ? refused : run.steps.length - 1;
    const step = run.steps[failed] as PlaygroundStep;
    if (!step.failed) {
      step.failed = true;
      step.explanation = `${whatHappened(step)} What this step normally does: ${step.explanation}`;
    }
  }
  for (const step of run.steps) {
    for (const [name, value] of Object.entries(step.values)) {
      if (value !== null || step.value_notes?.[name]) continue;
      const note = noteFor(name, step, run);
      if (note) step.value_notes = { ...step.value_notes, [name]: note };
    }
  }
  return failed;
}
