import {
  type KeycloakRealm,
  type KeycloakSkipped,
  SANDBOX_CLIENT_ATTRIBUTE,
} from '../../../../shared/keycloak';
import {
  type ClientInput,
  JWT_BEARER_GRANT,
  type ParsedWorkspace,
  WorkspaceSchema,
} from '../../../../shared/schemas';
import { ATTR, BUILT_IN_CLIENTS } from './attributes';
import { claimMappers, userFromKeycloak } from './claims-import';
import { checkClient, nativeClient, type RealmScopes } from './clients-import';
import { parseExtras } from './extras';
import { settingsFromRealm } from './settings';
import { reportRealm, type Skip } from './skipped';

export interface KeycloakImport {
  workspace: ParsedWorkspace;
  /** Everything of the realm that is not in the workspace, each with its JSON path and the reason. */
  skipped: KeycloakSkipped[];
}

/** A client with its idp-sandbox.client attribute (what a sandbox export kept there) applied. */
function withExtras(
  client: ClientInput,
  text: string | null | undefined,
  path: string,
  skip: Skip,
): ClientInput {
  const extras = parseExtras(text);
  if (extras === null) return client;
  if ('error' in extras) {
    skip(`${path}.attributes["${SANDBOX_CLIENT_ATTRIBUTE}"]`, extras.error);
    return client;
  }
  const merged = { ...client, ...extras.value } as ClientInput;
  const checked = checkClient(merged);
  if (checked.ok) return merged;
  skip(`${path}.attributes["${SANDBOX_CLIENT_ATTRIBUTE}"]`, `not applied: ${checked.reason}`);
  return client;
}

function importClients(realm: KeycloakRealm, skip: Skip): ClientInput[] {
  const scopes: RealmScopes = {
    defaults: realm.defaultDefaultClientScopes,
    optional: realm.defaultOptionalClientScopes,
  };
  const builtIn: string[] = [];
  const out: ClientInput[] = [];
  realm.clients?.forEach((client, index) => {
    const path = `clients[${index}]`;
    if (BUILT_IN_CLIENTS.has(client.clientId) || client.clientId === `${realm.realm}-realm`) {
      builtIn.push(client.clientId);
      return;
    }
    const native = nativeClient(client, scopes, path, skip);
    if (!native) return;
    const input = withExtras(native, client.attributes?.[SANDBOX_CLIENT_ATTRIBUTE], path, skip);
    if (input.grant_types?.includes(JWT_BEARER_GRANT) && !input.jwt_bearer) {
      skip(
        `${path}.attributes["${ATTR.jwtBearerGrant}"]`,
        "the trusted issuers are Keycloak identity providers, which are not carried: set the client's jwt_bearer.trusted_issuers",
      );
      input.grant_types = input.grant_types.filter((g) => g !== JWT_BEARER_GRANT);
    }
    if (!input.grant_types?.length) {
      skip(path, `client "${client.clientId}" has no flow the sandbox has enabled`);
      return;
    }
    const checked = checkClient(input);
    if (checked.ok) out.push(input);
    else skip(path, `client "${client.clientId}": ${checked.reason}`);
  });
  if (builtIn.length) skip('clients', `Keycloak's built-in clients (${builtIn.join(', ')}) are left out`);
  return out;
}

/** A Keycloak realm representation as a workspace, saying what could not be carried over. */
export function realmToWorkspace(realm: KeycloakRealm): KeycloakImport {
  const skipped: KeycloakSkipped[] = [];
  const skip: Skip = (path, reason) => skipped.push({ path, reason });
  reportRealm(realm, skip);
  const settings = settingsFromRealm(realm, skip);
  const mappers = claimMappers(realm, skip);
  const users = (realm.users ?? []).flatMap(
    (user, index) => userFromKeycloak(user, index, mappers, skip) ?? [],
  );
  const clients = importClients(realm, skip);
  const workspace = WorkspaceSchema.parse({ settings, users, clients });
  return { workspace, skipped };
}
