import { invalidRequest } from './errors';
import { type Params, readRepeated } from './params';

/**
 * The largest value, in UTF-8 bytes, of each authorization request parameter a login page keeps in
 * memory until it is answered. Generous for real clients (a state that carries a return URL, a JWT-sized
 * login_hint) and small enough that a page posting the largest allowed request costs kilobytes, not
 * the 250 kB a state could be before.
 */
export const PARAMETER_LIMITS = {
  state: 2048,
  nonce: 2048,
  login_hint: 1024,
  scope: 2048,
  prompt: 256,
  resource: 2048,
} as const;

/** `resource` may repeat (RFC 8707); this many values at most. */
export const MAX_RESOURCES = 20;

const utf8Length = (value: string) => Buffer.byteLength(value, 'utf8');

/** Refuses a parameter over its limit with invalid_request, naming it, the limit and its size. */
export function checkParameterSizes(params: Params): void {
  for (const [name, limit] of Object.entries(PARAMETER_LIMITS)) {
    const values = name === 'resource' ? readRepeated(params, name) : [params[name] ?? ''];
    for (const value of values) {
      const size = utf8Length(value);
      if (size > limit) throw invalidRequest(`${name} is too long: at most ${limit} bytes (got ${size}).`);
    }
  }
  const resources = readRepeated(params, 'resource').length;
  if (resources > MAX_RESOURCES) {
    throw invalidRequest(`At most ${MAX_RESOURCES} resource parameters (got ${resources}).`);
  }
}

/** The state to send back with an error: one over its limit is not echoed (it is why the request failed). */
export function echoableState(state: string | undefined): string | null {
  return state !== undefined && utf8Length(state) <= PARAMETER_LIMITS.state ? state : null;
}
