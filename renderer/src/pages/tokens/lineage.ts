/**
 * How a token came to be, in words: which grant issued it, what it was exchanged or refreshed from,
 * and who acted for whom. Shared by the token drawer and the Lab's timeline; pure, so it is unit-tested.
 */
import { GRANT_TYPES, type GrantType, TOKEN_EXCHANGE_GRANT, type Token } from '../../../../shared/schemas';
import { TOKEN_KIND_LABELS } from '../../components/FilterSelect';
import { type Actor, actorChain } from '../../lib/delegation';
import { GRANT_TYPE_LABELS } from '../clients/client-labels';

/** The token-issuing admin call's grant type (tokens.mint). */
export const MINT_GRANT = 'mint';

/** How a token relates to its parent: exchanged from it (RFC 8693), refreshed from it, or unknown. */
export type Origin = 'exchange' | 'refresh' | 'unknown';

export function originOf(token: Pick<Token, 'grant_type' | 'parent_id'>): Origin {
  if (token.grant_type === TOKEN_EXCHANGE_GRANT) return 'exchange';
  // Minting gives a token a parent only when it mints an exchange of a subject token.
  if (token.grant_type === MINT_GRANT && token.parent_id !== null) return 'exchange';
  if (token.grant_type === 'refresh_token') return 'refresh';
  return 'unknown';
}

const isGrantType = (value: string): value is GrantType => (GRANT_TYPES as readonly string[]).includes(value);

/** The grant that issued a token, as the UI names it. */
export function issuedBy(grantType: string | null): string {
  if (grantType === null) return 'unknown (not recorded for this token)';
  if (grantType === MINT_GRANT) return 'minted (admin API)';
  return isGrantType(grantType) ? GRANT_TYPE_LABELS[grantType] : grantType;
}

/**
 * A token id in short: its random tail. Ids begin with their issue time, so tokens issued minutes apart
 * share their first characters (a chain's tokens all would).
 */
export function shortTokenId(id: string): string {
  return `…${id.slice(-8)}`;
}

/** "Access token …1a2b3c4d". */
export function tokenName(token: Pick<Token, 'kind' | 'id'>): string {
  return `${TOKEN_KIND_LABELS[token.kind]} token ${shortTokenId(token.id)}`;
}

const party = (actor: Actor) => `${actor.sub}${actor.client_id ? ` (client ${actor.client_id})` : ''}`;

/**
 * Whether an exchange was a delegation: with an actor token the new token's `act` names that actor on
 * top of the subject token's chain; without one (impersonation) the client kept the subject token's
 * `act` as it was. The parent tells which; without it, a token with an `act` is taken as delegated.
 */
function delegatedBy(token: Token, parent: Token | null): Actor | null {
  const [actor] = actorChain({ act: token.act });
  const kept = parent !== null && JSON.stringify(parent.act) === JSON.stringify(token.act);
  return actor && !kept ? actor : null;
}

const impersonation = (token: Token) => `impersonation: client ${token.client_id} acts as ${token.subject}`;

/** Who did the exchange, for the drawer: "acting: orders-api (client orders-api)", or impersonation. */
export function exchangeActing(token: Token, parent: Token | null): string {
  const actor = delegatedBy(token, parent);
  return actor ? `acting: ${party(actor)}` : impersonation(token);
}

/**
 * One line for an exchanged token on the timeline: what it was exchanged from, who acted for whom
 * (the act chain, from the current actor down to the subject) and its audience.
 */
export function exchangeSummary(token: Token, parent: Token | null): string {
  const from = parent ? tokenName(parent) : `token ${token.parent_id ? shortTokenId(token.parent_id) : '?'}`;
  const who = delegatedBy(token, parent)
    ? [...actorChain({ act: token.act }).map(party), token.subject].join(' acting for ')
    : impersonation(token);
  const audience = token.audience.length ? token.audience.join(', ') : '—';
  return `Exchanged from ${from} — ${who} · audience ${audience}`;
}
