import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuerSummary } from '../../shared/issuers';
import { LIVE_OMITTABLE_TYPES, type LiveGap } from '../../shared/live-gap';
import type { EngineEvent } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import { BURST_CLIENT, issueTokens } from '../helpers/live-load';

let engine: Awaited<ReturnType<typeof startTestEngine>>;

beforeAll(async () => {
  engine = await startTestEngine({ inMemory: true });
});
afterAll(async () => {
  await engine.cleanup();
});

interface Message {
  id: string | null;
  events: EngineEvent[] | null;
  /** An `event: gap` message: what the batch message after it left out. */
  gap?: LiveGap;
}

/**
 * A client of `GET /admin/api/events.stream` reading it the way the UI's HTTP transport does (fetch,
 * the admin token as a header), collecting its messages as they come.
 */
async function openStream(lastEventId?: string, of: { issuer: string; adminToken: string } = engine) {
  const controller = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${of.adminToken}` };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const response = await fetch(`${of.issuer}/admin/api/events.stream`, {
    headers,
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>)
    .pipeThrough(new TextDecoderStream())
    .getReader();
  const messages: Message[] = [];
  let buffer = '';
  /** Reads until `done(messages)` holds (or fails after 5 s). */
  async function until(done: (messages: Message[]) => boolean): Promise<Message[]> {
    const deadline = Date.now() + 5000;
    while (!done(messages)) {
      if (Date.now() > deadline) throw new Error(`stream did not get there: ${JSON.stringify(messages)}`);
      const { value, done: ended } = await reader.read();
      if (ended) throw new Error('stream ended');
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const lines = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const id = lines.find((line) => line.startsWith('id: '))?.slice(4) ?? null;
        const data = lines.find((line) => line.startsWith('data: '))?.slice(6);
        // Comments (": keep-alive") are not messages.
        if (id === null && data === undefined) continue;
        if (lines.includes('event: gap')) {
          messages.push({ id, events: null, gap: JSON.parse(data as string) as LiveGap });
          continue;
        }
        messages.push({ id, events: data === undefined ? null : (JSON.parse(data) as EngineEvent[]) });
      }
    }
    return messages;
  }
  return { until, close: () => controller.abort() };
}

const eventsOf = (messages: Message[]) => messages.flatMap((message) => message.events ?? []);
const usersIn = (messages: Message[], prefix: string) =>
  eventsOf(messages).filter((event) => event.type === 'user.created' && event.username?.startsWith(prefix));

async function createUsersOf(of: Pick<typeof engine, 'call'>, prefix: string, count: number): Promise<void> {
  // All at once: their events are recorded within a few milliseconds of each other.
  await Promise.all(
    Array.from({ length: count }, (_, i) => of.call('users.create', { username: `${prefix}${i}` })),
  );
}
const createUsers = (prefix: string, count: number) => createUsersOf(engine, prefix, count);

describe('the admin live event stream (server-sent events)', () => {
  it('starts with a message saying where it stands, then sends events in batches, oldest first', async () => {
    const stream = await openStream();
    const [start] = await stream.until((messages) => messages.length >= 1);
    expect(start).toMatchObject({ events: null, id: expect.stringMatching(/^root:\d+$/) });

    await createUsers('batched-', 40);
    const messages = await stream.until((all) => usersIn(all, 'batched-').length === 40);
    stream.close();

    const withUsers = messages.filter((m) => m.events?.some((e) => e.username?.startsWith('batched-')));
    // 40 events in a few milliseconds travel together, not as 40 messages.
    expect(withUsers.length).toBeLessThan(5);
    expect(Math.max(...withUsers.map((m) => m.events?.length ?? 0))).toBeGreaterThan(1);
    // In the order they were recorded, each tagged with its issuer.
    const ids = eventsOf(messages).map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(eventsOf(messages).every((event) => event.issuer === 'root')).toBe(true);
    // Each message's id is the stream's position after its last event.
    const last = messages.at(-1) as Message;
    expect(last.id).toBe(`root:${last.events?.at(-1)?.id}`);
  });

  it('sends a reconnecting client what it missed first (Last-Event-ID), then live events, none twice', async () => {
    const first = await openStream();
    await createUsers('before-', 3);
    const seen = await first.until((all) => usersIn(all, 'before-').length === 3);
    const position = seen.at(-1)?.id as string;
    first.close();

    // Disconnected: these happen while nobody listens.
    await createUsers('missed-', 25);

    const again = await openStream(position);
    const [catchUp] = await again.until((messages) => messages.length >= 1);
    const missed = catchUp?.events ?? [];
    expect(missed).toHaveLength(25);
    expect(missed.every((event) => event.username?.startsWith('missed-'))).toBe(true);
    expect(new Set(missed.map((event) => event.username)).size).toBe(25);
    const afterBefore = Number(position.split(':')[1]);
    expect(missed[0]?.id).toBe(afterBefore + 1);

    await createUsers('after-', 5);
    const messages = await again.until((all) => usersIn(all, 'after-').length === 5);
    again.close();
    const ids = eventsOf(messages).map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(usersIn(messages, 'before-')).toEqual([]);
  });

  it('keeps every issuer’s position and catches up each one', async () => {
    const orders = (await engine.call('issuers.create', { name: 'stream-orders' })) as IssuerSummary;
    const first = await openStream();
    const [start] = await first.until((messages) => messages.length >= 1);
    first.close();
    expect(start?.id).toContain(`${orders.id}:`);

    await engine.call('users.create', { username: 'orders-user' }, { issuer: orders.id });
    await engine.call('users.create', { username: 'root-user' });

    const again = await openStream(start?.id as string);
    const [catchUp] = await again.until((messages) => messages.length >= 1);
    again.close();
    const created = (catchUp?.events ?? []).filter((event) => event.type === 'user.created');
    expect(created.map((event) => [event.issuer, event.username]).sort()).toEqual([
      [orders.id, 'orders-user'],
      ['root', 'root-user'],
    ]);
  });

  it('starts afresh when the Last-Event-ID is not one of its positions', async () => {
    const stream = await openStream('not-a-position');
    const [start] = await stream.until((messages) => messages.length >= 1);
    stream.close();
    expect(start).toMatchObject({ events: null, id: expect.stringMatching(/^root:\d+/) });
  });

  describe('under heavy load (a bound of 10 request-rate events a batch)', () => {
    let busy: Awaited<ReturnType<typeof startTestEngine>>;
    beforeAll(async () => {
      busy = await startTestEngine({
        inMemory: true,
        seed: { clients: [BURST_CLIENT] },
        liveStream: { maxEvents: 10, replayMaxEvents: 200 },
      });
    });
    afterAll(async () => {
      await busy.cleanup();
    });
    const newestId = async () =>
      ((await busy.call('events.list', { limit: 1 })) as EngineEvent[])[0]?.id ?? 0;

    it('replays what a reconnecting client missed as the newest events and a gap, and goes on from there', async () => {
      const first = await openStream(undefined, busy);
      const [start] = await first.until((messages) => messages.length >= 1);
      first.close();
      const from = Number(start?.id?.split(':')[1]);

      // Missed while away: 50 tokens and three rare events among them.
      await Promise.all([issueTokens(busy.issuer, 50, 4), createUsersOf(busy, 'away-', 3)]);
      const recorded = (await busy.call('events.list', { after_id: from, limit: 5000 })) as EngineEvent[];
      const newest = await newestId();
      const again = await openStream(start?.id as string, busy);
      const [gapMessage, catchUp] = await again.until((messages) => messages.length >= 2);
      const gap = gapMessage?.gap?.issuers.root;
      const events = catchUp?.events ?? [];
      const omittable = events.filter((event) => LIVE_OMITTABLE_TYPES.has(event.type));
      expect(omittable).toHaveLength(10);
      expect(gap?.uncounted).toBeUndefined();
      // What was sent and what the gap counts are, type by type, what was recorded meanwhile.
      const types = new Set(recorded.map((event) => event.type));
      for (const type of types) {
        const sent = events.filter((event) => event.type === type).length;
        expect(sent + (gap?.omitted[type] ?? 0), type).toBe(recorded.filter((e) => e.type === type).length);
      }
      expect(events.filter((e) => e.type === 'user.created')).toHaveLength(3);
      // The kept ones are the newest; everything after the gap's `through` is there; the position is the newest.
      expect(omittable.at(-1)?.id).toBe(newest);
      expect(events.filter((e) => e.id > (gap?.through ?? 0))).toHaveLength(newest - (gap?.through ?? 0));
      expect(catchUp?.id).toBe(`root:${newest}`);
      expect(events.every((e) => e.id > from)).toBe(true);

      // Live after the catch-up: once, in order.
      await createUsersOf(busy, 'later-', 2);
      const messages = await again.until((all) => usersIn(all, 'later-').length === 2);
      again.close();
      const ids = eventsOf(messages).map((event) => event.id);
      expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    });

    it('says so when it missed more than it can replay (an uncounted gap), with the newest events', async () => {
      const first = await openStream(undefined, busy);
      const [start] = await first.until((messages) => messages.length >= 1);
      first.close();
      // More than this engine's replayMaxEvents (200) missed.
      await issueTokens(busy.issuer, 250);
      const newest = await newestId();
      const again = await openStream(start?.id as string, busy);
      const [gapMessage, catchUp] = await again.until((messages) => messages.length >= 2);
      again.close();
      const gap = gapMessage?.gap?.issuers.root;
      expect(gap?.uncounted).toBe(true);
      const events = catchUp?.events ?? [];
      expect(events.filter((event) => LIVE_OMITTABLE_TYPES.has(event.type))).toHaveLength(10);
      expect(events.at(-1)?.id).toBe(newest);
      expect(events.every((event) => event.id > (gap?.through ?? Number.POSITIVE_INFINITY))).toBe(true);
      expect(catchUp?.id).toBe(`root:${newest}`);
    });
  });
});
