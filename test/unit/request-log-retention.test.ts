import { describe, expect, it } from 'vitest';
import {
  MAX_REQUEST_LOG,
  PURGE_BATCH,
  purgeHistory,
  REQUEST_LOG_RETENTION_SECONDS,
} from '../../main/core/provider/retention';
import { createTestAdmin } from '../helpers/admin';
import { frozenClock } from '../helpers/clock';

const START = Date.UTC(2026, 10, 29);

/** One request event and its exchange, as the HTTP hook writes them. */
function recordRequest(ctx: Awaited<ReturnType<typeof createTestAdmin>>['ctx'], status: number): number {
  const id = ctx.events.record(
    'request',
    { client_id: 'svc', data: { endpoint: 'token', status } },
    { endpoint: 'token', status },
  );
  ctx.events.requests.insert(id, ctx.clock.now(), {
    method: 'POST',
    path: '/token',
    status,
    request: { headers: {}, body: { grant_type: 'client_credentials' } },
    response: { headers: {}, body: { error: 'invalid_client' } },
  });
  return id;
}

describe('request log retention', () => {
  it('keeps the newest MAX_REQUEST_LOG exchanges; their events stay', async () => {
    const { ctx, close } = await createTestAdmin({ clock: frozenClock(START) });
    const total = MAX_REQUEST_LOG + PURGE_BATCH + 5;
    const ids = ctx.db.transaction(() => Array.from({ length: total }, () => recordRequest(ctx, 401)))();
    const counts = await purgeHistory(ctx);
    expect(counts.requests).toBe(PURGE_BATCH + 5);
    expect(ctx.events.requests.get(ids[PURGE_BATCH + 4] as number)).toBeNull();
    expect(ctx.events.requests.get(ids[PURGE_BATCH + 5] as number)?.status).toBe(401);
    expect(ctx.events.requests.get(ids[total - 1] as number)).not.toBeNull();
    // The event of a dropped exchange is still listed (it is kept as long as any event).
    expect(
      ctx.events.list({ errors: true, limit: 5000, before_id: (ids[PURGE_BATCH] as number) + 1 })[0]?.id,
    ).toBe(ids[PURGE_BATCH]);
    close();
  });

  it('drops exchanges older than a day', async () => {
    const clock = frozenClock(START);
    const { ctx, close } = await createTestAdmin({ clock });
    const old = recordRequest(ctx, 400);
    clock.advance(REQUEST_LOG_RETENTION_SECONDS + 1);
    const fresh = recordRequest(ctx, 200);
    expect((await purgeHistory(ctx)).requests).toBe(1);
    expect(ctx.events.requests.get(old)).toBeNull();
    expect(ctx.events.requests.get(fresh)?.status).toBe(200);
    close();
  });
});
