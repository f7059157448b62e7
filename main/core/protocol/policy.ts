import type { ClientRecord } from '../store/clients';
import { splitScope } from '../tokens/claims';
import { invalidScope, invalidTarget } from './errors';

// What a client may ask for: the scope, resource and audience rules every grant and the admin's mint
// and claims preview apply the same way.

/** The audience of a token issued to `client` when the request names no resource. */
export function defaultAudience(client: ClientRecord): string[] {
  return client.audience.length ? client.audience : [client.client_id];
}

/** RFC 8707 §2: each `resource` is an absolute URI without a fragment, else invalid_target. */
export function parseResource(values: string[]): string[] {
  for (const value of values) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw invalidTarget(`resource "${value}" must be an absolute URI.`);
    }
    if (url.hash) throw invalidTarget(`resource "${value}" must not contain a fragment.`);
  }
  return values;
}

export function checkResources(client: ClientRecord, resources: string[]): void {
  if (client.audience.length === 0) return;
  const unknown = resources.filter((r) => !client.audience.includes(r));
  if (unknown.length) {
    throw invalidTarget(
      `resource ${unknown.map((r) => `"${r}"`).join(', ')} is not an audience of client "${client.client_id}".`,
    );
  }
}

/** The requested scope, limited to what the client registered; unknown ones are invalid_scope. */
export function grantedScope(client: ClientRecord, requested: string | undefined): string {
  const allowed = new Set(splitScope(client.scope));
  const scopes = requested === undefined ? [...allowed] : splitScope(requested);
  const unknown = scopes.filter((s) => !allowed.has(s));
  if (unknown.length) {
    throw invalidScope(
      `Client "${client.client_id}" may not request scope ${unknown.map((s) => `"${s}"`).join(', ')}.`,
    );
  }
  let granted = [...new Set(scopes)];
  // Refresh tokens (offline access) only for clients that may use the refresh_token grant.
  if (!client.grant_types.includes('refresh_token')) granted = granted.filter((s) => s !== 'offline_access');
  return granted.join(' ');
}
