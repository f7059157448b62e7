import { describe, expect, it } from 'vitest';
import { AssertionReplayCache } from '../../main/core/provider/client-assertions';

describe('the client assertion replay cache', () => {
  it('refuses a jti its client used while the assertion is valid, and only for that client', () => {
    const cache = new AssertionReplayCache();
    expect(cache.claim('svc', 'jti-1', 160, 100)).toBe(true);
    expect(cache.claim('svc', 'jti-1', 160, 130)).toBe(false);
    expect(cache.claim('other', 'jti-1', 160, 130)).toBe(true);
    // Once its exp has passed the assertion itself is refused as expired; the entry may go.
    expect(cache.claim('svc', 'jti-1', 260, 161)).toBe(true);
  });

  it('drops expired entries first and stays within its capacity', () => {
    const cache = new AssertionReplayCache(3);
    cache.claim('svc', 'a', 110, 100);
    cache.claim('svc', 'b', 200, 100);
    cache.claim('svc', 'c', 200, 100);
    // At 150 "a" has expired: it goes, and the live ones stay.
    expect(cache.claim('svc', 'd', 250, 150)).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.claim('svc', 'b', 200, 150)).toBe(false);
    // Full of live entries: the oldest gives way rather than a valid assertion being refused.
    expect(cache.claim('svc', 'e', 250, 150)).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.claim('svc', 'e', 250, 150)).toBe(false);
  });
});
