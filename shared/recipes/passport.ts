import type { Recipe, RecipeInput } from './types';
import {
  originOf,
  pathOf,
  portOf,
  privateKeyLines,
  quoted,
  redirectUriMatching,
  registerRedirectNote,
} from './values';

const STRATEGY = 'idp-sandbox';

function clientAuthentication({ client }: RecipeInput): string {
  // The provider accepts only the method the client is registered with; openid-client defaults to client_secret_post.
  switch (client.token_endpoint_auth_method) {
    case 'none':
      return 'client.None()';
    case 'client_secret_post':
      return `client.ClientSecretPost(${quoted(client.client_secret ?? '')})`;
    case 'client_secret_basic':
      return `client.ClientSecretBasic(${quoted(client.client_secret ?? '')})`;
    case 'client_secret_jwt':
      return `client.ClientSecretJwt(${quoted(client.client_secret ?? '')})`;
    case 'private_key_jwt':
      // The private key stays with the app; the provider holds only its public part (jwks / jwks_uri).
      return 'client.PrivateKeyJwt(PRIVATE_KEY)';
  }
}

function appTs(input: RecipeInput): string {
  const { issuer, client } = input;
  const key = privateKeyLines(client);
  const redirect = redirectUriMatching(client, /./, 'http://127.0.0.1:3000/callback');
  const postLogout = client.post_logout_redirect_uris[0];
  const discoveryOptions = issuer.startsWith('http:')
    ? `,
  // The sandbox serves plain http on 127.0.0.1, which openid-client refuses unless told to allow it.
  { execute: [client.allowInsecureRequests] }`
    : '';
  const publicNote =
    client.token_endpoint_auth_method === 'none'
      ? `// ${client.client_id} is a public client: it signs in with PKCE alone. A server-side app can keep a secret,
// so a confidential client (client_secret_basic) is the usual choice here.\n`
      : '';
  const logoutComment = postLogout
    ? "// Ends the provider's session too, then comes back here."
    : `// Signs out of this app only. To end the provider's session too, register a post-logout redirect URI
  // (such as ${originOf(redirect.uri)}/) and redirect to client.buildEndSessionUrl(config, { post_logout_redirect_uri }).`;
  const logoutTarget = postLogout
    ? `client.buildEndSessionUrl(config, { post_logout_redirect_uri: ${quoted(postLogout)} }).href`
    : `'/'`;
  return `// Passport with openid-client's own strategy (openid-client v6).
//   npm install express express-session passport openid-client
${registerRedirectNote(redirect, '//')}${publicNote}import express from 'express';
import session from 'express-session';
import * as client from 'openid-client';
import { Strategy, type VerifyFunction } from 'openid-client/passport';
import passport from 'passport';
${key.importLine}
declare global {
  namespace Express {
    // What verify puts in the session: the ID token's claims.
    interface User {
      sub: string;
      email?: string;
    }
  }
}

${key.declaration}const config = await client.discovery(
  new URL(${quoted(issuer)}),
  ${quoted(client.client_id)},
  undefined,
  ${clientAuthentication(input)}${discoveryOptions},
);

// The ID token's claims become req.user; call client.fetchUserInfo for the rest.
const verify: VerifyFunction = (tokens, verified) => verified(null, tokens.claims());

passport.use(
  new Strategy(
    { name: '${STRATEGY}', config, scope: ${quoted(client.scope)}, callbackURL: ${quoted(redirect.uri)} },
    verify,
  ),
);
passport.serializeUser((user: Express.User, done) => done(null, user));
passport.deserializeUser((user: Express.User, done) => done(null, user));

const app = express();
app.use(session({ secret: process.env.SESSION_SECRET ?? 'change-me', resave: false, saveUninitialized: false }));
app.use(passport.authenticate('session'));

app.get('/login', passport.authenticate('${STRATEGY}'));
app.get(${quoted(pathOf(redirect.uri))}, passport.authenticate('${STRATEGY}', { successRedirect: '/', failureRedirect: '/login' }));
app.get('/', (req, res) => {
  res.send(req.user ? \`Signed in as \${req.user.sub}\` : '<a href="/login">Sign in</a>');
});
app.get('/logout', (req, res, next) => {
  ${logoutComment}
  req.logout((error) => (error ? next(error) : res.redirect(${logoutTarget})));
});

app.listen(${portOf(redirect.uri)});
`;
}

export const passportRecipe: Recipe = {
  id: 'passport',
  title: 'Passport (openid-client strategy)',
  kind: 'web-app',
  summary:
    'An Express app already on Passport: openid-client v6 ships the strategy (openid-client/passport).',
  exercisedBy: null,
  render(input) {
    return [{ name: 'app.ts', language: 'typescript', content: appTs(input) }];
  },
};
