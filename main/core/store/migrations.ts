/**
 * Numbered schema migrations. Migration N brings the schema from version N-1 to N and runs in one
 * transaction; `PRAGMA user_version` records the version. Never edit a migration once released: add one.
 * Times are Unix seconds (INTEGER); JSON columns hold JSON text.
 */
export const migrations: readonly string[] = [
  /* 1 */ `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password TEXT,
    sub TEXT NOT NULL UNIQUE,
    claims TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    metadata TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('current', 'previous', 'retired')),
    private_jwk TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER
  ) STRICT;
  CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (status) WHERE status = 'current';

  -- A browser sign-in at the login page (OIDC "sid").
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    cookie_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    auth_time INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    ended_at INTEGER
  ) STRICT;

  -- A grant links every token issued from one authorization (the refresh-token family).
  CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id TEXT,
    username TEXT,
    subject TEXT NOT NULL,
    scope TEXT NOT NULL,
    session_id TEXT,
    auth_time INTEGER,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_reason TEXT
  ) STRICT;
  CREATE INDEX grants_session ON grants (session_id);

  CREATE TABLE auth_codes (
    code_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    nonce TEXT,
    code_challenge TEXT,
    code_challenge_method TEXT,
    resources TEXT NOT NULL DEFAULT '[]',
    amr TEXT NOT NULL DEFAULT '[]',
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  ) STRICT;

  CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh', 'id')),
    format TEXT NOT NULL CHECK (format IN ('jwt', 'reference', 'opaque')),
    value_hash TEXT UNIQUE,
    jwt TEXT,
    client_id TEXT NOT NULL,
    user_id TEXT,
    username TEXT,
    subject TEXT NOT NULL,
    grant_id TEXT REFERENCES grants (id) ON DELETE SET NULL,
    parent_id TEXT,
    scope TEXT NOT NULL,
    audience TEXT NOT NULL DEFAULT '[]',
    claims TEXT NOT NULL DEFAULT '{}',
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_reason TEXT,
    rotated_at INTEGER,
    last_used_at INTEGER
  ) STRICT;
  CREATE INDEX tokens_grant ON tokens (grant_id);
  CREATE INDEX tokens_client ON tokens (client_id);
  CREATE INDEX tokens_user ON tokens (user_id);
  CREATE INDEX tokens_expires ON tokens (expires_at);
  CREATE INDEX tokens_issued ON tokens (issued_at);

  -- at is in milliseconds so events within one second keep their order on a timeline.
  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    client_id TEXT,
    username TEXT,
    token_id TEXT,
    data TEXT NOT NULL DEFAULT '{}'
  ) STRICT;
  CREATE INDEX events_type ON events (type);
  `,
  /* 2 */ `
  -- Every issued token updates each of these indexes, so only what a query needs is indexed:
  -- client_credentials tokens have no user and no grant, and the newest-first list goes by rowid
  -- (insertion order) instead of a separate index on issued_at.
  DROP INDEX tokens_grant;
  CREATE INDEX tokens_grant ON tokens (grant_id) WHERE grant_id IS NOT NULL;
  DROP INDEX tokens_user;
  CREATE INDEX tokens_user ON tokens (user_id) WHERE user_id IS NOT NULL;
  DROP INDEX tokens_issued;
  `,
  /* 3 */ `
  -- Opaque tokens issued from now on are their id followed by a secret (tokens/values.ts): they are
  -- found by id, and this column holds the hash of the secret. Their value_hash stays NULL, so the
  -- unique index on it (which cannot be dropped without rebuilding the table) only ever receives
  -- NULL entries in rowid order. Tokens issued before keep value_hash and are still found by it.
  ALTER TABLE tokens ADD COLUMN secret_hash TEXT;
  `,
  /* 4 */ `
  -- Staged rotation: a key can be 'next' (published in the JWKS, not yet signing). The status CHECK
  -- cannot be altered in place, so the (small) table is rebuilt. activates_at is when a next key is
  -- due to start signing (NULL: it waits for keys.activate); activated_at is when a key started
  -- signing (keys from before this version: their creation, which is when they did).
  CREATE TABLE signing_keys_v4 (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('next', 'current', 'previous', 'retired')),
    private_jwk TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER,
    activates_at INTEGER,
    activated_at INTEGER
  ) STRICT;
  INSERT INTO signing_keys_v4 (kid, alg, status, private_jwk, public_jwk, created_at, retired_at, activated_at)
    SELECT kid, alg, status, private_jwk, public_jwk, created_at, retired_at, created_at FROM signing_keys;
  DROP TABLE signing_keys;
  ALTER TABLE signing_keys_v4 RENAME TO signing_keys;
  CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (status) WHERE status = 'current';
  CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (status) WHERE status = 'next';
  `,
  /* 5 */ `
  -- The session cookie reaches every port of the host, so reusing a session also takes a secret the
  -- login page's script kept in the provider origin's localStorage; this is its hash. NULL: signed in
  -- without script (or by login_hint), never reused.
  ALTER TABLE sessions ADD COLUMN browser_secret_hash TEXT;
  `,
  /* 6 */ `
  -- Tokens the QA lab's bad-token factory made wrong on purpose carry what is wrong with them: a JSON
  -- array of variant ids (shared/lab.ts), e.g. ["expired"]. NULL for every ordinary token.
  ALTER TABLE tokens ADD COLUMN flaws TEXT;
  `,
  /* 7 */ `
  -- The grant type that issued a token (e.g. "refresh_token", the token-exchange URN, "mint"), so the
  -- UI can say "exchanged from" or "refreshed from" its parent. NULL for tokens issued before: unknown.
  ALTER TABLE tokens ADD COLUMN grant_type TEXT;
  -- A token's children (what was refreshed or exchanged from it) for the token drawer. Partial: only
  -- tokens that have a parent pay for it when they are inserted.
  CREATE INDEX tokens_parent ON tokens (parent_id) WHERE parent_id IS NOT NULL;
  `,
  /* 8 */ `
  -- A protocol request's outcome is a 'request' event; these two columns let Activity filter them
  -- (failures, one endpoint) without reading every event's JSON. NULL for every other event.
  ALTER TABLE events ADD COLUMN status INTEGER;
  ALTER TABLE events ADD COLUMN endpoint TEXT;
  -- The redacted HTTP exchange of a request event (same id), bounded by retention more tightly
  -- than the events. at is in milliseconds, as the events' is. request and response are JSON.
  CREATE TABLE request_log (
    event_id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL
  ) STRICT;
  `,
  /* 9 */ `
  -- The workspace's other issuers (the root issuer is the database itself). Each keeps its users,
  -- clients, keys, tokens and settings in a database of its own under issuers/<id>/; this table, used
  -- in the root database only, says which exist, under which name (their URL path) and in which shape.
  CREATE TABLE issuers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    profile TEXT NOT NULL,
    display_name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  `,
  /* 10 */ `
  -- RFC 7591 dynamic registration: a client that registered itself has a row here, holding the SHA-256
  -- of its registration access token (RFC 7592), which is never stored itself. Deleting the client
  -- deletes its registration.
  CREATE TABLE client_registrations (
    client_id TEXT PRIMARY KEY REFERENCES clients (client_id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  `,
  /* 11 */ `
  -- Token lists page by keyset over a million rows (store/token-list.ts, docs/ARCHITECTURE.md "Lists
  -- over a million rows"): a filter an index serves reads only its entries; any other reads the table
  -- in bounded rowid windows, which fill a page at once when the filter matches often. What windows
  -- serve badly is a filter that matches rarely: a kind other than access in a store of machine
  -- tokens went through every window to find none. Measured on 1,000,000 tokens, the filters by
  -- format, state and free text fill their first page from windows within ~100 ms, so they get no
  -- index: each one is one more B-tree insert for every token issued. This one is partial: access
  -- tokens, the bulk of issuance (and the whole of the client_credentials benchmarks), never enter it,
  -- so issuing them costs what it did; refresh and ID tokens (issued beside an access token) each add
  -- one entry, in rowid order after their kind's others.
  CREATE INDEX tokens_kind ON tokens (kind) WHERE kind <> 'access';
  `,
];
