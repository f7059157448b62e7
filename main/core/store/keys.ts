import { importJWK, type JWK } from 'jose';
import { AdminError } from '../../../shared/errors';
import type { KeyExport, KeyStatus, SigningAlg, SigningKey } from '../../../shared/schemas';
import { type Clock, isoFromSeconds, secondsFromIso } from '../lib/clock';
import { publicPart } from '../lib/jwk';
import { CommittedCache } from './committed-cache';
import { type Db, statement } from './database';
import { parseJson } from './json';

export type { KeyStatus };

export interface KeyRecord {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  private_jwk: JWK;
  public_jwk: JWK;
  created_at: number;
  retired_at: number | null;
  /** A next key's scheduled start (Unix seconds); null when it waits for an explicit activation. */
  activates_at: number | null;
  /** When the key started signing; null while it is next (or if it never signed). */
  activated_at: number | null;
}

interface KeyRow extends Omit<KeyRecord, 'private_jwk' | 'public_jwk'> {
  private_jwk: string;
  public_jwk: string;
}

const toRecord = (row: KeyRow): KeyRecord => ({
  ...row,
  private_jwk: parseJson(row.private_jwk),
  public_jwk: parseJson(row.public_jwk),
});

const isoOrNull = (value: number | null) => (value === null ? null : isoFromSeconds(value));

export function keyDto(key: KeyRecord): SigningKey {
  return {
    kid: key.kid,
    alg: key.alg,
    status: key.status,
    created_at: isoFromSeconds(key.created_at),
    retired_at: isoOrNull(key.retired_at),
    activates_at: isoOrNull(key.activates_at),
    activated_at: isoOrNull(key.activated_at),
    public_jwk: key.public_jwk as SigningKey['public_jwk'],
  };
}

/** The smallest RSA modulus jose signs with (RFC 7518 §3.3): a smaller key imported, then failed every signature. */
const MIN_RSA_BITS = 2048;

/** Refuses a key that imports but that the signer would refuse (or should): too short, wrong curve. */
function assertSigningStrength(exported: KeyExport, key: Awaited<ReturnType<typeof importJWK>>): void {
  // A WebCrypto key (jose 6): its algorithm names the curve or the modulus length.
  const algorithm = (key as { algorithm?: Record<string, unknown> }).algorithm;
  const refuse = (why: string) => {
    throw new AdminError('invalid_input', `Key "${exported.kid}" cannot sign ${exported.alg}: ${why}`);
  };
  if (exported.alg === 'RS256' || exported.alg === 'PS256') {
    const bits = typeof algorithm?.modulusLength === 'number' ? algorithm.modulusLength : 0;
    if (bits < MIN_RSA_BITS)
      refuse(`RSA keys must have at least ${MIN_RSA_BITS} bits (this one has ${bits}).`);
  } else if (exported.alg === 'ES256') {
    if (algorithm?.namedCurve !== 'P-256')
      refuse(`ES256 needs a P-256 key (this one is ${String(algorithm?.namedCurve ?? 'not an EC key')}).`);
  } else if (algorithm?.name !== 'Ed25519') {
    refuse(`EdDSA needs an Ed25519 key (this one is ${String(algorithm?.name ?? 'another kind')}).`);
  }
}

export async function keyFromExport(exported: KeyExport): Promise<KeyRecord> {
  const privateJwk = exported.private_jwk as JWK;
  // Importing proves the JWK is a usable private key for its algorithm before anything is stored.
  assertSigningStrength(exported, await importJWK(privateJwk, exported.alg));
  if (!privateJwk.d)
    throw new AdminError('invalid_input', `Key "${exported.kid}" has no private part ("d").`);
  const createdAt = secondsFromIso(exported.created_at) || 0;
  const next = exported.status === 'next';
  return {
    kid: exported.kid,
    alg: exported.alg,
    status: exported.status,
    private_jwk: { ...privateJwk, kid: exported.kid, alg: exported.alg, use: 'sig' },
    public_jwk: { ...publicPart(privateJwk), kid: exported.kid, alg: exported.alg, use: 'sig' },
    created_at: createdAt,
    retired_at: null,
    activates_at: next && exported.activates_at ? secondsFromIso(exported.activates_at) : null,
    // A key exported before activated_at was: it has signed since it was made, as far as anyone knows.
    activated_at: next ? null : exported.activated_at ? secondsFromIso(exported.activated_at) : createdAt,
  };
}

interface KeyIndex {
  /** Newest first. */
  all: KeyRecord[];
  current: KeyRecord | undefined;
  next: KeyRecord | undefined;
  published: KeyRecord[];
}

interface ScheduledActivation {
  clock: Clock;
  activate: (next: KeyRecord) => void;
  running: boolean;
}

export class KeyStore {
  /** The keys, read by every signature, JWT verification and JWKS request. */
  readonly cache: CommittedCache<KeyIndex>;
  private scheduled: ScheduledActivation | null = null;

  constructor(private readonly db: Db) {
    this.cache = new CommittedCache(db, () => {
      const all = (
        statement(this.db, 'SELECT * FROM signing_keys ORDER BY created_at DESC, kid').all() as KeyRow[]
      ).map(toRecord);
      return {
        all,
        current: all.find((key) => key.status === 'current'),
        next: all.find((key) => key.status === 'next'),
        published: all.filter((key) => key.status !== 'retired'),
      };
    });
  }

  list(): KeyRecord[] {
    return this.cache.get().all;
  }

  /**
   * The key that signs now. A next key whose activation time has come is activated here, by the
   * first signature (or read) that needs it, so the switch happens exactly at that time by the
   * engine's clock, whether or not a timer has fired yet (tests freeze and advance the clock).
   */
  current(): KeyRecord | undefined {
    const { current, next } = this.cache.get();
    const scheduled = this.scheduled;
    if (
      next?.activates_at == null ||
      !scheduled ||
      scheduled.running ||
      next.activates_at * 1000 > scheduled.clock.now()
    ) {
      return current;
    }
    scheduled.running = true;
    try {
      scheduled.activate(next);
    } finally {
      scheduled.running = false;
    }
    return this.cache.get().current;
  }

  /** The staged key: published, not signing yet. */
  next(): KeyRecord | undefined {
    return this.cache.get().next;
  }

  /** Lets `current()` activate a due next key through `activate` (which records the event). */
  activateWhenDue(clock: Clock, activate: (next: KeyRecord) => void): void {
    this.scheduled = { clock, activate, running: false };
  }

  find(kid: string): KeyRecord | undefined {
    return this.list().find((key) => key.kid === kid);
  }

  /** Keys that appear in the JWKS: the next one, the current one and previous ones not yet retired. */
  published(): KeyRecord[] {
    return this.cache.get().published;
  }

  /**
   * Stores `key` as current and demotes the old current key to previous (still published). It signs
   * from `now` unless the record knows an earlier start (an imported key).
   */
  install(key: KeyRecord, now: number): void {
    this.cache.invalidate();
    statement(this.db, "UPDATE signing_keys SET status = 'previous' WHERE status = 'current'").run();
    this.insert({ ...key, status: 'current', activates_at: null, activated_at: key.activated_at ?? now });
  }

  /** Stores `key` as next (published, not signing); there is at most one. */
  stage(key: KeyRecord, activatesAt: number | null): KeyRecord {
    this.assertNothingStaged();
    const staged: KeyRecord = { ...key, status: 'next', activates_at: activatesAt, activated_at: null };
    this.insert(staged);
    return staged;
  }

  /** Only one key is next at a time: a second staging is refused, naming the pending one. */
  assertNothingStaged(): void {
    const pending = this.next();
    if (!pending) return;
    const when =
      pending.activates_at === null
        ? 'it waits to be activated'
        : `it starts signing at ${isoFromSeconds(pending.activates_at)}`;
    throw new AdminError(
      'conflict',
      `Key ${pending.kid} is already staged as next (${when}). Activate it or retire it before staging another.`,
    );
  }

  /** The next key signs from `now`; the current one becomes previous. Returns both. */
  activate(kid: string, now: number): { key: KeyRecord; previous: KeyRecord | undefined } {
    const next = this.next();
    if (!next || next.kid !== kid) {
      const key = this.find(kid);
      throw key
        ? new AdminError(
            'conflict',
            `Key ${kid} is ${key.status}, not next: only a staged key can be activated.`,
          )
        : new AdminError('not_found', `No signing key with kid "${kid}".`);
    }
    const previous = this.cache.get().current;
    this.cache.invalidate();
    statement(this.db, "UPDATE signing_keys SET status = 'previous' WHERE status = 'current'").run();
    statement(
      this.db,
      "UPDATE signing_keys SET status = 'current', activates_at = NULL, activated_at = ? WHERE kid = ?",
    ).run(now, kid);
    return { key: { ...next, status: 'current', activates_at: null, activated_at: now }, previous };
  }

  insert(key: KeyRecord): void {
    this.cache.invalidate();
    statement(
      this.db,
      `INSERT INTO signing_keys (kid, alg, status, private_jwk, public_jwk, created_at, retired_at, activates_at, activated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (kid) DO UPDATE SET status = excluded.status, retired_at = excluded.retired_at,
           activates_at = excluded.activates_at, activated_at = excluded.activated_at`,
    ).run(
      key.kid,
      key.alg,
      key.status,
      JSON.stringify(key.private_jwk),
      JSON.stringify(key.public_jwk),
      key.created_at,
      key.retired_at,
      key.activates_at,
      key.activated_at,
    );
  }

  /** Takes a previous key, or a next one (cancelling the staged rotation), out of the JWKS. */
  retire(kid: string, now: number): KeyRecord {
    const key = this.find(kid);
    if (!key) throw new AdminError('not_found', `No signing key with kid "${kid}".`);
    if (key.status === 'current') {
      throw new AdminError(
        'conflict',
        'The current signing key cannot be retired. Rotate first, then retire it.',
      );
    }
    this.cache.invalidate();
    statement(
      this.db,
      "UPDATE signing_keys SET status = 'retired', retired_at = ?, activates_at = NULL WHERE kid = ?",
    ).run(now, kid);
    return { ...key, status: 'retired', retired_at: now, activates_at: null };
  }

  deleteAll(): void {
    this.cache.invalidate();
    statement(this.db, 'DELETE FROM signing_keys').run();
  }
}
