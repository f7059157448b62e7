/** One party in an RFC 8693 §4.1 `act` chain: who acted, through which client. */
export interface Actor {
  sub: string;
  client_id: string | null;
}

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The actors of a delegated token, the current one first: `act` names who acts now, and an `act` nested
 * inside it the one who acted before (RFC 8693 §4.1). Empty when the token carries no `act`.
 */
export function actorChain(claims: Record<string, Json>): Actor[] {
  const chain: Actor[] = [];
  let act = claims.act;
  // A bound on the depth: the claims come from a token, and a chain longer than this is not worth showing.
  while (isObject(act) && chain.length < 20) {
    chain.push({
      sub: typeof act.sub === 'string' ? act.sub : '(no sub)',
      client_id: typeof act.client_id === 'string' ? act.client_id : null,
    });
    act = act.act;
  }
  return chain;
}

/** "actor B, client b, on behalf of actor A, client a": the current actor first. */
export function describeActors(actors: Actor[]): string {
  return actors
    .map((actor) => `actor ${actor.sub}${actor.client_id ? `, client ${actor.client_id}` : ''}`)
    .join(', on behalf of ');
}

/** RFC 9449 §6: the JWK SHA-256 thumbprint a DPoP-bound token is bound to (`cnf.jkt`), if any. */
export function dpopThumbprint(...sources: Array<Record<string, Json>>): string | null {
  for (const source of sources) {
    const cnf = source.cnf;
    if (isObject(cnf) && typeof cnf.jkt === 'string') return cnf.jkt;
  }
  return null;
}
