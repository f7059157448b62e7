import type { Recipe, RecipeInput } from './types';
import { privateKeyLines } from './values';

export const OPENID_CLIENT_APP_FILE = 'server.mjs';

const js = (value: string) => JSON.stringify(value);

function clientAuthentication({ client }: RecipeInput): string {
  switch (client.token_endpoint_auth_method) {
    case 'none':
      return 'client.None()';
    case 'client_secret_post':
      return 'client.ClientSecretPost(CLIENT_SECRET)';
    case 'client_secret_basic':
      return 'client.ClientSecretBasic(CLIENT_SECRET)';
    case 'client_secret_jwt':
      return 'client.ClientSecretJwt(CLIENT_SECRET)';
    case 'private_key_jwt':
      // The private key stays with the app; the provider holds only its public part (jwks / jwks_uri).
      return 'client.PrivateKeyJwt(PRIVATE_KEY)';
  }
}

function serverMjs(input: RecipeInput): string {
  const { issuer, client } = input;
  const redirectUri = client.redirect_uris[0] ?? 'http://127.0.0.1:3000/callback';
  const postLogout = client.post_logout_redirect_uris[0];
  const insecure = issuer.startsWith('http:');
  const key = privateKeyLines(client);
  return `// A server-side web app signing users in with openid-client v6 (Express 5).
//   npm install express openid-client
//   node ${OPENID_CLIENT_APP_FILE}      listens on the redirect URI's port; PORT=4000 node ${OPENID_CLIENT_APP_FILE} to change it
//   open ${new URL('/login', redirectUri).href}
import { randomBytes } from 'node:crypto';
import express from 'express';
import * as client from 'openid-client';
${key.importLine}
const ISSUER = new URL(${js(issuer)});
const CLIENT_ID = ${js(client.client_id)};
const CLIENT_SECRET = ${client.client_secret === null ? 'undefined' : js(client.client_secret)};
const REDIRECT_URI = ${js(redirectUri)};
const POST_LOGOUT_REDIRECT_URI = ${postLogout ? js(postLogout) : 'undefined'};
const SCOPE = ${js(client.scope)};
const PORT = Number(process.env.PORT ?? new URL(REDIRECT_URI).port);
${key.declaration}
const config = await client.discovery(ISSUER, CLIENT_ID, CLIENT_SECRET, ${clientAuthentication(input)}${
    insecure
      ? `, {
  // The sandbox serves plain http on 127.0.0.1, which openid-client refuses unless told to allow it.
  execute: [client.allowInsecureRequests],
}`
      : ''
  });

// Sessions kept in memory behind a random cookie: enough for local development. In production use a
// session middleware with a shared store.
const sessions = new Map();
function sessionOf(req, res) {
  const id = /(?:^|;\\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  if (id && sessions.has(id)) return sessions.get(id);
  const fresh = { id: randomBytes(32).toString('base64url') };
  sessions.set(fresh.id, fresh);
  res.cookie('sid', fresh.id, { httpOnly: true, sameSite: 'lax', path: '/' });
  return fresh;
}

const app = express();

app.get('/', (_req, res) => {
  res.type('html').send('<a href="/login">Sign in</a> · <a href="/me">Who am I</a> · <a href="/logout">Sign out</a>');
});

app.get('/login', async (req, res) => {
  const session = sessionOf(req, res);
  // PKCE, state and nonce are new for every sign-in and stay in the session until the callback.
  session.codeVerifier = client.randomPKCECodeVerifier();
  session.state = client.randomState();
  session.nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(session.codeVerifier),
    code_challenge_method: 'S256',
    state: session.state,
    nonce: session.nonce,
  });
  res.redirect(authorizationUrl.href);
});

app.get('/callback', async (req, res) => {
  const session = sessionOf(req, res);
  const { codeVerifier, state, nonce } = session;
  session.codeVerifier = session.state = session.nonce = undefined;
  // Resolved against REDIRECT_URI rather than the Host header, so the redirect_uri sent is the registered one.
  const tokens = await client.authorizationCodeGrant(config, new URL(req.originalUrl, REDIRECT_URI), {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  const claims = tokens.claims();
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  session.user = { claims, userinfo };
  session.idToken = tokens.id_token;
  session.refreshToken = tokens.refresh_token;
  res.redirect('/me');
});

app.get('/me', (req, res) => {
  const session = sessionOf(req, res);
  if (!session.user) return res.status(401).type('html').send('Not signed in. <a href="/login">Sign in</a>');
  res.json(session.user);
});

app.get('/logout', (req, res) => {
  const session = sessionOf(req, res);
  sessions.delete(session.id);
  res.clearCookie('sid', { path: '/' });
  if (!session.idToken) return res.redirect('/');
  // Ends the provider's browser session too, so the next sign-in shows its login page again.
  const endSessionUrl = client.buildEndSessionUrl(config, {
    id_token_hint: session.idToken,
    ...(POST_LOGOUT_REDIRECT_URI ? { post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI } : {}),
  });
  res.redirect(endSessionUrl.href);
});

app.listen(PORT, '127.0.0.1', (error) => {
  if (error) throw error;
  console.log(\`Web app listening on http://127.0.0.1:\${PORT}\`);
});
`;
}

export const openidClientRecipe: Recipe = {
  id: 'openid-client',
  title: 'openid-client (Node web app)',
  kind: 'web-app',
  summary:
    'A server-side Node app (Express) signing users in with the authorization code flow, PKCE, state and nonce.',
  exercisedBy: 'test/interop/webapp-openid-client.test.ts',
  render(input) {
    return [{ name: OPENID_CLIENT_APP_FILE, language: 'javascript', content: serverMjs(input) }];
  },
};
