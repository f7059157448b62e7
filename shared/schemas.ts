/**
 * Data shapes shared by the engine, the admin API and the UI. Field names follow the specs they come
 * from (RFC 7591 client metadata, OIDC claims) so a seed file reads like the documents it configures.
 */
import { z } from 'zod';
import { MAX_CLOCK_OFFSET_SECONDS } from './duration';
import { EVENT_TYPES } from './event-types';
import { IssuerNameSchema, IssuerProfileSchema } from './issuers';

// Zod generates and compiles a parser for an object schema the first time it parses one. Here each
// schema is parsed a few times (a seed, an admin call, a form), never in a request's hot path, so that
// compilation was never repaid: it was a measurable part of the headless CLI's cold start
// (docs/BENCHMARKS.md). Parsing without it is equally strict.
z.config({ jitless: true });

import { DEFAULT_SIGNING_ALG, SIGNING_ALGS } from './signing';
import { claimsBytes, MAX_CLAIMS_BYTES } from './token-size';

// ---------------------------------------------------------------- settings

export { SIGNING_ALGS };
export const SigningAlgSchema = z.enum(SIGNING_ALGS);
export type SigningAlg = z.infer<typeof SigningAlgSchema>;

/** Lifetimes are whole seconds, from one second to one year. */
export const TtlSchema = z.number().int().min(1).max(31_536_000);
const Ttl = TtlSchema;

export { MAX_CLOCK_OFFSET_SECONDS } from './duration';
/** Issuing skew is for leeway tests: up to a day either way. */
export const MAX_CLOCK_SKEW_SECONDS = 24 * 60 * 60;

/**
 * RFC 9728 §3: where a resource's metadata is found on its host: "/.well-known/oauth-protected-resource"
 * followed by the resource identifier's path ("/" adds nothing). The engine serves each declared
 * resource's document at this path on its own origin (oauth/protected-resource.ts).
 */
export function protectedResourceMetadataPath(resource: string): string {
  const { pathname } = new URL(resource);
  return `/.well-known/oauth-protected-resource${pathname === '/' ? '' : pathname}`;
}

const ResourceIdentifier = z
  .string()
  .max(500)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.hash && !url.search;
    } catch {
      return false;
    }
  }, 'a resource identifier is an http(s) URL without a query or fragment (RFC 9728 §1.2), e.g. "http://localhost:3000/mcp"');

/**
 * A protected resource (an API or MCP server the developer tests) whose RFC 9728 metadata document the
 * engine serves, naming this issuer as its authorization server.
 */
export const ProtectedResourceSchema = z.strictObject({
  resource: ResourceIdentifier,
  resource_name: z.string().min(1).max(200).optional(),
  /** The scopes its tokens may carry; clients that register without a scope get them too. */
  scopes_supported: z
    .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be one scope token'))
    .max(100)
    .optional(),
  /** RFC 6750 ways it accepts a token; omitted: ["header"]. */
  bearer_methods_supported: z
    .array(z.enum(['header', 'body', 'query']))
    .max(3)
    .optional(),
  resource_documentation: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
});
export type ProtectedResource = z.infer<typeof ProtectedResourceSchema>;

const ProtectedResources = z
  .array(ProtectedResourceSchema)
  .max(50)
  .superRefine((resources, ctx) => {
    const seen = new Map<string, string>();
    resources.forEach(({ resource }, index) => {
      let path: string;
      try {
        path = protectedResourceMetadataPath(resource);
      } catch {
        return; // Reported by the resource's own check.
      }
      const other = seen.get(path);
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'resource'],
          message: `"${resource}" and "${other}" have the same path, so their metadata would be served at the same ${path}: give each resource its own path`,
        });
      }
      seen.set(path, resource);
    });
  });

export const SettingsSchema = z.strictObject({
  access_token_ttl: Ttl,
  id_token_ttl: Ttl,
  refresh_token_ttl: Ttl,
  authorization_code_ttl: Ttl.max(3600),
  signing_alg: SigningAlgSchema,
  /** For CI: an authorization request whose login_hint names an existing user signs in without the page. */
  login_hint_skips_login: z.boolean(),
  /**
   * Provider time: how far the provider's clock is moved from real time, in seconds. Everything the
   * engine does with time follows it (iat/exp/nbf, expiry, code and refresh lifetimes, retention).
   */
  clock_offset_seconds: z.number().int().min(-MAX_CLOCK_OFFSET_SECONDS).max(MAX_CLOCK_OFFSET_SECONDS),
  /**
   * Clock skew: tokens are issued as if the provider's clock were ahead (positive) or behind by this
   * many seconds, to test a service's leeway. Only what is issued moves; expiry is judged in provider time.
   */
  clock_skew_seconds: z.number().int().min(-MAX_CLOCK_SKEW_SECONDS).max(MAX_CLOCK_SKEW_SECONDS),
  /**
   * RFC 7591 / 7592: clients may register themselves at the registration endpoint, which discovery
   * lists only while this is on. Off by default: a client then exists only when someone made it.
   */
  dynamic_registration: z.boolean(),
  /**
   * RFC 7591 §3: a registration must carry this as its bearer token (an "initial access token");
   * null: anyone who reaches the endpoint may register.
   */
  registration_initial_access_token: z
    .string()
    .min(16, 'an initial access token needs at least 16 characters')
    .max(500)
    .regex(/^[\x21-\x7E]+$/, 'an initial access token is printable ASCII without spaces')
    .nullable(),
  /** RFC 9728: the resources whose metadata document the engine serves (oauth/protected-resource.ts). */
  protected_resources: ProtectedResources,
  /**
   * Custom scope → the user claims it releases, for every client (claim mapping). Optional so that
   * settings from before it read back unchanged; lazy because its schema comes with the claim mapping below.
   */
  scope_claims: z.lazy(() => ScopeClaimsSchema).optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;
export const SettingsPatchSchema = SettingsSchema.partial();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const DEFAULT_SETTINGS: Settings = {
  access_token_ttl: 3600,
  id_token_ttl: 3600,
  refresh_token_ttl: 1_209_600,
  authorization_code_ttl: 60,
  signing_alg: DEFAULT_SIGNING_ALG,
  login_hint_skips_login: false,
  clock_offset_seconds: 0,
  clock_skew_seconds: 0,
  dynamic_registration: false,
  registration_initial_access_token: null,
  protected_resources: [],
};

// ---------------------------------------------------------------- users

/** Claims the provider sets itself; a user's claims may not override them. */
export const RESERVED_CLAIMS = [
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
  'sid',
  'client_id',
  'scope',
  'cnf',
] as const;

export const ClaimsSchema = z.record(z.string().min(1).max(200), z.json()).superRefine((claims, ctx) => {
  // Every claim goes into the user's tokens, and the provider must accept each token it issues.
  const size = claimsBytes(claims);
  if (size > MAX_CLAIMS_BYTES) {
    ctx.addIssue({
      code: 'custom',
      message: `claims are ${size} bytes as JSON; at most ${MAX_CLAIMS_BYTES} fit in a token the provider accepts back`,
    });
  }
  for (const name of Object.keys(claims)) {
    if ((RESERVED_CLAIMS as readonly string[]).includes(name)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `"${name}" is set by the provider and cannot be a user claim`,
      });
    }
  }
});
export type Claims = z.infer<typeof ClaimsSchema>;

const Username = z
  .string()
  .min(1, 'username must not be empty')
  .max(200)
  .refine((v) => v.trim() === v, 'username must not start or end with spaces');

export const UserInputSchema = z.strictObject({
  username: Username,
  /** Optional: a user without a password signs in by username alone (test users). */
  password: z.string().max(1000).optional(),
  /** Fixed subject identifier; generated (a UUID) when omitted. */
  sub: z.string().min(1).max(255).optional(),
  claims: ClaimsSchema.default({}),
});
export type UserInput = z.input<typeof UserInputSchema>;

export const UserSchema = z.object({
  username: z.string(),
  password: z.string().nullable(),
  sub: z.string(),
  claims: z.record(z.string(), z.json()),
  created_at: z.string(),
  updated_at: z.string(),
});
export type User = z.infer<typeof UserSchema>;

// ---------------------------------------------------------------- clients

/** RFC 8693 §2.1: the grant type of a token exchange. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8628 §3.4: the grant type a device polls the token endpoint with. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 7523 §2.1: a JWT from a trusted issuer, asserting a user, exchanged for an access token. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'password',
  TOKEN_EXCHANGE_GRANT,
  DEVICE_CODE_GRANT,
  JWT_BEARER_GRANT,
] as const;
export const GrantTypeSchema = z.enum(GRANT_TYPES);
export type GrantType = z.infer<typeof GrantTypeSchema>;

/**
 * What a client with the token-exchange grant may exchange (RFC 8693 leaves this to the server, and RFC
 * 7591 has no names for it). Omitted, every field takes its default: the safe one.
 */
export const TokenExchangePolicySchema = z.strictObject({
  /**
   * Audiences (or resource URIs) it may ask for with `audience` / `resource`, besides its own registered
   * `audience` (its client_id when it has none), which is also where a token goes when none is asked.
   */
  allowed_audiences: z.array(z.string().min(1).max(500)).max(50).default([]),
  /** May exchange without an actor_token: the new token is the subject's alone (impersonation). */
  may_impersonate: z.boolean().default(false),
  /** May present a refresh token (one issued to itself) as the subject_token. */
  allow_refresh_token_subject: z.boolean().default(false),
});
export type TokenExchangePolicy = z.output<typeof TokenExchangePolicySchema>;

export const AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
] as const;
export const AuthMethodSchema = z.enum(AUTH_METHODS);
export type AuthMethod = z.infer<typeof AuthMethodSchema>;

/** RFC 7523 §2.2 client assertions signed with the client's private key (private_key_jwt). */
export const CLIENT_KEY_ASSERTION_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
/** Client assertions MACed with the client secret (client_secret_jwt, OIDC Core §9). */
export const CLIENT_SECRET_ASSERTION_ALGS = ['HS256', 'HS384', 'HS512'] as const;
export const ClientAssertionAlgSchema = z.enum([
  ...CLIENT_KEY_ASSERTION_ALGS,
  ...CLIENT_SECRET_ASSERTION_ALGS,
]);
export type ClientAssertionAlg = z.infer<typeof ClientAssertionAlgSchema>;

/** JWK members that hold private or symmetric key material (RFC 7517, RFC 7518 §6). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * A client's public keys (RFC 7591 `jwks`): what the provider verifies its private_key_jwt assertions
 * with. A private or symmetric key is refused: registering it would hand the provider (and every
 * export of the workspace) the client's secret.
 */
export const ClientJwksSchema = z
  .strictObject({
    keys: z.array(z.record(z.string(), z.json())).min(1, 'jwks needs at least one key').max(20),
  })
  .superRefine((jwks, ctx) => {
    jwks.keys.forEach((key, index) => {
      if (typeof key.kty !== 'string') {
        ctx.addIssue({ code: 'custom', path: ['keys', index, 'kty'], message: 'a JWK needs a "kty"' });
      }
      const secret = PRIVATE_JWK_MEMBERS.filter((member) => member in key);
      if (key.kty === 'oct' || secret.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['keys', index],
          message: `jwks holds only public keys; key ${index}${typeof key.kid === 'string' ? ` (kid "${key.kid}")` : ''} has private material (${secret.join(', ') || 'kty "oct"'}): register its public part`,
        });
      }
    });
  });
export type ClientJwks = z.infer<typeof ClientJwksSchema>;

const JwksUri = z
  .string()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.hash;
    } catch {
      return false;
    }
  }, 'jwks_uri must be an http(s) URL without a fragment');

export const ACCESS_TOKEN_FORMATS = ['jwt', 'reference'] as const;
export const AccessTokenFormatSchema = z.enum(ACCESS_TOKEN_FORMATS);
export type AccessTokenFormat = z.infer<typeof AccessTokenFormatSchema>;

const RedirectUri = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return !url.hash && url.protocol !== 'javascript:' && url.protocol !== 'data:';
  } catch {
    return false;
  }
}, 'must be an absolute URI without a fragment');

const ScopeString = z
  .string()
  .max(2000)
  .regex(
    /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$|^$/,
    'must be space-separated scope tokens',
  );

const ClientId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x20-\x7E]+$/, 'client_id must be printable ASCII');

/**
 * How an assertion's `sub` finds the test user it names: by the user's subject identifier, by username,
 * or the subject first and then the username (the default: either works).
 */
export const SUBJECT_MATCHES = ['sub', 'username', 'sub_then_username'] as const;
export const SubjectMatchSchema = z.enum(SUBJECT_MATCHES);
export type SubjectMatch = z.infer<typeof SubjectMatchSchema>;

/** One issuer whose assertions a client may trade for tokens (RFC 7523 §3: the assertion's `iss`). */
export const TrustedIssuerSchema = z
  .strictObject({
    issuer: z.string().min(1, 'a trusted issuer needs its "issuer" (the assertions\' iss)').max(500),
    /** Its public keys, inline (private members refused, as for a client's jwks)… */
    jwks: ClientJwksSchema.optional(),
    /** …or where the provider fetches them (briefly cached). Exactly one of the two. */
    jwks_uri: JwksUri.optional(),
    subject_match: SubjectMatchSchema.default('sub_then_username'),
  })
  .superRefine((trusted, ctx) => {
    if ((trusted.jwks === undefined) === (trusted.jwks_uri === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [trusted.jwks === undefined ? 'jwks' : 'jwks_uri'],
        message: `trusted issuer "${trusted.issuer}" needs its public keys: jwks or jwks_uri, exactly one`,
      });
    }
  });
export type TrustedIssuer = z.output<typeof TrustedIssuerSchema>;

/** What a client with the jwt-bearer grant accepts (RFC 7523 leaves who is trusted to the server). */
export const JwtBearerPolicySchema = z
  .strictObject({
    trusted_issuers: z.array(TrustedIssuerSchema).max(20).default([]),
    /** Scopes its assertions may be traded for; omitted: every scope of the client. */
    allowed_scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be one scope token'))
      .max(100)
      .optional(),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.trusted_issuers.forEach((trusted, index) => {
      if (seen.has(trusted.issuer)) {
        ctx.addIssue({
          code: 'custom',
          path: ['trusted_issuers', index, 'issuer'],
          message: `issuer "${trusted.issuer}" is listed twice; give each trusted issuer once`,
        });
      }
      seen.add(trusted.issuer);
    });
  });
export type JwtBearerPolicy = z.output<typeof JwtBearerPolicySchema>;

// ---------------------------------------------------------------- claim mapping

/** The tokens and answers a claim can go into: main/core/tokens/claim-mapping.ts decides each. */
export const CLAIM_TARGETS = ['access', 'id', 'userinfo', 'introspection'] as const;
export const ClaimTargetSchema = z.enum(CLAIM_TARGETS);
export type ClaimTarget = z.infer<typeof ClaimTargetSchema>;

/** OIDC Core §5.4 scopes, whose claims are fixed by the spec (main/core/tokens/claims.ts SCOPE_CLAIMS). */
export const STANDARD_SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'] as const;

/**
 * Claims a mapping may not produce: the provider's own (RESERVED_CLAIMS), RFC 8693's actor claims and
 * RFC 7662's introspection members, which the provider always sets itself.
 */
export const PROTOCOL_CLAIMS: readonly string[] = [
  ...RESERVED_CLAIMS,
  'act',
  'may_act',
  's_hash',
  'active',
  'token_type',
];

/** Static claim values of one client: small, so a mapping cannot push a token past what servers accept. */
export const MAX_STATIC_CLAIMS_BYTES = 16 * 1024;

const ScopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be one scope token');

/** The name of a claim as tokens carry it: a plain name or a namespaced URL (https://example.com/roles). */
const ClaimName = z
  .string()
  .min(1, 'a claim name must not be empty')
  .max(200)
  .refine((name) => name.trim() === name, 'a claim name must not start or end with spaces')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  .refine((name) => !/[\x00-\x1f\x7f]/.test(name), 'a claim name must not contain control characters')
  .refine((name) => name !== '__proto__', '"__proto__" cannot be a claim name');

const MappedClaimName = ClaimName.superRefine((name, ctx) => {
  if (PROTOCOL_CLAIMS.includes(name)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${name}" is a protocol claim the provider sets itself; map onto another name (for example a namespaced one like https://example.com/${name})`,
    });
  }
});

/**
 * One claim a client adds to its tokens: a user's claim (renamed or not) or a static value, into the
 * token kinds listed, optionally only when one of `scopes` is granted. `machine` also puts a static
 * value into the client's machine tokens (client_credentials: no user).
 */
export const ClaimMappingSchema = z
  .strictObject({
    name: MappedClaimName,
    source: z.strictObject({
      /** The user claim whose value is copied… */
      user_claim: ClaimName.optional(),
      /** …or this value, the same for every token. Exactly one of the two. */
      value: z.json().optional(),
    }),
    tokens: z
      .array(ClaimTargetSchema)
      .min(1, 'pick at least one token kind: access, id, userinfo or introspection')
      .max(CLAIM_TARGETS.length),
    scopes: z.array(ScopeToken).min(1, 'list at least one scope, or leave scopes out').max(50).optional(),
    machine: z.boolean().optional(),
  })
  .superRefine((mapping, ctx) => {
    const { user_claim, value } = mapping.source;
    if ((user_claim === undefined) === (value === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['source'],
        message: `claim "${mapping.name}" needs exactly one source: source.user_claim (a user's claim) or source.value (a static value)`,
      });
    }
    if (new Set(mapping.tokens).size !== mapping.tokens.length) {
      ctx.addIssue({ code: 'custom', path: ['tokens'], message: 'list each token kind once' });
    }
    if (mapping.machine && user_claim !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['machine'],
        message: `a client_credentials token has no user, so user claim "${user_claim}" cannot go into it: use a static value, or turn machine off`,
      });
    }
    if (mapping.machine && !mapping.tokens.some((kind) => kind === 'access' || kind === 'introspection')) {
      ctx.addIssue({
        code: 'custom',
        path: ['machine'],
        message: 'a client_credentials token is an access token: add "access" or "introspection" to tokens',
      });
    }
  });
export type ClaimMapping = z.output<typeof ClaimMappingSchema>;

/** Whether a user's custom claims not mapped by the client still go into all its tokens (as without mappings). */
export const CUSTOM_CLAIMS_MODES = ['all', 'mapped_only'] as const;
export const CustomClaimsModeSchema = z.enum(CUSTOM_CLAIMS_MODES);
export type CustomClaimsMode = z.infer<typeof CustomClaimsModeSchema>;

/**
 * A user claim mapped twice into one token kind (under two names) would double a token's size, and
 * two unconditional mappings onto one name would make one of them pointless: both are refused.
 */
function checkClaimMappings(client: { claim_mappings?: ClaimMapping[] | undefined }, ctx: z.RefinementCtx) {
  const mappings = client.claim_mappings ?? [];
  const names = new Map<string, number>();
  const sources = new Map<string, string>();
  let staticBytes = 0;
  mappings.forEach((mapping, index) => {
    const { user_claim, value } = mapping.source;
    if (value !== undefined) staticBytes += claimsBytes({ [mapping.name]: value });
    for (const kind of mapping.tokens) {
      if (!mapping.scopes) {
        const key = `${kind}\u0000${mapping.name}`;
        if (names.has(key)) {
          ctx.addIssue({
            code: 'custom',
            path: ['claim_mappings', index, 'name'],
            message: `claim "${mapping.name}" is mapped twice into the ${kind} token (mappings ${(names.get(key) ?? 0) + 1} and ${index + 1}); keep one, or gate them by scopes`,
          });
        }
        names.set(key, index);
      }
      if (user_claim === undefined) continue;
      const key = `${kind}\u0000${user_claim}`;
      const other = sources.get(key);
      if (other !== undefined && other !== mapping.name) {
        ctx.addIssue({
          code: 'custom',
          path: ['claim_mappings', index, 'source', 'user_claim'],
          message: `user claim "${user_claim}" is already mapped into the ${kind} token as "${other}"; map it once per token kind`,
        });
      }
      sources.set(key, mapping.name);
    }
  });
  if (staticBytes > MAX_STATIC_CLAIMS_BYTES) {
    ctx.addIssue({
      code: 'custom',
      path: ['claim_mappings'],
      message: `the static claim values are ${staticBytes} bytes as JSON; at most ${MAX_STATIC_CLAIMS_BYTES} are allowed`,
    });
  }
}

/**
 * Workspace-wide scope claims: a custom scope → the user claims it releases (scope `orders` releases
 * `department`). A claim listed here reaches a token only when one of its scopes is granted.
 */
export const ScopeClaimsSchema = z
  .record(ScopeToken, z.array(ClaimName).max(100))
  .superRefine((scopeClaims, ctx) => {
    for (const [scope, names] of Object.entries(scopeClaims)) {
      if ((STANDARD_SCOPES as readonly string[]).includes(scope)) {
        ctx.addIssue({
          code: 'custom',
          path: [scope],
          message: `"${scope}" is a standard OIDC scope whose claims are fixed (OIDC Core §5.4); give the claims a custom scope`,
        });
      }
      for (const name of names) {
        if (PROTOCOL_CLAIMS.includes(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [scope],
            message: `"${name}" is a protocol claim the provider sets itself; a scope cannot release it`,
          });
        }
      }
    }
  });
export type ScopeClaims = z.infer<typeof ScopeClaimsSchema>;

const clientFields = {
  client_id: ClientId,
  client_name: z.string().max(200).nullable().optional(),
  /** Required unless token_endpoint_auth_method is "none"; generated when omitted. */
  client_secret: z.string().min(1).max(500).nullable().optional(),
  redirect_uris: z.array(RedirectUri).max(50).default([]),
  post_logout_redirect_uris: z.array(RedirectUri).max(50).default([]),
  grant_types: z.array(GrantTypeSchema).min(1).default(['authorization_code', 'refresh_token']),
  token_endpoint_auth_method: AuthMethodSchema.default('client_secret_basic'),
  /** private_key_jwt: the client's public keys, inline (RFC 7591 §2)… */
  jwks: ClientJwksSchema.nullable().optional(),
  /** …or where the provider fetches them (briefly cached). Exactly one of the two. */
  jwks_uri: JwksUri.nullable().optional(),
  /** The one alg its assertions must use; any of the method's algs when omitted. */
  token_endpoint_auth_signing_alg: ClientAssertionAlgSchema.nullable().optional(),
  scope: ScopeString.default('openid profile email offline_access'),
  access_token_format: AccessTokenFormatSchema.default('jwt'),
  audience: z.array(z.string().min(1).max(500)).max(20).default([]),
  /** Omitted or null: the global lifetime (Settings). */
  access_token_ttl: Ttl.nullable().optional(),
  id_token_ttl: Ttl.nullable().optional(),
  refresh_token_ttl: Ttl.nullable().optional(),
  /**
   * RFC 8252 §7.3: any port on a registered http://127.0.0.1 or http://[::1] redirect URI. Omitted: on
   * for a public client registering one (a native app), off otherwise (shared/client-policies.ts).
   */
  allow_loopback_port_variance: z.boolean().optional(),
  /** May introspect every token (a gateway); otherwise only those issued to it or with it in their aud. */
  introspect_any_token: z.boolean().default(false),
  /** RFC 8693 token exchange policy (only with the token-exchange grant); omitted: the safe defaults. */
  token_exchange: TokenExchangePolicySchema.optional(),
  /** RFC 7523 jwt-bearer grant: the issuers whose assertions it may trade (needed with that grant). */
  jwt_bearer: JwtBearerPolicySchema.optional(),
  /** RFC 9449 §5.2: every token request must carry a DPoP proof (tokens always sender-constrained). */
  dpop_bound_access_tokens: z.boolean().optional(),
  /** RFC 9449 §8: this client's DPoP proofs must carry a server-provided nonce (DPoP-Nonce header). */
  dpop_nonce_required: z.boolean().optional(),
  /** Claims this client adds to its tokens (renamed user claims, static values); omitted: none. */
  claim_mappings: z.array(ClaimMappingSchema).max(50).optional(),
  /** "mapped_only": a user's custom claims reach this client's tokens only through its mappings. Default "all". */
  custom_claims: CustomClaimsModeSchema.optional(),
  /** What clients.get answers can be sent back as it is: its timestamps are accepted and ignored. */
  created_at: z.string().max(100).optional(),
  updated_at: z.string().max(100).optional(),
  registered_at: z.string().max(100).optional(),
};

type ClientFieldsInput = z.output<z.ZodObject<typeof clientFields>>;
/** A client as the engine keeps it: null means "not set", the same as omitted, and no timestamps. */
export type ClientMetadata = {
  [K in Exclude<keyof ClientFieldsInput, 'created_at' | 'updated_at' | 'registered_at'>]: Exclude<
    ClientFieldsInput[K],
    null
  >;
};

/** Accepts clients.get's shape (nulls for unset fields, timestamps) as input: what the API returns, it accepts. */
function asClientMetadata({
  created_at,
  updated_at,
  registered_at,
  ...fields
}: ClientFieldsInput): ClientMetadata {
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== null) metadata[key] = value;
  return metadata as ClientMetadata;
}

function checkClientConsistency(
  client: { grant_types?: GrantType[]; redirect_uris?: string[]; token_endpoint_auth_method?: AuthMethod },
  ctx: z.RefinementCtx,
) {
  const grants = client.grant_types ?? [];
  if (grants.includes('authorization_code') && (client.redirect_uris ?? []).length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['redirect_uris'],
      message: 'a client with the authorization_code grant needs at least one redirect URI',
    });
  }
  if (client.token_endpoint_auth_method === 'none' && grants.includes('client_credentials')) {
    ctx.addIssue({
      code: 'custom',
      path: ['grant_types'],
      message:
        'client_credentials needs a confidential client (token_endpoint_auth_method other than "none")',
    });
  }
}

/** RFC 7523 / OIDC Core §9: what each JWT client authentication method needs to be checkable. */
function checkClientAuthKeys(
  client: {
    token_endpoint_auth_method?: AuthMethod;
    jwks?: ClientJwks | undefined;
    jwks_uri?: string | undefined;
    token_endpoint_auth_signing_alg?: ClientAssertionAlg | undefined;
  },
  ctx: z.RefinementCtx,
) {
  const method = client.token_endpoint_auth_method;
  const hasKeys = client.jwks !== undefined || client.jwks_uri !== undefined;
  if (method === 'private_key_jwt') {
    if (!hasKeys) {
      ctx.addIssue({
        code: 'custom',
        path: ['jwks'],
        message: "private_key_jwt needs the client's public keys: jwks or jwks_uri",
      });
    } else if (client.jwks !== undefined && client.jwks_uri !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['jwks_uri'], message: 'give jwks or jwks_uri, not both' });
    }
  } else if (hasKeys) {
    ctx.addIssue({
      code: 'custom',
      path: [client.jwks !== undefined ? 'jwks' : 'jwks_uri'],
      message: `jwks and jwks_uri are used only by private_key_jwt (this client uses ${method ?? 'client_secret_basic'})`,
    });
  }
  const alg = client.token_endpoint_auth_signing_alg;
  if (alg === undefined) return;
  const fits =
    method === 'private_key_jwt'
      ? (CLIENT_KEY_ASSERTION_ALGS as readonly string[]).includes(alg)
      : method === 'client_secret_jwt' && (CLIENT_SECRET_ASSERTION_ALGS as readonly string[]).includes(alg);
  if (!fits) {
    const algs = method === 'private_key_jwt' ? CLIENT_KEY_ASSERTION_ALGS : CLIENT_SECRET_ASSERTION_ALGS;
    ctx.addIssue({
      code: 'custom',
      path: ['token_endpoint_auth_signing_alg'],
      message:
        method === 'private_key_jwt' || method === 'client_secret_jwt'
          ? `${method} assertions are signed with one of ${algs.join(', ')} (got ${alg})`
          : `token_endpoint_auth_signing_alg applies only to private_key_jwt and client_secret_jwt`,
    });
  }
}

/** The jwt-bearer grant needs someone to trust, and its scopes must be the client's. */
function checkJwtBearer(
  client: { grant_types?: GrantType[]; scope?: string; jwt_bearer?: JwtBearerPolicy | undefined },
  ctx: z.RefinementCtx,
) {
  const policy = client.jwt_bearer;
  if ((client.grant_types ?? []).includes(JWT_BEARER_GRANT) && !policy?.trusted_issuers.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['jwt_bearer', 'trusted_issuers'],
      message:
        "the jwt-bearer grant needs at least one trusted issuer (jwt_bearer.trusted_issuers): the iss of the assertions it accepts and that issuer's public keys",
    });
  }
  const scopes = new Set((client.scope ?? '').split(' '));
  const outside = (policy?.allowed_scopes ?? []).filter((scope) => !scopes.has(scope));
  if (outside.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['jwt_bearer', 'allowed_scopes'],
      message: `allowed_scopes may only narrow the client's scope; ${outside.map((s) => `"${s}"`).join(', ')} is not in it`,
    });
  }
}

export const ClientInputSchema = z
  .strictObject(clientFields)
  .transform(asClientMetadata)
  .superRefine(checkClientConsistency)
  .superRefine(checkClientAuthKeys)
  .superRefine(checkJwtBearer)
  .superRefine(checkClaimMappings);
export type ClientInput = z.input<typeof ClientInputSchema>;

export const ClientSchema = z.object({
  client_id: z.string(),
  client_name: z.string().nullable(),
  client_secret: z.string().nullable(),
  redirect_uris: z.array(z.string()),
  post_logout_redirect_uris: z.array(z.string()),
  grant_types: z.array(GrantTypeSchema),
  token_endpoint_auth_method: AuthMethodSchema,
  jwks: ClientJwksSchema.nullable(),
  jwks_uri: z.string().nullable(),
  token_endpoint_auth_signing_alg: ClientAssertionAlgSchema.nullable(),
  scope: z.string(),
  access_token_format: AccessTokenFormatSchema,
  audience: z.array(z.string()),
  access_token_ttl: z.number().nullable(),
  id_token_ttl: z.number().nullable(),
  refresh_token_ttl: z.number().nullable(),
  allow_loopback_port_variance: z.boolean(),
  introspect_any_token: z.boolean(),
  /** Present when the client states one; the engine applies the defaults otherwise. */
  token_exchange: TokenExchangePolicySchema.optional(),
  /** Present when the client states one (with the jwt-bearer grant it must). */
  jwt_bearer: JwtBearerPolicySchema.optional(),
  /** RFC 9449 §5.2; present when the client states it (absent: DPoP optional). */
  dpop_bound_access_tokens: z.boolean().optional(),
  /** RFC 9449 §8 nonces for this client's proofs; present when the client states it. */
  dpop_nonce_required: z.boolean().optional(),
  /** Present when the client states them; absent: no mappings, every custom claim as before. */
  claim_mappings: z.array(ClaimMappingSchema).optional(),
  custom_claims: CustomClaimsModeSchema.optional(),
  created_at: z.string(),
  updated_at: z.string(),
  /** Present when the client registered itself (RFC 7591 dynamic registration): when it did. */
  registered_at: z.string().optional(),
});
export type Client = z.infer<typeof ClientSchema>;

// ---------------------------------------------------------------- tokens

export const TOKEN_KINDS = ['access', 'refresh', 'id'] as const;
export const TokenKindSchema = z.enum(TOKEN_KINDS);
export type TokenKind = z.infer<typeof TokenKindSchema>;

export const TOKEN_FORMATS = ['jwt', 'reference', 'opaque'] as const;
export const TokenFormatSchema = z.enum(TOKEN_FORMATS);
export type TokenFormat = z.infer<typeof TokenFormatSchema>;

export const TOKEN_STATES = ['active', 'expired', 'revoked', 'rotated', 'reuse_detected'] as const;
export const TokenStateSchema = z.enum(TOKEN_STATES);
export type TokenState = z.infer<typeof TokenStateSchema>;

export const TokenSchema = z.object({
  /** In a list for every issuer (scope "*"): the id of the issuer the token is of. */
  issuer: z.string().optional(),
  id: z.string(),
  /** Its place in its issuer's issue order (later issued, greater); a list's keyset cursors use it. */
  seq: z.number().int().optional(),
  kind: TokenKindSchema,
  format: TokenFormatSchema,
  state: TokenStateSchema,
  client_id: z.string(),
  username: z.string().nullable(),
  subject: z.string(),
  grant_id: z.string().nullable(),
  parent_id: z.string().nullable(),
  scope: z.string(),
  audience: z.array(z.string()),
  issued_at: z.string(),
  expires_at: z.string(),
  revoked_at: z.string().nullable(),
  revoked_reason: z.string().nullable(),
  last_used_at: z.string().nullable(),
  /** What a token the QA lab made wrong on purpose has wrong (shared/lab.ts variant ids); empty otherwise. */
  flaws: z.array(z.string()),
  /**
   * The grant type that issued it: "authorization_code", "refresh_token", the token-exchange URN, …,
   * or "mint" (minted by the admin API); null when not recorded (tokens issued before it was).
   */
  grant_type: z.string().nullable(),
  /** RFC 8693 `act`: who acts for the subject (nested for a chain of actors); null when nobody does. */
  act: z.record(z.string(), z.json()).nullable(),
});
export type Token = z.infer<typeof TokenSchema>;

/** How many of a token's children (tokens refreshed or exchanged from it) its detail lists. */
export const TOKEN_CHILDREN_SHOWN = 100;

export const TokenDetailSchema = TokenSchema.extend({
  /** The compact JWT for JWT tokens (access and ID), null for opaque ones (kept only as a hash). */
  jwt: z.string().nullable(),
  /** The decoded JWT header and payload, or the stored claims of a reference token. */
  header: z.record(z.string(), z.json()).nullable(),
  claims: z.record(z.string(), z.json()),
  /** Why each claim is there ("from scope `profile`", "protocol claim"), by the current configuration. */
  claim_reasons: z.record(z.string(), z.string()).optional(),
  /** What RFC 7662 introspection answers for this token right now. */
  introspection: z.record(z.string(), z.json()),
  /** Why each member of that answer is there. */
  introspection_reasons: z.record(z.string(), z.string()).optional(),
  /** The token it was refreshed or exchanged from (parent_id), null when none or no longer stored. */
  parent: TokenSchema.nullable(),
  /** Tokens refreshed or exchanged from it, oldest first (at most TOKEN_CHILDREN_SHOWN), and how many in all. */
  children: z.array(TokenSchema),
  children_total: z.number().int(),
});
export type TokenDetail = z.infer<typeof TokenDetailSchema>;

/**
 * How a token list is ordered: by issue (newest or oldest first) or by expiry (soonest or latest
 * first). Each order pages by keyset (`cursor`), so the millionth row costs what the first does.
 */
export const TOKEN_SORTS = ['issued_desc', 'issued_asc', 'expires_asc', 'expires_desc'] as const;
export const TokenSortSchema = z.enum(TOKEN_SORTS);
export type TokenSort = z.infer<typeof TokenSortSchema>;

/** What narrows a token list (and a count): everything but paging and order. */
export const TokenMatchSchema = z.strictObject({
  kind: TokenKindSchema.optional(),
  format: TokenFormatSchema.optional(),
  state: TokenStateSchema.optional(),
  client_id: z.string().optional(),
  username: z.string().optional(),
  grant_id: z.string().optional(),
  /**
   * Free text: a token id (jti) exactly (then that token only), or a part (any case) of its subject,
   * user name, client id or claims.
   */
  q: z.string().trim().min(1).max(200).optional(),
  /** These tokens only, by id: a view that updates the rows it shows after an event. */
  ids: z.array(z.string().min(1).max(200)).min(1).max(1000).optional(),
});
export type TokenMatch = z.input<typeof TokenMatchSchema>;

/** A count that may be an estimate: counting every match of a free-text filter over millions of rows is slow. */
export const CountSchema = z.object({
  count: z.number().int().min(0),
  /** False when `count` is extrapolated from the part of the store that was read. */
  exact: z.boolean(),
});
export type Count = z.infer<typeof CountSchema>;

export const TokenFilterSchema = TokenMatchSchema.extend({
  sort: TokenSortSchema.default('issued_desc'),
  /**
   * Where the previous page ended: its answer's `next_cursor` (shared/token-cursor.ts). Keyset
   * paging; not with `offset`.
   */
  cursor: z.string().min(1).max(4000).optional(),
  /** Whether to count every match into `total` (null when false; tokens.count counts apart). */
  count: z.boolean().default(true),
  limit: z.number().int().min(1).max(10_000).default(500),
  offset: z.number().int().min(0).default(0),
});
export type TokenFilter = z.input<typeof TokenFilterSchema>;

// ---------------------------------------------------------------- keys

/**
 * A key's life: `next` (published in the JWKS, not signing yet), `current` (signs), `previous`
 * (published so its tokens still verify), `retired` (gone from the JWKS).
 */
export const KEY_STATUSES = ['next', 'current', 'previous', 'retired'] as const;
export const KeyStatusSchema = z.enum(KEY_STATUSES);
export type KeyStatus = z.infer<typeof KeyStatusSchema>;
/** The longest delay keys.stage accepts before a staged key starts signing (30 days). */
export const MAX_KEY_ACTIVATION_DELAY_SECONDS = 30 * 24 * 60 * 60;

export const SigningKeySchema = z.object({
  kid: z.string(),
  alg: SigningAlgSchema,
  status: KeyStatusSchema,
  created_at: z.string(),
  retired_at: z.string().nullable(),
  /** A next key: when it starts signing by itself; null when it waits for keys.activate. */
  activates_at: z.string().nullable(),
  /** When the key started signing; null for a key that never did. */
  activated_at: z.string().nullable(),
  public_jwk: z.record(z.string(), z.json()),
});
export type SigningKey = z.infer<typeof SigningKeySchema>;

/** A key as exported with a workspace when keys are asked for (private parts included). */
export const KeyExportSchema = z
  .strictObject({
    kid: z.string().min(1).max(200),
    alg: SigningAlgSchema,
    status: KeyStatusSchema,
    created_at: z.string(),
    /** A next key's scheduled activation (ISO 8601); absent or null: it waits for keys.activate. */
    activates_at: z.iso.datetime({ offset: true }).nullable().optional(),
    /** When a current or previous key started signing (ISO 8601); absent: when it was made. */
    activated_at: z.iso.datetime({ offset: true }).nullable().optional(),
    private_jwk: z.record(z.string(), z.json()),
  })
  .refine((key) => key.status !== 'next' || !key.activated_at, {
    path: ['activated_at'],
    message: 'a next key has not started signing: remove activated_at, or make the key current',
  });
export type KeyExport = z.infer<typeof KeyExportSchema>;

// ---------------------------------------------------------------- events

// The list lives in a module without zod: the engine's live path (shared/live-gap.ts) needs it, and
// whatever the CLI's launcher loads must not pull zod in.
export { EVENT_TYPES };
export const EventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventTypeSchema>;

/** What a live batch left out under heavy load (shared/live-gap.ts says what a listener does with it). */
export const IssuerGapSchema = z.object({
  /** How many events of each type were left out (absent: none). */
  omitted: z.partialRecord(EventTypeSchema, z.number().int().min(0)),
  /** The newest left-out event's id: every later event of this issuer is in this batch or a later one. */
  through: z.number().int().min(0),
  /** More were missed than could be counted (a reconnect after a long gap): any type may be missing. */
  uncounted: z.literal(true).optional(),
});
export type IssuerGap = z.infer<typeof IssuerGapSchema>;

/** What a live batch left out since the previous batch, per issuer id ("root" for the root issuer). */
export const LiveGapSchema = z.object({ issuers: z.record(z.string(), IssuerGapSchema) });
export type LiveGap = z.infer<typeof LiveGapSchema>;

export const EngineEventSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  type: EventTypeSchema,
  client_id: z.string().nullable(),
  username: z.string().nullable(),
  token_id: z.string().nullable(),
  data: z.record(z.string(), z.json()),
  /** The issuer of the workspace it happened at (its id; "root" for the root issuer), on live events. */
  issuer: z.string().optional(),
});
export type EngineEvent = z.infer<typeof EngineEventSchema>;

export const EventFilterSchema = z.strictObject({
  type: EventTypeSchema.optional(),
  client_id: z.string().optional(),
  username: z.string().optional(),
  token_id: z.string().optional(),
  /** Only events with an id greater than this (for catching up after a reconnect). */
  after_id: z.number().int().min(0).optional(),
  /** Only events older than this id, newest first: the next page after a page ending at this id. */
  before_id: z.number().int().min(1).optional(),
  /** Only failures: requests answered with an error status, and reuse detections. */
  errors: z.boolean().optional(),
  /** Only requests to this endpoint (e.g. "token", "userinfo"). */
  endpoint: z.string().max(64).optional(),
  /** Free text: a part (any case) of the event's type, client id, user name, token id or data. */
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.number().int().min(1).max(5000).default(200),
});
export type EventFilter = z.input<typeof EventFilterSchema>;

/** The endpoints whose requests are recorded as `request` events (the `endpoint` of their data). */
export const REQUEST_ENDPOINTS = [
  'token',
  'userinfo',
  'introspection',
  'revocation',
  'device_authorization',
  'authorize',
  'logout',
  'discovery',
  'jwks',
] as const;

/** One redacted HTTP exchange of the request log: secrets, passwords, tokens and assertions cut. */
export const RequestExchangeSchema = z.object({
  event_id: z.number().int(),
  at: z.string(),
  method: z.string(),
  path: z.string(),
  status: z.number().int(),
  request: z.object({ headers: z.record(z.string(), z.string()), body: z.json() }),
  response: z.object({ headers: z.record(z.string(), z.string()), body: z.json() }),
});
export type RequestExchange = z.infer<typeof RequestExchangeSchema>;

// ---------------------------------------------------------------- workspace (seed file)

/** The seed file and the export/import format are one document. */
/** What one issuer holds: its settings, users, clients and (optionally) keys. */
const IssuerContentsSchema = z.strictObject({
  settings: SettingsPatchSchema.optional(),
  users: z.array(UserInputSchema).optional(),
  clients: z.array(ClientInputSchema).optional(),
  keys: z.array(KeyExportSchema).optional(),
});

/** One of the workspace's other issuers in a workspace document: its name, shape and contents. */
export const IssuerSectionSchema = IssuerContentsSchema.extend({
  name: IssuerNameSchema,
  profile: IssuerProfileSchema.default('generic'),
  display_name: z.string().trim().min(1).max(100).optional(),
});
export type IssuerSection = z.output<typeof IssuerSectionSchema>;

/**
 * A workspace document (export, import, seed file): the root issuer's contents at the top level, as
 * before there were several issuers, and the others in `issuers`, matched by name.
 */
export const WorkspaceSchema = IssuerContentsSchema.extend({
  issuers: z
    .array(IssuerSectionSchema)
    .max(50)
    .superRefine((sections, ctx) => {
      const seen = new Set<string>();
      sections.forEach((section, index) => {
        if (seen.has(section.name)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `issuer "${section.name}" is listed twice; each name once`,
          });
        }
        seen.add(section.name);
      });
    })
    .optional(),
});
export type Workspace = z.input<typeof WorkspaceSchema>;
export type ParsedWorkspace = z.output<typeof WorkspaceSchema>;
