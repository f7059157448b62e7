/**
 * Turns token records and lifecycle events into what the timeline draws: one row per token, rows of
 * a family (grant) together with each rotation's children right under their parent, plus lineage
 * links and marks (revocation, introspection, reuse detection). Pure, so it is tested without a canvas.
 */
import type { EngineEvent, Token, TokenState } from '../../../../../shared/schemas';
import { exchangeSummary, originOf, shortTokenId } from '../../tokens/lineage';
import { layoutAll } from './layout-core';

export { planLayout, relayout } from './layout-core';
export { parseTime, USE_MARKS } from './layout-read';

export interface TimelineRow {
  token: Token;
  /** Issued and nominal expiry, epoch ms. */
  start: number;
  end: number;
  /** When the token stopped being usable early (revoked, or rotated by a refresh); null otherwise. */
  lifeEnd: number | null;
  /** Nesting in the rotation chain: 0 for the first tokens of a family. */
  depth: number;
}

/** Revocation and reuse detection, and the token's uses: a userinfo call, an introspection, a refresh. */
export type MarkType = 'revoked' | 'introspected' | 'reuse' | 'userinfo' | 'refreshed';

/** A mark on a row: the row's marks are marks[markOffsets[row] … markOffsets[row + 1]). */
export interface TimelineMark {
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

/** What the timeline reads of an event; key events carry their kid in `data`. */
export type TimelineEvent = Pick<EngineEvent, 'type' | 'at' | 'token_id'> & { data?: EngineEvent['data'] };

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
  /** Each row's family: its index in display order (0 the newest; the bands alternate by it). */
  rowFamily: Int32Array;
  /** Each row's issue, and when it stopped (lifeEnd, else end): what the recent window reads. */
  rowStart: Float64Array;
  rowStop: Float64Array;
}

/** A token's row by its id. */
export interface RowLookup {
  get(id: string): number | undefined;
}

/**
 * Lays out every token afresh: linear but for sorting within families and of families, over typed
 * arrays indexed by the token's place in `tokens`. A live round goes through `relayout`, which lays
 * out again only the families it touched.
 */
export function layoutTimeline(
  tokens: readonly Token[],
  events: readonly TimelineEvent[] = [],
): TimelineLayout {
  return layoutAll(tokens, events);
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
