import { randomInt } from 'node:crypto';
import { seconds } from '../lib/clock';
import { hashTokenValue, randomToken } from '../lib/secrets';
import type { ProviderContext } from '../provider/context';

/** How long a device code and its user code are valid (RFC 8628 §3.2 expires_in), provider clock. */
export const DEVICE_CODE_TTL_SECONDS = 600;
/** The least time a device waits between polls (RFC 8628 §3.2 interval); slow_down adds 5 (§3.5). */
export const DEVICE_POLL_INTERVAL_SECONDS = 5;
export const SLOW_DOWN_STEP_SECONDS = 5;
/**
 * Device authorizations held at once; past it the oldest is dropped (its device then gets
 * invalid_grant). Any client may ask for one, so without a bound each was kept for ten minutes.
 */
export const MAX_DEVICE_AUTHORIZATIONS = 1000;
/**
 * An expired one is kept this much longer, so a device still polling hears expired_token rather than
 * invalid_grant, and the admin list shows how it ended.
 */
const KEPT_AFTER_EXPIRY_SECONDS = 600;

/**
 * RFC 8628 §6.1: consonants only, without ones easily confused (no vowels, so no words either). Eight
 * of them are 20^8 ≈ 2.6·10^10 codes, against at most MAX_DEVICE_AUTHORIZATIONS valid at once.
 */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const USER_CODE_LENGTH = 8;

export type DeviceStatus = 'pending' | 'approved' | 'denied' | 'redeemed';

/** Who approved a device, and how they signed in: what its tokens say about the user. */
export interface DeviceApproval {
  userId: string;
  username: string;
  /** Seconds; when the user signed in (or was approved by the admin). */
  authTime: number;
  amr: string[];
}

export interface DeviceAuthorization {
  deviceCodeHash: string;
  /** Normalised: the eight characters without the dash. */
  userCode: string;
  clientId: string;
  scope: string;
  resources: string[];
  /** Seconds, provider clock. */
  createdAt: number;
  expiresAt: number;
  interval: number;
  /** Milliseconds, provider clock; when the device last polled (slow_down compares with it). */
  lastPollAt: number | null;
  status: DeviceStatus;
  approval: DeviceApproval | null;
}

/** XXXX-XXXX, as the page and the device show it. */
export function formatUserCode(userCode: string): string {
  return `${userCode.slice(0, 4)}-${userCode.slice(4)}`;
}

/**
 * What the user typed, as the stored code: case, spaces and dashes do not matter (RFC 8628 §6.1).
 * Null when it cannot be a user code at all.
 */
export function normaliseUserCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== USER_CODE_LENGTH) return null;
  for (const ch of code) if (!USER_CODE_ALPHABET.includes(ch)) return null;
  return code;
}

function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/**
 * The device authorizations of one provider, in memory: they live ten minutes, like the pages waiting
 * for a user, and a restart ends them as it ends those. The device code is kept only as its hash.
 */
export class DeviceAuthorizationStore {
  /** By device code hash; a Map iterates in insertion order, so the first is the oldest. */
  private readonly byDeviceCode = new Map<string, DeviceAuthorization>();
  private readonly byUserCode = new Map<string, string>();

  constructor(private readonly ctx: ProviderContext) {}

  /** Starts one; returns the device code (only its hash is kept) and the record. */
  create(
    clientId: string,
    scope: string,
    resources: string[],
  ): { deviceCode: string; device: DeviceAuthorization } {
    this.evict();
    let userCode = newUserCode();
    while (this.byUserCode.has(userCode)) userCode = newUserCode();
    const deviceCode = randomToken();
    const now = seconds(this.ctx.clock);
    const device: DeviceAuthorization = {
      deviceCodeHash: hashTokenValue(deviceCode),
      userCode,
      clientId,
      scope,
      resources,
      createdAt: now,
      expiresAt: now + DEVICE_CODE_TTL_SECONDS,
      interval: DEVICE_POLL_INTERVAL_SECONDS,
      lastPollAt: null,
      status: 'pending',
      approval: null,
    };
    this.byDeviceCode.set(device.deviceCodeHash, device);
    this.byUserCode.set(userCode, device.deviceCodeHash);
    this.ctx.events.record('device.requested', {
      client_id: clientId,
      data: { user_code: formatUserCode(userCode), scope, expires_in: DEVICE_CODE_TTL_SECONDS },
    });
    return { deviceCode, device };
  }

  findByDeviceCode(deviceCode: string): DeviceAuthorization | undefined {
    return this.byDeviceCode.get(hashTokenValue(deviceCode));
  }

  /** A device the user may still approve or deny: pending and not expired. */
  findPending(typedUserCode: string): DeviceAuthorization | undefined {
    const userCode = normaliseUserCode(typedUserCode);
    const hash = userCode === null ? undefined : this.byUserCode.get(userCode);
    const device = hash === undefined ? undefined : this.byDeviceCode.get(hash);
    return device?.status === 'pending' && !this.isExpired(device) ? device : undefined;
  }

  isExpired(device: DeviceAuthorization): boolean {
    return device.expiresAt <= seconds(this.ctx.clock);
  }

  /** The user's answer (at /device or from the admin); `via` says which, in the event. */
  approve(device: DeviceAuthorization, approval: DeviceApproval, via: 'page' | 'admin'): void {
    device.status = 'approved';
    device.approval = approval;
    this.record(device, 'device.approved', approval.username, via);
  }

  deny(device: DeviceAuthorization, username: string | null, via: 'page' | 'admin'): void {
    device.status = 'denied';
    this.record(device, 'device.denied', username, via);
  }

  private record(
    device: DeviceAuthorization,
    type: 'device.approved' | 'device.denied',
    username: string | null,
    via: 'page' | 'admin',
  ): void {
    this.ctx.events.record(type, {
      client_id: device.clientId,
      username,
      data: { user_code: formatUserCode(device.userCode), scope: device.scope, via },
    });
  }

  /** Newest first. */
  list(): DeviceAuthorization[] {
    this.evict();
    return [...this.byDeviceCode.values()].reverse();
  }

  /** Long expired ones first; then, while over the bound, the oldest. */
  private evict(): void {
    const cutoff = seconds(this.ctx.clock) - KEPT_AFTER_EXPIRY_SECONDS;
    for (const device of this.byDeviceCode.values()) if (device.expiresAt <= cutoff) this.delete(device);
    for (const device of this.byDeviceCode.values()) {
      if (this.byDeviceCode.size < MAX_DEVICE_AUTHORIZATIONS) break;
      this.delete(device);
    }
  }

  private delete(device: DeviceAuthorization): void {
    this.byDeviceCode.delete(device.deviceCodeHash);
    this.byUserCode.delete(device.userCode);
  }
}

const stores = new WeakMap<ProviderContext, DeviceAuthorizationStore>();

/** The device authorizations of one provider (one engine): the same store for every caller. */
export function deviceAuthorizationsOf(ctx: ProviderContext): DeviceAuthorizationStore {
  let store = stores.get(ctx);
  if (!store) {
    store = new DeviceAuthorizationStore(ctx);
    stores.set(ctx, store);
  }
  return store;
}
