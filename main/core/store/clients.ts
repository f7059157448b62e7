import type { z } from 'zod';
import { defaultLoopbackPortVariance } from '../../../shared/client-policies';
import { AdminError } from '../../../shared/errors';
import type { Client, ClientInputSchema } from '../../../shared/schemas';
import { randomToken } from '../lib/secrets';
import { CommittedCache } from './committed-cache';
import { type Db, statement } from './database';
import { parseJson } from './json';

type ClientMetadata = z.output<typeof ClientInputSchema>;

/** Metadata as stored: every policy resolved, so what the engine applies is what the UI and exports show. */
type StoredMetadata = ClientMetadata & { allow_loopback_port_variance: boolean };

export interface ClientRecord extends StoredMetadata {
  created_at: number;
  updated_at: number;
  /** When it registered itself (RFC 7591, store/registrations.ts); absent for clients made otherwise. */
  registered_at?: number;
}

/** A row as written by any version: the policies came later, so older rows lack them. */
type StoredRow = Omit<ClientMetadata, 'introspect_any_token'> & { introspect_any_token?: boolean };

/** Fills in the policies a client (or a row stored before they existed) does not state. */
function withPolicies(metadata: StoredRow): StoredMetadata {
  return {
    ...metadata,
    allow_loopback_port_variance:
      metadata.allow_loopback_port_variance ?? defaultLoopbackPortVariance(metadata),
    introspect_any_token: metadata.introspect_any_token ?? false,
  };
}

interface ClientRow {
  client_id: string;
  metadata: string;
  created_at: number;
  updated_at: number;
  registered_at: number | null;
}

const toRecord = (row: ClientRow): ClientRecord => ({
  ...withPolicies(parseJson<StoredRow>(row.metadata)),
  client_id: row.client_id,
  created_at: row.created_at,
  updated_at: row.updated_at,
  ...(row.registered_at === null ? {} : { registered_at: row.registered_at }),
});

export function generateClientSecret(): string {
  return randomToken();
}

export function clientDto(client: ClientRecord): Client {
  return {
    client_id: client.client_id,
    client_name: client.client_name ?? null,
    client_secret: client.client_secret ?? null,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris,
    grant_types: client.grant_types,
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    jwks: client.jwks ?? null,
    jwks_uri: client.jwks_uri ?? null,
    token_endpoint_auth_signing_alg: client.token_endpoint_auth_signing_alg ?? null,
    scope: client.scope,
    access_token_format: client.access_token_format,
    audience: client.audience,
    access_token_ttl: client.access_token_ttl ?? null,
    id_token_ttl: client.id_token_ttl ?? null,
    refresh_token_ttl: client.refresh_token_ttl ?? null,
    allow_loopback_port_variance: client.allow_loopback_port_variance,
    introspect_any_token: client.introspect_any_token,
    // Only when stated: a client without one (all of them before token exchange) gets the defaults.
    ...(client.token_exchange ? { token_exchange: client.token_exchange } : {}),
    ...(client.jwt_bearer ? { jwt_bearer: client.jwt_bearer } : {}),
    ...(client.dpop_bound_access_tokens !== undefined
      ? { dpop_bound_access_tokens: client.dpop_bound_access_tokens }
      : {}),
    ...(client.dpop_nonce_required !== undefined ? { dpop_nonce_required: client.dpop_nonce_required } : {}),
    // Claim mapping: only when stated, so clients without it read back as before.
    ...(client.claim_mappings ? { claim_mappings: client.claim_mappings } : {}),
    ...(client.custom_claims ? { custom_claims: client.custom_claims } : {}),
    created_at: new Date(client.created_at * 1000).toISOString(),
    updated_at: new Date(client.updated_at * 1000).toISOString(),
    ...(client.registered_at === undefined
      ? {}
      : { registered_at: new Date(client.registered_at * 1000).toISOString() }),
  };
}

/**
 * Normalises metadata before it is stored: clients that authenticate with a secret always have one;
 * public clients and private_key_jwt clients (they prove themselves with a key) never.
 */
function normalise(input: ClientMetadata, previousSecret?: string): StoredMetadata {
  // A record passed back as input ({ ...existing, … }) carries when it registered: that is not metadata.
  const { registered_at: _registered, ...fields } = input as ClientMetadata & { registered_at?: number };
  const metadata = withPolicies(fields);
  const method = metadata.token_endpoint_auth_method;
  if (method === 'none' || method === 'private_key_jwt') {
    delete metadata.client_secret;
  } else {
    metadata.client_secret = metadata.client_secret ?? previousSecret ?? generateClientSecret();
  }
  return metadata;
}

export class ClientStore {
  /** Every client by id, in client_id order: read by every token, introspection and revocation request. */
  readonly cache: CommittedCache<Map<string, ClientRecord>>;

  constructor(private readonly db: Db) {
    this.cache = new CommittedCache(db, () => {
      const rows = statement(
        this.db,
        `SELECT c.*, r.created_at AS registered_at FROM clients c
         LEFT JOIN client_registrations r ON r.client_id = c.client_id ORDER BY c.client_id`,
      ).all() as ClientRow[];
      return new Map(rows.map((row) => [row.client_id, toRecord(row)]));
    });
  }

  list(): ClientRecord[] {
    return [...this.cache.get().values()];
  }

  find(clientId: string): ClientRecord | undefined {
    return this.cache.get().get(clientId);
  }

  require(clientId: string): ClientRecord {
    const client = this.find(clientId);
    if (!client) throw new AdminError('not_found', `No client with client_id "${clientId}".`);
    return client;
  }

  create(input: ClientMetadata, now: number): ClientRecord {
    if (this.find(input.client_id)) {
      throw new AdminError('conflict', `A client with client_id "${input.client_id}" already exists.`);
    }
    const metadata = normalise(input);
    this.cache.invalidate();
    statement(
      this.db,
      'INSERT INTO clients (client_id, metadata, created_at, updated_at) VALUES (?, ?, ?, ?)',
    ).run(metadata.client_id, JSON.stringify(metadata), now, now);
    return { ...metadata, created_at: now, updated_at: now };
  }

  replace(existing: ClientRecord, input: ClientMetadata, now: number): ClientRecord {
    const metadata = normalise({ ...input, client_id: existing.client_id }, existing.client_secret);
    this.cache.invalidate();
    statement(this.db, 'UPDATE clients SET metadata = ?, updated_at = ? WHERE client_id = ?').run(
      JSON.stringify(metadata),
      now,
      existing.client_id,
    );
    return {
      ...metadata,
      created_at: existing.created_at,
      updated_at: now,
      ...(existing.registered_at === undefined ? {} : { registered_at: existing.registered_at }),
    };
  }

  delete(clientId: string): void {
    this.cache.invalidate();
    statement(this.db, 'DELETE FROM clients WHERE client_id = ?').run(clientId);
  }

  deleteAll(): void {
    this.cache.invalidate();
    statement(this.db, 'DELETE FROM clients').run();
  }
}
