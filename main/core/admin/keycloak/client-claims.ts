import type { KeycloakProtocolMapper } from '../../../../shared/keycloak';
import {
  CLAIM_TARGETS,
  type ClaimMapping,
  ClaimMappingSchema,
  type ClaimTarget,
} from '../../../../shared/schemas';
import { escapeClaimName, type JsonType, type JsonValue, oidcMapper } from './claims-common';
import { convertClaim } from './claims-import';
import type { Skip } from './skipped';

/** The mapper config flag of each token kind a claim can go into. */
const TARGET_FLAGS: Record<ClaimTarget, string> = {
  access: 'access.token.claim',
  id: 'id.token.claim',
  userinfo: 'userinfo.token.claim',
  introspection: 'introspection.token.claim',
};

function jsonTypeOf(value: JsonValue): JsonType {
  if (typeof value === 'string') return 'String';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return 'long';
  return 'JSON';
}

/**
 * A client's static claim (a claim mapping with a value) as Keycloak's hardcoded-claim mapper; null for
 * what that mapper cannot say (a user claim renamed, or a claim given only with some scopes), which then
 * travels in the idp-sandbox.client attribute.
 */
export function hardcodedMapper(mapping: ClaimMapping): KeycloakProtocolMapper | null {
  const { value } = mapping.source;
  if (value === undefined || mapping.scopes) return null;
  const jsonType = jsonTypeOf(value);
  return oidcMapper(`static ${mapping.name}`, 'oidc-hardcoded-claim-mapper', {
    'claim.name': escapeClaimName(mapping.name),
    'claim.value': typeof value === 'string' ? value : JSON.stringify(value),
    'jsonType.label': jsonType,
    ...Object.fromEntries(CLAIM_TARGETS.map((t) => [TARGET_FLAGS[t], String(mapping.tokens.includes(t))])),
  });
}

/**
 * A client's hardcoded-claim mappers as its static claim mappings. Keycloak puts a client's hardcoded
 * claims in its service-account tokens too: `machine` when the claim goes into access tokens.
 */
export function staticClaimMappings(
  mappers: KeycloakProtocolMapper[],
  path: string,
  skip: Skip,
): ClaimMapping[] {
  const out: ClaimMapping[] = [];
  mappers.forEach((mapper, index) => {
    if (mapper.protocolMapper !== 'oidc-hardcoded-claim-mapper') return;
    const at = `${path}.protocolMappers[${index}]`;
    const config = { ...mapper.config };
    const claim = config['claim.name'];
    const raw = config['claim.value'];
    if (!claim || raw === undefined || raw === null) return;
    if (/(?<!\\)\./.test(claim)) {
      skip(
        at,
        `hardcoded claim "${claim}" nests (Keycloak reads dots as nesting); a claim mapping names one top-level claim`,
      );
      return;
    }
    const converted = convertClaim(raw, config['jsonType.label'] ?? 'String');
    const tokens = CLAIM_TARGETS.filter((t) => config[TARGET_FLAGS[t]] === 'true');
    if (!converted.ok || tokens.length === 0) {
      skip(
        at,
        converted.ok
          ? `hardcoded claim "${claim}" goes into no token`
          : `claim.value is not ${config['jsonType.label']}`,
      );
      return;
    }
    const mapping = {
      name: claim.replaceAll('\\.', '.'),
      source: { value: converted.value },
      tokens,
      ...(tokens.includes('access') ? { machine: true } : {}),
    };
    const parsed = ClaimMappingSchema.safeParse(mapping);
    if (parsed.success) out.push(parsed.data);
    else skip(at, parsed.error.issues.map((i) => i.message).join('; '));
  });
  return out;
}
