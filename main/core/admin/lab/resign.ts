/**
 * Edit and re-sign (lab.resign): the Inspector's edited header and claims, signed with the provider's
 * current key through forge.ts, the same JOSE path as the bad tokens.
 *
 * The result is not issued: nothing goes into `tokens`, and introspection and userinfo (which look a
 * verified JWT up by jti and accept only the very value stored) never call it active, while an API
 * that checks only the signature accepts it. That gap is the lesson. Only the provider's key signs, so
 * alg and kid come from it; alg none and HMAC are refused, because Bad tokens makes those on purpose,
 * labelled with what a resource server must do with them.
 */
import type { AdminOutput, AdminParsedInput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import type { AdminContext } from '../handlers/common';
import { type JoseObject, providerKey, signJws } from './forge';

type Input = AdminParsedInput<'lab.resign'>;
type Output = AdminOutput<'lab.resign'>;

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** The text as a JSON object, or an invalid_input naming the part and what is wrong with it. */
function parseObject(text: string, part: 'header' | 'payload'): JoseObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AdminError('invalid_input', `The ${part} is not valid JSON: ${(error as Error).message}.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AdminError(
      'invalid_input',
      `The ${part} must be a JSON object ({ … }), not ${describeJson(value)}.`,
    );
  }
  return value as JoseObject;
}

/** alg none (an unsigned token) and HS* (a shared secret) are not the provider's key: refused, not replaced. */
function refuseForeignAlg(alg: unknown): void {
  if (typeof alg !== 'string' || !/^(none|HS\d+)$/i.test(alg)) return;
  throw new AdminError(
    'invalid_input',
    `alg "${alg}" is refused: a re-signed token is signed with this provider's own key, so its alg is that key's. ` +
      'To get an unsigned or an HMAC-signed token, use Lab → Bad tokens, which makes them on purpose (alg_none, hs256_public_key).',
  );
}

export async function resignToken(admin: AdminContext, input: Input): Promise<Output> {
  const { ctx } = admin;
  const edited = parseObject(input.header, 'header');
  const payload = parseObject(input.payload, 'payload');
  refuseForeignAlg(edited.alg);
  const current = ctx.keys.current();
  if (!current) throw new AdminError('conflict', 'The provider has no current signing key.');
  const key = await providerKey(current);
  const replaced: Output['replaced'] = [];
  for (const [name, now] of [
    ['alg', key.alg],
    ['kid', key.kid],
  ] as const) {
    const was = edited[name];
    if (was !== now) replaced.push({ name, was: (was ?? null) as Output['replaced'][number]['was'], now });
  }
  const header: JoseObject = { ...edited, alg: key.alg, kid: key.kid };
  let value: string;
  try {
    value = await signJws(payload, header, key.key);
  } catch (error) {
    // jose refuses some headers it cannot produce (b64, a malformed crit): the user's input, not a fault.
    throw new AdminError('invalid_input', `jose cannot sign this header: ${(error as Error).message}.`);
  }
  const jti = typeof payload.jti === 'string' ? payload.jti : null;
  const original = jti ? ctx.tokens.findById(jti) : null;
  const sameAs = original?.jwt === value ? original.id : null;
  ctx.events.record('lab.resigned', {
    client_id: typeof payload.client_id === 'string' ? payload.client_id : null,
    // The stored token it was edited from (by jti), so that token's history shows the lab copy.
    token_id: original?.id ?? null,
    data: {
      alg: key.alg,
      kid: key.kid,
      typ: typeof header.typ === 'string' ? header.typ : null,
      sub: typeof payload.sub === 'string' ? payload.sub : null,
      jti,
      replaced: replaced.map((r) => r.name),
      claims: Object.keys(payload),
    },
  });
  return {
    value,
    header: header as Output['header'],
    payload: payload as Output['payload'],
    replaced,
    same_as_token_id: sameAs,
  };
}
