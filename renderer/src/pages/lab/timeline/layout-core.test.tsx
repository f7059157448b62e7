import { describe, expect, it } from 'vitest';
import type { EngineEvent, Token } from '../../../../../shared/schemas';
import { testToken } from '../../tokens/test-token';
import { layoutTimeline, planLayout, relayout, type TimelineEvent, type TimelineLayout } from './layout';
import { recentView, recentViewOf } from './scale';
import { applyNewer, replaceRows } from './token-window';

const T0 = Date.UTC(2026, 11, 5, 6, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/** A deterministic stream of tokens and events like a busy provider's, for laying out round by round. */
class Provider {
  private seed = 7;
  private count = 0;
  private clock = T0;
  /** Refresh tokens that may be used again, and tokens that may be exchanged. */
  private refreshable: Token[] = [];
  private subjects: Token[] = [];

  random(): number {
    this.seed = (this.seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return this.seed / 2_147_483_648;
  }

  pick<T>(list: readonly T[]): T | undefined {
    return list.length === 0 ? undefined : list[Math.floor(this.random() * list.length)];
  }

  private token(patch: Partial<Token>): Token {
    this.count++;
    this.clock += Math.floor(this.random() * 3);
    return testToken({
      id: `t${this.count}`,
      seq: this.count,
      issued_at: iso(this.clock),
      expires_at: iso(this.clock + 3_600_000),
      ...patch,
    });
  }

  event(type: EngineEvent['type'], token: Token | null, data: EngineEvent['data'] = {}): TimelineEvent {
    return { type, at: iso(this.clock + 1), token_id: token?.id ?? null, data };
  }

  /** A round's new tokens: machines (a family each), sign-ins, refreshes, exchanges. */
  issue(count: number): Token[] {
    const made: Token[] = [];
    while (made.length < count) {
      const roll = this.random();
      const used = this.pick(this.refreshable);
      const subject = this.pick(this.subjects);
      if (roll < 0.4) {
        const machine = this.token({ grant_id: null, username: null, client_id: 'svc', format: 'reference' });
        made.push(machine);
        if (this.random() < 0.3) this.subjects.push(machine);
      } else if (roll < 0.6) {
        const grant = `g${this.count}`;
        const access = this.token({ grant_id: grant });
        const refresh = this.token({
          grant_id: grant,
          kind: 'refresh',
          expires_at: iso(this.clock + 86_400_000),
        });
        made.push(access, refresh);
        this.refreshable.push(refresh);
        this.subjects.push(access);
      } else if (roll < 0.8 && used) {
        // A refresh: the used token rotated (its row changes), two children under it.
        const patch = { grant_id: used.grant_id, parent_id: used.id, grant_type: 'refresh_token' };
        const access = this.token(patch);
        const refresh = this.token({ ...patch, kind: 'refresh', expires_at: iso(this.clock + 86_400_000) });
        made.push(access, refresh);
        this.refreshable = this.refreshable.filter((t) => t !== used);
        this.refreshable.push(refresh);
      } else if (subject) {
        // A token exchange: a machine subject's child has no grant and joins its family.
        made.push(
          this.token({
            grant_id:
              subject.grant_id === null ? null : this.random() < 0.5 ? subject.grant_id : `x${this.count}`,
            parent_id: subject.id,
            grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          }),
        );
      }
    }
    return made;
  }

  /** Marks and lines for held tokens: uses, refreshes, reuse, the odd key change and clock move. */
  events(held: readonly Token[], count: number): TimelineEvent[] {
    const events: TimelineEvent[] = [];
    for (let k = 0; k < count; k++) {
      const token = this.pick(held.slice(-400)) as Token;
      const roll = this.random();
      if (roll < 0.4) events.push(this.event('token.introspected', token));
      else if (roll < 0.6) events.push(this.event('request', token, { endpoint: 'userinfo', status: 200 }));
      else if (roll < 0.75) events.push(this.event('token.refreshed', token));
      else if (roll < 0.8) events.push(this.event('token.reuse_detected', token));
      else if (roll < 0.85) events.push(this.event('key.rotated', null, { kid: `k${k}`, reason: 'rotated' }));
      else if (roll < 0.9)
        events.push(
          this.event('settings.changed', null, {
            changed: ['clock_offset_seconds'],
            settings: { clock_offset_seconds: k },
          }),
        );
      // A use of a token no longer held, or an event the timeline does not draw.
      else if (roll < 0.95) events.push(this.event('token.introspected', { id: 'gone' } as Token));
      else events.push(this.event('token.issued', token));
    }
    return events;
  }

  /** Held rows changed by events: revoked, rotated, reuse detected. */
  changes(held: readonly Token[], count: number): Token[] {
    const changed: Token[] = [];
    for (let k = 0; k < count; k++) {
      const token = this.pick(held) as Token;
      const roll = this.random();
      const at = iso(Date.parse(token.issued_at) + 60_000);
      if (roll < 0.5) changed.push({ ...token, state: 'revoked', revoked_at: at });
      else if (roll < 0.7) changed.push({ ...token, state: 'reuse_detected', revoked_at: at });
      else if (roll < 0.85) changed.push({ ...token, state: 'rotated', last_used_at: at });
      else changed.push({ ...token, last_used_at: at, expires_at: iso(Date.parse(token.expires_at) + 1000) });
    }
    return changed;
  }
}

/** Everything a layout holds, as plain data, with each token's row by id. */
function plain(layout: TimelineLayout, tokens: readonly Token[]) {
  const { rowById, markOffsets, markIndex, reachStart, reachEnd, rowFamily, ...rest } = layout;
  return {
    ...rest,
    markOffsets: Array.from(markOffsets),
    markIndex: Array.from(markIndex),
    reachStart: Array.from(reachStart),
    reachEnd: Array.from(reachEnd),
    rowFamily: Array.from(rowFamily),
    rowById: tokens.map((token) => rowById.get(token.id) ?? null),
  };
}

/** Lays out `rounds` live rounds incrementally, checking each against a full layout of the same data. */
function playRounds(options: { cap: number; rounds: number; perRound: number; eventCap: number }) {
  const provider = new Provider();
  let tokens = provider.issue(options.cap / 2);
  let events = provider.events(tokens, 200);
  let layout = layoutTimeline(tokens, events);
  let reused = 0;
  for (let round = 0; round < options.rounds; round++) {
    const newer = provider.issue(options.perRound);
    tokens = applyNewer(tokens, newer, options.cap).tokens;
    const changed = provider.changes(tokens, 3);
    tokens = replaceRows(
      tokens,
      changed,
      changed.map((t) => t.id),
    );
    const added = provider.events(tokens, 20);
    events = [...events, ...added].slice(-options.eventCap);
    const previous = layout;
    layout = relayout(previous, tokens, events);
    // Rows of untouched families are the last layout's own objects: the round was incremental.
    const before = new Set(previous.rows);
    if (layout.rows.some((row) => before.has(row))) reused++;
    expect(plain(layout, tokens), `round ${round}`).toEqual(plain(layoutTimeline(tokens, events), tokens));
  }
  return { reused, tokens };
}

/** `count` tokens with `eventCount` events, laid out afresh. */
function laidOut(count: number, eventCount: number) {
  const provider = new Provider();
  const tokens = provider.issue(count);
  const events = provider.events(tokens, eventCount);
  return { provider, tokens, events, layout: layoutTimeline(tokens, events) };
}

/** A live round's tokens: `added` new ones (the oldest dropped past `cap`), then `changed` rows replaced. */
function liveRound(
  provider: Provider,
  held: Token[],
  round: { added: number; changed: number; cap: number },
): Token[] {
  const tokens = applyNewer(held, provider.issue(round.added), round.cap).tokens;
  const changed = provider.changes(tokens, round.changed);
  return replaceRows(
    tokens,
    changed,
    changed.map((t) => t.id),
  );
}

/** Runs a layout's steps to the end, counting its pauses. */
function runSteps(steps: Generator<void, TimelineLayout, void>) {
  let pauses = 0;
  let step = steps.next();
  while (!step.done) {
    pauses++;
    step = steps.next();
  }
  return { pauses, layout: step.value };
}

describe('relayout', () => {
  it('lays out live rounds (tokens appended, the oldest dropped, rows replaced, events added) as a full layout would', () => {
    const { reused } = playRounds({ cap: 600, rounds: 40, perRound: 12, eventCap: 500 });
    expect(reused).toBe(40);
  });

  it('follows a window at its cap through many rounds, families split and rejoined as parents drop out', () => {
    const { reused, tokens } = playRounds({ cap: 300, rounds: 60, perRound: 25, eventCap: 150 });
    expect(tokens).toHaveLength(300);
    expect(reused).toBeGreaterThan(0);
  });

  it('lays out afresh what it cannot follow: a reload, a purge in the middle, a bulk change', () => {
    const provider = new Provider();
    const tokens = provider.issue(400);
    const events = provider.events(tokens, 100);
    const layout = layoutTimeline(tokens, events);
    const reloaded = tokens.map((token) => ({ ...token }));
    const purged = tokens.filter((_, i) => i % 7 !== 3);
    const bulk = tokens.map((token, i) => (i % 2 ? { ...token, state: 'revoked' as const } : token));
    for (const next of [reloaded, purged, bulk, []]) {
      const relaid = relayout(layout, next, events);
      const previousRows = new Set(layout.rows);
      expect(relaid.rows.some((row) => previousRows.has(row))).toBe(false);
      expect(plain(relaid, next)).toEqual(plain(layoutTimeline(next, events), next));
    }
  });

  it('returns the same layout when nothing changed, and lays out afresh from a layout already followed', () => {
    const provider = new Provider();
    const tokens = provider.issue(100);
    const none: TimelineEvent[] = [];
    const layout = layoutTimeline(tokens, none);
    expect(relayout(layout, tokens, none)).toBe(layout);
    const more = [...tokens, ...provider.issue(5)];
    const first = relayout(layout, more, none);
    // React may compute a memo twice from the same previous layout: the second is laid out afresh.
    const second = relayout(layout, more, none);
    expect(plain(second, more)).toEqual(plain(first, more));
    expect(plain(first, more)).toEqual(plain(layoutTimeline(more, none), more));
  });

  it('runs a full layout in steps, pausing every few thousand tokens, to the same layout', () => {
    const provider = new Provider();
    const tokens = provider.issue(30_000);
    const events = provider.events(tokens, 2000);
    const plan = planLayout(null, tokens, events);
    if (!('steps' in plan)) throw new Error('a first layout is laid out in steps');
    const { pauses, layout } = runSteps(plan.steps);
    expect(pauses).toBeGreaterThan(10);
    expect(plain(layout, tokens)).toEqual(plain(layoutTimeline(tokens, events), tokens));
    // And the next round from it is incremental.
    const more = [...tokens, ...provider.issue(10)];
    const next = planLayout(layout, more, events);
    expect('layout' in next && next.layout.rows.some((row) => layout.rows.includes(row))).toBe(true);
  });

  it('runs a live round in steps when asked, pausing while it copies the untouched families, to the same layout', () => {
    let { provider, tokens, events, layout } = laidOut(20_000, 1000);
    for (let round = 0; round < 3; round++) {
      tokens = liveRound(provider, tokens, { added: 200, changed: 5, cap: 20_000 });
      events = [...events, ...provider.events(tokens, 30)].slice(-1000);
      const plan = planLayout(layout, tokens, events, true);
      if (!('steps' in plan) || !plan.round) throw new Error('a live round is planned in steps when asked');
      const ran = runSteps(plan.steps);
      // Some 20,000 families untouched: copied STEP (4,096) at a time.
      expect(ran.pauses).toBeGreaterThan(4);
      const before = new Set(layout.rows);
      expect(ran.layout.rows.some((row) => before.has(row))).toBe(true);
      expect(plain(ran.layout, tokens), `round ${round}`).toEqual(
        plain(layoutTimeline(tokens, events), tokens),
      );
      layout = ran.layout;
    }
  });

  it("keeps each row's issue and stop, so the recent window read from them is the one read from the rows", () => {
    let { provider, tokens, events, layout } = laidOut(3000, 100);
    for (let round = 0; round < 3; round++) {
      tokens = liveRound(provider, tokens, { added: 50, changed: 20, cap: 3000 });
      layout = relayout(layout, tokens, events);
      const spans = { start: layout.rowStart, stop: layout.rowStop };
      expect(Array.from(spans.start)).toEqual(layout.rows.map((row) => row.start));
      expect(Array.from(spans.stop)).toEqual(layout.rows.map((row) => row.lifeEnd ?? row.end));
      const newest = Math.max(...layout.rows.map((row) => row.start));
      for (const now of [newest - 30 * 60_000, newest, newest + 10_000, newest + 2 * 3_600_000])
        expect(recentViewOf(spans, now), `round ${round}`).toEqual(recentView(layout.rows, now));
    }
  });
});
