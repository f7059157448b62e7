/**
 * Turns token records and lifecycle events into what the timeline draws: one row per token, rows of
 * a family (grant) together with each rotation's children right under their parent, plus lineage
 * links and marks (revocation, introspection, reuse detection). Pure, so it is tested without a canvas.
 */
import type { EngineEvent, Token, TokenKind, TokenState } from '../../../../../shared/schemas';
import { exchangeSummary, originOf, shortTokenId } from '../../tokens/lineage';

interface TimelineRow {
  token: Token;
  /** Issued and nominal expiry, epoch ms. */
  start: number;
  end: number;
  /** When the token stopped being usable early (revoked, or rotated by a refresh); null otherwise. */
  lifeEnd: number | null;
  /** Nesting in the rotation chain: 0 for the first tokens of a family. */
  depth: number;
  /** Index of the family, in display order (for alternating bands). */
  family: number;
}

/** Revocation and reuse detection, and the token's uses: a userinfo call, an introspection, a refresh. */
export type MarkType = 'revoked' | 'introspected' | 'reuse' | 'userinfo' | 'refreshed';
/** The marks that are uses of the token, drawn as ticks on its bar. */
export const USE_MARKS = ['userinfo', 'introspected', 'refreshed'] as const;

interface TimelineMark {
  row: number;
  at: number;
  type: MarkType;
}

/** A stage of a signing key's life, drawn as a vertical line across every row. */
export type KeyStage = 'staged' | 'activated' | 'retired';

export interface KeyChange {
  at: number;
  stage: KeyStage;
  kid: string;
  /** "rotate now", "scheduled", …: how it happened, when the event says. */
  detail: string | null;
}

/** The provider clock was moved (Settings → provider clock): a line where provider time jumped. */
export interface ClockChange {
  at: number;
  /** Provider time's offset from real time after the change, in seconds. */
  offsetSeconds: number;
}

/** A settings change that moved the provider clock, read from its settings.changed event. */
function clockChangeOf(event: TimelineEvent): ClockChange | null {
  if (event.type !== 'settings.changed' || !event.data) return null;
  const changed = event.data.changed;
  const settings = event.data.settings as { clock_offset_seconds?: unknown } | undefined;
  if (!Array.isArray(changed) || !changed.includes('clock_offset_seconds')) return null;
  const offset = settings?.clock_offset_seconds;
  return typeof offset === 'number' ? { at: Date.parse(event.at), offsetSeconds: offset } : null;
}

/** Key events by type: rotate now is an activation without a staged step. */
const KEY_STAGES: Partial<Record<EngineEvent['type'], KeyStage>> = {
  'key.staged': 'staged',
  'key.activated': 'activated',
  'key.rotated': 'activated',
  'key.retired': 'retired',
};

/** What the timeline reads of an event; key events carry their kid in `data`. */
type TimelineEvent = Pick<EngineEvent, 'type' | 'at' | 'token_id'> & { data?: EngineEvent['data'] };

function keyChangeDetail(type: EngineEvent['type'], data: EngineEvent['data']): string | null {
  if (type === 'key.rotated') return data.reason === 'rotated' ? 'rotate now' : null;
  if (type === 'key.activated') return typeof data.cause === 'string' ? data.cause : null;
  if (type === 'key.staged')
    return typeof data.activates_at === 'string' ? 'scheduled' : 'waits for activation';
  return null;
}

/**
 * Parent → child: the child was issued when its parent was used, by a refresh (the parent a refresh
 * token) or by a token exchange (the parent the subject token, RFC 8693).
 */
interface TimelineLink {
  from: number;
  to: number;
  at: number;
  kind: 'refresh' | 'exchange';
}

export interface TimelineLayout {
  rows: TimelineRow[];
  links: TimelineLink[];
  /** How many links are token exchanges. */
  exchanges: number;
  marks: TimelineMark[];
  /** Signing-key stages (staged, activated, retired), oldest first. */
  keyChanges: KeyChange[];
  /** Moves of the provider clock, oldest first. */
  clockChanges: ClockChange[];
  families: number;
  rowById: Map<string, number>;
  /** Earliest issue and latest expiry, for "fit all". */
  min: number;
  max: number;
}

const KIND_ORDER: Record<TokenKind, number> = { access: 0, id: 1, refresh: 2 };

/** Orders tokens by issue time (parsed once per token), then kind, then id. */
function issueOrder(tokens: readonly Token[]): (a: Token, b: Token) => number {
  const issued = new Map<Token, number>();
  for (const token of tokens) issued.set(token, Date.parse(token.issued_at));
  return (a, b) =>
    (issued.get(a) ?? 0) - (issued.get(b) ?? 0) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function time(value: string | null): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

export function layoutTimeline(
  tokens: readonly Token[],
  events: readonly TimelineEvent[] = [],
): TimelineLayout {
  const byIssue = issueOrder(tokens);
  // Families: tokens sharing a grant; a token without one is a family of its own, but for one exchanged
  // from a token shown here (a client_credentials token has no grant), which joins its subject's family.
  const families = new Map<string, Token[]>();
  const familyOf = new Map<string, string>();
  let byId: Map<string, Token> | null = null;
  const ancestorWithGrant = (token: Token): Token => {
    let current = token;
    // Bounded: ids come from rows, and a chain this long is not worth following.
    for (let hops = 0; current.grant_id === null && current.parent_id !== null && hops < 64; hops++) {
      byId ??= new Map(tokens.map((t) => [t.id, t]));
      const parent = byId.get(current.parent_id);
      if (!parent) break;
      current = parent;
    }
    return current;
  };
  for (const token of tokens) {
    const root = token.grant_id === null && token.parent_id !== null ? ancestorWithGrant(token) : token;
    const key = root.grant_id ?? `token:${root.id}`;
    familyOf.set(token.id, key);
    const members = families.get(key);
    if (members) members.push(token);
    else families.set(key, [token]);
  }
  const ordered = [...families.entries()];
  for (const [, members] of ordered) if (members.length > 1) members.sort(byIssue);
  // Newest family first, so what just happened is at the top.
  ordered.sort((a, b) => byIssue(b[1][0] as Token, a[1][0] as Token));

  const rows: TimelineRow[] = [];
  const childrenOf = new Map<string, Token[]>();
  const rotatedAt = new Map<string, number>();
  for (const token of tokens) {
    if (!token.parent_id) continue;
    const list = childrenOf.get(token.parent_id);
    if (list) list.push(token);
    else childrenOf.set(token.parent_id, [token]);
    const issued = Date.parse(token.issued_at);
    const known = rotatedAt.get(token.parent_id);
    if (known === undefined || issued < known) rotatedAt.set(token.parent_id, issued);
  }
  // A rotated token whose children are not listed: its refresh event, else its last use, says when.
  const refreshedAt = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'token.refreshed' && event.token_id) {
      const at = Date.parse(event.at);
      const known = refreshedAt.get(event.token_id);
      if (known === undefined || at < known) refreshedAt.set(event.token_id, at);
    }
  }

  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const visit = (token: Token, depth: number, family: number, key: string) => {
    const start = Date.parse(token.issued_at);
    const end = Date.parse(token.expires_at);
    const revoked = time(token.revoked_at);
    const rotated =
      token.state === 'rotated'
        ? (rotatedAt.get(token.id) ?? refreshedAt.get(token.id) ?? time(token.last_used_at))
        : null;
    let lifeEnd: number | null = null;
    for (const t of [revoked, rotated])
      if (t !== null && t < end && (lifeEnd === null || t < lifeEnd)) lifeEnd = t;
    rows.push({ token, start, end, lifeEnd, depth, family });
    if (start < min) min = start;
    if (end > max) max = end;
    const children = childrenOf.get(token.id);
    if (!children) return;
    for (const child of children.sort(byIssue)) {
      if (familyOf.get(child.id) === key) visit(child, depth + 1, family, key);
    }
  };
  ordered.forEach(([key, members], family) => {
    for (const token of members) {
      // Roots: tokens whose parent is not shown (first issue, or a parent filtered out).
      if (!token.parent_id || familyOf.get(token.parent_id) !== key) visit(token, 0, family, key);
    }
  });

  const rowById = new Map<string, number>();
  rows.forEach((row, index) => {
    rowById.set(row.token.id, index);
  });

  const links: TimelineLink[] = [];
  let exchanges = 0;
  rows.forEach((row, index) => {
    const parent = row.token.parent_id ? rowById.get(row.token.parent_id) : undefined;
    if (parent === undefined) return;
    const kind = originOf(row.token) === 'exchange' ? 'exchange' : 'refresh';
    if (kind === 'exchange') exchanges++;
    links.push({ from: parent, to: index, at: row.start, kind });
  });

  const marks: TimelineMark[] = [];
  const keyChanges: KeyChange[] = [];
  const clockChanges: ClockChange[] = [];
  const reuseMarked = new Set<number>();
  for (const event of events) {
    const clockChange = clockChangeOf(event);
    if (clockChange) {
      clockChanges.push(clockChange);
      continue;
    }
    const stage = KEY_STAGES[event.type];
    if (stage) {
      const kid = event.data?.kid;
      if (typeof kid === 'string' && event.data) {
        keyChanges.push({
          at: Date.parse(event.at),
          stage,
          kid,
          detail: keyChangeDetail(event.type, event.data),
        });
      }
      continue;
    }
    const row = event.token_id ? rowById.get(event.token_id) : undefined;
    if (row === undefined) continue;
    const at = Date.parse(event.at);
    if (event.type === 'token.introspected') marks.push({ row, at, type: 'introspected' });
    else if (event.type === 'token.refreshed') marks.push({ row, at, type: 'refreshed' });
    else if (event.type === 'request' && event.data?.endpoint === 'userinfo' && event.data.status === 200)
      marks.push({ row, at, type: 'userinfo' });
    else if (event.type === 'token.reuse_detected') {
      marks.push({ row, at, type: 'reuse' });
      reuseMarked.add(row);
    }
  }
  rows.forEach((row, index) => {
    const revoked = time(row.token.revoked_at);
    if (revoked === null) return;
    if (row.token.state === 'reuse_detected') {
      // The replayed token: marked from its event, or from its revocation when the event is not loaded.
      if (!reuseMarked.has(index)) marks.push({ row: index, at: revoked, type: 'reuse' });
    } else marks.push({ row: index, at: revoked, type: 'revoked' });
  });

  keyChanges.sort((a, b) => a.at - b.at);
  clockChanges.sort((a, b) => a.at - b.at);
  return {
    rows,
    links,
    exchanges,
    marks,
    keyChanges,
    clockChanges,
    families: ordered.length,
    rowById,
    min,
    max,
  };
}

/** The state to colour a bar by at `now`: an active token past its expiry is expired. */
export function stateAt(row: TimelineRow, now: number): TokenState {
  if (row.token.state === 'active' && row.end <= now) return 'expired';
  return row.token.state;
}

/** One line describing a token, for tooltips, the row gutter and the screen-reader announcement. */
export function describeRow(row: TimelineRow): string {
  const kind = row.token.kind === 'id' ? 'ID' : row.token.kind === 'access' ? 'Access' : 'Refresh';
  const who = row.token.username ?? 'machine';
  return `${issuerPrefix(row)}${kind} token ${shortTokenId(row.token.id)} · ${who} · ${row.token.client_id}`;
}

/** On a timeline of every issuer, the row's issuer (its name) first: "ACME realm · ". */
function issuerPrefix(row: TimelineRow): string {
  return row.token.issuer === undefined ? '' : `${row.token.issuer} · `;
}

/** The short label in the row gutter: "access · alice · web" (every issuer's: "ACME realm · access · …"). */
export function rowLabel(row: TimelineRow): string {
  return `${issuerPrefix(row)}${row.token.kind === 'id' ? 'ID' : row.token.kind} · ${row.token.username ?? 'machine'} · ${row.token.client_id}`;
}

/** The gutter's prefix for a row under its parent: ⇄ exchanged from it, ↳ refreshed from it. */
export function rowPrefix(row: TimelineRow): string {
  if (row.depth === 0) return '';
  return originOf(row.token) === 'exchange' ? '⇄ ' : '↳ ';
}

/** An exchanged token's line (what from, who acted for whom, audience); null for any other token. */
export function exchangeOf(layout: TimelineLayout, row: TimelineRow): string | null {
  if (originOf(row.token) !== 'exchange') return null;
  const parentRow = row.token.parent_id ? layout.rowById.get(row.token.parent_id) : undefined;
  return exchangeSummary(row.token, parentRow === undefined ? null : (layout.rows[parentRow]?.token ?? null));
}

/** Who a row's family is about, for the gutter when rows are too thin for one label each: "alice · web". */
export function familyLabel(row: TimelineRow, short = false): string {
  const who = `${issuerPrefix(row)}${row.token.username ?? 'machine'}`;
  if (!short) return `${who} · ${row.token.client_id}`;
  const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  return `${cut(who, 10)} · ${cut(row.token.client_id, 10)}`;
}

/** A layout reduced to the rows with something in a time window, and how many rows it left out. */
export interface WindowedLayout extends TimelineLayout {
  hidden: number;
}

const wholeLayouts = new WeakMap<TimelineLayout, WindowedLayout>();

/**
 * Only the rows with something to draw in the window: a bar that overlaps it, or a mark inside it.
 * Links and marks are renumbered to the kept rows; when every row is kept the layout is returned as is
 * (the common case, and the one that must stay cheap at 10,000 tokens).
 */
export function windowLayout(layout: TimelineLayout, view: { start: number; end: number }): WindowedLayout {
  const keep = new Uint8Array(layout.rows.length);
  let kept = 0;
  layout.rows.forEach((row, index) => {
    if (row.end >= view.start && row.start <= view.end) {
      keep[index] = 1;
      kept++;
    }
  });
  for (const mark of layout.marks) {
    if (keep[mark.row] === 0 && mark.at >= view.start && mark.at <= view.end) {
      keep[mark.row] = 1;
      kept++;
    }
  }
  if (kept === layout.rows.length) {
    // The same object every time, so what depends on it (memos, the canvas's label cache) holds.
    let whole = wholeLayouts.get(layout);
    if (!whole) {
      whole = { ...layout, hidden: 0 };
      wholeLayouts.set(layout, whole);
    }
    return whole;
  }
  const newIndex = new Int32Array(layout.rows.length).fill(-1);
  const rows: TimelineRow[] = [];
  const rowById = new Map<string, number>();
  layout.rows.forEach((row, index) => {
    if (keep[index] === 0) return;
    newIndex[index] = rows.length;
    rowById.set(row.token.id, rows.length);
    rows.push(row);
  });
  const links: TimelineLink[] = [];
  let exchanges = 0;
  for (const link of layout.links) {
    const from = newIndex[link.from] ?? -1;
    const to = newIndex[link.to] ?? -1;
    if (from < 0 || to < 0) continue;
    links.push({ ...link, from, to });
    if (link.kind === 'exchange') exchanges++;
  }
  const marks: TimelineMark[] = [];
  for (const mark of layout.marks) {
    const row = newIndex[mark.row] ?? -1;
    if (row >= 0) marks.push({ ...mark, row });
  }
  return {
    ...layout,
    rows,
    links,
    exchanges,
    marks,
    rowById,
    families: new Set(rows.map((row) => row.family)).size,
    hidden: layout.rows.length - rows.length,
  };
}
