import { hashTokenValue, randomToken } from '../lib/secrets';
import { type Db, statement } from './database';
import { parseJson } from './json';

interface CodeRecord {
  code_hash: string;
  grant_id: string;
  client_id: string;
  redirect_uri: string;
  scope: string;
  nonce: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
  /** RFC 8707 resource indicators from the authorization request. */
  resources: string[];
  /** How the user authenticated (OIDC amr), e.g. ["pwd"]. */
  amr: string[];
  issued_at: number;
  expires_at: number;
  used_at: number | null;
}

/** Authorization codes, stored by hash; `used_at` makes them single-use. */
export class CodeStore {
  constructor(private readonly db: Db) {}

  create(fields: Omit<CodeRecord, 'code_hash' | 'used_at'>): string {
    const code = randomToken();
    statement(
      this.db,
      `INSERT INTO auth_codes (code_hash, grant_id, client_id, redirect_uri, scope, nonce, code_challenge,
           code_challenge_method, resources, amr, issued_at, expires_at)
         VALUES (@code_hash, @grant_id, @client_id, @redirect_uri, @scope, @nonce, @code_challenge,
           @code_challenge_method, @resources, @amr, @issued_at, @expires_at)`,
    ).run({
      ...fields,
      resources: JSON.stringify(fields.resources),
      amr: JSON.stringify(fields.amr),
      code_hash: hashTokenValue(code),
    });
    return code;
  }

  find(code: string): CodeRecord | undefined {
    const row = statement(this.db, 'SELECT * FROM auth_codes WHERE code_hash = ?').get(
      hashTokenValue(code),
    ) as (Omit<CodeRecord, 'resources' | 'amr'> & { resources: string; amr: string }) | undefined;
    if (!row) return undefined;
    // Parsed in place: the row is this call's own object, so no copy of it is needed.
    const record = row as unknown as CodeRecord;
    record.resources = parseJson(row.resources);
    record.amr = parseJson(row.amr);
    return record;
  }

  /** Ends one code's lifetime at `at` (the lab's expired-code scenario); false when there is no such code. */
  expire(code: string, at: number): boolean {
    return (
      statement(this.db, 'UPDATE auth_codes SET expires_at = ? WHERE code_hash = ?').run(
        at,
        hashTokenValue(code),
      ).changes > 0
    );
  }

  /** Atomically marks the code used; false when it already was (a replay). */
  markUsed(codeHash: string, now: number): boolean {
    return (
      statement(this.db, 'UPDATE auth_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL').run(
        now,
        codeHash,
      ).changes > 0
    );
  }

  purgeExpiredBefore(cutoff: number): number {
    return statement(this.db, 'DELETE FROM auth_codes WHERE expires_at < ?').run(cutoff).changes;
  }
}
