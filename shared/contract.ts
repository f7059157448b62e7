/**
 * The admin contract: every operation the UI, the CLI seed loader and scripts can ask of the engine.
 * Each entry maps a method name ("namespace.action") to the schema of its input and output. The same
 * schemas validate payloads where they enter (IPC handler, admin HTTP route) and give the TypeScript
 * types on both sides, so the two transports cannot drift apart.
 */
import { z } from 'zod';
import { FaultInputSchema, FaultSchema } from './faults';
import {
  type AdminScope,
  ALL_ISSUERS,
  IssuerCloneSchema,
  IssuerCreateSchema,
  IssuerSummarySchema,
  IssuerUpdateSchema,
  ROOT_ISSUER_ID,
} from './issuers';
import { KeycloakRealmNameSchema, KeycloakRealmSchema, KeycloakSkippedSchema } from './keycloak';
import { BadTokensOutputSchema, BaselineSchema, CheckApiInputSchema, CheckApiOutputSchema } from './lab';
import { gapOf, type LiveBatch } from './live-gap';
import {
  AccessTokenFormatSchema,
  CLIENT_KEY_ASSERTION_ALGS,
  ClaimsSchema,
  ClientInputSchema,
  ClientSchema,
  CountSchema,
  EngineEventSchema,
  EventFilterSchema,
  MAX_KEY_ACTIVATION_DELAY_SECONDS,
  RequestExchangeSchema,
  SettingsPatchSchema,
  SettingsSchema,
  SigningAlgSchema,
  SigningKeySchema,
  TokenDetailSchema,
  TokenFilterSchema,
  TokenMatchSchema,
  TokenSchema,
  UserInputSchema,
  UserSchema,
  WorkspaceSchema,
} from './schemas';

export const EngineInfoSchema = z.object({
  issuer: z.string(),
  version: z.string(),
  dataDir: z.string().nullable(),
  startedAt: z.string(),
  discoveryUrl: z.string(),
  port: z.number().int(),
  /** TLS: on or off for this run, the local CA to trust, and the desktop app's choice for the next start. */
  https: z.object({
    enabled: z.boolean(),
    caCertPath: z.string().nullable(),
    trustCommands: z.array(z.object({ label: z.string(), command: z.string() })),
    /** The stored choice for the next start; null where the host decides by its own flag (the CLI). */
    nextStart: z.boolean().nullable(),
  }),
});
export type EngineInfo = z.infer<typeof EngineInfoSchema>;

const NoInput = z.strictObject({});
const ByUsername = z.strictObject({ username: z.string().min(1) });
const ByClientId = z.strictObject({ client_id: z.string().min(1) });
const Revoked = z.object({ revoked: z.number().int() });

export const UserSessionSchema = z.object({
  id: z.string(),
  auth_time: z.string(),
  created_at: z.string(),
});
export type UserSession = z.infer<typeof UserSessionSchema>;

/** Which users and clients the seed file put there: restarting with the seed overwrites their edits. */
export const SeedManagedSchema = z.object({ users: z.array(z.string()), clients: z.array(z.string()) });
export type SeedManaged = z.infer<typeof SeedManagedSchema>;

/** Why each claim is there ("from scope `profile`", "mapped by client `orders` (…)"), by claim name. */
const ClaimReasons = z.record(z.string(), z.string());

export const ClaimsPreviewSchema = z.object({
  id_token: z.record(z.string(), z.json()),
  access_token: z.record(z.string(), z.json()),
  userinfo: z.record(z.string(), z.json()),
  /** What introspection (RFC 7662) would answer for that access token. */
  introspection: z.record(z.string(), z.json()),
  reasons: z.object({
    id_token: ClaimReasons,
    access_token: ClaimReasons,
    userinfo: ClaimReasons,
    introspection: ClaimReasons,
  }),
});
export type ClaimsPreview = z.infer<typeof ClaimsPreviewSchema>;

export const ImportSummarySchema = z.object({
  users: z.number().int(),
  clients: z.number().int(),
  keys: z.number().int(),
  settings: z.boolean(),
});
export type ImportSummary = z.infer<typeof ImportSummarySchema>;

/** What one kind of record (users or clients) a seed apply changed, by name. */
const SeedRecordChangesSchema = z.object({
  added: z.array(z.string()),
  /** Each with the fields whose stored value changed (values are never echoed: secrets). */
  updated: z.array(z.object({ name: z.string(), fields: z.array(z.string()) })),
  unchanged: z.number().int(),
  /** Written by the previous seed but absent from this one: kept (a seed upserts, never deletes). */
  no_longer_seeded: z.array(z.string()),
});

/** The outcome of workspace.applySeed: what changed, for a host to log (`serve --seed FILE --watch`). */
export const SeedAppliedSchema = z.object({
  users: SeedRecordChangesSchema,
  clients: SeedRecordChangesSchema,
  /** Names of the settings whose value changed. */
  settings: z.array(z.string()),
  /** Signing keys the seed carries (upserted by kid). */
  keys: z.number().int(),
  /** Records the seed overwrote after edits in the UI or the admin API, one sentence each. */
  overwrites: z.array(z.string()),
});
export type SeedApplied = z.infer<typeof SeedAppliedSchema>;

export const MintInputSchema = z.strictObject({
  client_id: z.string().min(1),
  /** The user the token is about; omit for a machine token (subject = the client). */
  username: z.string().min(1).optional(),
  kind: z.enum(['access', 'id', 'refresh']).default('access'),
  /** Access tokens only: overrides the client's format. */
  format: AccessTokenFormatSchema.optional(),
  /** Defaults to the client's registered scope. */
  scope: z.string().max(2000).optional(),
  /** Mint scopes the client is not registered for, on purpose (refused otherwise: no flow would issue them). */
  allow_unregistered_scope: z.boolean().optional(),
  /** Defaults to the client's audience (or its client_id). */
  audience: z.array(z.string().min(1).max(500)).max(20).optional(),
  extra_claims: ClaimsSchema.optional(),
  /** Lifetime in seconds; defaults to the client's or the global one for the kind. */
  ttl: z.number().int().min(1).max(31_536_000).optional(),
  /**
   * "Exchanged from" (RFC 8693): the id of an active stored token. The new token is its child in its
   * grant, about its subject (so no username), scope at most the subject's, as the token endpoint makes it.
   */
  subject_token_id: z.string().min(1).max(200).optional(),
  /** Delegation: an active access or ID token of the minting client names the actor in `act`. */
  actor_token_id: z.string().min(1).max(200).optional(),
  /** Delegation by hand: the `act` to add (nesting the subject's own). Neither actor: impersonation. */
  actor: z
    .strictObject({ sub: z.string().min(1).max(500), client_id: z.string().min(1).max(500).optional() })
    .optional(),
  /** RFC 9449: bind the access token to this key (`cnf.jkt`, the key's RFC 7638 SHA-256 thumbprint). */
  dpop_jkt: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'a JWK SHA-256 thumbprint (RFC 7638) is 43 base64url characters')
    .optional(),
  /** RFC 9449: bind the access token to a new ES256 key pair, whose private key is returned once. */
  dpop: z.literal('generate').optional(),
});
export type MintInput = z.input<typeof MintInputSchema>;

export const MintOutputSchema = z.object({
  /** The token itself: give it to a client or an API. */
  value: z.string(),
  /** How it is sent (access tokens): "DPoP" when it is bound to a key, else "Bearer"; null for others. */
  token_type: z.enum(['Bearer', 'DPoP']).nullable(),
  /** dpop: "generate": the key pair it is bound to. The engine does not keep the private key. */
  dpop_key: z
    .object({
      alg: z.string(),
      private_jwk: z.record(z.string(), z.json()),
      public_jwk: z.record(z.string(), z.json()),
    })
    .nullable(),
  token: TokenDetailSchema,
});

export const PLAYGROUND_FLOWS = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'revocation',
  'token_exchange',
  'device_code',
  'dpop',
  'jwt_bearer',
] as const;
export type PlaygroundFlow = (typeof PLAYGROUND_FLOWS)[number];

/** A private JWK as pasted: JSON text, parsed (and never stored or echoed) by the engine. */
const PastedPrivateJwk = z.string().min(1).max(20_000);

// Defined apart so the engine can use them without building this module's schemas.
export { HTTP_UI_TOKEN_PARAM, ISSUER_KEY_PAIR_COMMAND } from './contract-constants';

/** Mistakes the authorization code flow can make on purpose (wrong verifier, reused or expired code). */
export const PLAYGROUND_SCENARIOS = ['wrong_verifier', 'reused_code', 'expired_code'] as const;
export type PlaygroundScenario = (typeof PLAYGROUND_SCENARIOS)[number];

/** Request parameters a run adds or overrides: a few short name=value pairs. */
const PlaygroundParams = z
  .record(z.string().min(1).max(100), z.string().max(2000))
  .refine((params) => Object.keys(params).length <= 20, 'At most 20 parameters.');

export const PlaygroundInputSchema = z.strictObject({
  flow: z.enum(PLAYGROUND_FLOWS),
  client_id: z.string().min(1),
  /**
   * Who signs in or approves (their stored password is used): authorization_code, device_code, dpop;
   * token_exchange and dpop get a token for this user rather than for the client; jwt_bearer: whom the
   * assertion is about.
   */
  username: z.string().min(1).optional(),
  scope: z.string().max(2000).optional(),
  /** refresh_token: the refresh token to use; revocation: the token to revoke. */
  token: z.string().min(1).max(20_000).optional(),
  /** token_exchange: the second client, which exchanges the subject token (and acts, in delegation). */
  actor_client_id: z.string().min(1).optional(),
  /** token_exchange: with an actor token (RFC 8693 §1.1 delegation, `act`) or without (impersonation). */
  exchange_mode: z.enum(['delegation', 'impersonation']).optional(),
  /**
   * The private key (JWK) of a private_key_jwt client, for this run only: it signs the client's
   * assertions and is neither stored nor returned.
   */
  client_private_jwk: PastedPrivateJwk.optional(),
  /** The same for actor_client_id, when it is a private_key_jwt client too. */
  actor_private_jwk: PastedPrivateJwk.optional(),
  /** jwt_bearer: the trusted issuer (of the client's jwt_bearer policy) whose assertion is made; default its first. */
  assertion_issuer: z.string().min(1).max(500).optional(),
  /**
   * jwt_bearer: that issuer's private key (JWK), for this run only: it signs the assertion and is neither
   * stored nor returned. Empty is accepted here so that the engine can say where to get one.
   */
  assertion_private_jwk: z.string().max(20_000).optional(),
  /** authorization_code: run the flow with one deliberate mistake, to see the provider refuse it. */
  scenario: z.enum(PLAYGROUND_SCENARIOS).optional(),
  /** authorization_code: parameters added to (or replacing those of) the /authorize request. */
  authorize_params: PlaygroundParams.optional(),
  /** authorization_code: parameters added to (or replacing those of) the code's token request. */
  token_params: PlaygroundParams.optional(),
});
export type PlaygroundInput = z.input<typeof PlaygroundInputSchema>;

const HttpExchangeSchema = z.object({
  request: z.object({
    method: z.string(),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    body: z.string().nullable(),
  }),
  response: z.object({
    status: z.number().int(),
    headers: z.record(z.string(), z.string()),
    body: z.string(),
  }),
});

export const PlaygroundStepSchema = z.object({
  title: z.string(),
  /** Where the step comes from, e.g. "RFC 6749 §4.1.3". */
  spec: z.string(),
  explanation: z.string(),
  /** The real HTTP exchange, when the step is one (PKCE generation is not). */
  http: HttpExchangeSchema.nullable(),
  /** Values worth showing apart: the PKCE verifier, the code, decoded tokens… */
  values: z.record(z.string(), z.json()),
  /** Why a value is null, where that is known ("no ID token: scope had no openid"). */
  value_notes: z.record(z.string(), z.string()).optional(),
  /** The step did not do what it normally does: the run stopped here. */
  failed: z.boolean().optional(),
  /** The OAuth error the provider answered with, decoded from the JSON body or the redirect. */
  error: z
    .object({
      error: z.string(),
      error_description: z.string().optional(),
      /** Where it was read: the JSON body, the redirect's query or fragment, WWW-Authenticate… */
      source: z.string(),
    })
    .optional(),
});
export type PlaygroundStep = z.infer<typeof PlaygroundStepSchema>;

export const PlaygroundOutputSchema = z.object({
  flow: z.enum(PLAYGROUND_FLOWS),
  ok: z.boolean(),
  steps: z.array(PlaygroundStepSchema),
  /** The index of the step the run stopped at (null when it completed). */
  failed_step: z.number().int().nullable(),
  /**
   * Tokens the flow produced, for the next flow (refresh, revocation): the last successful token
   * response as the provider sent it (RFC 6749 §5.1, so expires_in is a number); empty when none.
   */
  tokens: z.object({
    access_token: z.string().optional(),
    token_type: z.string().optional(),
    expires_in: z.number().int().optional(),
    scope: z.string().optional(),
    refresh_token: z.string().optional(),
    id_token: z.string().optional(),
  }),
});
export type PlaygroundOutput = z.infer<typeof PlaygroundOutputSchema>;

/** A device authorization (RFC 8628) the provider holds, from its request until shortly after it expires. */
export const DeviceAuthorizationSchema = z.object({
  /** As the user types it: XXXX-XXXX. */
  user_code: z.string(),
  client_id: z.string(),
  client_name: z.string().nullable(),
  scope: z.string(),
  /** redeemed: the device got its tokens; expired: it ran out of time before that. */
  status: z.enum(['pending', 'approved', 'denied', 'redeemed', 'expired']),
  /** Who approved it (null until then, or when it was denied). */
  username: z.string().nullable(),
  created_at: z.string(),
  expires_at: z.string(),
  /** Seconds the device must wait between polls (RFC 8628 §3.5: grows by 5 with each slow_down). */
  interval: z.number().int(),
});
export type DeviceAuthorization = z.infer<typeof DeviceAuthorizationSchema>;

const ByUserCode = z.strictObject({ user_code: z.string().min(1).max(20) });

/** clients.generateKeyPair: a new key pair for a private_key_jwt client (RFC 7523 §2.2). */
export const GenerateClientKeyPairInputSchema = z.strictObject({
  client_id: z.string().min(1),
  /** Omitted: the client's pinned token_endpoint_auth_signing_alg, else ES256. */
  alg: z.enum(CLIENT_KEY_ASSERTION_ALGS).optional(),
  /**
   * A client that authenticates with a secret becomes private_key_jwt with this key as its only one
   * (its secret is dropped). Without it such a client is refused: the switch is never a side effect.
   */
  switch_auth_method: z.boolean().default(false),
});

/** The key pair, once: the engine keeps only `public_jwk` (in the client's jwks), never the private key. */
export const GeneratedClientKeyPairSchema = z.object({
  client: ClientSchema,
  /** The RFC 7638 thumbprint of the public key, as its `kid`. */
  kid: z.string(),
  alg: z.enum(CLIENT_KEY_ASSERTION_ALGS),
  public_jwk: z.record(z.string(), z.json()),
  private_jwk: z.record(z.string(), z.json()),
  /** The private key as PKCS#8 PEM. */
  private_key_pem: z.string(),
  /** Node (jose) code that signs a client assertion with this key, and a curl call using it. */
  snippet: z.string(),
});
export type GeneratedClientKeyPair = z.infer<typeof GeneratedClientKeyPairSchema>;

export const adminContract = {
  'engine.info': { input: NoInput, output: EngineInfoSchema },
  /** The desktop app's HTTPS choice, taken at its next start (refused where the host has a flag for it). */
  'engine.setHttps': {
    input: z.strictObject({ enabled: z.boolean() }),
    output: z.object({ nextStart: z.boolean() }),
  },

  'settings.get': { input: NoInput, output: SettingsSchema },
  'settings.update': { input: SettingsPatchSchema.strict(), output: SettingsSchema },

  'users.list': {
    input: z.strictObject({ search: z.string().max(200).optional() }),
    output: z.array(UserSchema),
  },
  'users.get': { input: ByUsername, output: UserSchema },
  'users.create': { input: UserInputSchema, output: UserSchema },
  /** Replaces the user named `username` (which may rename it) with `user`. */
  'users.update': {
    input: z.strictObject({ username: z.string().min(1), user: UserInputSchema }),
    output: UserSchema,
  },
  'users.delete': { input: ByUsername, output: z.object({ deleted: z.literal(true) }) },
  /** The user's browser sign-ins at the login page that have not ended, newest first. */
  'users.sessions': { input: ByUsername, output: z.array(UserSessionSchema) },
  /** Ends every sign-in session of the user and revokes all their tokens. */
  'users.signOutEverywhere': {
    input: ByUsername,
    output: z.object({ sessions_ended: z.number().int(), tokens_revoked: z.number().int() }),
  },
  /** The claims this user would get in each token, for a client and scope. */
  'users.previewClaims': {
    input: z.strictObject({
      username: z.string().min(1),
      client_id: z.string().optional(),
      scope: z.string().max(2000).optional(),
    }),
    output: ClaimsPreviewSchema,
  },

  'clients.list': { input: NoInput, output: z.array(ClientSchema) },
  'clients.get': { input: ByClientId, output: ClientSchema },
  'clients.create': { input: ClientInputSchema, output: ClientSchema },
  /** Replaces the client with the same client_id. */
  'clients.update': { input: ClientInputSchema, output: ClientSchema },
  'clients.delete': { input: ByClientId, output: z.object({ deleted: z.literal(true) }) },
  'clients.regenerateSecret': { input: ByClientId, output: ClientSchema },
  /** Adds a new public key to a private_key_jwt client's jwks and answers its private key, once. */
  'clients.generateKeyPair': {
    input: GenerateClientKeyPairInputSchema,
    output: GeneratedClientKeyPairSchema,
  },

  /**
   * One page of tokens in the filter's order. A page may hold fewer than `limit` rows while more
   * remain (a selective filter reads a bounded slice of the store per call, so no call runs long):
   * the end is `next_cursor: null`, not a short page.
   */
  'tokens.list': {
    input: TokenFilterSchema,
    output: z.object({
      tokens: z.array(TokenSchema),
      /** Every match, when `count` was asked (the default); null otherwise. */
      total: z.number().int().nullable(),
      next_cursor: z.string().nullable(),
    }),
  },
  /** How many tokens match: exact, or (when counting every row would take long) an estimate, said so. */
  'tokens.count': { input: TokenMatchSchema, output: CountSchema },
  'tokens.get': { input: z.strictObject({ id: z.string().min(1) }), output: TokenDetailSchema },
  'tokens.revoke': { input: z.strictObject({ id: z.string().min(1) }), output: Revoked },
  'tokens.revokeGrant': { input: z.strictObject({ grant_id: z.string().min(1) }), output: Revoked },
  'tokens.revokeUser': { input: ByUsername, output: Revoked },
  'tokens.revokeClient': { input: ByClientId, output: Revoked },
  'tokens.purgeExpired': { input: NoInput, output: z.object({ purged: z.number().int() }) },
  /** Issues a token directly, without a flow (the lifecycle lab's Mint). */
  'tokens.mint': { input: MintInputSchema, output: MintOutputSchema },
  /** What the provider knows about a pasted token value (reference or JWT); null when it is not ours. */
  'tokens.lookup': {
    input: z.strictObject({ value: z.string().min(1).max(20_000) }),
    output: z.object({ token: TokenDetailSchema.nullable(), introspection: z.record(z.string(), z.json()) }),
  },

  /**
   * QA lab: a good token from the baseline recipe, then one token per way of being wrong, each labelled
   * with what a correct resource server must do. Stored tokens among them carry their flaws.
   */
  'lab.badTokens': { input: BaselineSchema, output: BadTokensOutputSchema },
  /** QA lab: sends the baseline, then every bad token, to the user's API and reports what it accepted. */
  'lab.checkApi': { input: CheckApiInputSchema, output: CheckApiOutputSchema },
  /**
   * Inspector lab: an edited header and payload (JSON text) signed with the provider's current key. Not
   * issued: not stored, so introspection never knows it. alg and kid come from the key; alg none and HS*
   * are refused (Bad tokens makes those).
   */
  'lab.resign': {
    input: z.strictObject({ header: z.string().min(1).max(20_000), payload: z.string().min(1).max(100_000) }),
    output: z.object({
      value: z.string(),
      header: z.record(z.string(), z.json()),
      payload: z.record(z.string(), z.json()),
      /** Header parameters the provider's key set: what the edited header said (null: absent), and now. */
      replaced: z.array(z.object({ name: z.enum(['alg', 'kid']), was: z.json(), now: z.string() })),
      /** The stored token it is byte for byte (nothing changed and a deterministic alg), else null. */
      same_as_token_id: z.string().nullable(),
    }),
  },

  /** QA lab, faults on demand (shared/faults.ts): the active faults, oldest first. */
  'faults.list': { input: NoInput, output: z.array(FaultSchema) },
  /** Turns a fault on; it turns itself off as scoped (requests, seconds) or with faults.remove/clear. */
  'faults.add': { input: FaultInputSchema, output: FaultSchema },
  'faults.remove': {
    input: z.strictObject({ id: z.string().min(1).max(100) }),
    output: z.object({ removed: z.literal(true) }),
  },
  /** All faults off. */
  'faults.clear': { input: NoInput, output: z.object({ cleared: z.number().int() }) },

  /** Runs an OAuth flow against this provider over real HTTP and returns every exchange. */
  'playground.run': { input: PlaygroundInputSchema, output: PlaygroundOutputSchema },

  'keys.list': { input: NoInput, output: z.array(SigningKeySchema) },
  /** Rotate now: a new key signs at once (a staged next key, if any, is the one that starts signing). */
  'keys.rotate': { input: z.strictObject({ alg: SigningAlgSchema.optional() }), output: SigningKeySchema },
  /**
   * Staged rotation, step 1: a new key is published in the JWKS as `next` without signing yet. It
   * starts signing after `activate_after_seconds`, or when keys.activate is called if that is absent.
   */
  'keys.stage': {
    input: z.strictObject({
      alg: SigningAlgSchema.optional(),
      activate_after_seconds: z.number().int().min(1).max(MAX_KEY_ACTIVATION_DELAY_SECONDS).optional(),
    }),
    output: SigningKeySchema,
  },
  /** Staged rotation, step 2: the next key signs from now on; the current one becomes previous. */
  'keys.activate': { input: z.strictObject({ kid: z.string().min(1).optional() }), output: SigningKeySchema },
  'keys.retire': { input: z.strictObject({ kid: z.string().min(1) }), output: SigningKeySchema },

  'events.list': { input: EventFilterSchema, output: z.array(EngineEventSchema) },
  /**
   * One page of events, newest first, read from a bounded slice of the log per call (so a selective
   * filter over millions of events never runs long): continue with `before_id: next_before_id` until
   * it is null. A page may hold fewer than `limit` events while more remain.
   */
  'events.page': {
    input: EventFilterSchema.omit({ after_id: true }),
    output: z.object({ events: z.array(EngineEventSchema), next_before_id: z.number().int().nullable() }),
  },
  /** How many events match: exact, or an estimate, said so. */
  'events.count': {
    input: EventFilterSchema.omit({ after_id: true, before_id: true, limit: true }),
    output: CountSchema,
  },
  /** The redacted HTTP exchange behind a `request` event; null once retention dropped it (or none). */
  'events.request': {
    input: z.strictObject({ event_id: z.number().int().min(1) }),
    output: RequestExchangeSchema.nullable(),
  },

  /** Device authorizations (RFC 8628), newest first: pending ones wait for a user at /device or here. */
  'devices.list': { input: NoInput, output: z.array(DeviceAuthorizationSchema) },
  /** Approves a pending device as this test user, as signing in at /device does. */
  'devices.approve': {
    input: ByUserCode.extend({ username: z.string().min(1) }),
    output: DeviceAuthorizationSchema,
  },
  'devices.deny': { input: ByUserCode, output: DeviceAuthorizationSchema },

  /** The workspace's issuers: the root one first, then the others by creation. */
  'issuers.list': { input: NoInput, output: z.array(IssuerSummarySchema) },
  /** A new, empty issuer at its own path (with a new signing key), in the shape of a provider profile. */
  'issuers.create': { input: IssuerCreateSchema, output: IssuerSummarySchema },
  /** Renames (moves its URLs), re-shapes or relabels an issuer; not the root one. */
  'issuers.update': { input: IssuerUpdateSchema, output: IssuerSummarySchema },
  /** A new issuer with another's users, clients and settings (new keys, no tokens). */
  'issuers.clone': { input: IssuerCloneSchema, output: IssuerSummarySchema },
  /** Deletes an issuer and everything in it; not the root one. */
  'issuers.delete': {
    input: z.strictObject({ id: z.string().min(1) }),
    output: z.object({ deleted: z.literal(true) }),
  },

  'workspace.export': {
    input: z.strictObject({ include_keys: z.boolean().default(false) }),
    output: WorkspaceSchema,
  },
  'workspace.import': { input: WorkspaceSchema, output: ImportSummarySchema },
  /** The users and clients last written by a start's seed file (`--seed`). */
  'workspace.seedManaged': { input: NoInput, output: SeedManagedSchema },
  /**
   * Applies a seed file again while running, as a start does: upserted in one transaction (all or
   * nothing), remembered as seed-managed, answering what changed. `serve --seed FILE --watch` calls it.
   */
  'workspace.applySeed': { input: WorkspaceSchema, output: SeedAppliedSchema },
  /** Deletes every user, client, token, event and key and restores default settings. */
  'workspace.reset': {
    input: z.strictObject({ confirm: z.literal(true) }),
    output: z.object({ reset: z.literal(true) }),
  },

  /** The workspace as a Keycloak realm for `kc.sh import`, and what Keycloak will not do the same. */
  'keycloak.export': {
    input: z.strictObject({ realm: KeycloakRealmNameSchema.default('idp-sandbox') }),
    output: z.object({ realm: KeycloakRealmSchema, notes: z.array(z.string()) }),
  },
  /**
   * A Keycloak realm export upserted into the workspace as workspace.import does, with every part of
   * it that could not be carried over; with dry_run, only the report (nothing is written).
   */
  'keycloak.import': {
    input: z.strictObject({ realm: KeycloakRealmSchema, dry_run: z.boolean().default(false) }),
    output: z.object({
      summary: ImportSummarySchema,
      skipped: z.array(KeycloakSkippedSchema),
      dry_run: z.boolean(),
    }),
  },
} as const;

export type AdminContract = typeof adminContract;
export type AdminMethod = keyof AdminContract;
/** What a caller sends. */
export type AdminInput<M extends AdminMethod> = z.input<AdminContract[M]['input']>;
/** What a handler receives once the input schema has parsed (defaults applied). */
export type AdminParsedInput<M extends AdminMethod> = z.output<AdminContract[M]['input']>;
export type AdminOutput<M extends AdminMethod> = z.output<AdminContract[M]['output']>;

export const adminMethods = Object.keys(adminContract) as AdminMethod[];

export function isAdminMethod(name: string): name is AdminMethod {
  return Object.hasOwn(adminContract, name);
}

type Namespace<M extends string> = M extends `${infer NS}.${string}` ? NS : never;
type MethodFn<M extends AdminMethod> = (input: AdminInput<M>) => Promise<AdminOutput<M>>;

/** Live engine events; the UI subscribes instead of polling. Returns an unsubscribe function. */
export type EventSubscriber = (listener: (event: z.infer<typeof EngineEventSchema>) => void) => () => void;

/**
 * The live event stream's state, the UI's one answer to "is the engine there": `connecting` before the
 * first answer, `live` while events flow, `down` while the engine does not answer (reconnecting by
 * itself), `refused` once the engine no longer accepts this tab's credential.
 */
export type LiveConnection = 'connecting' | 'live' | 'down' | 'refused';

/**
 * Live engine events in the batches they arrive in (the engine sends one batch every ~100 ms while
 * events happen, oldest first): for views that apply many events at once. Under heavy load a batch
 * leaves request-rate events out and says so in its gap (shared/live-gap.ts), which a listener must
 * handle: a batch is an object, not an array, so a listener written for every event does not compile.
 * Returns an unsubscribe function.
 */
export type BatchSubscriber = (listener: (batch: LiveBatch) => void) => () => void;
export type { LiveBatch, LiveGap } from './live-gap';

export interface LiveStream {
  /** One call per event, for listeners that act on single events (a batch is delivered event by event). */
  subscribe: EventSubscriber;
  subscribeBatch: BatchSubscriber;
  connection(): LiveConnection;
  /** Called on every change of connection(). Returns an unsubscribe function. */
  onConnectionChange(listener: () => void): () => void;
}

/**
 * Which issuer of the workspace the API's calls and live events are about: the root issuer until the
 * UI selects another. Issuer events (issuer.created…) are delivered whichever is selected.
 */
export interface IssuerSelection {
  current(): string;
  select(id: string): void;
}

/** The domain-shaped API the renderer uses: `api.users.list()`, whichever transport is underneath. */
export type AdminApi = {
  [NS in Namespace<AdminMethod>]: {
    [M in AdminMethod as M extends `${NS}.${infer A}` ? A : never]: MethodFn<M>;
  };
} & { live: LiveStream; issuer: IssuerSelection; everyIssuer: EveryIssuerLists };

/** The lists that can show every issuer at once, each row naming its issuer (scope ALL_ISSUERS). */
export interface EveryIssuerLists {
  tokens(input: AdminInput<'tokens.list'>): Promise<AdminOutput<'tokens.list'>>;
  events(input: AdminInput<'events.list'>): Promise<AdminOutput<'events.list'>>;
  /** Live events of every issuer, each tagged with its issuer's id. */
  subscribe: EventSubscriber;
  subscribeBatch: BatchSubscriber;
}

/**
 * Builds the domain-shaped API from one call function and one live stream; both transports use it.
 * Every call carries the selected issuer, and the live stream passes on that issuer's events only.
 */
export function buildAdminApi(
  call: (method: AdminMethod, input: unknown, scope: AdminScope) => Promise<unknown>,
  live: LiveStream,
): AdminApi {
  let selected = ROOT_ISSUER_ID;
  const scope = (): AdminScope => (selected === ROOT_ISSUER_ID ? {} : { issuer: selected });
  const isAboutSelected = (event: z.infer<typeof EngineEventSchema>) =>
    (event.issuer ?? ROOT_ISSUER_ID) === selected || event.type.startsWith('issuer.');
  const api: Record<string, Record<string, unknown>> = {
    live: {
      ...live,
      subscribe: (listener: Parameters<EventSubscriber>[0]) =>
        live.subscribe((event) => {
          if (isAboutSelected(event)) listener(event);
        }),
      // A batch with nothing about the selected issuer is not delivered at all.
      subscribeBatch: (listener: Parameters<BatchSubscriber>[0]) =>
        live.subscribeBatch((batch) => {
          const events = batch.events.filter(isAboutSelected);
          const gap = gapOf(batch.gap, (issuer) => issuer === selected);
          if (events.length > 0 || gap) listener({ events, gap });
        }),
    },
    everyIssuer: {
      tokens: (input: unknown) => call('tokens.list', input ?? {}, { issuer: ALL_ISSUERS }),
      events: (input: unknown) => call('events.list', input ?? {}, { issuer: ALL_ISSUERS }),
      subscribe: live.subscribe,
      subscribeBatch: live.subscribeBatch,
    },
    issuer: {
      current: () => selected,
      select: (id: string) => {
        selected = id;
      },
    },
  };
  for (const method of adminMethods) {
    const [ns, action] = method.split('.') as [string, string];
    api[ns] ??= {};
    api[ns][action] = (input: unknown) => call(method, input ?? {}, scope());
  }
  return api as unknown as AdminApi;
}

/** Channel names of the IPC transport, in one place for the preload and the main side. */
export const IPC_ADMIN_PREFIX = 'idp:admin:';
/** Live events go to the window in batches: each message on this channel is an array of events. */
export const IPC_EVENT_CHANNEL = 'idp:event';
/** The admin HTTP transport's prefix and its live event stream (server-sent events). */
export const HTTP_ADMIN_PREFIX = '/admin/api';
export const HTTP_EVENT_STREAM = '/admin/api/events.stream';
