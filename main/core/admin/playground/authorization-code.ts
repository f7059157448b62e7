import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { AdminParsedInput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import { randomToken } from '../../lib/secrets';
import type { UserRecord } from '../../store/users';
import { splitScope } from '../../tokens/claims';
import { type PlaygroundRun, parsedBody, send } from './exchange';
import { type CodeInHand, type PkceAndState, redeemCode, withOverrides } from './redeem';
import { runScenario } from './scenarios';

/** The browser's place in the login: the interaction id of the login form and its binding cookie. */
interface LoginPage {
  interaction: string;
  binding: string;
}

/** Refuses a run this client or input cannot make, before any request is sent. */
function checkInput(run: PlaygroundRun, input: AdminParsedInput<'playground.run'>) {
  const { client, deps } = run;
  if (!client.grant_types.includes('authorization_code')) {
    throw new AdminError(
      'invalid_input',
      `Client "${client.client_id}" is not allowed the authorization_code grant.`,
    );
  }
  const redirectUri = client.redirect_uris[0];
  if (!redirectUri)
    throw new AdminError('invalid_input', `Client "${client.client_id}" has no redirect URI.`);
  if (!input.username) throw new AdminError('invalid_input', 'Choose the user who signs in.');
  const user = deps.ctx.users.require(input.username);
  return { redirectUri, user, scope: input.scope ?? client.scope };
}

function preparePkce(run: PlaygroundRun): PkceAndState {
  const verifier = randomToken();
  const challenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  const state = randomToken().slice(0, 16);
  const nonce = randomToken().slice(0, 16);
  run.steps.push({
    title: 'Client prepares PKCE, state and nonce',
    spec: 'RFC 7636 §4.1–4.2, OIDC Core §3.1.2.1',
    explanation:
      'The client keeps a random code_verifier secret and sends only its SHA-256 hash (code_challenge). Whoever redeems the code must know the verifier, so a stolen code is useless. state protects the redirect against CSRF; nonce binds the ID token to this request.',
    http: null,
    values: {
      code_verifier: verifier,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      nonce,
    },
  });
  return { verifier, challenge, state, nonce };
}

/** GET /authorize; the login page it answers with, or null when it did not show one. */
async function authorize(
  run: PlaygroundRun,
  redirectUri: string,
  scope: string,
  pkce: PkceAndState,
  overrides: Record<string, string> = {},
): Promise<LoginPage | null> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: run.client.client_id,
    redirect_uri: redirectUri,
    scope,
    state: pkce.state,
    nonce: pkce.nonce,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  });
  withOverrides(query, overrides);
  const http = await send(run, 'GET', `${run.deps.ctx.paths.authorization}?${query}`, {}, null);
  run.steps.push({
    title: 'Browser → GET /authorize',
    spec: 'RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636 §4.3',
    explanation:
      'The client redirects the browser to the authorization endpoint. With no session yet, the provider shows its login page.',
    http,
    values: {},
  });
  const interaction = /name="interaction" value="([^"]+)"/.exec(http.response.body)?.[1];
  const binding = (http.response.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  if (http.response.status !== 200 || !interaction) return null;
  return { interaction, binding };
}

/** POST /login as the user; the authorization code of the redirect, or null when there is none. */
async function signIn(run: PlaygroundRun, user: UserRecord, page: LoginPage): Promise<string | null> {
  const loginForm: Record<string, string> = { interaction: page.interaction, username: user.username };
  if (user.password !== null) loginForm.password = user.password;
  const http = await send(
    run,
    'POST',
    run.deps.ctx.paths.login,
    { 'content-type': 'application/x-www-form-urlencoded', cookie: page.binding },
    new URLSearchParams(loginForm).toString(),
  );
  const location = http.response.headers.location;
  const callback = location ? new URL(location) : null;
  const code = callback?.searchParams.get('code') ?? null;
  run.steps.push({
    title: `User signs in as ${user.username} → POST /login`,
    spec: 'OIDC Core §3.1.2.3, RFC 6749 §4.1.2, RFC 9207',
    explanation:
      'After sign-in the provider answers 303 See Other back to the redirect URI with a short-lived, single-use code, the same state, and iss (so the client knows which provider answered).',
    http,
    values: {
      code,
      state: callback?.searchParams.get('state') ?? null,
      iss: callback?.searchParams.get('iss') ?? null,
    },
  });
  return code;
}

/** The browser part: PKCE, authorize, sign in as the user; the code, or null when a step failed. */
export async function signInForCode(
  run: PlaygroundRun,
  input: AdminParsedInput<'playground.run'>,
): Promise<CodeInHand | null> {
  const { redirectUri, user, scope } = checkInput(run, input);
  const pkce = preparePkce(run);
  const page = await authorize(run, redirectUri, scope, pkce, input.authorize_params);
  if (!page) return null;
  const code = await signIn(run, user, page);
  return code ? { code, redirectUri, pkce } : null;
}

function validateIdToken(run: PlaygroundRun, idToken: string, nonce: string): void {
  const claims = decodeJwt(idToken);
  run.steps.push({
    title: 'Client validates the ID token',
    spec: 'OIDC Core §3.1.3.7',
    explanation:
      'A client must verify the signature with the JWKS, and check iss, aud (its client_id), exp, and that nonce equals the one it sent. at_hash ties the ID token to the access token.',
    http: null,
    values: {
      iss_matches: claims.iss === run.issuer,
      aud_matches: claims.aud === run.client.client_id,
      nonce_matches: claims.nonce === nonce,
      expires: typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : null,
    },
  });
}

async function fetchUserinfo(run: PlaygroundRun, accessToken: string | undefined): Promise<void> {
  const http = await send(
    run,
    'GET',
    run.deps.ctx.paths.userinfo,
    { authorization: `Bearer ${accessToken}` },
    null,
  );
  run.steps.push({
    title: 'Client → GET /userinfo',
    spec: 'OIDC Core §5.3, RFC 6750 §2.1',
    explanation:
      'The access token is presented as a Bearer token; the provider returns the claims the granted scopes allow.',
    http,
    values: { claims: parsedBody(http) },
  });
}

/**
 * The authorization code flow with PKCE, as a browser and a client run it: authorize, sign in, redeem
 * the code, check the ID token, call userinfo. Stops (not ok) at the first step that fails.
 */
export async function authorizationCodeFlow(
  run: PlaygroundRun,
  input: AdminParsedInput<'playground.run'>,
): Promise<boolean> {
  const inHand = await signInForCode(run, input);
  if (!inHand) return false;
  if (input.scenario) return runScenario(run, inHand, input.scenario, input.token_params);
  const parsed = await redeemCode(run, inHand, undefined, input.token_params);
  if (!parsed) return false;
  Object.assign(run.tokens, parsed);
  if (parsed.id_token) validateIdToken(run, parsed.id_token, inHand.pkce.nonce);
  if (splitScope(parsed.scope).includes('openid')) await fetchUserinfo(run, parsed.access_token);
  return true;
}
