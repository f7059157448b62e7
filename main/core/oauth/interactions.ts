import type { ProviderContext } from '../context';
import type { AuthorizationRequest } from './authorize';
import { invalidRequest } from './errors';
import { type Params, readRepeated } from './params';

/**
 * The largest value, in UTF-8 bytes, of each authorization request parameter a login page keeps in
 * memory until it is answered. Generous for real clients (a state that carries a return URL, a JWT-sized
 * login_hint) and small enough that a page posting the largest allowed request costs kilobytes, not
 * the 250 kB a state could be before.
 */
export const PARAMETER_LIMITS = {
  state: 2048,
  nonce: 2048,
  login_hint: 1024,
  scope: 2048,
  prompt: 256,
  resource: 2048,
} as const;

/** `resource` may repeat (RFC 8707); this many values at most. */
export const MAX_RESOURCES = 20;

/** Pending sign-ins kept at once; past it (or past MAX_PENDING_BYTES) the oldest is dropped. */
export const MAX_PENDING = 1000;
export const MAX_PENDING_BYTES = 8 * 1024 * 1024;

/** What a pending sign-in costs besides its strings: the record, its map entry, id and binding. */
const PENDING_OVERHEAD_BYTES = 512;

const utf8Length = (value: string) => Buffer.byteLength(value, 'utf8');

/** Refuses a parameter over its limit with invalid_request, naming it, the limit and its size. */
export function checkParameterSizes(params: Params): void {
  for (const [name, limit] of Object.entries(PARAMETER_LIMITS)) {
    const values = name === 'resource' ? readRepeated(params, name) : [params[name] ?? ''];
    for (const value of values) {
      const size = utf8Length(value);
      if (size > limit) throw invalidRequest(`${name} is too long: at most ${limit} bytes (got ${size}).`);
    }
  }
  const resources = readRepeated(params, 'resource').length;
  if (resources > MAX_RESOURCES) {
    throw invalidRequest(`At most ${MAX_RESOURCES} resource parameters (got ${resources}).`);
  }
}

/** The state to send back with an error: one over its limit is not echoed (it is why the request failed). */
export function echoableState(state: string | undefined): string | null {
  return state !== undefined && utf8Length(state) <= PARAMETER_LIMITS.state ? state : null;
}

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
