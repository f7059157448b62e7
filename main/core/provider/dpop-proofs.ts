import { createHmac } from 'node:crypto';
import type { Clock } from '../lib/clock';
import { randomToken, safeEqual } from '../lib/secrets';
import { AssertionReplayCache } from './client-assertions';

/**
 * How long a DPoP-Nonce is handed out before the next one; one is accepted for this long after that
 * too, so a client that fetched a nonce just before the change still gets in (at most 2 × this).
 */
export const DPOP_NONCE_PERIOD_SECONDS = 300;

/**
 * What the engine remembers of RFC 9449 DPoP proofs, in memory, one per engine: the jti of each proof
 * accepted recently (keyed by key thumbprint), so a replayed proof is refused, and the secret the
 * DPoP-Nonce values (§8) are derived from. A nonce is an HMAC of the current time period, so nothing is
 * stored per nonce; a restart changes the secret and clients answer the use_dpop_nonce error with a
 * fresh proof, as they must anyway.
 */
export class DpopProofMemory {
  readonly replay = new AssertionReplayCache();
  private readonly secret = randomToken();

  constructor(private readonly clock: Clock) {}

  private period(): number {
    return Math.floor(this.clock.now() / 1000 / DPOP_NONCE_PERIOD_SECONDS);
  }

  private nonceOf(period: number): string {
    return createHmac('sha256', this.secret).update(`dpop-nonce:${period}`).digest('base64url');
  }

  /** The nonce a client is told to put in its next proofs (the DPoP-Nonce header). */
  nonce(): string {
    return this.nonceOf(this.period());
  }

  /** Whether `given` is the current nonce or the one just before it. */
  nonceAccepted(given: string): boolean {
    const period = this.period();
    return safeEqual(given, this.nonceOf(period)) || safeEqual(given, this.nonceOf(period - 1));
  }
}
