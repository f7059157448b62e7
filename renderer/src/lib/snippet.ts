import { shellQuote } from '../../../shared/quote';
import type { Client } from '../../../shared/schemas';

export type SnippetFormat = 'env' | 'json';

interface SnippetInput {
  issuer: string;
  discoveryUrl: string;
  client: Pick<
    Client,
    'client_id' | 'client_secret' | 'redirect_uris' | 'scope' | 'token_endpoint_auth_method'
  >;
}

/**
 * What a service needs to use this client, ready to paste into a .env file or a JSON config. The .env
 * lines are sh assignments (a .env file is often sourced), so each value is quoted for sh.
 */
export function clientSnippet({ issuer, discoveryUrl, client }: SnippetInput, format: SnippetFormat): string {
  const fields: Array<[string, string]> = [
    ['issuer', issuer],
    ['discovery_url', discoveryUrl],
    ['client_id', client.client_id],
  ];
  if (client.client_secret && client.token_endpoint_auth_method !== 'none') {
    fields.push(['client_secret', client.client_secret]);
  }
  const redirect = client.redirect_uris[0];
  if (redirect) fields.push(['redirect_uri', redirect]);
  if (client.scope) fields.push(['scope', client.scope]);

  if (format === 'json') return JSON.stringify(Object.fromEntries(fields), null, 2);
  return fields.map(([name, value]) => `OIDC_${name.toUpperCase()}=${shellQuote(value)}`).join('\n');
}
