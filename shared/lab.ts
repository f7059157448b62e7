/**
 * The QA lab's part of the admin contract: tokens built to be wrong (lab.badTokens) and the attack run
 * that sends them to the user's own API (lab.checkApi). Variant ids are a closed list, so the UI, the
 * CLI report and the tests name the same things.
 */
import { z } from 'zod';
import { AccessTokenFormatSchema } from './schemas';

export const BAD_TOKEN_VARIANTS = [
  'expired',
  'not_yet_valid',
  'issued_in_future',
  'wrong_issuer',
  'wrong_audience',
  'no_audience',
  'id_token_typ',
  'plain_jwt_typ',
  'alg_none',
  'hs256_public_key',
  'unknown_kid',
  'retired_kid',
  'foreign_key_known_kid',
  'payload_tampered',
  'missing_exp',
  'insufficient_scope',
  'unknown_crit',
  'jku_header',
  'x5u_header',
  'embedded_jwk',
  'id_token_as_access',
  'refresh_token_as_access',
  'revoked_reference',
  'expired_reference',
  'oversized',
] as const;
export const BadTokenVariantSchema = z.enum(BAD_TOKEN_VARIANTS);
export type BadTokenVariant = z.infer<typeof BadTokenVariantSchema>;

/** How to get a good token: the same recipe makes the baseline and every variant. */
export const BaselineSchema = z.strictObject({
  client_id: z.string().min(1),
  /** The user the token is about; omit for a machine token. */
  username: z.string().min(1).optional(),
  /** Defaults to the client's audience (or its client_id). */
  audience: z.array(z.string().min(1).max(500)).min(1).max(20).optional(),
  /** Defaults to the client's registered scope. */
  scope: z.string().max(2000).optional(),
  /** The scope the API requires: the insufficient_scope variant leaves it out. */
  required_scope: z.string().max(2000).optional(),
  /** Access token format of the baseline; reference-only variants are made whatever this is. */
  format: AccessTokenFormatSchema.optional(),
});
export type Baseline = z.input<typeof BaselineSchema>;

export const BadTokenSchema = z.object({
  variant: BadTokenVariantSchema,
  /** One line: what is wrong with it. */
  title: z.string(),
  /** What a correct resource server must do with it, and why. */
  expected: z.string(),
  /** The specification that says so, e.g. "RFC 9068 §4". */
  reference: z.string(),
  format: z.enum(['jwt', 'reference', 'opaque']),
  value: z.string(),
  /** Decoded header and payload (unverified) for JWT variants; null for opaque values. */
  header: z.record(z.string(), z.json()).nullable(),
  payload: z.record(z.string(), z.json()).nullable(),
  /** The stored token it was recorded as (token id), when it is one. */
  token_id: z.string().nullable(),
});
export type BadToken = z.infer<typeof BadTokenSchema>;

export const BadTokensOutputSchema = z.object({
  baseline: z.object({ value: z.string(), format: z.enum(['jwt', 'reference']), token_id: z.string() }),
  variants: z.array(BadTokenSchema),
});
export type BadTokensOutput = z.infer<typeof BadTokensOutputSchema>;

export const CheckApiInputSchema = z.strictObject({
  /** The endpoint of the user's service; loopback only unless allow_remote. */
  url: z.string().min(1).max(2000),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET'),
  /** Extra request headers (never Authorization: the run sets it). */
  headers: z.record(z.string().min(1).max(200), z.string().max(8000)).optional(),
  body: z.string().max(100_000).optional(),
  baseline: BaselineSchema,
  /** Statuses that mean "accepted"; default: any 2xx. */
  accepted_statuses: z.array(z.number().int().min(100).max(599)).max(50).optional(),
  /** Variants to send; default: all. */
  variants: z.array(BadTokenVariantSchema).max(BAD_TOKEN_VARIANTS.length).optional(),
  allow_remote: z.boolean().default(false),
  /** Per request, in milliseconds. */
  timeout_ms: z.number().int().min(100).max(30_000).default(5_000),
});
export type CheckApiInput = z.input<typeof CheckApiInputSchema>;

export const CHECK_VERDICTS = ['rejected', 'wrongly_accepted', 'error'] as const;

export const CheckApiResultSchema = z.object({
  variant: BadTokenVariantSchema,
  title: z.string(),
  expected: z.string(),
  reference: z.string(),
  /** HTTP status the service answered; null when the request failed (see `error`). */
  status: z.number().int().nullable(),
  verdict: z.enum(CHECK_VERDICTS),
  error: z.string().nullable(),
  duration_ms: z.number(),
  /** A curl command line that sends the same request. */
  curl: z.string(),
});
export type CheckApiResult = z.infer<typeof CheckApiResultSchema>;

export const CheckApiOutputSchema = z.object({
  url: z.string(),
  method: z.string(),
  baseline: z.object({
    status: z.number().int().nullable(),
    accepted: z.boolean(),
    curl: z.string(),
    error: z.string().nullable(),
  }),
  /** Empty when the baseline was not accepted: the run stops there. */
  results: z.array(CheckApiResultSchema),
  /** How many variants the service wrongly accepted: the findings. */
  findings: z.number().int(),
  started_at: z.string(),
  duration_ms: z.number(),
});
export type CheckApiOutput = z.infer<typeof CheckApiOutputSchema>;
