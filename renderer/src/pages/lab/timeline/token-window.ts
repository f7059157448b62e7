/**
 * The tokens the timeline holds, oldest first, and the pure steps that keep them current without
 * reloading them: a page of newer tokens appended, rows replaced by id after an event changed them.
 * Unchanged rows keep their objects, so an update costs one pass over the list, not a refetch.
 */
import type { Token } from '../../../../../shared/schemas';

/** The most tokens the timeline draws: the newest this many. */
export const WINDOW_CAP = 100_000;

/** Issue order: issue time (ISO strings of one format compare as text), then the issuer's sequence. */
function issueOrder(a: Token, b: Token): number {
  if (a.issued_at !== b.issued_at) return a.issued_at < b.issued_at ? -1 : 1;
  return (a.seq ?? 0) - (b.seq ?? 0);
}

/** A first load's pages (newest first, as tokens.list answers issued_desc) as one list, oldest first. */
export function fromNewestPages(pages: readonly (readonly Token[])[], cap = WINDOW_CAP): Token[] {
  const seen = new Set<string>();
  const tokens: Token[] = [];
  for (const page of pages) {
    for (const token of page) {
      if (seen.has(token.id) || tokens.length >= cap) continue;
      seen.add(token.id);
      tokens.push(token);
    }
  }
  return tokens.reverse();
}

export interface Applied {
  tokens: Token[];
  /** How many tokens were new, and how many of the oldest were dropped to stay within the cap. */
  added: number;
  dropped: number;
}

/**
 * Tokens issued after those held: a token already held (a page that overlaps what a reload just
 * read) replaces its row in place, the others are appended in issue order, and the oldest go once
 * there are more than `cap`. Held tokens are in issue order, so only those issued no earlier than the
 * page's oldest can be in it: the rest are copied as they are (no pass looking each one up).
 */
export function applyNewer(held: readonly Token[], page: readonly Token[], cap = WINDOW_CAP): Applied {
  if (page.length === 0) return { tokens: held as Token[], added: 0, dropped: 0 };
  const fresh = new Map(page.map((token) => [token.id, token]));
  let oldest = (page[0] as Token).issued_at;
  for (const token of page) if (token.issued_at < oldest) oldest = token.issued_at;
  const replaced: [number, Token][] = [];
  for (let i = held.length - 1; i >= 0 && (held[i] as Token).issued_at >= oldest; i--) {
    const replacement = fresh.get((held[i] as Token).id);
    if (!replacement) continue;
    fresh.delete(replacement.id);
    replaced.push([i, replacement]);
  }
  const added = [...fresh.values()].sort(issueOrder);
  const dropped = Math.max(0, held.length + added.length - cap);
  // One copy (slice and concat), then the few replaced rows.
  const tokens = (dropped > 0 ? held.slice(dropped) : held.slice()).concat(
    added.slice(Math.max(0, dropped - held.length)),
  );
  for (const [i, replacement] of replaced) if (i >= dropped) tokens[i - dropped] = replacement;
  return { tokens, added: added.length, dropped };
}

/**
 * Rows replaced by their fresh copies (after a revocation, a use, a reuse detection), in place. An
 * id that was asked for but is not in the answer no longer exists (purged), so its row goes.
 * Returns the list unchanged (the same array) when nothing changed.
 */
export function replaceRows(
  held: readonly Token[],
  fresh: readonly Token[],
  asked: Iterable<string>,
): Token[] {
  const byId = new Map(fresh.map((token) => [token.id, token]));
  const gone = new Set<string>();
  for (const id of asked) if (!byId.has(id)) gone.add(id);
  if (byId.size === 0 && gone.size === 0) return held as Token[];
  let changed = false;
  const tokens: Token[] = [];
  for (const token of held) {
    if (gone.has(token.id)) {
      changed = true;
      continue;
    }
    const replacement = byId.get(token.id);
    if (replacement && replacement !== token) changed = true;
    tokens.push(replacement ?? token);
  }
  return changed ? tokens : (held as Token[]);
}

/** The greatest issue sequence held (one issuer's list: what came after it is new), or null. */
export function newestSeq(held: readonly Token[]): number | null {
  let newest: number | null = null;
  for (const token of held)
    if (token.seq !== undefined && (newest === null || token.seq > newest)) newest = token.seq;
  return newest;
}

/** Ids of the newest `count` tokens held: where a newest-first read of new tokens meets what is held. */
export function newestIds(held: readonly Token[], count: number): Set<string> {
  return new Set(held.slice(-count).map((token) => token.id));
}
