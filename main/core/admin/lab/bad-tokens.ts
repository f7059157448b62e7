/**
 * The bad-token factory (lab.badTokens): from one recipe for a good token (the baseline), one token
 * per way of being wrong (variants.ts), each labelled with what a correct resource server must do.
 *
 * Every token made is recorded like any other, with its flaws: the ones made with the provider's own
 * key and data, and the forged ones too (by their jti), so the Tokens page, the timeline and Activity
 * show what the lab handed out. Recording a forged token never makes the provider accept it:
 * introspection and userinfo verify every JWT against the published keys and the issuer, and a stored
 * record only counts for the very value that verified.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { AdminOutput, AdminParsedInput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import { BAD_TOKEN_VARIANTS, type BadToken, type BadTokenVariant } from '../../../../shared/lab';
import { seconds } from '../../lib/clock';
import { defaultAudience } from '../../protocol/policy';
import type { ProviderContext } from '../../provider/context';
import type { TokenRecord } from '../../store/tokens';
import { machineScope, splitScope } from '../../tokens/claims';
import { type AdminContext, inTransaction, recordRevocations } from '../handlers/common';
import type { Factory, Made } from './factory';
import { providerKey, throwawayKey } from './forge';
import { VARIANTS } from './variants';

type Input = AdminParsedInput<'lab.badTokens'>;

export async function makeBadTokens(
  admin: AdminContext,
  input: Input,
): Promise<AdminOutput<'lab.badTokens'>> {
  const { factory, value } = await startFactory(admin.ctx, input);
  const made = await Promise.all(
    BAD_TOKEN_VARIANTS.map((variant) => VARIANTS[variant].make(factory, variant)),
  );
  store(factory, made);
  return {
    baseline: {
      value,
      format: factory.baseline.format as 'jwt' | 'reference',
      token_id: factory.baseline.id,
    },
    variants: BAD_TOKEN_VARIANTS.map((variant, index) => describe(variant, made[index] as Made)),
  };
}

/** Issues the baseline (not stored yet) and gathers what every recipe works from. */
async function startFactory(
  ctx: ProviderContext,
  input: Input,
): Promise<{ factory: Factory; value: string }> {
  const client = ctx.clients.require(input.client_id);
  const user = input.username ? ctx.users.require(input.username) : null;
  const scope = input.scope ?? (user ? client.scope : machineScope(client.scope));
  // Without required_scope the API is taken to need the baseline's whole scope.
  const requiredScope = splitScope(input.required_scope ?? scope);
  const missing = requiredScope.filter((value) => !splitScope(scope).includes(value));
  if (missing.length) {
    throw new AdminError(
      'invalid_input',
      `The baseline's scope "${scope}" lacks ${missing.join(' ')} from required_scope: the good token must carry what the API requires.`,
    );
  }
  const current = ctx.keys.current();
  if (!current) throw new AdminError('conflict', 'The provider has no current signing key.');
  const audience = input.audience ?? defaultAudience(client);
  const now = seconds(ctx.clock);
  const authTime = user ? now : null;
  // What the baseline is issued from, and every issued variant after it (factory.ts issue()).
  const request = {
    client,
    user,
    grant: ctx.grants.buildDirect(client, user, scope, now),
    scope,
    audience,
    authTime,
  };
  const [prepared, currentKey, throwaway] = await Promise.all([
    ctx.tokenService.prepare({
      ...request,
      withRefresh: false,
      withIdToken: false,
      overrides: input.format ? { accessFormat: input.format } : {},
    }),
    providerKey(current),
    throwawayKey(current.alg),
  ]);
  const baseline = prepared.records[0] as TokenRecord;
  const factory: Factory = {
    ...request,
    ctx,
    requiredScope,
    baseline,
    claims: ctx.tokenService.claimsOf(baseline),
    now,
    ttl: baseline.expires_at - baseline.issued_at,
    current,
    currentKey,
    throwaway,
  };
  return { factory, value: prepared.values.get(baseline.id) as string };
}

/** The baseline and every recorded variant, each with its token.issued event, in one transaction. */
function store(f: Factory, made: Made[]): void {
  const { ctx } = f;
  inTransaction(ctx, () => {
    ctx.grants.insert(f.grant);
    for (const record of [f.baseline, ...made.map((m) => m.record)]) {
      if (!record) continue;
      ctx.tokens.insert(record);
      ctx.events.record('token.issued', {
        client_id: record.client_id,
        username: record.username,
        token_id: record.id,
        data: {
          kind: record.kind,
          format: record.format,
          grant_type: 'bad_token',
          grant_id: record.grant_id,
          flaws: record.flaws ?? [],
        },
      });
    }
    const revoked = made.filter((m) => m.revoke && m.record).map((m) => (m.record as TokenRecord).id);
    for (const id of revoked) ctx.tokens.revoke(id, 'revoked_by_admin', f.now);
    recordRevocations(ctx, revoked, { by: 'admin', scope: 'token' });
  });
}

function describe(variant: BadTokenVariant, made: Made): BadToken {
  const spec = VARIANTS[variant];
  const decoded =
    made.format === 'jwt'
      ? {
          header: decodeProtectedHeader(made.value) as BadToken['header'],
          payload: decodeJwt(made.value) as BadToken['payload'],
        }
      : { header: null, payload: null };
  return {
    variant,
    title: made.title ?? spec.title,
    expected: spec.expected,
    reference: spec.reference,
    format: made.format,
    value: made.value,
    ...decoded,
    token_id: made.record?.id ?? null,
  };
}
