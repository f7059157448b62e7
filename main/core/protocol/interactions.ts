import type { ProviderContext } from '../provider/context';
import type { AuthorizationRequest } from './authorization-request';

/** Pending sign-ins kept at once; past it (or past MAX_PENDING_BYTES) the oldest is dropped. */
export const MAX_PENDING = 1000;
export const MAX_PENDING_BYTES = 8 * 1024 * 1024;

/** What a pending sign-in costs besides its strings: the record, its map entry, id and binding. */
const PENDING_OVERHEAD_BYTES = 512;

/** An upper bound of the memory a pending page holds: two bytes per UTF-16 unit of its own strings. */
export function heldBytes(strings: ReadonlyArray<string | null | undefined>): number {
  let units = 0;
  for (const value of strings) units += value?.length ?? 0;
  return 2 * units + PENDING_OVERHEAD_BYTES;
}

function requestBytes(request: AuthorizationRequest): number {
  return heldBytes([
    request.redirectUri,
    request.scope,
    request.state,
    request.nonce,
    request.codeChallenge,
    request.loginHint,
    ...request.resources,
    ...request.prompt,
  ]);
}

interface Pending {
  request: AuthorizationRequest;
  expiresAt: number;
}

/**
 * Pages waiting for the user (a login page's request, a sign-out confirmation), bounded in count and
 * bytes: any web page can make the browser open one, so without a bound each was kept for ten minutes
 * whatever its size. When full, the oldest is dropped; its page then answers that it expired.
 */
export class InteractionStore<T extends { expiresAt: number }> {
  private readonly entries = new Map<string, { value: T; bytes: number }>();
  private totalBytes = 0;

  constructor(
    private readonly now: () => number,
    private readonly sizeOf: (value: T) => number,
    readonly maxCount = MAX_PENDING,
    readonly maxBytes = MAX_PENDING_BYTES,
  ) {}

  /** How many sign-ins are pending, and the bytes they hold (an upper bound). */
  get count(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  set(id: string, value: T): void {
    this.delete(id);
    const bytes = this.sizeOf(value);
    this.entries.set(id, { value, bytes });
    this.totalBytes += bytes;
    this.evict();
  }

  /** The pending sign-in, unless it expired or was dropped. */
  get(id: string): T | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.value.expiresAt < this.now()) {
      this.delete(id);
      return undefined;
    }
    return entry.value;
  }

  delete(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.totalBytes -= entry.bytes;
  }

  /** Expired ones first; then, while over a limit, the oldest (a Map iterates in insertion order). */
  private evict(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (entry.value.expiresAt < now) this.delete(id);
    for (const [id] of this.entries) {
      if (this.entries.size <= this.maxCount && this.totalBytes <= this.maxBytes) break;
      this.delete(id);
    }
  }
}

const stores = new WeakMap<ProviderContext, InteractionStore<Pending>>();

/** The pending sign-ins of one provider (one engine); the same store for every caller. */
export function interactionsOf<T extends Pending>(ctx: ProviderContext): InteractionStore<T> {
  let store = stores.get(ctx);
  if (!store) {
    store = new InteractionStore<Pending>(
      () => ctx.clock.now(),
      (pending) => requestBytes(pending.request),
    );
    stores.set(ctx, store);
  }
  // Only authorize.ts stores and reads these, always with its own Interaction type.
  return store as unknown as InteractionStore<T>;
}
