/**
 * Faults on demand (QA lab): make an endpoint slow, failing, reset or subtly wrong for the next N
 * requests, for S seconds of provider time, or until turned off, to see what a client does about it.
 * Faults are a test-time switch: the engine keeps them in memory only, so a restart turns them all off.
 */
import { z } from 'zod';
import { GrantTypeSchema } from './schemas';

/** The endpoints a fault can be put on (discovery covers both well-known documents). */
export const FAULT_ENDPOINTS = [
  'token',
  'introspection',
  'userinfo',
  'revocation',
  'jwks',
  'discovery',
  'authorize',
] as const;
export const FaultEndpointSchema = z.enum(FAULT_ENDPOINTS);
export type FaultEndpoint = z.infer<typeof FaultEndpointSchema>;

export const FAULT_KINDS = [
  'latency',
  'error_status',
  'oauth_error',
  'connection_reset',
  'jwks_missing_current_key',
  'discovery_wrong_issuer',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Error codes a client is likely to be tested against; `oauth_error` accepts any well-formed code. */
export const SUGGESTED_OAUTH_ERRORS = [
  'invalid_grant',
  'invalid_client',
  'invalid_request',
  'invalid_scope',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_token',
  'insufficient_scope',
  'access_denied',
  'login_required',
  'consent_required',
  'server_error',
  'temporarily_unavailable',
] as const;

/** RFC 6749 §5.2: an error code is %x20-21 / %x23-5B / %x5D-7E; a space would split it, so none here. */
const OAUTH_ERROR_CODE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** The same set with the space, for error_description. */
const OAUTH_ERROR_TEXT = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;

export const MAX_FAULT_LATENCY_MS = 60_000;
export const MAX_FAULT_REQUESTS = 10_000;
export const MAX_FAULT_SECONDS = 7 * 24 * 60 * 60;
/** How many faults may be on at once: each request to a faulted endpoint looks through them. */
export const MAX_ACTIVE_FAULTS = 50;

/** The numbers a fault takes, named so the UI's fields check exactly what faults.add checks. */
export const FaultLatencyMsSchema = z.number().int().min(1).max(MAX_FAULT_LATENCY_MS);
export const FaultRequestsSchema = z.number().int().min(1).max(MAX_FAULT_REQUESTS);
export const FaultSecondsSchema = z.number().int().min(1).max(MAX_FAULT_SECONDS);

/** What a fault does to a request it applies to. */
export const FaultEffectSchema = z.discriminatedUnion('kind', [
  /** Answers normally, `ms` milliseconds late. Combines with any other fault on the endpoint. */
  z.strictObject({ kind: z.literal('latency'), ms: FaultLatencyMsSchema }),
  /**
   * An outage answer: 500 server_error, 503 temporarily_unavailable, or 429 (too many requests) with
   * Retry-After (default 5 s). Retry-After is sent with 503 too when given.
   */
  z.strictObject({
    kind: z.literal('error_status'),
    status: z.union([z.literal(500), z.literal(503), z.literal(429)]),
    retry_after_seconds: z.number().int().min(0).max(86_400).optional(),
  }),
  /**
   * A specific OAuth error (RFC 6749 §5.2, RFC 6750 §3.1), e.g. invalid_grant on the next refresh. The
   * status defaults to what the spec gives the code (401 invalid_client and invalid_token, 403
   * insufficient_scope, else 400). At /authorize it is sent back to the client's redirect_uri
   * (RFC 6749 §4.1.2.1), as a real refusal would be.
   */
  z.strictObject({
    kind: z.literal('oauth_error'),
    error: z
      .string()
      .min(1)
      .max(64)
      .regex(OAUTH_ERROR_CODE, 'must be an OAuth error code (no spaces or quotes)'),
    error_description: z
      .string()
      .max(500)
      .regex(OAUTH_ERROR_TEXT, 'may hold printable ASCII only, without double quotes or backslashes')
      .optional(),
    status: z.number().int().min(400).max(599).optional(),
  }),
  /** The connection is closed without an answer, as a crashed or restarting server would. */
  z.strictObject({ kind: z.literal('connection_reset') }),
  /** jwks only: the key set without the key that signs now, as a stale cache or a botched rotation. */
  z.strictObject({ kind: z.literal('jwks_missing_current_key') }),
  /** discovery only: the document names another issuer (default https://wrong-issuer.invalid). */
  z.strictObject({ kind: z.literal('discovery_wrong_issuer'), issuer: z.url().max(2000).optional() }),
]);
export type FaultEffect = z.infer<typeof FaultEffectSchema>;

export const DEFAULT_RETRY_AFTER_SECONDS = 5;
export const DEFAULT_WRONG_ISSUER = 'https://wrong-issuer.invalid';

/** Kinds that fit only some endpoints; every other kind fits every endpoint. */
const KIND_ENDPOINTS: Partial<Record<FaultKind, readonly FaultEndpoint[]>> = {
  jwks_missing_current_key: ['jwks'],
  discovery_wrong_issuer: ['discovery'],
  // The documents are not OAuth endpoints: they have no OAuth error to give.
  oauth_error: ['token', 'introspection', 'userinfo', 'revocation', 'authorize'],
};

/** The endpoints a fault kind can be put on. */
export function endpointsFor(kind: FaultKind): readonly FaultEndpoint[] {
  return KIND_ENDPOINTS[kind] ?? FAULT_ENDPOINTS;
}

/** faults.add: where, what, and for how long (`requests` or `seconds`; neither: until turned off). */
export const FaultInputSchema = z
  .strictObject({
    endpoint: FaultEndpointSchema,
    effect: FaultEffectSchema,
    /** The next N requests the fault applies to. */
    requests: FaultRequestsSchema.optional(),
    /** This many seconds of provider time from now. */
    seconds: FaultSecondsSchema.optional(),
    /** token only: apply to requests of this grant type alone ("invalid_grant on the next refresh"). */
    grant_type: GrantTypeSchema.optional(),
  })
  .superRefine((input, issues) => {
    const fits = endpointsFor(input.effect.kind);
    if (!fits.includes(input.endpoint)) {
      issues.addIssue({
        code: 'custom',
        path: ['effect', 'kind'],
        message: `${input.effect.kind} cannot be put on ${input.endpoint}; it fits ${fits.join(', ')}`,
      });
    }
    if (input.requests !== undefined && input.seconds !== undefined) {
      issues.addIssue({
        code: 'custom',
        path: ['seconds'],
        message: 'give requests or seconds, not both (neither: until turned off)',
      });
    }
    if (input.grant_type !== undefined && input.endpoint !== 'token') {
      issues.addIssue({
        code: 'custom',
        path: ['grant_type'],
        message: 'applies to the token endpoint only',
      });
    }
  });
export type FaultInput = z.input<typeof FaultInputSchema>;
export type ParsedFaultInput = z.output<typeof FaultInputSchema>;

/** An active fault, as faults.list and faults.add answer. */
export const FaultSchema = z.object({
  /** Short and per engine run ("f1"), for faults.remove and the CLI's log. */
  id: z.string(),
  endpoint: FaultEndpointSchema,
  effect: FaultEffectSchema,
  grant_type: GrantTypeSchema.nullable(),
  /** The scope as given: the next `requests` requests, `seconds` seconds, or both null (until turned off). */
  requests: z.number().int().nullable(),
  seconds: z.number().int().nullable(),
  /** Requests it may still apply to; null when not counted. */
  remaining_requests: z.number().int().nullable(),
  /** When it turns itself off, in provider time; null when not timed. */
  expires_at: z.string().nullable(),
  added_at: z.string(),
  /** Requests it has applied to so far. */
  applied: z.number().int(),
  /** One line saying what it does, for the UI's banner and the CLI's log. */
  description: z.string(),
});
export type Fault = z.infer<typeof FaultSchema>;

function describeEffect(effect: FaultEffect): string {
  switch (effect.kind) {
    case 'latency':
      return `${effect.ms} ms late`;
    case 'error_status': {
      const error = effect.status === 500 ? 'server_error' : 'temporarily_unavailable';
      const retry =
        effect.retry_after_seconds ?? (effect.status === 429 ? DEFAULT_RETRY_AFTER_SECONDS : null);
      return `${effect.status} ${error}${retry === null ? '' : ` (Retry-After ${retry} s)`}`;
    }
    case 'oauth_error':
      return `${effect.error}${effect.status ? ` (${effect.status})` : ''}`;
    case 'connection_reset':
      return 'connection reset';
    case 'jwks_missing_current_key':
      return 'key set without the current signing key';
    case 'discovery_wrong_issuer':
      return `issuer ${effect.issuer ?? DEFAULT_WRONG_ISSUER}`;
  }
}

/** "token (refresh_token) → invalid_grant for the next request": what a fault does, in one line. */
export function describeFault(
  fault: Pick<Fault, 'endpoint' | 'effect' | 'grant_type' | 'requests' | 'seconds'>,
): string {
  const where = fault.grant_type ? `${fault.endpoint} (${fault.grant_type})` : fault.endpoint;
  const scope =
    fault.requests !== null
      ? `for the next ${fault.requests === 1 ? 'request' : `${fault.requests} requests`}`
      : fault.seconds !== null
        ? `for ${fault.seconds} s`
        : 'until turned off';
  return `${where} → ${describeEffect(fault.effect)} ${scope}`;
}
