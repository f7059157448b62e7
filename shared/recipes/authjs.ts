import { commentText } from '../quote';
import type { Recipe, RecipeFile, RecipeInput } from './types';
import { originOf, pathOf, quoted, redirectUriMatching, registerRedirectNote } from './values';

const CALLBACK_PATH = /^\/api\/auth\/callback\/([^/]+)$/;

/** Auth.js derives its callback from the provider id: reuse the id of a registered callback when there is one. */
function providerOf({ client }: RecipeInput) {
  const redirect = redirectUriMatching(
    client,
    CALLBACK_PATH,
    'http://127.0.0.1:3000/api/auth/callback/idp-sandbox',
  );
  const id = CALLBACK_PATH.exec(pathOf(redirect.uri))?.[1] ?? 'idp-sandbox';
  return { id, redirect };
}

function authTs(input: RecipeInput): string {
  const { issuer, client } = input;
  const { id, redirect } = providerOf(input);
  const confidential = client.token_endpoint_auth_method !== 'none' && client.client_secret !== null;
  const credentials = confidential
    ? `      clientSecret: ${quoted(client.client_secret ?? '')},
${
  client.token_endpoint_auth_method === 'client_secret_post'
    ? `      // The provider accepts only the method the client is registered with; Auth.js defaults to client_secret_basic.
      client: { token_endpoint_auth_method: 'client_secret_post' },
`
    : ''
}`
    : '';
  const publicNote = confidential
    ? ''
    : `// ${client.client_id} is a public client. Auth.js runs on the server and authenticates with a client secret:
// register a confidential client (client_secret_basic) for it and put its secret below as clientSecret.\n`;
  return `// Auth.js (next-auth v5) in a Next.js app.
//   npm install next-auth@beta
${registerRedirectNote(redirect, '//')}${publicNote}import NextAuth from 'next-auth';

export const { handlers, auth, signIn, signOut } = NextAuth({
  providers: [
    {
      id: ${quoted(id)},
      name: 'IDP Sandbox',
      type: 'oidc',
      // Auth.js reads <issuer>/.well-known/openid-configuration, and accepts a plain-http issuer as it is.
      issuer: ${quoted(issuer)},
      clientId: ${quoted(client.client_id)},
${credentials}      authorization: { params: { scope: ${quoted(client.scope)} } },
    },
  ],
});
`;
}

const ROUTE_TS = `// Mounts Auth.js at /api/auth/* (sign-in, callback, sign-out).
import { handlers } from '@/auth';

export const { GET, POST } = handlers;
`;

function envFile(input: RecipeInput): string {
  const { redirect } = providerOf(input);
  return `# Encrypts Auth.js's session cookie: generate one with \`npx auth secret\` (it writes this file).
AUTH_SECRET=replace-with-the-output-of-npx-auth-secret
# Auth.js takes the app's origin from the request: open the app at ${originOf(redirect.uri)} so its
# callback is ${commentText(redirect.uri)}, or set AUTH_URL=${originOf(redirect.uri)}
`;
}

export const authjsRecipe: Recipe = {
  id: 'authjs',
  title: 'Auth.js (NextAuth)',
  kind: 'web-app',
  summary: 'A Next.js app signing users in with Auth.js v5 and a custom OIDC provider.',
  exercisedBy: null,
  render(input): RecipeFile[] {
    return [
      { name: 'auth.ts', language: 'typescript', content: authTs(input) },
      { name: 'app/api/auth/[...nextauth]/route.ts', language: 'typescript', content: ROUTE_TS },
      { name: '.env.local', language: 'shell', content: envFile(input) },
    ];
  },
};
