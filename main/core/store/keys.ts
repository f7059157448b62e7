import { importJWK, type JWK } from 'jose';
import { AdminError } from '../../../shared/errors';
import type { KeyExport, SigningAlg, SigningKey } from '../../../shared/schemas';
import { publicPart } from '../keygen';
import { CommittedCache } from './committed-cache';
import { type Db, statement } from './database';
import { parseJson } from './json';

export type KeyStatus = 'current' | 'previous' | 'retired';

export interface KeyRecord {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  private_jwk: JWK;
  public_jwk: JWK;
  created_at: number;
  retired_at: number | null;
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

export function keyDto(key: KeyRecord): SigningKey {
  return {
    kid: key.kid,
    alg: key.alg,
    status: key.status,
    created_at: new Date(key.created_at * 1000).toISOString(),
    retired_at: key.retired_at === null ? null : new Date(key.retired_at * 1000).toISOString(),
    public_jwk: key.public_jwk as SigningKey['public_jwk'],
  };
}

export async function keyFromExport(exported: KeyExport): Promise<KeyRecord> {
  const privateJwk = exported.private_jwk as JWK;
  // Importing proves the JWK is a usable private key for its algorithm before anything is stored.
  await importJWK(privateJwk, exported.alg);
  if (!privateJwk.d)
    throw new AdminError('invalid_input', `Key "${exported.kid}" has no private part ("d").`);
  return {
    kid: exported.kid,
    alg: exported.alg,
    status: exported.status,
    private_jwk: { ...privateJwk, kid: exported.kid, alg: exported.alg, use: 'sig' },
    public_jwk: { ...publicPart(privateJwk), kid: exported.kid, alg: exported.alg, use: 'sig' },
    created_at: Math.floor(Date.parse(exported.created_at) / 1000) || 0,
    retired_at: null,
  };
}

interface KeyIndex {
  /** Newest first. */
  all: KeyRecord[];
  current: KeyRecord | undefined;
  published: KeyRecord[];
}

export class KeyStore {
  /** The keys, read by every signature, JWT verification and JWKS request. */
  readonly cache: CommittedCache<KeyIndex>;

  constructor(private readonly db: Db) {
    this.cache = new CommittedCache(db, () => {
      const all = (
        statement(this.db, 'SELECT * FROM signing_keys ORDER BY created_at DESC, kid').all() as KeyRow[]
      ).map(toRecord);
      return {
        all,
        current: all.find((key) => key.status === 'current'),
        published: all.filter((key) => key.status !== 'retired'),
      };
    });
  }

  list(): KeyRecord[] {
    return this.cache.get().all;
  }

  current(): KeyRecord | undefined {
    return this.cache.get().current;
  }

  find(kid: string): KeyRecord | undefined {
    return this.list().find((key) => key.kid === kid);
  }

  /** Keys that appear in the JWKS: the current one and previous ones not yet retired. */
  published(): KeyRecord[] {
    return this.cache.get().published;
  }

  /** Stores `key` as current and demotes the old current key to previous (still published). */
  install(key: KeyRecord): void {
    this.cache.invalidate();
    statement(this.db, "UPDATE signing_keys SET status = 'previous' WHERE status = 'current'").run();
    this.insert(key);
  }

  insert(key: KeyRecord): void {
    this.cache.invalidate();
    statement(
      this.db,
      `INSERT INTO signing_keys (kid, alg, status, private_jwk, public_jwk, created_at, retired_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (kid) DO UPDATE SET status = excluded.status, retired_at = excluded.retired_at`,
    ).run(
      key.kid,
      key.alg,
      key.status,
      JSON.stringify(key.private_jwk),
      JSON.stringify(key.public_jwk),
      key.created_at,
      key.retired_at,
    );
  }

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
    statement(this.db, "UPDATE signing_keys SET status = 'retired', retired_at = ? WHERE kid = ?").run(
      now,
      kid,
    );
    return { ...key, status: 'retired', retired_at: now };
  }

  deleteAll(): void {
    this.cache.invalidate();
    statement(this.db, 'DELETE FROM signing_keys').run();
  }
}
