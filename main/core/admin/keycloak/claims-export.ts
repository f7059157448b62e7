import type { KeycloakProtocolMapper } from '../../../../shared/keycloak';
import type { ParsedWorkspace } from '../../../../shared/schemas';
import {
  ADDRESS_ATTRIBUTES,
  claimFlags,
  DERIVED_CLAIMS,
  escapeClaimName,
  type JsonType,
  type JsonValue,
  oidcMapper,
  ROOT_ATTRIBUTES,
  STANDARD_ATTRIBUTES,
} from './claims-common';

type WorkspaceUser = NonNullable<ParsedWorkspace['users']>[number];

/** How one custom claim travels: a user attribute per user and one attribute mapper per client. */
export interface ClaimMapping {
  claim: string;
  attribute: string;
  jsonType: JsonType;
  multivalued: boolean;
}

/**
 * The mapper's claim type, chosen from every user's value of the claim (a mapper is per client, not per
 * user): one Keycloak type when every value fits it, JSON otherwise (objects, floats, mixed types).
 */
function typeOf(values: JsonValue[]): Pick<ClaimMapping, 'jsonType' | 'multivalued'> {
  if (values.every((v) => typeof v === 'string')) return { jsonType: 'String', multivalued: false };
  if (values.every((v) => typeof v === 'boolean')) return { jsonType: 'boolean', multivalued: false };
  if (values.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) {
    return { jsonType: 'long', multivalued: false };
  }
  // A multivalued mapper always answers an array, but an empty one not at all: only non-empty lists.
  if (values.every((v) => Array.isArray(v) && v.length > 0 && v.every((item) => typeof item === 'string'))) {
    return { jsonType: 'String', multivalued: true };
  }
  return { jsonType: 'JSON', multivalued: false };
}

function isStandard(claim: string): boolean {
  return (
    DERIVED_CLAIMS.has(claim) ||
    ['given_name', 'family_name', 'email', 'email_verified', 'address'].includes(claim) ||
    Object.hasOwn(STANDARD_ATTRIBUTES, claim)
  );
}

/** One mapping per custom claim any user has; the attribute is named after the claim where it can be. */
export function claimMappings(users: WorkspaceUser[]): ClaimMapping[] {
  const values = new Map<string, JsonValue[]>();
  for (const user of users) {
    for (const [claim, value] of Object.entries(user.claims)) {
      if (isStandard(claim)) continue;
      values.set(claim, [...(values.get(claim) ?? []), value]);
    }
  }
  const taken = new Set([
    ...ROOT_ATTRIBUTES,
    ...Object.values(STANDARD_ATTRIBUTES).map((a) => a.attribute),
    ...Object.values(ADDRESS_ATTRIBUTES),
  ]);
  return [...values.entries()].map(([claim, claimValues]) => ({
    claim,
    attribute: taken.has(claim) ? `claim_${claim}` : claim,
    ...typeOf(claimValues),
  }));
}

/** An oidc-usermodel-attribute-mapper that puts the attribute where the sandbox puts custom claims. */
export function attributeMapper(mapping: ClaimMapping): KeycloakProtocolMapper {
  return oidcMapper(`claim ${mapping.claim}`, 'oidc-usermodel-attribute-mapper', {
    'user.attribute': mapping.attribute,
    'claim.name': escapeClaimName(mapping.claim),
    'jsonType.label': mapping.jsonType,
    multivalued: String(mapping.multivalued),
    ...claimFlags,
  });
}

function attributeValues(value: JsonValue, mapping: ClaimMapping): string[] {
  if (mapping.multivalued) return value as string[];
  if (mapping.jsonType === 'JSON') return [JSON.stringify(value)];
  return [String(value)];
}

/** The UserRepresentation fields and attributes a user's claims become; `notes` gets what is lost. */
export function userClaimsToKeycloak(
  user: WorkspaceUser,
  mappings: ClaimMapping[],
  notes: string[],
): { fields: Record<string, string | boolean>; attributes: Record<string, string[]> } {
  const fields: Record<string, string | boolean> = {};
  const attributes: Record<string, string[]> = {};
  const lost = (claim: string, why: string) =>
    notes.push(`users "${user.username}" claim "${claim}": ${why}`);
  const { claims } = user;
  for (const [claim, field] of [
    ['given_name', 'firstName'],
    ['family_name', 'lastName'],
    ['email', 'email'],
  ] as const) {
    const value = claims[claim];
    if (value === undefined) continue;
    if (typeof value === 'string') fields[field] = value;
    else lost(claim, `Keycloak's ${field} is a string; this value is not exported`);
  }
  if (claims.email_verified !== undefined) {
    if (typeof claims.email_verified === 'boolean') fields.emailVerified = claims.email_verified;
    else lost('email_verified', "Keycloak's emailVerified is a boolean; this value is not exported");
  }
  for (const [claim, { attribute, type }] of Object.entries(STANDARD_ATTRIBUTES)) {
    const value = claims[claim];
    if (value === undefined) continue;
    if (typeof value === (type === 'boolean' ? 'boolean' : 'string')) attributes[attribute] = [String(value)];
    else lost(claim, `Keycloak's built-in mapper reads attribute "${attribute}" as a ${type}; not exported`);
  }
  exportAddress(claims.address, attributes, lost);
  const name = [claims.given_name, claims.family_name].filter((v) => typeof v === 'string').join(' ');
  if (claims.name !== undefined && claims.name !== name) {
    lost('name', `Keycloak builds "name" from firstName and lastName ("${name}")`);
  }
  if (claims.preferred_username !== undefined && claims.preferred_username !== user.username.toLowerCase()) {
    lost('preferred_username', 'Keycloak sets preferred_username to the username');
  }
  if (claims.updated_at !== undefined) lost('updated_at', 'Keycloak sets updated_at itself');
  for (const mapping of mappings) {
    const value = claims[mapping.claim];
    if (value !== undefined) attributes[mapping.attribute] = attributeValues(value, mapping);
  }
  return { fields, attributes };
}

/** OIDC Core §5.1.1 address: Keycloak's address mapper builds it from one attribute per member. */
function exportAddress(
  address: JsonValue | undefined,
  attributes: Record<string, string[]>,
  lost: (claim: string, why: string) => void,
): void {
  if (address === undefined) return;
  if (address === null || typeof address !== 'object' || Array.isArray(address)) {
    lost('address', 'Keycloak builds the address claim from attributes; only an object of strings fits');
    return;
  }
  for (const [member, value] of Object.entries(address)) {
    const attribute = Object.hasOwn(ADDRESS_ATTRIBUTES, member) ? ADDRESS_ATTRIBUTES[member] : undefined;
    if (attribute && typeof value === 'string') attributes[attribute] = [value];
    else lost(`address.${member}`, "not one of the address members Keycloak's address mapper builds");
  }
}
