import type { KeycloakRealm, KeycloakUser } from '../../../../shared/keycloak';
import type { ParsedWorkspace } from '../../../../shared/schemas';
import { type ClaimMapping, claimMappings, userClaimsToKeycloak } from './claims-export';
import { clientToKeycloak } from './clients-export';
import { settingsToRealm } from './settings';

export interface KeycloakExport {
  realm: KeycloakRealm;
  /** What Keycloak will not do as the sandbox did, one line each, for the person importing the file. */
  notes: string[];
}

/** Keycloak keeps a user's id in a 36-character column: a longer subject cannot be kept. */
const MAX_KEYCLOAK_ID = 36;

type WorkspaceUser = NonNullable<ParsedWorkspace['users']>[number];

function userToKeycloak(user: WorkspaceUser, mappings: ClaimMapping[], notes: string[]): KeycloakUser {
  const { fields, attributes } = userClaimsToKeycloak(user, mappings, notes);
  const note = (what: string) => notes.push(`users "${user.username}": ${what}`);
  if (user.username !== user.username.toLowerCase()) note('Keycloak stores usernames in lower case');
  if (user.sub && user.sub.length > MAX_KEYCLOAK_ID) {
    note(
      `sub is longer than a Keycloak user id (${MAX_KEYCLOAK_ID} characters); Keycloak gives the user a new one`,
    );
  }
  if (user.password === undefined) note('has no password; in Keycloak it cannot sign in until one is set');
  return {
    ...(user.sub && user.sub.length <= MAX_KEYCLOAK_ID ? { id: user.sub } : {}),
    username: user.username,
    enabled: true,
    ...fields,
    ...(Object.keys(attributes).length ? { attributes } : {}),
    // Test users' passwords are kept in plain text, so they go as `value`: Keycloak hashes them on import.
    credentials:
      user.password === undefined ? [] : [{ type: 'password', value: user.password, temporary: false }],
    requiredActions: [],
  };
}

/**
 * Keycloak 24+ drops user attributes its user profile does not declare unless unmanaged attributes are
 * on; custom claims live in such attributes, so the realm turns them on.
 */
const USER_PROFILE = {
  'org.keycloak.userprofile.UserProfileProvider': [
    {
      providerId: 'declarative-user-profile',
      subComponents: {},
      config: {
        'kc.user.profile.config': [
          JSON.stringify({
            attributes: [
              { name: 'username' },
              { name: 'email' },
              { name: 'firstName' },
              { name: 'lastName' },
            ],
            unmanagedAttributePolicy: 'ENABLED',
          }),
        ],
      },
    },
  ],
};

/** A workspace as a Keycloak realm for `kc.sh import`, and what will not behave the same there. */
export function workspaceToRealm(workspace: ParsedWorkspace, realmName: string): KeycloakExport {
  const notes: string[] = [];
  const users = workspace.users ?? [];
  const mappings = claimMappings(users);
  const { attributes, ...settings } = settingsToRealm(workspace.settings, notes);
  const keycloakUsers = users.map((user) => userToKeycloak(user, mappings, notes));
  const clients = (workspace.clients ?? []).map((client) => clientToKeycloak(client, mappings, notes));
  if (workspace.keys?.length) {
    notes.push(
      'keys: signing keys are not exported; Keycloak makes its own, so tokens the sandbox signed do not verify there',
    );
  }
  const realm: KeycloakRealm = {
    realm: realmName,
    enabled: true,
    ...settings,
    ...(Object.keys(attributes).length ? { attributes } : {}),
    users: keycloakUsers,
    clients,
    ...(keycloakUsers.some((u) => u.attributes) ? { components: USER_PROFILE } : {}),
  };
  return { realm, notes };
}
