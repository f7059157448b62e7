import {
  describeFault,
  type Fault,
  type FaultEffect,
  type FaultEndpoint,
  type ParsedFaultInput,
} from '../../../shared/faults';
import type { GrantType } from '../../../shared/schemas';
import type { Clock } from '../lib/clock';
import type { EventLog } from '../store/events';
import type { GroupCommit } from '../store/group-commit';

interface ActiveFault {
  id: string;
  endpoint: FaultEndpoint;
  effect: FaultEffect;
  grantType: GrantType | null;
  /** The scope as given. */
  requests: number | null;
  seconds: number | null;
  remaining: number | null;
  /** Provider time (ms) at which it turns itself off. */
  expiresAt: number | null;
  addedAt: number;
  applied: number;
}

/** What the HTTP layer does to a request before its route runs. */
export interface FaultsBeforeRoute {
  /** The sum of every matching latency fault. */
  delayMs: number;
  /** The fault that answers instead of the endpoint (an error, a reset), if one matches. */
  effect: FaultEffect | null;
}

const NO_FAULT: FaultsBeforeRoute = { delayMs: 0, effect: null };

/** How often timed faults are checked for expiry, so one ends (and says so) without waiting for a request. */
const SWEEP_INTERVAL_MS = 1000;

/**
 * Kinds the endpoint itself applies, because they change what it answers rather than whether: the
 * documents' content faults, and an OAuth error at /authorize, which goes back to the client's
 * redirect_uri once the endpoint has checked it.
 */
export function appliedByEndpoint(endpoint: FaultEndpoint, kind: FaultEffect['kind']): boolean {
  return (
    kind === 'jwks_missing_current_key' ||
    kind === 'discovery_wrong_issuer' ||
    (endpoint === 'authorize' && kind === 'oauth_error')
  );
}

/**
 * The faults that are on (QA lab, shared/faults.ts). They live in memory only: a fault is a test-time
 * switch, not workspace data, so a restart turns every fault off and an export never carries one.
 * Each fault counts the requests it applied to and turns itself off when its requests are used or its
 * time (provider time, ctx.clock) has run out; both record a `fault.expired` event. Requests look at the
 * board only when `size` is not zero, so an engine without faults pays one property read per request.
 */
export class FaultBoard {
  private faults: ActiveFault[] = [];
  private nextId = 1;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly writes: GroupCommit,
  ) {}

  get size(): number {
    return this.faults.length;
  }

  add(input: ParsedFaultInput): Fault {
    const now = this.clock.now();
    const fault: ActiveFault = {
      id: `f${this.nextId++}`,
      endpoint: input.endpoint,
      effect: input.effect,
      grantType: input.grant_type ?? null,
      requests: input.requests ?? null,
      seconds: input.seconds ?? null,
      remaining: input.requests ?? null,
      expiresAt: input.seconds === undefined ? null : now + input.seconds * 1000,
      addedAt: now,
      applied: 0,
    };
    this.faults.push(fault);
    if (fault.expiresAt !== null) this.startSweeper();
    this.events.record('fault.added', { data: this.eventData(fault) });
    return this.toFault(fault);
  }

  /** Turns one fault off; false when no fault has that id (it may have turned itself off). */
  remove(id: string): boolean {
    const fault = this.faults.find((f) => f.id === id);
    if (!fault) return false;
    this.faults = this.faults.filter((f) => f !== fault);
    this.events.record('fault.removed', { data: this.eventData(fault) });
    return true;
  }

  /** All faults off; returns how many were on. */
  clear(): number {
    const cleared = this.faults.length;
    this.faults = [];
    this.stopSweeper();
    if (cleared > 0) this.events.record('faults.cleared', { data: { cleared } });
    return cleared;
  }

  /** The faults on now, oldest first. */
  list(): Fault[] {
    this.sweep();
    return this.faults.map((fault) => this.toFault(fault));
  }

  /**
   * For the HTTP layer, before the route: every matching latency fault adds its delay, and the oldest
   * matching fault that answers instead (an error, a reset) is taken. Each fault applied is counted.
   */
  beforeRoute(endpoint: FaultEndpoint, grantType: string | undefined): FaultsBeforeRoute {
    this.sweep();
    let delayMs = 0;
    let answer: ActiveFault | null = null;
    for (const fault of this.matching(endpoint, grantType)) {
      if (appliedByEndpoint(endpoint, fault.effect.kind)) continue;
      if (fault.effect.kind === 'latency') delayMs += fault.effect.ms;
      else if (answer === null) answer = fault;
      else continue;
      this.count(fault);
    }
    return delayMs === 0 && answer === null ? NO_FAULT : { delayMs, effect: answer?.effect ?? null };
  }

  /** For an endpoint's handler: the oldest matching fault it applies itself (see appliedByEndpoint). */
  inEndpoint(endpoint: FaultEndpoint): FaultEffect | null {
    this.sweep();
    const fault = this.matching(endpoint, undefined).find((f) => appliedByEndpoint(endpoint, f.effect.kind));
    if (!fault) return null;
    this.count(fault);
    return fault.effect;
  }

  /** Stops the expiry check (the engine is closing). */
  close(): void {
    this.stopSweeper();
  }

  private matching(endpoint: FaultEndpoint, grantType: string | undefined): ActiveFault[] {
    return this.faults.filter(
      (fault) => fault.endpoint === endpoint && (fault.grantType === null || fault.grantType === grantType),
    );
  }

  private count(fault: ActiveFault): void {
    fault.applied++;
    if (fault.remaining === null) return;
    fault.remaining--;
    if (fault.remaining === 0) this.expire(fault, 'requests');
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const fault of this.faults) {
      if (fault.expiresAt !== null && now >= fault.expiresAt) this.expire(fault, 'seconds');
    }
  }

  private expire(fault: ActiveFault, reason: 'requests' | 'seconds'): void {
    this.faults = this.faults.filter((f) => f !== fault);
    if (!this.faults.some((f) => f.expiresAt !== null)) this.stopSweeper();
    const data = { ...this.eventData(fault), reason, applied: fault.applied };
    // Often noticed on a request's path: the event is an observation the answer does not wait for.
    this.writes.runDetached(() => this.events.record('fault.expired', { data }));
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  private eventData(fault: ActiveFault): Record<string, unknown> {
    return {
      fault_id: fault.id,
      endpoint: fault.endpoint,
      kind: fault.effect.kind,
      description: this.describe(fault),
    };
  }

  private describe(fault: ActiveFault): string {
    return describeFault({
      endpoint: fault.endpoint,
      effect: fault.effect,
      grant_type: fault.grantType,
      requests: fault.requests,
      seconds: fault.seconds,
    });
  }

  private toFault(fault: ActiveFault): Fault {
    return {
      id: fault.id,
      endpoint: fault.endpoint,
      effect: fault.effect,
      grant_type: fault.grantType,
      requests: fault.requests,
      seconds: fault.seconds,
      remaining_requests: fault.remaining,
      expires_at: fault.expiresAt === null ? null : new Date(fault.expiresAt).toISOString(),
      added_at: new Date(fault.addedAt).toISOString(),
      applied: fault.applied,
      description: this.describe(fault),
    };
  }
}
