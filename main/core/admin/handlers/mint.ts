import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import type { AdminOutput, AdminParsedInput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import { seconds } from '../../lib/clock';
import { publicPart } from '../../lib/jwk';
import {
  assertExchangeable,
  assertOwnActorToken,
  assertOwnRefreshToken,
  delegatedAct,
  type Exchange,
  type ExchangedKind,
  exchangedScope,
  issueExchanged,
  type Presented,
  priorAct,
} from '../../oauth/grants/exchanged';
import { recordIssued } from '../../oauth/grants/issue';
import { OAuthError } from '../../protocol/errors';
import { defaultAudience } from '../../protocol/policy';
import type { ProviderContext } from '../../provider/context';
import type { ClientRecord } from '../../store/clients';
import type { TokenRecord } from '../../store/tokens';
import { tokenClaimContext } from '../../tokens/claim-mapping';
import { machineScope, splitScope } from '../../tokens/claims';
import type { IssueRequest, PreparedTokens } from '../../tokens/service';
import { tokenDetail } from './token-detail';

type MintInput = AdminParsedInput<'tokens.mint'>;
type MintOutput = AdminOutput<'tokens.mint'>;

/** The algorithm of a generated DPoP key: ES256 is the one every DPoP client library supports. */
const DPOP_KEY_ALG = 'ES256';

const EXCHANGED_KINDS: Record<MintInput['kind'], ExchangedKind> = {
  access: 'access_token',
  id: 'id_token',
  refresh: 'refresh_token',
};

const invalid = (message: string) => new AdminError('invalid_input', message);

/** Options that contradict each other are refused before anything is looked up or signed. */
function checkCombination(input: MintInput): void {
  if (input.format && input.kind !== 'access') {
    throw invalid('format applies to access tokens only (ID tokens are JWTs, refresh tokens opaque).');
  }
  if (input.dpop_jkt && input.dpop) throw invalid('Give either dpop_jkt or dpop: "generate", not both.');
  if ((input.dpop_jkt || input.dpop) && input.kind !== 'access') {
    throw invalid(
      `DPoP binds access tokens (RFC 9449 §6): a ${input.kind} token cannot be minted with dpop.`,
    );
  }
  if (input.actor_token_id && input.actor) {
    throw invalid('Give one actor: actor_token_id or actor, not both.');
  }
  if ((input.actor_token_id || input.actor) && !input.subject_token_id) {
    throw invalid('An actor acts for the subject of another token: set subject_token_id too.');
  }
  if (input.subject_token_id && input.username) {
    throw invalid(
      "An exchanged token is about its subject token's subject: leave username out (subject_token_id decides).",
    );
  }
  if (input.kind === 'id' && !input.username && !input.subject_token_id) {
    throw invalid('An ID token is always about a user: choose one.');
  }
}

/** The key an access token is bound to: one pasted as its thumbprint, or a new pair (private key returned once). */
async function dpopBinding(input: MintInput): Promise<{ jkt: string; key: MintOutput['dpop_key'] } | null> {
  if (input.dpop_jkt) return { jkt: input.dpop_jkt, key: null };
  if (input.dpop !== 'generate') return null;
  const { privateKey } = await generateKeyPair(DPOP_KEY_ALG, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const publicJwk = publicPart(privateJwk);
  const jkt = await calculateJwkThumbprint(publicJwk, 'sha256');
  return {
    jkt,
    key: {
      alg: DPOP_KEY_ALG,
      private_jwk: { ...privateJwk, alg: DPOP_KEY_ALG },
      public_jwk: { ...publicJwk, alg: DPOP_KEY_ALG },
    },
  };
}

/**
 * A stored token as the token endpoint would find it if presented: active, not one of the QA lab's bad
 * tokens, and (a JWT) still verifying against the published keys; with the claims the grant reads.
 */
async function storedToken(ctx: ProviderContext, field: string, id: string): Promise<Presented> {
  const record = ctx.tokens.findById(id);
  if (!record) throw new AdminError('not_found', `${field}: no token with id "${id}".`);
  if (record.flaws?.length) {
    throw invalid(
      `${field} is one of the QA lab's bad tokens (${record.flaws.join(', ')}): the token endpoint would refuse it.`,
    );
  }
  assertExchangeable(ctx, field, record);
  if (!record.jwt) return { record, claims: record.claims };
  const service = ctx.tokenService;
  const resolved =
    record.kind === 'id'
      ? await service.resolveIdToken(record.jwt)
      : await service.resolveAccessToken(record.jwt);
  if (!resolved) {
    throw invalid(`${field} no longer verifies (its signing key is not published): it cannot be exchanged.`);
  }
  return resolved;
}

/** Delegation names the actor in `act` (nesting the subject's); impersonation keeps the subject's own. */
async function mintedActor(
  ctx: ProviderContext,
  client: ClientRecord,
  input: MintInput,
  subject: Presented,
): Promise<Pick<Exchange, 'act' | 'actor'>> {
  if (input.actor) {
    const party = {
      sub: input.actor.sub,
      ...(input.actor.client_id ? { client_id: input.actor.client_id } : {}),
    };
    return { act: delegatedAct(party, subject), actor: { ...party, token_id: null } };
  }
  if (!input.actor_token_id) return { act: priorAct(subject), actor: null };
  const { record } = await storedToken(ctx, 'actor_token_id', input.actor_token_id);
  if (record.kind === 'refresh') {
    throw invalid(
      'actor_token_id is a refresh token: an actor shows who it is with an access or ID token (RFC 8693 §2.1).',
    );
  }
  assertOwnActorToken(record, client);
  const party = { sub: record.subject, client_id: record.client_id };
  return { act: delegatedAct(party, subject), actor: { ...party, token_id: record.id } };
}

/** What one mint issues, once its input is checked. */
interface MintPlan {
  client: ClientRecord;
  input: MintInput;
  dpopJkt: string | null;
  overrides: IssueRequest['overrides'];
}

/** "Exchanged from": the token the token-exchange grant would issue, through the grant's own code. */
async function mintExchanged(
  ctx: ProviderContext,
  { client, input, dpopJkt, overrides }: MintPlan,
  subjectId: string,
): Promise<PreparedTokens> {
  const subject = await storedToken(ctx, 'subject_token_id', subjectId);
  assertOwnRefreshToken(subject.record, client);
  const { act, actor } = await mintedActor(ctx, client, input, subject);
  return issueExchanged(ctx, {
    client,
    subject,
    actor,
    act,
    requested: EXCHANGED_KINDS[input.kind],
    scope: exchangedScope(input.scope, subject),
    // The admin mints for any audience: the client's token_exchange policy is for clients, not for it.
    audience: input.audience ?? defaultAudience(client),
    dpopJkt,
    grantType: 'mint',
    overrides,
  });
}

/**
 * A minted token carries only scopes its client is registered for, as any flow would give it, unless
 * the input says on purpose that it should carry others (to test how an API treats such a token).
 */
function refuseUnregisteredScope(client: ClientRecord, input: MintInput): void {
  if (input.scope === undefined || input.allow_unregistered_scope) return;
  const registered = new Set(splitScope(client.scope));
  const unregistered = splitScope(input.scope).filter((scope) => !registered.has(scope));
  if (unregistered.length === 0) return;
  throw invalid(
    `scope: client "${client.client_id}" is not registered for ${unregistered.map((s) => `"${s}"`).join(', ')} (its scope: "${client.scope}"). Add it to the client, or set allow_unregistered_scope to mint a token no flow would issue, on purpose.`,
  );
}

/** A token for the chosen client and user (or none), in a grant of its own. */
async function mintDirect(
  ctx: ProviderContext,
  { client, input, dpopJkt, overrides }: MintPlan,
): Promise<PreparedTokens> {
  const user = input.username ? ctx.users.require(input.username) : null;
  const scope = input.scope ?? (user ? client.scope : machineScope(client.scope));
  refuseUnregisteredScope(client, input);
  const at = seconds(ctx.clock);
  // Stored with the token, in one transaction, once it is signed.
  const grant = ctx.grants.buildDirect(client, user, scope, at);
  const prepared = await ctx.tokenService.prepare({
    client,
    user,
    grant,
    scope,
    audience: input.audience ?? defaultAudience(client),
    authTime: user ? at : null,
    grantType: 'mint',
    dpopJkt,
    withAccess: input.kind === 'access',
    withRefresh: input.kind === 'refresh',
    withIdToken: input.kind === 'id',
    overrides,
  });
  ctx.db.transaction(() => {
    ctx.grants.insert(grant);
    ctx.tokenService.store(prepared);
    recordIssued(ctx, prepared, 'mint');
  })();
  return prepared;
}

/**
 * Mints one token without running a flow. It goes through the same TokenService as the token
 * endpoint and is recorded like any other token (grant_type "mint" in its event), so it can be
 * listed, introspected and revoked. "Exchanged from" goes through the token-exchange grant's code.
 */
export async function mintToken(ctx: ProviderContext, input: MintInput): Promise<MintOutput> {
  const client = ctx.clients.require(input.client_id);
  checkCombination(input);
  const dpop = await dpopBinding(input);
  const plan: MintPlan = {
    client,
    input,
    dpopJkt: dpop?.jkt ?? null,
    overrides: {
      ...(input.format ? { accessFormat: input.format } : {}),
      ...(input.ttl ? { accessTtl: input.ttl, idTtl: input.ttl, refreshTtl: input.ttl } : {}),
      ...(input.extra_claims ? { extraClaims: input.extra_claims } : {}),
    },
  };
  let prepared: PreparedTokens;
  try {
    prepared = input.subject_token_id
      ? await mintExchanged(ctx, plan, input.subject_token_id)
      : await mintDirect(ctx, plan);
  } catch (error) {
    // The grant's checks speak OAuth; the admin surface answers the same words as invalid input.
    if (error instanceof OAuthError) throw invalid(error.message);
    throw error;
  }
  const record = prepared.records[0] as TokenRecord;
  return {
    value: prepared.values.get(record.id) as string,
    token_type: record.kind === 'access' ? (dpop ? 'DPoP' : 'Bearer') : null,
    dpop_key: dpop?.key ?? null,
    token: await tokenDetail(ctx, record),
  };
}

/** What the provider knows about a pasted token value, and what introspection would answer. */
export async function lookupToken(
  ctx: ProviderContext,
  value: string,
): Promise<AdminOutput<'tokens.lookup'>> {
  const trimmed = value.trim();
  // What /introspect would resolve: a verified JWT of ours, or a stored opaque token.
  const introspectable = await ctx.tokenService.resolveAnyToken(trimmed);
  let record = introspectable?.record;
  if (!record && trimmed.split('.').length === 3) {
    // An ID token we issued is recorded too, by jti, though it is never introspectable; so are the QA
    // lab's bad tokens, which fail verification. Matching the stored JWT byte for byte means the
    // unverified decode cannot be abused, and such a record is shown but never answers as active.
    let jti: unknown;
    try {
      jti = decodeJwt(trimmed).jti;
    } catch {
      jti = undefined;
    }
    const stored = typeof jti === 'string' ? ctx.tokens.findById(jti) : undefined;
    if (stored?.jwt === trimmed) record = stored;
  }
  return {
    token: record ? await tokenDetail(ctx, record) : null,
    introspection: ctx.tokenService.introspection(
      introspectable ?? null,
      // The client's introspection claim mappings apply, as at the endpoint.
      introspectable ? tokenClaimContext(ctx, introspectable.record) : undefined,
    ) as AdminOutput<'tokens.lookup'>['introspection'],
  };
}
