import { hashTokenValue, secretMatches } from '../lib/secrets';
import { type Db, statement } from './database';

/**
 * RFC 7591 / 7592: which clients registered themselves, and the hash of each one's registration access
 * token (the token is only in the registration's answer). A row goes with its client: deleting the
 * client deletes it (foreign key), so no store method removes one.
 */
export class RegistrationStore {
  constructor(private readonly db: Db) {}

  /** Call in the transaction that creates the client (the client cache reads this table too). */
  add(clientId: string, registrationAccessToken: string, now: number): void {
    statement(
      this.db,
      'INSERT INTO client_registrations (client_id, token_hash, created_at) VALUES (?, ?, ?)',
    ).run(clientId, hashTokenValue(registrationAccessToken), now);
  }

  /** Whether `token` is the registration access token of `clientId`; false for a client that did not register itself. */
  matches(clientId: string, token: string): boolean {
    const row = statement(this.db, 'SELECT token_hash FROM client_registrations WHERE client_id = ?').get(
      clientId,
    ) as { token_hash: string } | undefined;
    return row !== undefined && secretMatches(token, row.token_hash);
  }
}
