import { apacheQuote, apacheUnquotable, commentText } from '../quote';
import type { Recipe, RecipeInput } from './types';
import {
  type ChosenRedirect,
  introspectionEndpoint,
  originOf,
  pathOf,
  redirectUriMatching,
  registerRedirectNote,
} from './values';

/**
 * Apache httpd with mod_auth_openidc (2.4, as Debian and Ubuntu ship it), in front of an application
 * or API. The relying-party recipe signs users in and hands their claims to the application as
 * request headers; the resource-server recipe checks bearer tokens (introspection for reference
 * tokens, the JWKS for JWTs). Both are rendered into the httpd that test/interop/apache.test.ts runs.
 */

const INSTALL = 'apt-get install apache2 libapache2-mod-auth-openidc && a2enmod auth_openidc proxy_http';

/** The path mod_auth_openidc protects: the folder of the redirect URI, which must lie inside it. */
function protectedPath(redirectUri: string): string {
  const path = pathOf(redirectUri);
  const folder = path.slice(0, path.lastIndexOf('/'));
  return folder === '' ? '/' : folder;
}

/** mod_auth_openidc's redirect URI is a vanity path it answers itself, by convention `…/redirect_uri`. */
function chooseRedirect(input: RecipeInput): ChosenRedirect {
  return redirectUriMatching(input.client, /\/redirect_uri$/, 'http://127.0.0.1:8080/protected/redirect_uri');
}

/**
 * Where a "Sign out" link points: mod_auth_openidc ends its own session, then sends the browser to the
 * provider's end_session_endpoint with id_token_hint, which returns to `returnTo` (one of the
 * client's post_logout_redirect_uris; mod_auth_openidc only accepts one on the host it serves).
 */
export function modAuthOpenidcLogoutUrl(input: RecipeInput): string {
  const { uri } = chooseRedirect(input);
  const returnTo = input.client.post_logout_redirect_uris[0] ?? `${originOf(uri)}/`;
  return `${uri}?logout=${encodeURIComponent(returnTo)}`;
}

/**
 * A directive with one quoted argument. A value httpd cannot read back as written (a line break would
 * start directives of its own) is left out, saying why, rather than written wrong.
 */
function directive(name: string, value: string): string {
  const problem = apacheUnquotable(value);
  if (problem) return `# ${name} is left out: its value cannot be written in this file (${problem}).`;
  return `${name} ${apacheQuote(value)}`;
}

/** mod_auth_openidc talks to the provider with libcurl, which must trust the sandbox's own CA over https. */
function caBundleLines(input: RecipeInput): string[] {
  if (!input.issuer.startsWith('https:')) return [];
  if (input.caFile) {
    return [
      "# The sandbox serves https with a CA of its own: trust it for the calls to the provider. httpd's",
      '# workers (www-data) read it: keep a copy they can read if the data folder is private.',
      directive('OIDCCABundlePath', input.caFile),
    ];
  }
  return [
    '# The sandbox serves https with a CA of its own (its path is printed by `serve --https`): trust it.',
    '#OIDCCABundlePath "/path/to/the/sandbox/ca.pem"',
  ];
}

function renderRelyingParty(input: RecipeInput): string {
  const { client } = input;
  const redirect = chooseRedirect(input);
  const { uri } = redirect;
  const location = protectedPath(uri);
  return [
    `# mod_auth_openidc as OpenID Connect relying party for client "${commentText(client.client_id)}".`,
    `# Debian/Ubuntu: ${INSTALL}`,
    ...caBundleLines(input),
    directive('OIDCProviderMetadataURL', `${input.issuer}/.well-known/openid-configuration`),
    directive('OIDCClientID', client.client_id),
    directive('OIDCClientSecret', client.client_secret ?? ''),
    '# A path mod_auth_openidc answers itself (no content behind it), inside the protected location.',
    ...registerRedirectNote(redirect, '#').split('\n').filter(Boolean),
    directive('OIDCRedirectURI', uri),
    '# Encrypts the state cookie and the session cache. This one is new at every start (everyone signs',
    '# in again after a restart); write a long random string instead to keep sessions across restarts.',
    'OIDCCryptoPassphrase "exec:/bin/sh -c \\"head -c 32 /dev/urandom | base64\\""',
    '# Without offline_access: the gateway keeps no refresh token; its session ends with the sign-in.',
    directive(
      'OIDCScope',
      client.scope
        .split(' ')
        .filter((s) => s !== 'offline_access')
        .join(' '),
    ),
    '# Claims reach the application as request headers: OIDC_CLAIM_sub, OIDC_CLAIM_email, and custom',
    '# claims the same way (OIDC_CLAIM_roles: admin,qa; arrays joined with OIDCClaimDelimiter).',
    'OIDCPassClaimsAs headers',
    '',
    `<Location ${apacheQuote(location)}>`,
    '  AuthType openid-connect',
    '  Require valid-user',
    '  # ProxyPass "http://127.0.0.1:8080/"   (the application that reads the OIDC_CLAIM_* headers)',
    '</Location>',
    '',
    "# Sign out: link to the URL below. mod_auth_openidc ends its session and calls the provider's",
    '# end_session_endpoint, which signs the user out and returns to the post-logout URI.',
    `#   ${commentText(modAuthOpenidcLogoutUrl(input))}`,
    '',
  ].join('\n');
}

/** The location the resource-server recipe protects; the API behind it is the user's. */
export const RESOURCE_SERVER_PATH = '/api';

function renderResourceServer(input: RecipeInput): string {
  const { client } = input;
  const lines = [
    `# mod_auth_openidc as OAuth 2.0 resource server for the access tokens of client "${commentText(client.client_id)}".`,
    `# Debian/Ubuntu: ${INSTALL}`,
  ];
  if (!input.issuer.startsWith('https:')) {
    lines.push(
      '# mod_auth_openidc 2.4 refuses http:// for OIDCOAuthIntrospectionEndpoint and OIDCOAuthVerifyJwksUri',
      '# ("cannot be parsed as a "https" URL" at config check): start the sandbox with `serve --https`.',
    );
  }
  lines.push(...caBundleLines(input));
  if (client.access_token_format === 'reference') {
    lines.push(
      '# Reference tokens mean nothing to the API: it asks the provider about each one (RFC 7662).',
      directive('OIDCOAuthIntrospectionEndpoint', introspectionEndpoint(input.issuer)),
      '# A client may introspect the tokens issued to it, and access tokens with its client_id in their aud',
      '# (or every token, with introspect_any_token): this one introspects its own.',
      directive('OIDCOAuthClientID', client.client_id),
      directive('OIDCOAuthClientSecret', client.client_secret ?? ''),
      `OIDCOAuthIntrospectionEndpointAuth ${client.token_endpoint_auth_method === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic'}`,
      '# -1: never cache an introspection result, so a revoked token is refused at once. The default (0)',
      '# caches an active answer until the token expires: revocation would go unseen until then.',
      'OIDCOAuthTokenIntrospectionInterval -1',
    );
  } else {
    lines.push(
      "# JWT access tokens are checked locally (signature and exp) against the provider's published keys.",
      '# A token signed with a key not yet cached (after a rotation) makes it fetch the JWKS again.',
      directive('OIDCOAuthVerifyJwksUri', `${input.issuer}/jwks`),
    );
  }
  lines.push(
    '',
    `<Location ${apacheQuote(RESOURCE_SERVER_PATH)}>`,
    '  AuthType oauth20',
    '  Require valid-user',
    "  # The token's claims reach the API as OIDC_CLAIM_* request headers.",
    '  # ProxyPass "http://127.0.0.1:8080/"   (the API)',
    '</Location>',
    '',
  );
  return lines.join('\n');
}

export const modAuthOpenidcRecipe: Recipe = {
  id: 'mod-auth-openidc',
  title: 'Apache httpd (mod_auth_openidc)',
  kind: 'gateway',
  summary:
    'Sign users in at an Apache gateway and pass their claims to the application behind it as headers.',
  exercisedBy: 'test/interop/apache.test.ts',
  render: (input) => [{ name: 'auth_openidc.conf', language: 'apache', content: renderRelyingParty(input) }],
};

export const modAuthOpenidcResourceServerRecipe: Recipe = {
  id: 'mod-auth-openidc-resource-server',
  title: 'Apache httpd (mod_auth_openidc) as API gateway',
  kind: 'resource-server',
  summary:
    'Check bearer tokens at an Apache gateway in front of an API: introspection for reference tokens, the JWKS for JWTs.',
  exercisedBy: 'test/interop/apache.test.ts',
  render: (input) => [
    { name: 'auth_openidc.conf', language: 'apache', content: renderResourceServer(input) },
  ],
};
