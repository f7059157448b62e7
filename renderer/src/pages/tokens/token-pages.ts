import type { AdminOutput } from '../../../../shared/contract';
import type { EngineEvent, Token, TokenMatch } from '../../../../shared/schemas';
import { cursorAfter } from '../../../../shared/token-cursor';
import type { PagedData } from '../../data/paged-list';

/**
 * The Tokens view's loaded pages (tokens.list answers, newest first) and the edits live events make
 * to them, as plain functions of the cached data: new tokens above, changed tokens in place.
 */
export type TokenPages = PagedData<'tokens.list', string>;
type TokenPage = AdminOutput<'tokens.list'>;

/** How many tokens the view holds at most while new ones keep coming in at its top. */
export interface HeadLimits {
  /** Past this many rows loaded, the oldest are dropped… */
  max: number;
  /** …down to this many, read again when scrolled to. */
  keep: number;
}

/** The issue sequence of the newest token listed (0 with none): new tokens are those after it. */
export function newestSeq(data: TokenPages | undefined): number {
  return data?.pages[0]?.tokens[0]?.seq ?? 0;
}

/** Every loaded token's id. */
export function loadedIds(data: TokenPages | undefined): string[] {
  return data?.pages.flatMap((page) => page.tokens.map((token) => token.id)) ?? [];
}

/**
 * Adds tokens issued after the newest listed (newest first) above the rows. Past `max` rows only the
 * newest `keep` stay, and the list goes on from the last of them (a one-issuer, newest-first list's
 * cursor), so memory stays bounded under any issue rate and nothing in between is skipped.
 */
export function prependTokens(data: TokenPages, fresh: readonly Token[], limits: HeadLimits): TokenPages {
  const after = newestSeq(data);
  const added = fresh.filter((token) => (token.seq ?? 0) > after);
  const [first, ...rest] = data.pages;
  if (added.length === 0 || !first) return data;
  const pages = [{ ...first, tokens: [...added, ...first.tokens] }, ...rest];
  const count = pages.reduce((sum, page) => sum + page.tokens.length, 0);
  if (count <= limits.max) return { ...data, pages };
  const kept = pages.flatMap((page) => page.tokens).slice(0, limits.keep);
  const last = kept[kept.length - 1] as Token;
  const page: TokenPage = {
    tokens: kept,
    total: null,
    next_cursor: cursorAfter('issued_desc', { seq: last.seq ?? 0 }),
  };
  return { pages: [page], pageParams: [null] };
}

/**
 * The newest tokens, read afresh (newest first, at most `limits.keep`), as the list's head: when more
 * tokens were issued since the last round than the head keeps, reading them all would only drop most
 * again. If they reach down to the newest listed, the run is unbroken and the newer ones go above
 * (prependTokens); otherwise they replace the rows, and the list goes on from the last of them.
 */
export function replaceHead(data: TokenPages, newest: readonly Token[], limits: HeadLimits): TokenPages {
  const oldest = newest[newest.length - 1];
  if (!oldest) return data;
  if ((oldest.seq ?? 0) <= newestSeq(data)) return prependTokens(data, newest, limits);
  const page: TokenPage = {
    tokens: newest.slice(0, limits.keep),
    total: null,
    next_cursor: cursorAfter('issued_desc', { seq: oldest.seq ?? 0 }),
  };
  return { pages: [page], pageParams: [null] };
}

/** The loaded tokens with these replaced (by id): the pages without a changed token stay as they were. */
export function replaceTokens(data: TokenPages, updated: ReadonlyMap<string, Token>): TokenPages {
  let changed = false;
  const pages = data.pages.map((page) => {
    if (!page.tokens.some((token) => updated.has(token.id))) return page;
    changed = true;
    return { ...page, tokens: page.tokens.map((token) => updated.get(token.id) ?? token) };
  });
  return changed ? { ...data, pages } : data;
}

/**
 * Whether a token.issued event may be of a token the filter shows, by what the event says (its
 * client, user, kind and format; a new token is active). Free text and grants are left to the read.
 */
export function mayMatch(event: EngineEvent, match: TokenMatch): boolean {
  const { kind, format } = event.data;
  return (
    (match.state === undefined || match.state === 'active') &&
    (match.client_id === undefined || match.client_id === event.client_id) &&
    (match.username === undefined || match.username === event.username) &&
    (match.kind === undefined || kind === undefined || match.kind === kind) &&
    (match.format === undefined || format === undefined || match.format === format)
  );
}
