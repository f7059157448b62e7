/**
 * Turns token records and lifecycle events into what the timeline draws: one row per token, rows of
 * a family (grant) together with each rotation's children right under their parent, plus lineage
 * links and marks (revocation, introspection, reuse detection). Pure, so it is tested without a canvas.
 */
import type { EngineEvent, Token, TokenKind, TokenState } from '../../../../../shared/schemas';
import { exchangeSummary, originOf, shortTokenId } from '../../tokens/lineage';

export interface TimelineRow {
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

export interface TimelineMark {
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
export interface TimelineLink {
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
  /** A token's row, by its id. */
  rowById: RowLookup;
  /** Earliest issue and latest expiry, for "fit all". */
  min: number;
  max: number;
  /** How many marks are uses (userinfo, introspection, refresh) and how many introspections. */
  useMarks: number;
  introspections: number;
  /**
   * Marks by row, for drawing only the visible rows' marks: the indices into `marks` of row r are
   * markIndex[markOffsets[r] … markOffsets[r + 1]).
   */
  markOffsets: Int32Array;
  markIndex: Int32Array;
  /** Each row's reach on the time axis, its bar and its marks: what windowLayout tests per frame. */
  reachStart: Float64Array;
  reachEnd: Float64Array;
}

/** A token's row by its id: the token index the layout already has, so no second map of every id. */
export interface RowLookup {
  get(id: string): number | undefined;
}

const KIND_ORDER: Record<TokenKind, number> = { access: 0, id: 1, refresh: 2 };

function time(value: string | null): number | null {
  if (!value) return null;
  const ms = parseTime(value);
  return Number.isNaN(ms) ? null : ms;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * Epoch ms of an ISO 8601 time. The engine's form (2026-03-14T12:00:00.000Z, toISOString) is read
 * digit by digit: Date.parse is the slowest step of laying out 100,000 tokens. Any other form goes
 * to Date.parse.
 */
export function parseTime(value: string): number {
  if (value.length !== 24 || value.charCodeAt(23) !== 90 /* Z */ || value.charCodeAt(10) !== 84 /* T */)
    return Date.parse(value);
  const digits = (from: number, to: number) => {
    let n = 0;
    for (let k = from; k < to; k++) {
      const d = value.charCodeAt(k) - 48;
      if (d < 0 || d > 9) return Number.NaN;
      n = n * 10 + d;
    }
    return n;
  };
  const ms =
    daysFromCivil(digits(0, 4), digits(5, 7), digits(8, 10)) * 86_400_000 +
    digits(11, 13) * 3_600_000 +
    digits(14, 16) * 60_000 +
    digits(17, 19) * 1000 +
    digits(20, 23);
  return Number.isNaN(ms) ? Date.parse(value) : ms;
}

/** Tokens' indices grouped by a key index: members of group g are items[offsets[g] … offsets[g + 1]). */
function groupBy(keys: Int32Array, groups: number): { offsets: Int32Array; items: Int32Array } {
  const offsets = new Int32Array(groups + 1);
  let count = 0;
  for (const key of keys) {
    if (key < 0) continue;
    offsets[key + 1] = (offsets[key + 1] ?? 0) + 1;
    count++;
  }
  for (let g = 0; g < groups; g++) offsets[g + 1] = (offsets[g + 1] ?? 0) + (offsets[g] ?? 0);
  const items = new Int32Array(count);
  const fill = offsets.slice(0, groups);
  keys.forEach((key, i) => {
    if (key < 0) return;
    items[fill[key] as number] = i;
    fill[key] = (fill[key] as number) + 1;
  });
  return { offsets, items };
}

/**
 * Lays out every token. Linear but for sorting within families and of families, over typed arrays
 * indexed by the token's place in `tokens`: a 100,000-token timeline is laid out in tens of
 * milliseconds, once per change of its data (never per frame).
 */
export function layoutTimeline(
  tokens: readonly Token[],
  events: readonly TimelineEvent[] = [],
): TimelineLayout {
  const n = tokens.length;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  // NaN: not revoked, never used.
  const revokedAt = new Float64Array(n);
  const lastUsed = new Float64Array(n);
  const kind = new Uint8Array(n);
  // Only parents are looked up by id: no map of every token (most have no child listed).
  let parentIds: Set<string> | null = null;
  tokens.forEach((token, i) => {
    start[i] = parseTime(token.issued_at);
    end[i] = parseTime(token.expires_at);
    revokedAt[i] = time(token.revoked_at) ?? Number.NaN;
    lastUsed[i] = time(token.last_used_at) ?? Number.NaN;
    kind[i] = KIND_ORDER[token.kind];
    if (token.parent_id === null) return;
    parentIds ??= new Set();
    parentIds.add(token.parent_id);
  });
  const indexOfParent = new Map<string, number>();
  if (parentIds !== null) {
    const wanted: Set<string> = parentIds;
    tokens.forEach((token, i) => {
      if (wanted.has(token.id)) indexOfParent.set(token.id, i);
    });
  }
  /** Issue order: issue time, then kind, then id. */
  const byIssue = (a: number, b: number): number => {
    const d = (start[a] as number) - (start[b] as number) || (kind[a] as number) - (kind[b] as number);
    if (d !== 0) return d;
    const x = (tokens[a] as Token).id;
    const y = (tokens[b] as Token).id;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const parentOf = new Int32Array(n).fill(-1);
  tokens.forEach((token, i) => {
    if (token.parent_id !== null) parentOf[i] = indexOfParent.get(token.parent_id) ?? -1;
  });

  // Families: tokens sharing a grant; a token without one is a family of its own, but for one exchanged
  // from a token shown here (a client_credentials token has no grant), which joins its subject's family.
  const familyIds = new Map<string, number>();
  /** A family without a grant, by its root token's index. */
  const ownFamily = new Int32Array(n).fill(-1);
  let familyCount = 0;
  const familyOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let root = i;
    // Bounded: ids come from rows, and a chain this long is not worth following.
    for (let hops = 0; hops < 64; hops++) {
      const current = tokens[root] as Token;
      if (current.grant_id !== null || current.parent_id === null) break;
      const parent = parentOf[root] as number;
      if (parent < 0) break;
      root = parent;
    }
    const grant = (tokens[root] as Token).grant_id;
    let family: number;
    if (grant === null) {
      family = ownFamily[root] as number;
      if (family < 0) {
        family = familyCount++;
        ownFamily[root] = family;
      }
    } else {
      family = familyIds.get(grant) ?? -1;
      if (family < 0) {
        family = familyCount++;
        familyIds.set(grant, family);
      }
    }
    familyOf[i] = family;
  }
  const members = groupBy(familyOf, familyCount);
  for (let f = 0; f < familyCount; f++) {
    const from = members.offsets[f] as number;
    const to = members.offsets[f + 1] as number;
    if (to - from > 1) members.items.subarray(from, to).sort(byIssue);
  }
  // Newest family first, so what just happened is at the top.
  const familyOrder = new Int32Array(familyCount);
  for (let f = 0; f < familyCount; f++) familyOrder[f] = f;
  familyOrder.sort((a, b) =>
    byIssue(
      members.items[members.offsets[b] as number] as number,
      members.items[members.offsets[a] as number] as number,
    ),
  );

  // Children under their parent, in issue order; a parent's first child says when it was rotated.
  const children = groupBy(parentOf, n);
  const rotatedAt = new Float64Array(n).fill(Number.NaN);
  for (let p = 0; p < n; p++) {
    const from = children.offsets[p] as number;
    const to = children.offsets[p + 1] as number;
    if (to === from) continue;
    const list = children.items.subarray(from, to);
    if (to - from > 1) list.sort(byIssue);
    rotatedAt[p] = start[list[0] as number] as number;
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
  const rows: TimelineRow[] = [];
  const rowOf = new Int32Array(n).fill(-1);
  const rowToken = new Int32Array(n);
  // Built when first asked (the selection, an exchange's parent): not on every layout.
  let rowIds: Map<string, number> | null = null;
  const rowById: RowLookup = {
    get: (id) => {
      rowIds ??= new Map(rows.map((row, r) => [row.token.id, r]));
      return rowIds.get(id);
    },
  };
  const rowRevoked = new Float64Array(n);
  const addRow = (i: number, depth: number, family: number) => {
    const token = tokens[i] as Token;
    const [from, to, revoked] = [start[i] as number, end[i] as number, revokedAt[i] as number];
    let rotated = Number.NaN;
    if (token.state === 'rotated') {
      rotated = rotatedAt[i] as number;
      if (Number.isNaN(rotated)) rotated = refreshedAt.get(token.id) ?? (lastUsed[i] as number);
    }
    // The earlier of its revocation and its rotation, when before its expiry (NaN compares false).
    let lifeEnd: number | null = null;
    if (revoked < to) lifeEnd = revoked;
    if (rotated < to && (lifeEnd === null || rotated < lifeEnd)) lifeEnd = rotated;
    rowOf[i] = rows.length;
    rowToken[rows.length] = i;
    rowRevoked[rows.length] = revoked;
    rows.push({ token, start: from, end: to, lifeEnd, depth, family });
    if (from < min) min = from;
    if (to > max) max = to;
  };
  // Depth first, children right under their parent (a stack, not recursion: chains can be long).
  const stack: number[] = [];
  familyOrder.forEach((f, family) => {
    const from = members.offsets[f] as number;
    const to = members.offsets[f + 1] as number;
    for (let k = from; k < to; k++) {
      const root = members.items[k] as number;
      // Roots: tokens whose parent is not shown (first issue, or a parent filtered out).
      const parent = parentOf[root] as number;
      if (parent >= 0 && familyOf[parent] === f) continue;
      stack.push(root, 0);
      while (stack.length > 0) {
        const depth = stack.pop() as number;
        const i = stack.pop() as number;
        addRow(i, depth, family);
        const first = children.offsets[i] as number;
        for (let c = (children.offsets[i + 1] as number) - 1; c >= first; c--) {
          const child = children.items[c] as number;
          if (familyOf[child] === f) stack.push(child, depth + 1);
        }
      }
    }
  });

  const links: TimelineLink[] = [];
  let exchanges = 0;
  rows.forEach((row, index) => {
    const parentIndex = parentOf[rowToken[index] as number] as number;
    if (parentIndex < 0) return;
    const kind = originOf(row.token) === 'exchange' ? 'exchange' : 'refresh';
    if (kind === 'exchange') exchanges++;
    links.push({ from: rowOf[parentIndex] as number, to: index, at: row.start, kind });
  });

  const { marks, keyChanges, clockChanges } = marksOf(rows, rowRevoked, events);
  // Plain loops: TypedArray.from with a mapping function is many times slower.
  const markRows = new Int32Array(marks.length);
  for (let k = 0; k < marks.length; k++) markRows[k] = (marks[k] as TimelineMark).row;
  const byRow = groupBy(markRows, rows.length);
  const reachStart = new Float64Array(rows.length);
  const reachEnd = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    reachStart[r] = (rows[r] as TimelineRow).start;
    reachEnd[r] = (rows[r] as TimelineRow).end;
  }
  let useMarks = 0;
  let introspections = 0;
  for (const mark of marks) {
    if (mark.at < (reachStart[mark.row] as number)) reachStart[mark.row] = mark.at;
    if (mark.at > (reachEnd[mark.row] as number)) reachEnd[mark.row] = mark.at;
    if (USE_MARK_TYPES.has(mark.type)) useMarks++;
    if (mark.type === 'introspected') introspections++;
  }
  return {
    rows,
    links,
    exchanges,
    marks,
    keyChanges,
    clockChanges,
    families: familyCount,
    rowById,
    min,
    max,
    useMarks,
    introspections,
    markOffsets: byRow.offsets,
    markIndex: byRow.items,
    reachStart,
    reachEnd,
  };
}

const USE_MARK_TYPES: ReadonlySet<MarkType> = new Set(USE_MARKS);

/** Marks on the rows from events and revocations; key and clock changes from events. */
function marksOf(
  rows: readonly TimelineRow[],
  /** Each row's revocation time, NaN when not revoked. */
  revokedAt: Float64Array,
  events: readonly TimelineEvent[],
): { marks: TimelineMark[]; keyChanges: KeyChange[]; clockChanges: ClockChange[] } {
  // The rows of the tokens the events name, found in one pass (no map of every row).
  const named = new Set<string>();
  for (const event of events) if (event.token_id) named.add(event.token_id);
  const rowById = new Map<string, number>();
  if (named.size > 0) {
    rows.forEach((row, r) => {
      if (named.has(row.token.id)) rowById.set(row.token.id, r);
    });
  }
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
    const revoked = revokedAt[index] as number;
    if (Number.isNaN(revoked)) return;
    if (row.token.state === 'reuse_detected') {
      // The replayed token: marked from its event, or from its revocation when the event is not loaded.
      if (!reuseMarked.has(index)) marks.push({ row: index, at: revoked, type: 'reuse' });
    } else marks.push({ row: index, at: revoked, type: 'revoked' });
  });
  keyChanges.sort((a, b) => a.at - b.at);
  clockChanges.sort((a, b) => a.at - b.at);
  return { marks, keyChanges, clockChanges };
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
