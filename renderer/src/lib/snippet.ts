import { shellQuote } from '../../../shared/quote';
import type { Client } from '../../../shared/schemas';

export type SnippetFormat = 'env' | 'json';

/** What a hidden secret reads as on screen; the copy button still copies the real one. */
export const SECRET_MASK = '••••••••••••';

interface SnippetInput {
  issuer: string;
  discoveryUrl: string;
  client: Pick<
    Client,
    'client_id' | 'client_secret' | 'redirect_uris' | 'scope' | 'token_endpoint_auth_method'
  > &
    Partial<Pick<Client, 'audience' | 'jwks' | 'jwks_uri'>>;
}

/** The key ids of a private_key_jwt client's registered public keys. */
function keyIds(jwks: Client['jwks'] | undefined): string[] {
  const keys = (jwks as { keys?: Array<{ kid?: unknown }> } | null | undefined)?.keys ?? [];
  return keys.map((key) => (typeof key.kid === 'string' ? key.kid : '(no kid)'));
}

/**
 * What a service needs to use this client, ready to paste into a .env file or a JSON config. The .env
 * lines are sh assignments (a .env file is often sourced), so each value is quoted for sh. With
 * `maskSecret` the secret reads as SECRET_MASK, for showing on screen as the secret field does.
 */
export function clientSnippet(
  { issuer, discoveryUrl, client }: SnippetInput,
  format: SnippetFormat,
  { maskSecret = false }: { maskSecret?: boolean } = {},
): string {
  const fields: Array<[string, string]> = [
    ['issuer', issuer],
    ['discovery_url', discoveryUrl],
    // Where a resource server gets the keys that verify this provider's tokens.
    ['jwks_uri', `${issuer}/jwks`],
    ['client_id', client.client_id],
  ];
  const method = client.token_endpoint_auth_method;
  if (client.client_secret && method !== 'none' && method !== 'private_key_jwt') {
    fields.push(['client_secret', maskSecret ? SECRET_MASK : client.client_secret]);
  }
  if (method === 'private_key_jwt') {
    // The client proves itself with a signed assertion: say so, and which keys the provider checks it with.
    fields.push(['token_endpoint_auth_method', method]);
    if (client.jwks_uri) fields.push(['client_jwks_uri', client.jwks_uri]);
    const kids = keyIds(client.jwks);
    if (kids.length) fields.push(['client_key_ids', kids.join(' ')]);
  }
  const redirect = client.redirect_uris[0];
  if (redirect) fields.push(['redirect_uri', redirect]);
  if (client.scope) fields.push(['scope', client.scope]);
  if (client.audience?.length) fields.push(['audience', client.audience.join(' ')]);

  if (format === 'json') return JSON.stringify(Object.fromEntries(fields), null, 2);
  return fields.map(([name, value]) => `OIDC_${name.toUpperCase()}=${shellQuote(value)}`).join('\n');
}
