/**
 * Resource servers written for the attack run's tests (lab.checkApi), each a real HTTP server on
 * 127.0.0.1 with its own port. They answer 200 to a token they accept, 401 (403 for a missing scope)
 * otherwise, so each bad token's verdict is what the service's code decided.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { compactVerify, createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { basicAuth } from './script-http';

export interface TestApi {
  /** The protected endpoint: http://127.0.0.1:PORT/orders */
  url: string;
  /** How many requests it has answered. */
  requests(): number;
  close(): Promise<void>;
}

type Verdict = 200 | 401 | 403;

async function listen(decide: (token: string | null) => Promise<Verdict>): Promise<TestApi> {
  let count = 0;
  const server = http.createServer((req, res) => {
    count += 1;
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    // A decision that throws (a token that is not even JSON) is a rejection like any other.
    decide(match?.[1] ?? null)
      .catch((): Verdict => 401)
      .then((status) => {
        res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ ok: status === 200 }));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/orders`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const scopesOf = (scope: unknown) => (typeof scope === 'string' ? scope.split(' ') : []);
const now = () => Math.floor(Date.now() / 1000);

export interface ApiOptions {
  issuer: string;
  /** The scope every request needs; omitted: none. */
  requiredScope?: string;
}

/**
 * A careless resource server with exactly three flaws, the ones a run must find:
 * 1. it trusts a token whose header says `alg: none`, without any signature (finds alg_none);
 * 2. it never looks at `aud` (finds wrong_audience, no_audience);
 * 3. it never looks at `exp` (finds expired, missing_exp).
 * Everything else it checks as it should: the signature by the provider's JWKS (jose compactVerify,
 * which also refuses an unknown `crit` extension), typ at+jwt, iss, nbf and iat not in the future, the
 * required scope. It knows JWTs only, so every opaque or reference token is rejected.
 */
export function startCarelessApi(options: ApiOptions): Promise<TestApi> {
  const jwks = createRemoteJWKSet(new URL(`${options.issuer}/jwks`));
  return listen(async (token) => {
    if (token === null || token.split('.').length !== 3) return 401;
    const header = decodeProtectedHeader(token);
    let payload: JWTPayload;
    if (header.alg === 'none') {
      // Flaw 1: "none" is taken at its word.
      payload = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
    } else {
      const verified = await compactVerify(token, jwks);
      payload = JSON.parse(new TextDecoder().decode(verified.payload));
    }
    if (!['at+jwt', 'application/at+jwt'].includes(String(header.typ).toLowerCase())) return 401;
    if (payload.iss !== options.issuer) return 401;
    if (typeof payload.nbf === 'number' && payload.nbf > now() + 5) return 401;
    if (typeof payload.iat === 'number' && payload.iat > now() + 5) return 401;
    // Flaws 2 and 3: aud and exp are never read.
    if (options.requiredScope && !scopesOf(payload.scope).includes(options.requiredScope)) return 403;
    return 200;
  });
}

export interface StrictApiOptions extends ApiOptions {
  /** The audience this API is: the tokens' aud must hold it. */
  audience: string;
  /** A confidential client allowed to introspect (reference tokens). */
  introspection: { clientId: string; secret: string };
}

/** Reference (opaque) tokens: the provider's introspection must say active, a Bearer access token for us. */
async function strictIntrospection(options: StrictApiOptions, token: string): Promise<Verdict> {
  const { clientId, secret } = options.introspection;
  const response = await fetch(`${options.issuer}/introspect`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(clientId, secret),
      'content-type': 'application/x-www-form-urlencoded',
      connection: 'close',
    },
    body: new URLSearchParams({ token }).toString(),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (answer.active !== true || answer.token_type !== 'Bearer') return 401;
  const aud = Array.isArray(answer.aud) ? answer.aud : [answer.aud];
  if (!aud.includes(options.audience)) return 401;
  if (options.requiredScope && !scopesOf(answer.scope).includes(options.requiredScope)) return 403;
  return 200;
}

/**
 * A strict resource server: JWTs through jose's jwtVerify with the issuer, the audience, typ at+jwt,
 * exp required and only the algorithms of the provider's JWKS; opaque tokens through introspection.
 * jose compares iat with the clock only when given maxTokenAge, so a token issued in the future is
 * refused here explicitly.
 */
export function startStrictApi(options: StrictApiOptions): Promise<TestApi> {
  const jwks = createRemoteJWKSet(new URL(`${options.issuer}/jwks`));
  let algorithms: string[] | undefined;
  return listen(async (token) => {
    if (!token) return 401;
    if (token.split('.').length !== 3) return strictIntrospection(options, token);
    algorithms ??= await jwksAlgorithms(options.issuer);
    const { payload } = await jwtVerify(token, jwks, {
      issuer: options.issuer,
      audience: options.audience,
      typ: 'at+jwt',
      algorithms,
      requiredClaims: ['exp', 'iat'],
    });
    if ((payload.iat as number) > now() + 5) return 401;
    if (options.requiredScope && !scopesOf(payload.scope).includes(options.requiredScope)) return 403;
    return 200;
  });
}

async function jwksAlgorithms(issuer: string): Promise<string[]> {
  const response = await fetch(`${issuer}/jwks`, { headers: { connection: 'close' } });
  const { keys } = (await response.json()) as { keys: { alg?: string }[] };
  return [...new Set(keys.map((key) => key.alg).filter((alg): alg is string => typeof alg === 'string'))];
}

/**
 * An endpoint that never answers, so the run's timeout is what ends each request; with `answerFirst`
 * it accepts the first request (the baseline) and hangs from the second on.
 */
export async function startHangingApi(options: { answerFirst?: boolean } = {}): Promise<TestApi> {
  let answered = !options.answerFirst;
  return listen(() => {
    if (answered) return new Promise<Verdict>(() => undefined);
    answered = true;
    return Promise.resolve(200);
  });
}

/** An endpoint that answers every request with a redirect to `location` (which the run must not follow). */
export function startRedirectingApi(location: string): Promise<TestApi> {
  let count = 0;
  const server = http.createServer((_req, res) => {
    count += 1;
    res.writeHead(307, { location, connection: 'close' }).end();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/orders`,
        requests: () => count,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
