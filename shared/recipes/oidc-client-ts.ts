import type { Recipe, RecipeInput } from './types';

/** The settings the SPA recipe's JSON file holds: oidc-client-ts `UserManagerSettings` names. */
export interface OidcClientTsSettings {
  authority: string;
  client_id: string;
  redirect_uri: string;
  post_logout_redirect_uri?: string;
  response_type: 'code';
  scope: string;
  loadUserInfo: boolean;
}

export const OIDC_CLIENT_TS_SETTINGS_FILE = 'oidc-config.json';

function settingsOf({ issuer, client }: RecipeInput): OidcClientTsSettings {
  const postLogout = client.post_logout_redirect_uris[0];
  return {
    authority: issuer,
    client_id: client.client_id,
    redirect_uri: client.redirect_uris[0] ?? `${issuer}/register-a-redirect-uri-first`,
    ...(postLogout ? { post_logout_redirect_uri: postLogout } : {}),
    response_type: 'code',
    scope: client.scope,
    // Fetches /userinfo after sign-in so user.profile has every claim, not only the ID token's.
    loadUserInfo: true,
  };
}

function confidentialWarning({ client }: RecipeInput): string {
  if (client.token_endpoint_auth_method === 'none') return '';
  return `// ${client.client_id} is a confidential client (${client.token_endpoint_auth_method}), and a browser app cannot
// keep a secret: register a public client (token_endpoint_auth_method "none", PKCE) for an SPA.
`;
}

function mainTsx(input: RecipeInput): string {
  return `// npm install oidc-client-ts react-oidc-context
// Serve index.html for ${new URL(settingsOf(input).redirect_uri).pathname} too (Vite does): the provider sends the browser back there.
${confidentialWarning(input)}import { createRoot } from 'react-dom/client';
import { AuthProvider, type AuthProviderProps, useAuth } from 'react-oidc-context';
import oidcConfig from './${OIDC_CLIENT_TS_SETTINGS_FILE}';

const authConfig: AuthProviderProps = {
  ...oidcConfig,
  // Without a refresh token (no offline_access), signinSilent and automaticSilentRenew renew in a
  // hidden iframe: add "silent_redirect_uri" to ${OIDC_CLIENT_TS_SETTINGS_FILE} (register it as a redirect URI
  // too), a page of this app that calls new UserManager(oidcConfig).signinSilentCallback().
  // Takes ?code=…&state=… out of the address bar once they are redeemed.
  onSigninCallback: () => window.history.replaceState({}, document.title, '/'),
};

function App() {
  const auth = useAuth();
  if (auth.isLoading) return <p>Loading…</p>;
  if (auth.error) return <p>Sign-in failed: {auth.error.message}</p>;
  if (!auth.isAuthenticated) {
    return <button type="button" onClick={() => void auth.signinRedirect()}>Sign in</button>;
  }
  // Call your API with: fetch(url, { headers: { Authorization: \`Bearer \${auth.user?.access_token}\` } })
  return (
    <>
      <p>Signed in as {auth.user?.profile.sub}</p>
      <button type="button" onClick={() => void auth.signoutRedirect()}>Sign out</button>
    </>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <AuthProvider {...authConfig}>
    <App />
  </AuthProvider>,
);
`;
}

export const oidcClientTsRecipe: Recipe = {
  id: 'oidc-client-ts',
  title: 'oidc-client-ts / react-oidc-context',
  kind: 'browser-app',
  summary:
    'A single-page app signing users in from the browser: public client, code flow with PKCE, refresh and sign-out.',
  exercisedBy: 'test/interop/spa-oidc-client-ts.test.ts',
  render(input) {
    return [
      {
        name: OIDC_CLIENT_TS_SETTINGS_FILE,
        language: 'json',
        content: `${JSON.stringify(settingsOf(input), null, 2)}\n`,
      },
      { name: 'main.tsx', language: 'typescript', content: mainTsx(input) },
    ];
  },
};
