import { describe, expect, it } from 'vitest';
import { DPOP_NONCE_PERIOD_SECONDS, DpopProofMemory } from '../../main/core/provider/dpop-proofs';
import { frozenClock } from '../helpers/clock';

describe('DPoP-Nonce values (RFC 9449 §8)', () => {
  it('accepts the current nonce and the one before it, then refuses it', () => {
    const clock = frozenClock(Date.UTC(2026, 0, 1));
    const memory = new DpopProofMemory(clock);
    const nonce = memory.nonce();
    expect(nonce).toMatch(/^[\w-]{43}$/);
    expect(memory.nonceAccepted(nonce)).toBe(true);
    clock.advance(DPOP_NONCE_PERIOD_SECONDS);
    expect(memory.nonce()).not.toBe(nonce);
    expect(memory.nonceAccepted(nonce)).toBe(true);
    clock.advance(DPOP_NONCE_PERIOD_SECONDS);
    expect(memory.nonceAccepted(nonce)).toBe(false);
  });

  it('refuses a made-up nonce and the nonces of another engine', () => {
    const clock = frozenClock(Date.UTC(2026, 0, 1));
    const memory = new DpopProofMemory(clock);
    expect(memory.nonceAccepted('guess')).toBe(false);
    expect(memory.nonceAccepted(new DpopProofMemory(clock).nonce())).toBe(false);
  });
});
