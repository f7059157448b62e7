import { createHash, randomUUID } from 'node:crypto';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
} from 'jose';
import type { AdminParsedInput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import { seconds } from '../../lib/clock';
import { describeToken, type Exchange, type Json, type PlaygroundRun, parsedBody, send } from './exchange';
import { obtainToken } from './first-token';

type Input = AdminParsedInput<'playground.run'>;

/** The client's DPoP key for this run, made here and forgotten with it, and the last nonce it was given. */
interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  jkt: string;
  nonce: string | null;
}

const ALG = 'ES256';

async function generateDpopKey(run: PlaygroundRun): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG);
  const publicJwk = await exportJWK(publicKey);
  const jkt = await calculateJwkThumbprint(publicJwk, 'sha256');
  run.steps.push({
    title: 'Client generates its DPoP key pair',
    spec: 'RFC 9449 §2, RFC 7638 §3',
    explanation:
      'The client makes a key pair of its own (here ES256, with jose) and keeps the private key. Tokens will be bound to the public key by its thumbprint (jkt), so whoever steals them cannot use them without the private key.',
    http: null,
    values: { public_jwk: publicJwk as Json, jkt },
  });
  return { privateKey, publicJwk, jkt, nonce: null };
}

/** A DPoP proof for one request (RFC 9449 §4.2); with `accessToken`, its hash as ath. */
async function proof(run: PlaygroundRun, key: DpopKey, method: string, path: string, accessToken?: string) {
  const claims: Record<string, string> = { htm: method, htu: `${run.issuer}${path}` };
  // RFC 9449 §4.2: ath = base64url(SHA-256(ASCII(access token))).
  if (accessToken) claims.ath = createHash('sha256').update(accessToken, 'ascii').digest('base64url');
  if (key.nonce) claims.nonce = key.nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: ALG, jwk: key.publicJwk })
    .setJti(randomUUID())
    .setIssuedAt(seconds(run.deps.ctx.clock))
    .sign(key.privateKey);
}

function describeProof(http: Exchange): Json[string] {
  const value = http.request.headers.dpop;
  if (!value) return null;
  return { header: decodeProtectedHeader(value) as Json, payload: decodeJwt(value) as Json };
}

/** RFC 9449 §8: a server that wants a nonce says so (use_dpop_nonce) and sends it in DPoP-Nonce. */
function takeNonce(key: DpopKey, http: Exchange): boolean {
  const nonce = http.response.headers['dpop-nonce'];
  if (nonce) key.nonce = nonce;
  return parsedBody(http).error === 'use_dpop_nonce' && Boolean(nonce);
}

/** The token request with a proof; once more with the nonce when the provider asks for one (§8). */
async function boundToken(run: PlaygroundRun, input: Input, key: DpopKey) {
  const headers = async () => ({ dpop: await proof(run, key, 'POST', run.deps.ctx.paths.token) });
  for (let attempt = 0; ; attempt++) {
    const parsed = await obtainToken(run, input, headers);
    const step = run.steps.at(-1);
    if (!step?.http) return parsed;
    const cnf = parsed?.access_token ? (describeToken(parsed.access_token) as Json) : null;
    const payload = cnf && typeof cnf.payload === 'object' ? (cnf.payload as Json) : null;
    const jkt = payload?.cnf && typeof payload.cnf === 'object' ? (payload.cnf as Json).jkt : null;
    step.spec = `${step.spec}, RFC 9449 §4.2, §5, §6.1`;
    step.explanation = `${step.explanation} With a DPoP proof in the DPoP header (signed with the client's key, its public key in the header, htm/htu naming this request), the access token is bound to that key: token_type DPoP, and cnf.jkt is the key's thumbprint.`;
    Object.assign(step.values, {
      dpop_proof: describeProof(step.http),
      token_type: parsed?.token_type ?? null,
      cnf_jkt: jkt ?? null,
      jkt_matches_key: jkt === undefined || jkt === null ? null : jkt === key.jkt,
    });
    if (parsed || attempt > 0 || !takeNonce(key, step.http)) return parsed;
    step.explanation = `${step.explanation} This client must also put a server-provided nonce in its proofs: the provider refused with use_dpop_nonce and sent one in DPoP-Nonce (RFC 9449 §8), so the client asks again with it.`;
  }
}

/** GET /userinfo with the DPoP-bound token, with a proof (ath) or, to show the refusal, without. */
async function userinfo(run: PlaygroundRun, key: DpopKey, token: string, withProof: boolean) {
  const headers: Record<string, string> = { authorization: `DPoP ${token}` };
  if (withProof) headers.dpop = await proof(run, key, 'GET', run.deps.ctx.paths.userinfo, token);
  const http = await send(run, 'GET', run.deps.ctx.paths.userinfo, headers, null);
  if (withProof && takeNonce(key, http)) {
    headers.dpop = await proof(run, key, 'GET', run.deps.ctx.paths.userinfo, token);
    return send(run, 'GET', run.deps.ctx.paths.userinfo, headers, null);
  }
  return http;
}

/**
 * RFC 9449 DPoP: the client makes a key, gets a token bound to it, calls userinfo with a proof of the
 * key, then without one and is refused: a stolen DPoP token is useless alone.
 */
export async function dpopFlow(run: PlaygroundRun, input: Input): Promise<boolean> {
  if (!input.username) {
    throw new AdminError('invalid_input', 'Choose the user whose token is bound (userinfo needs a user).');
  }
  const key = await generateDpopKey(run);
  const parsed = await boundToken(run, input, key);
  if (!parsed?.access_token) return false;
  Object.assign(run.tokens, parsed);
  const token = parsed.access_token;

  const withProof = await userinfo(run, key, token, true);
  run.steps.push({
    title: 'Client → GET /userinfo (Authorization: DPoP, with a proof)',
    spec: 'RFC 9449 §4.2, §7.1, OIDC Core §5.3',
    explanation:
      'A DPoP-bound token is sent with the DPoP scheme, not Bearer, and with a new proof for this request: htm GET, htu the userinfo URL, and ath, the hash of the access token. The provider checks the proof is signed by the key the token is bound to (cnf.jkt).',
    http: withProof,
    values: { dpop_proof: describeProof(withProof), claims: parsedBody(withProof) },
  });
  if (withProof.response.status !== 200) return false;

  const without = await userinfo(run, key, token, false);
  const error = parsedBody(without);
  run.steps.push({
    title: 'Someone with the token but not the key → GET /userinfo (no proof): refused',
    spec: 'RFC 9449 §7.1, §4.3, RFC 6750 §3',
    explanation:
      'The same call without a proof, as a thief who copied the token but not the private key would make it. The provider answers 401 with a DPoP challenge in WWW-Authenticate: the token alone is worth nothing.',
    http: without,
    values: {
      error: error.error ?? null,
      error_description: error.error_description ?? null,
      www_authenticate: without.response.headers['www-authenticate'] ?? null,
    },
  });
  return without.response.status === 401;
}
