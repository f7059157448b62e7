/**
 * The admin contract: every operation the UI, the CLI seed loader and scripts can ask of the engine.
 * Each entry maps a method name ("namespace.action") to the schema of its input and output. The same
 * schemas validate payloads where they enter (IPC handler, admin HTTP route) and give the TypeScript
 * types on both sides, so the two transports cannot drift apart.
 */
import { z } from 'zod';
import { FaultInputSchema, FaultSchema } from './faults';
import { BadTokensOutputSchema, BaselineSchema, CheckApiInputSchema, CheckApiOutputSchema } from './lab';
import {
  AccessTokenFormatSchema,
  ClaimsSchema,
  ClientInputSchema,
  ClientSchema,
  EngineEventSchema,
  EventFilterSchema,
  MAX_KEY_ACTIVATION_DELAY_SECONDS,
  SettingsPatchSchema,
  SettingsSchema,
  SigningAlgSchema,
  SigningKeySchema,
  TokenDetailSchema,
  TokenFilterSchema,
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

export const ClaimsPreviewSchema = z.object({
  id_token: z.record(z.string(), z.json()),
  access_token: z.record(z.string(), z.json()),
  userinfo: z.record(z.string(), z.json()),
});
export type ClaimsPreview = z.infer<typeof ClaimsPreviewSchema>;

export const ImportSummarySchema = z.object({
  users: z.number().int(),
  clients: z.number().int(),
  keys: z.number().int(),
  settings: z.boolean(),
});
export type ImportSummary = z.infer<typeof ImportSummarySchema>;

export const MintInputSchema = z.strictObject({
  client_id: z.string().min(1),
  /** The user the token is about; omit for a machine token (subject = the client). */
  username: z.string().min(1).optional(),
  kind: z.enum(['access', 'id', 'refresh']).default('access'),
  /** Access tokens only: overrides the client's format. */
  format: AccessTokenFormatSchema.optional(),
  /** Defaults to the client's registered scope. */
  scope: z.string().max(2000).optional(),
  /** Defaults to the client's audience (or its client_id). */
  audience: z.array(z.string().min(1).max(500)).max(20).optional(),
  extra_claims: ClaimsSchema.optional(),
  /** Lifetime in seconds; defaults to the client's or the global one for the kind. */
  ttl: z.number().int().min(1).max(31_536_000).optional(),
});
export type MintInput = z.input<typeof MintInputSchema>;

export const MintOutputSchema = z.object({
  /** The token itself: give it to a client or an API. */
  value: z.string(),
  token: TokenDetailSchema,
});

export const PLAYGROUND_FLOWS = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'revocation',
] as const;

export const PlaygroundInputSchema = z.strictObject({
  flow: z.enum(PLAYGROUND_FLOWS),
  client_id: z.string().min(1),
  /** authorization_code: who signs in (their stored password is used). */
  username: z.string().min(1).optional(),
  scope: z.string().max(2000).optional(),
  /** refresh_token: the refresh token to use; revocation: the token to revoke. */
  token: z.string().min(1).max(20_000).optional(),
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
});
export type PlaygroundStep = z.infer<typeof PlaygroundStepSchema>;

export const PlaygroundOutputSchema = z.object({
  flow: z.enum(PLAYGROUND_FLOWS),
  ok: z.boolean(),
  steps: z.array(PlaygroundStepSchema),
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

  'tokens.list': {
    input: TokenFilterSchema,
    output: z.object({ tokens: z.array(TokenSchema), total: z.number().int() }),
  },
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

  /** Device authorizations (RFC 8628), newest first: pending ones wait for a user at /device or here. */
  'devices.list': { input: NoInput, output: z.array(DeviceAuthorizationSchema) },
  /** Approves a pending device as this test user, as signing in at /device does. */
  'devices.approve': {
    input: ByUserCode.extend({ username: z.string().min(1) }),
    output: DeviceAuthorizationSchema,
  },
  'devices.deny': { input: ByUserCode, output: DeviceAuthorizationSchema },

  'workspace.export': {
    input: z.strictObject({ include_keys: z.boolean().default(false) }),
    output: WorkspaceSchema,
  },
  'workspace.import': { input: WorkspaceSchema, output: ImportSummarySchema },
  /** Deletes every user, client, token, event and key and restores default settings. */
  'workspace.reset': {
    input: z.strictObject({ confirm: z.literal(true) }),
    output: z.object({ reset: z.literal(true) }),
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

/** The domain-shaped API the renderer uses: `api.users.list()`, whichever transport is underneath. */
export type AdminApi = {
  [NS in Namespace<AdminMethod>]: {
    [M in AdminMethod as M extends `${NS}.${infer A}` ? A : never]: MethodFn<M>;
  };
} & { live: { subscribe: EventSubscriber } };

/** Builds the domain-shaped API from one call function and one subscribe function; both transports use it. */
export function buildAdminApi(
  call: (method: AdminMethod, input: unknown) => Promise<unknown>,
  subscribe: EventSubscriber,
): AdminApi {
  const api: Record<string, Record<string, unknown>> = { live: { subscribe } };
  for (const method of adminMethods) {
    const [ns, action] = method.split('.') as [string, string];
    api[ns] ??= {};
    api[ns][action] = (input: unknown) => call(method, input ?? {});
  }
  return api as unknown as AdminApi;
}

/** Channel names of the IPC transport, in one place for the preload and the main side. */
export const IPC_ADMIN_PREFIX = 'idp:admin:';
export const IPC_EVENT_CHANNEL = 'idp:event';
/** The admin HTTP transport's prefix and its live event stream (server-sent events). */
export const HTTP_ADMIN_PREFIX = '/admin/api';
export const HTTP_EVENT_STREAM = '/admin/api/events.stream';
/** The query parameter of the printed browser-mode URL that carries the UI token. */
export const HTTP_UI_TOKEN_PARAM = 'token';
