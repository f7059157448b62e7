import type { KeycloakRealm } from '../../../../shared/keycloak';
import { BUILT_IN_CLIENTS } from './attributes';

/** Records one thing of the realm file that was not carried over: its JSON path and why. */
export type Skip = (path: string, reason: string) => void;

type Loose = Record<string, unknown>;

const asArray = (value: unknown): Loose[] => (Array.isArray(value) ? (value as Loose[]) : []);
const names = (items: Loose[], key = 'name') =>
  items.map((item) => String(item[key] ?? item.alias ?? '?')).join(', ');

/** Realm roles every realm has. */
function customRealmRoles(realm: KeycloakRealm): Loose[] {
  const roles = asArray((realm.roles as Loose | undefined)?.realm);
  const builtIn = new Set([
    'offline_access',
    'uma_authorization',
    `default-roles-${realm.realm.toLowerCase()}`,
  ]);
  return roles.filter((role) => !builtIn.has(String(role.name)));
}

function customClientRoles(realm: KeycloakRealm): string[] {
  const byClient = ((realm.roles as Loose | undefined)?.client ?? {}) as Record<string, unknown>;
  return Object.entries(byClient)
    .filter(([clientId, roles]) => !BUILT_IN_CLIENTS.has(clientId) && asArray(roles).length > 0)
    .map(([clientId, roles]) => `${clientId}: ${names(asArray(roles))}`);
}

/** Collections of a realm the sandbox has nothing for, each reported once with what it held. */
function reportCollections(realm: KeycloakRealm, skip: Skip): void {
  const r = realm as Loose;
  const realmRoles = customRealmRoles(realm);
  if (realmRoles.length) {
    const composite = realmRoles.filter((role) => role.composite === true);
    skip(
      'roles.realm',
      `${realmRoles.length} realm roles (${names(realmRoles)})${composite.length ? `, composites: ${names(composite)}` : ''}: the sandbox has no roles; put role names in a user claim`,
    );
  }
  const clientRoles = customClientRoles(realm);
  if (clientRoles.length)
    skip('roles.client', `client roles (${clientRoles.join('; ')}): the sandbox has no roles`);
  const collections: [key: string, what: string, items: Loose[]][] = [
    ['groups', 'groups', asArray(r.groups)],
    ['identityProviders', 'identity providers (brokering)', asArray(r.identityProviders)],
    ['identityProviderMappers', 'identity provider mappers', asArray(r.identityProviderMappers)],
    [
      'authenticationFlows',
      'custom authentication flows',
      asArray(r.authenticationFlows).filter((f) => f.builtIn !== true),
    ],
    ['userFederationProviders', 'user federation providers', asArray(r.userFederationProviders)],
    ['organizations', 'organizations', asArray(r.organizations)],
    ['federatedUsers', 'federated users', asArray(r.federatedUsers)],
    ['protocolMappers', 'realm protocol mappers', asArray(r.protocolMappers)],
  ];
  for (const [key, what, items] of collections) {
    if (items.length) {
      const label = key === 'authenticationFlows' || key === 'identityProviders' ? 'alias' : 'name';
      skip(key, `${items.length} ${what} (${names(items, label)}): no sandbox equivalent`);
    }
  }
  const scopeMappings = asArray(r.scopeMappings).filter((m) => m.clientScope !== 'offline_access');
  if (scopeMappings.length) skip('scopeMappings', 'role scope mappings: the sandbox has no roles');
  const clientScopeMappings = Object.keys((r.clientScopeMappings ?? {}) as Loose).filter(
    (k) => !BUILT_IN_CLIENTS.has(k),
  );
  if (clientScopeMappings.length)
    skip(
      'clientScopeMappings',
      `role scope mappings of ${clientScopeMappings.join(', ')}: the sandbox has no roles`,
    );
  if (Object.keys((r.smtpServer ?? {}) as Loose).length) skip('smtpServer', 'the sandbox sends no e-mail');
  const policies = asArray((r.clientPolicies as Loose | undefined)?.policies);
  if (policies.length)
    skip('clientPolicies', `${names(policies)}: the sandbox applies its own client policies`);
  const components = (r.components ?? {}) as Record<string, unknown>;
  for (const [type, list] of Object.entries(components)) {
    if (type.endsWith('UserProfileProvider') || type.endsWith('ClientRegistrationPolicy')) continue;
    if (type === 'org.keycloak.keys.KeyProvider') {
      skip(
        `components["${type}"]`,
        "the realm's keys: the sandbox signs with its own keys (export them from the sandbox if needed)",
      );
    } else if (asArray(list).length) {
      skip(`components["${type}"]`, `${names(asArray(list))}: no sandbox equivalent`);
    }
  }
}

/** Realm switches that change behaviour the sandbox does not have, when they are on. */
const FEATURE_FLAGS = [
  'registrationAllowed',
  'registrationEmailAsUsername',
  'rememberMe',
  'verifyEmail',
  'resetPasswordAllowed',
  'editUsernameAllowed',
  'duplicateEmailsAllowed',
  'bruteForceProtected',
  'permanentLockout',
  'internationalizationEnabled',
  'eventsEnabled',
  'adminEventsEnabled',
  'userManagedAccessAllowed',
  'organizationsEnabled',
  'offlineSessionMaxLifespanEnabled',
] as const;

/** Flow bindings and their Keycloak defaults: another flow is custom sign-in the sandbox has not. */
const FLOW_BINDINGS: Record<string, string> = {
  browserFlow: 'browser',
  registrationFlow: 'registration',
  directGrantFlow: 'direct grant',
  resetCredentialsFlow: 'reset credentials',
  clientAuthenticationFlow: 'clients',
  dockerAuthenticationFlow: 'docker auth',
  firstBrokerLoginFlow: 'first broker login',
};

function reportSettings(realm: KeycloakRealm, skip: Skip): void {
  const r = realm as Loose;
  for (const flag of FEATURE_FLAGS)
    if (r[flag] === true) skip(flag, 'on in Keycloak; the sandbox has no such feature');
  for (const key of ['passwordPolicy', 'loginTheme', 'accountTheme', 'adminTheme', 'emailTheme']) {
    if (typeof r[key] === 'string' && r[key] !== '') skip(key, `"${r[key]}": the sandbox has none`);
  }
  for (const [key, builtIn] of Object.entries(FLOW_BINDINGS)) {
    if (typeof r[key] === 'string' && r[key] !== builtIn)
      skip(key, `bound to custom flow "${r[key]}": the sandbox has one sign-in page`);
  }
}

/** Reports what of the realm as a whole (not its users and clients) the import leaves behind. */
export function reportRealm(realm: KeycloakRealm, skip: Skip): void {
  reportCollections(realm, skip);
  reportSettings(realm, skip);
}
