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

/**
 * Tokens issued between two drawn ones that the timeline did not read: under a rate faster than it
 * can follow it reads only the newest tokens each round (timeline-data.ts). Shaded across the
 * rows, and filled by the reload once the rate falls.
 */
export interface TokenHole {
  /** Issue times (ms) of the newest token held before the hole and the oldest read after it. */
  from: number;
  to: number;
  /**
   * At most how many tokens are in it (one issuer's sequence numbers between the two, some of them
   * purged), or null when that does not count them (every issuer's timeline, a filter).
   */
  skipped: number | null;
}

export interface Sampled {
  /** The page's tokens issued after the newest held, newest first as read. */
  newer: Token[];
  /** What lies between them and the newest held, when the page did not reach back to it. */
  hole: TokenHole | null;
}

/**
 * A page of the newest tokens (newest first) set against those held: which are new, and whether the
 * page reached back to the newest held or left a hole. `more`: older tokens follow the page. With one
 * issuer's sequence (`counted`: unfiltered, so the sequence counts what was left out) the page is
 * compared by sequence; otherwise by the ids of the newest held.
 */
export function sampleNewer(
  held: readonly Token[],
  page: readonly Token[],
  more: boolean,
  counted: boolean,
): Sampled {
  const newestHeld = held.at(-1);
  if (!newestHeld) return { newer: [...page], hole: null };
  const newest = newestSeq(held);
  const known = newest === null ? newestIds(held, page.length + 1) : null;
  const isNew = (token: Token) =>
    known ? !known.has(token.id) : token.seq === undefined || token.seq > (newest as number);
  const newer = page.filter(isNew);
  const oldestRead = newer.at(-1);
  if (!more || newer.length < page.length || !oldestRead) return { newer, hole: null };
  const skipped =
    counted && newest !== null && oldestRead.seq !== undefined ? oldestRead.seq - newest - 1 : null;
  return {
    newer,
    hole: { from: Date.parse(newestHeld.issued_at), to: Date.parse(oldestRead.issued_at), skipped },
  };
}

/** The holes still inside the window once its oldest tokens went (those ending before its first token). */
export function holesWithin(holes: readonly TokenHole[], tokens: readonly Token[]): TokenHole[] {
  const first = tokens[0];
  if (!first || holes.length === 0) return [];
  const start = Date.parse(first.issued_at);
  return holes.filter((hole) => hole.to > start);
}
