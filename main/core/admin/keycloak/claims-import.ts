import type { KeycloakProtocolMapper, KeycloakRealm, KeycloakUser } from '../../../../shared/keycloak';
import { RESERVED_CLAIMS, type UserInput, UserInputSchema } from '../../../../shared/schemas';
import { BUILT_IN_CLIENTS } from './attributes';
import { ADDRESS_ATTRIBUTES, type JsonValue, ROOT_ATTRIBUTES, STANDARD_ATTRIBUTES } from './claims-common';
import type { Skip } from './skipped';

/** A user attribute some mapper puts into tokens, and how. */
interface AttributeClaim {
  path: string[];
  jsonType: string;
  multivalued: boolean;
}

/** Claims every user gets: hardcoded-claim mappers of the realm's default client scopes. */
interface FixedClaim {
  path: string[];
  value: JsonValue;
}

export interface ClaimMappers {
  attributes: Map<string, AttributeClaim>;
  fixed: FixedClaim[];
}

/** Built-in client scopes: their mappers are Keycloak's standard ones, not the realm's custom claims. */
const BUILT_IN_SCOPES = new Set([
  'profile',
  'email',
  'address',
  'phone',
  'roles',
  'web-origins',
  'microprofile-jwt',
  'offline_access',
  'role_list',
  'acr',
  'basic',
  'organization',
  'saml_organization',
  'service_account',
]);

/** Keycloak's claim.name nests on dots; `\.` is a literal dot. */
function claimPath(name: string): string[] {
  return name.split(/(?<!\\)\./).map((part) => part.replaceAll('\\.', '.'));
}

export function convertClaim(
  value: string,
  jsonType: string,
): { ok: true; value: JsonValue } | { ok: false } {
  switch (jsonType) {
    case 'long':
    case 'int':
    case 'double': {
      const n = Number(value);
      return value.trim() !== '' && Number.isFinite(n) ? { ok: true, value: n } : { ok: false };
    }
    case 'boolean':
      return { ok: true, value: value === 'true' };
    case 'JSON':
      try {
        return { ok: true, value: JSON.parse(value) as JsonValue };
      } catch {
        return { ok: false };
      }
    default:
      return { ok: true, value };
  }
}

function inTokens(config: Record<string, string | null>): boolean {
  return ['access.token.claim', 'id.token.claim', 'userinfo.token.claim'].some(
    (key) => config[key] === 'true',
  );
}

/** Reads one mapper; `scope` is the client scope it belongs to, when it is not a client's own. */
function readMapper(
  mapper: KeycloakProtocolMapper,
  path: string,
  into: ClaimMappers,
  skip: Skip,
  scope?: { name: string; isDefault: boolean },
): void {
  const config = { ...mapper.config };
  const builtIn = scope !== undefined && BUILT_IN_SCOPES.has(scope.name);
  switch (mapper.protocolMapper) {
    case 'oidc-usermodel-attribute-mapper': {
      const attribute = config['user.attribute'];
      const claim = config['claim.name'];
      if (!attribute || !claim) return;
      if (!inTokens(config)) {
        if (!builtIn) skip(path, `mapper "${mapper.name}" puts "${claim}" in no token`);
        return;
      }
      const existing = into.attributes.get(attribute);
      const next = {
        path: claimPath(claim),
        jsonType: config['jsonType.label'] ?? 'String',
        multivalued: config.multivalued === 'true',
      };
      if (existing && existing.path.join('.') !== next.path.join('.')) {
        skip(
          path,
          `attribute "${attribute}" is already the claim "${existing.path.join('.')}"; the sandbox has one claim per attribute`,
        );
        return;
      }
      into.attributes.set(attribute, next);
      return;
    }
    case 'oidc-hardcoded-claim-mapper': {
      const claim = config['claim.name'];
      const value = config['claim.value'];
      if (!claim || value === undefined || value === null) return;
      // A client's own static claims are its claim mappings (client-claims.ts).
      if (!scope) return;
      if (scope.isDefault) {
        const converted = convertClaim(value, config['jsonType.label'] ?? 'String');
        if (converted.ok) {
          into.fixed.push({ path: claimPath(claim), value: converted.value });
          return;
        }
      }
      skip(
        path,
        `hardcoded claim "${claim}" of client scope "${scope.name}": only a realm default scope's static claims become every user's; give it to the clients that use the scope as a claim mapping`,
      );
      return;
    }
    case 'oidc-audience-mapper':
      // A client's audience mappers are its audience (clients-import.ts).
      if (scope && !builtIn)
        skip(
          path,
          `audience mapper of client scope "${scope.name}": set the audience of the clients that use it`,
        );
      return;
    default:
      if (!builtIn)
        skip(path, `mapper "${mapper.name}" (${mapper.protocolMapper}) has no sandbox equivalent`);
  }
}

/** Every mapper of the realm that makes a user claim: custom clients' and client scopes'. */
export function claimMappers(realm: KeycloakRealm, skip: Skip): ClaimMappers {
  const into: ClaimMappers = { attributes: new Map(), fixed: [] };
  const defaults = new Set(realm.defaultDefaultClientScopes ?? []);
  realm.clients?.forEach((client, c) => {
    if (BUILT_IN_CLIENTS.has(client.clientId) || client.clientId === `${realm.realm}-realm`) return;
    client.protocolMappers?.forEach((mapper, m) => {
      readMapper(mapper, `clients[${c}].protocolMappers[${m}]`, into, skip);
    });
  });
  realm.clientScopes?.forEach((scope, s) => {
    scope.protocolMappers?.forEach((mapper, m) => {
      readMapper(mapper, `clientScopes[${s}].protocolMappers[${m}]`, into, skip, {
        name: scope.name,
        isDefault: defaults.has(scope.name),
      });
    });
  });
  return into;
}

type Claims = Record<string, JsonValue>;

/** Sets a claim at its path (Keycloak nests dotted claim names); false when another value is in the way. */
function setClaim(claims: Claims, path: string[], value: JsonValue): boolean {
  let node: Claims = claims;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (next === undefined) node[part] = {};
    else if (next === null || typeof next !== 'object' || Array.isArray(next)) return false;
    node = node[part] as Claims;
  }
  node[path[path.length - 1] as string] = value;
  return true;
}

function valuesOf(raw: string | string[]): string[] {
  return Array.isArray(raw) ? raw : [raw];
}

const STANDARD_BY_ATTRIBUTE = new Map(
  Object.entries(STANDARD_ATTRIBUTES).map(([claim, { attribute, type }]) => [attribute, { claim, type }]),
);
const ADDRESS_BY_ATTRIBUTE = new Map(
  Object.entries(ADDRESS_ATTRIBUTES).map(([member, attr]) => [attr, member]),
);

function attributeClaims(user: KeycloakUser, path: string, mappers: ClaimMappers, skip: Skip): Claims {
  const claims: Claims = {};
  const address: Record<string, string> = {};
  for (const [attribute, raw] of Object.entries(user.attributes ?? {})) {
    const values = valuesOf(raw);
    const at = `${path}.attributes.${attribute}`;
    if ((ROOT_ATTRIBUTES as readonly string[]).includes(attribute) || values.length === 0) continue;
    const mapped = mappers.attributes.get(attribute);
    if (mapped) {
      const converted = (mapped.multivalued ? values : values.slice(0, 1)).map((v) =>
        convertClaim(v, mapped.jsonType),
      );
      if (converted.some((c) => !c.ok)) {
        skip(at, `a value is not ${mapped.jsonType}, the type of its mapper`);
        continue;
      }
      const out = converted.map((c) => (c.ok ? c.value : null));
      const name = mapped.path.join('.');
      if ((RESERVED_CLAIMS as readonly string[]).includes(mapped.path[0] as string)) {
        skip(at, `"${name}" is set by the provider and cannot be a user claim`);
      } else if (!setClaim(claims, mapped.path, mapped.multivalued ? out : (out[0] as JsonValue))) {
        skip(at, `claim "${name}" collides with another claim`);
      }
      continue;
    }
    const standard = STANDARD_BY_ATTRIBUTE.get(attribute);
    const member = ADDRESS_BY_ATTRIBUTE.get(attribute);
    if (standard)
      claims[standard.claim] = standard.type === 'boolean' ? values[0] === 'true' : (values[0] as string);
    else if (member) address[member] = values[0] as string;
    else skip(at, 'no protocol mapper puts this attribute into tokens');
  }
  if (Object.keys(address).length) claims.address = address;
  return claims;
}

/** The password a user signs in with, when the realm file has it in plain text. */
function password(user: KeycloakUser, path: string, skip: Skip): string | undefined {
  let found: string | undefined;
  user.credentials?.forEach((credential, index) => {
    const at = `${path}.credentials[${index}]`;
    if (credential.type !== 'password') {
      skip(
        at,
        `${credential.type ?? 'untyped'} credential: the sandbox's test users have a password at most`,
      );
    } else if (credential.value !== undefined) {
      found = credential.value;
      if (credential.temporary) skip(`${at}.temporary`, 'the sandbox never asks to change a password');
    } else {
      const algorithm = /"algorithm"\s*:\s*"([^"]+)"/.exec(credential.credentialData ?? '')?.[1];
      skip(
        at,
        `a hashed password${algorithm ? ` (${algorithm})` : ''} cannot be carried: the sandbox keeps test passwords in plain text, so this user signs in by username alone until one is set`,
      );
    }
  });
  return found;
}

function reportUnused(user: KeycloakUser, path: string, skip: Skip): void {
  if (user.requiredActions?.length) {
    skip(
      `${path}.requiredActions`,
      `${user.requiredActions.join(', ')}: the sandbox has no required actions`,
    );
  }
  if (user.realmRoles?.length) {
    skip(
      `${path}.realmRoles`,
      `${user.realmRoles.join(', ')}: the sandbox has no roles; give the user a roles claim`,
    );
  }
  if (user.clientRoles && Object.keys(user.clientRoles).length) {
    skip(`${path}.clientRoles`, 'the sandbox has no roles; give the user a claim for them');
  }
  if (user.groups?.length) skip(`${path}.groups`, `${user.groups.join(', ')}: the sandbox has no groups`);
  for (const key of ['federatedIdentities', 'clientConsents', 'federationLink'] as const) {
    const value = (user as Record<string, unknown>)[key];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
      skip(`${path}.${key}`, 'not carried: the sandbox has no identity brokering, consents or federation');
    }
  }
}

/** A Keycloak user as a sandbox test user, or null (reported) when it cannot be one. */
export function userFromKeycloak(
  user: KeycloakUser,
  index: number,
  mappers: ClaimMappers,
  skip: Skip,
): UserInput | null {
  const path = `users[${index}]`;
  if (user.serviceAccountClientId) {
    skip(
      path,
      `service account of client "${user.serviceAccountClientId}": client_credentials needs no user here`,
    );
    return null;
  }
  if (!user.username) {
    skip(path, 'a user without a username');
    return null;
  }
  if (user.enabled === false) {
    skip(path, `disabled user "${user.username}"`);
    return null;
  }
  const claims: Claims = {};
  if (user.firstName !== undefined) claims.given_name = user.firstName;
  if (user.lastName !== undefined) claims.family_name = user.lastName;
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  if (name) claims.name = name;
  if (user.email !== undefined) claims.email = user.email;
  if (user.emailVerified !== undefined) claims.email_verified = user.emailVerified;
  Object.assign(claims, attributeClaims(user, path, mappers, skip));
  for (const fixed of mappers.fixed)
    if (claims[fixed.path[0] as string] === undefined) setClaim(claims, fixed.path, fixed.value);
  reportUnused(user, path, skip);
  const secret = password(user, path, skip);
  const input: UserInput = {
    username: user.username,
    ...(secret !== undefined ? { password: secret } : {}),
    ...(user.id ? { sub: user.id } : {}),
    claims,
  };
  const parsed = UserInputSchema.safeParse(input);
  if (!parsed.success) {
    skip(
      path,
      `user "${user.username}": ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
    return null;
  }
  return input;
}
