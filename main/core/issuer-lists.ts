import type { AdminOutput, AdminParsedInput } from '../../shared/contract';
import { AdminError } from '../../shared/errors';
import type { Count, Token, TokenSort } from '../../shared/schemas';
import { decodeTokenCursor, encodeTokenCursor, type TokenPosition } from '../../shared/token-cursor';
import { validated } from './admin/dispatch';
import { cursorOf } from './admin/handlers/tokens';
import type { AdminHandlers } from './admin/service';
import { secondsFromIso } from './lib/clock';

/**
 * Token lists and counts for every issuer (scope "*"). Each issuer pages its own store by keyset; a
 * list of every issuer merges their pages by the order's time (issue or expiry), then issuer, and
 * its cursor holds one position per issuer: where that issuer's next page starts (null: it has
 * nothing more). Each token is shown once: an issuer's position moves past exactly what was taken
 * from it, or past its whole answer (and the window it read) when all of that was taken.
 */

/** An issuer as these lists see it: its id and its admin service. */
export interface ListedIssuer {
  id: string;
  admin: AdminHandlers;
}

type TokenPage = AdminOutput<'tokens.list'>;

/** Where each issuer starts: its position, null when it has nothing more, undefined from its start. */
function startPositions(
  filter: AdminParsedInput<'tokens.list'>,
): Record<string, TokenPosition | null> | undefined {
  const cursor = cursorOf(filter);
  if (cursor === undefined) return undefined;
  if (typeof cursor.at.seq === 'number') {
    throw new AdminError(
      'invalid_input',
      'The cursor continues one issuer’s list: use it with that issuer’s scope, or start again without a cursor.',
    );
  }
  return cursor.at as Record<string, TokenPosition | null>;
}

const expiresOf = (token: Token) => secondsFromIso(token.expires_at);

function positionOf(token: Token, sort: TokenSort): TokenPosition {
  const seq = token.seq ?? 0;
  return sort.startsWith('expires') ? { seq, expires: expiresOf(token) } : { seq };
}

/** The merge's order: the sort's time (ISO strings of one format compare as times), then issuer, then seq. */
function mergeOrder(sort: TokenSort): (a: Token, b: Token) => number {
  const time = (t: Token) => (sort.startsWith('expires') ? t.expires_at : t.issued_at);
  const sign = sort.endsWith('desc') ? -1 : 1;
  return (a, b) => {
    const byTime = time(a) < time(b) ? -1 : time(a) > time(b) ? 1 : 0;
    if (byTime !== 0) return sign * byTime;
    const byIssuer = (a.issuer ?? '') < (b.issuer ?? '') ? -1 : (a.issuer ?? '') > (b.issuer ?? '') ? 1 : 0;
    if (byIssuer !== 0) return byIssuer;
    return sign * ((a.seq ?? 0) - (b.seq ?? 0));
  };
}

export async function tokensOfAll(issuers: ListedIssuer[], input: unknown): Promise<TokenPage> {
  const filter = validated('tokens.list', input);
  const starts = startPositions(filter);
  const order = mergeOrder(filter.sort);
  if (filter.offset > 0) {
    // An old caller's offset paging: the first offset + limit of each, merged, then the slice.
    const window = { ...filter, offset: 0, limit: Math.min(filter.offset + filter.limit, 10_000) };
    const answers = await Promise.all(
      issuers.map(async ({ id, admin }) => tagged(await admin['tokens.list'](window), id)),
    );
    const tokens = answers.flatMap((answer) => answer.tokens).sort(order);
    return {
      tokens: tokens.slice(filter.offset, filter.offset + filter.limit),
      total: sumOf(answers, filter.count),
      next_cursor: null,
    };
  }
  const asked = issuers.filter(({ id }) => starts?.[id] !== null);
  const answers = await Promise.all(
    asked.map(async ({ id, admin }) => {
      const at = starts?.[id];
      const cursor = at ? encodeTokenCursor({ sort: filter.sort, at }) : undefined;
      return tagged(await admin['tokens.list']({ ...filter, cursor }), id);
    }),
  );
  const taken = answers
    .flatMap((answer) => answer.tokens)
    .sort(order)
    .slice(0, filter.limit);
  const next: Record<string, TokenPosition | null> = {};
  for (const { id } of issuers) next[id] = null;
  asked.forEach(({ id }, index) => {
    const answer = answers[index] as TokenPage;
    const mine = taken.filter((token) => token.issuer === id);
    const last = mine.at(-1);
    if (mine.length === answer.tokens.length) {
      const continues = answer.next_cursor === null ? null : decodeTokenCursor(answer.next_cursor);
      next[id] = continues ? (continues.at as TokenPosition) : null;
    } else if (last) next[id] = positionOf(last, filter.sort);
    // Nothing of this issuer's answer was taken: it starts where it did.
    else next[id] = starts?.[id] ?? startOf(filter.sort);
  });
  const done = Object.values(next).every((position) => position === null);
  return {
    tokens: taken,
    total: sumOf(answers, filter.count),
    next_cursor: done ? null : encodeTokenCursor({ sort: filter.sort, at: next }),
  };
}

/**
 * The position before an issuer's first row: issue orders start before rowid 0 (ascending) or after
 * every rowid (descending); expiry orders likewise before and after every expiry.
 */
function startOf(sort: TokenSort): TokenPosition {
  const max = Number.MAX_SAFE_INTEGER;
  switch (sort) {
    case 'issued_desc':
      return { seq: max };
    case 'issued_asc':
      return { seq: 0 };
    case 'expires_asc':
      return { seq: 0, expires: -max };
    case 'expires_desc':
      return { seq: max, expires: max };
  }
}

function tagged(answer: TokenPage, issuer: string): TokenPage {
  return { ...answer, tokens: answer.tokens.map((token) => ({ ...token, issuer })) };
}

function sumOf(answers: TokenPage[], counted: boolean): number | null {
  return counted ? answers.reduce((sum, answer) => sum + (answer.total ?? 0), 0) : null;
}

/** A count of every issuer: the sum, exact only when every issuer's is. */
export async function countOfAll(
  issuers: ListedIssuer[],
  method: 'tokens.count' | 'events.count',
  input: unknown,
): Promise<Count> {
  const counts = await Promise.all(
    issuers.map(({ admin }) =>
      method === 'tokens.count'
        ? admin['tokens.count'](validated('tokens.count', input))
        : admin['events.count'](validated('events.count', input)),
    ),
  );
  return {
    count: counts.reduce((sum, count) => sum + count.count, 0),
    exact: counts.every((count) => count.exact),
  };
}
