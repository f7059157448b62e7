import { DEFAULT_RETRY_AFTER_SECONDS, type FaultEffect } from '../../../shared/faults';
import { invalidClient, invalidToken, OAuthError, toErrorDescription } from './errors';

/** Every faked answer says so, for whoever reads it in a log and forgot the fault was on. */
const FAULT_NOTE = '(a fault turned on in IDP Sandbox)';

/** The status RFC 6749 §5.2 and RFC 6750 §3.1 give an error code; anything else is a 400. */
function statusOf(error: string): number {
  if (error === 'invalid_client' || error === 'invalid_token') return 401;
  if (error === 'insufficient_scope') return 403;
  if (error === 'server_error') return 500;
  if (error === 'temporarily_unavailable') return 503;
  return 400;
}

function outage(effect: Extract<FaultEffect, { kind: 'error_status' }>): OAuthError {
  const retryAfter =
    effect.retry_after_seconds ?? (effect.status === 429 ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
  const headers: Record<string, string> =
    retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  if (effect.status === 500) {
    return new OAuthError(500, 'server_error', `The provider failed to handle this request ${FAULT_NOTE}.`);
  }
  // RFC 6749 has no code for "too many requests"; temporarily_unavailable is the one a client retries.
  const description =
    effect.status === 429
      ? `Too many requests; retry after ${retryAfter} s ${FAULT_NOTE}.`
      : `The provider is temporarily unavailable ${FAULT_NOTE}.`;
  return new OAuthError(effect.status, 'temporarily_unavailable', description, headers);
}

/**
 * The OAuth error a fault answers with, or null for a fault that does not answer with an error
 * (latency, a reset, the documents' content faults). `usedBasic`: the client sent HTTP Basic, so an
 * invalid_client carries its challenge as a real one would.
 */
export function faultError(effect: FaultEffect, usedBasic: boolean): OAuthError | null {
  if (effect.kind === 'error_status') return outage(effect);
  if (effect.kind !== 'oauth_error') return null;
  const description = `${effect.error_description ?? `Refused: ${effect.error}`} ${FAULT_NOTE}`;
  const status = effect.status ?? statusOf(effect.error);
  // The ones with a challenge header take it from the factories real refusals use.
  if (effect.error === 'invalid_client' && status === 401) return invalidClient(description, usedBasic);
  if (effect.error === 'invalid_token' && status === 401) return invalidToken(description);
  const headers: Record<string, string> =
    effect.error === 'insufficient_scope'
      ? {
          'www-authenticate': `Bearer error="insufficient_scope", error_description="${toErrorDescription(description)}"`,
        }
      : {};
  return new OAuthError(status, effect.error, description, headers);
}
