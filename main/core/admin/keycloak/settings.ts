import { type KeycloakRealm, SANDBOX_REALM_ATTRIBUTE } from '../../../../shared/keycloak';
import {
  DEFAULT_SETTINGS,
  type Settings,
  type SettingsPatch,
  SettingsPatchSchema,
  TtlSchema,
} from '../../../../shared/schemas';
import { isSigningAlg } from '../../../../shared/signing';
import { extrasOf, parseExtras } from './extras';
import type { Skip } from './skipped';

/** Why a setting had to travel in the idp-sandbox.settings attribute. */
const EXTRA_REASONS: Partial<Record<keyof Settings, string>> = {
  id_token_ttl: "Keycloak's ID tokens live as long as its access tokens (accessTokenLifespan)",
  login_hint_skips_login: 'Keycloak has no sign-in without its login page',
  clock_offset_seconds: 'Keycloak runs on real time',
  clock_skew_seconds: 'Keycloak runs on real time',
};

/** The realm fields the settings map to, with Keycloak's meaning of each. */
function nativeRealm(settings: Settings) {
  return {
    defaultSignatureAlgorithm: settings.signing_alg,
    accessTokenLifespan: settings.access_token_ttl,
    accessCodeLifespan: settings.authorization_code_ttl,
    // Each refresh gives a new refresh token its full lifetime: Keycloak's idle timeout. The session's
    // maximum is set to the same, as the sandbox has none to export.
    ssoSessionIdleTimeout: settings.refresh_token_ttl,
    ssoSessionMaxLifespan: settings.refresh_token_ttl,
    offlineSessionIdleTimeout: settings.refresh_token_ttl,
    // The sandbox rotates refresh tokens and treats a reused one as theft.
    revokeRefreshToken: true,
    refreshTokenMaxReuse: 0,
  };
}

/** A lifetime Keycloak gives, when the sandbox can hold it (0 is Keycloak's "not set"). */
function ttl(value: number | undefined): number | undefined {
  return TtlSchema.safeParse(value).success ? value : undefined;
}

function positiveMin(...values: (number | undefined)[]): number | undefined {
  const set = values.filter((v): v is number => v !== undefined && v > 0);
  return set.length ? Math.min(...set) : undefined;
}

/** The settings Keycloak's own realm fields give (no idp-sandbox attribute read). */
function nativeSettings(realm: KeycloakRealm, skip: Skip): Settings {
  const settings: Settings = { ...DEFAULT_SETTINGS };
  const access = ttl(realm.accessTokenLifespan);
  if (access !== undefined) settings.access_token_ttl = settings.id_token_ttl = access;
  const code = realm.accessCodeLifespan;
  if (code !== undefined && code > 0) {
    if (code <= 3600) settings.authorization_code_ttl = code;
    else skip('accessCodeLifespan', `${code} s is longer than the sandbox allows for codes (3600 s)`);
  }
  const refresh = ttl(positiveMin(realm.ssoSessionIdleTimeout, realm.ssoSessionMaxLifespan));
  if (refresh !== undefined) settings.refresh_token_ttl = refresh;
  const alg = realm.defaultSignatureAlgorithm;
  if (alg !== undefined) {
    if (isSigningAlg(alg)) settings.signing_alg = alg;
    else skip('defaultSignatureAlgorithm', `the sandbox signs with RS256, PS256, ES256 or EdDSA, not ${alg}`);
  }
  if (realm.revokeRefreshToken === false) {
    skip('revokeRefreshToken', 'the sandbox always rotates refresh tokens (and treats reuse as theft)');
  }
  return settings;
}

export function settingsToRealm(
  patch: SettingsPatch | undefined,
  notes: string[],
): ReturnType<typeof nativeRealm> & { attributes: Record<string, string> } {
  const settings: Settings = { ...DEFAULT_SETTINGS, ...patch };
  const realm = nativeRealm(settings);
  const back = nativeSettings({ realm: 'x', ...realm }, () => {});
  const extras = extrasOf(settings, back);
  for (const key of Object.keys(extras) as (keyof Settings)[]) {
    notes.push(
      `settings.${key}: ${EXTRA_REASONS[key] ?? 'no Keycloak field'}; kept in attribute ${SANDBOX_REALM_ATTRIBUTE}`,
    );
  }
  if (settings.signing_alg !== 'RS256') {
    notes.push(
      `settings.signing_alg: Keycloak signs with ${settings.signing_alg} only once the realm has a key for it (Realm settings → Keys → Add provider)`,
    );
  }
  return {
    ...realm,
    attributes: Object.keys(extras).length ? { [SANDBOX_REALM_ATTRIBUTE]: JSON.stringify(extras) } : {},
  };
}

export function settingsFromRealm(realm: KeycloakRealm, skip: Skip): Settings {
  const settings = nativeSettings(realm, skip);
  const extras = parseExtras(realm.attributes?.[SANDBOX_REALM_ATTRIBUTE]);
  if (extras === null) return settings;
  const path = `attributes["${SANDBOX_REALM_ATTRIBUTE}"]`;
  if ('error' in extras) {
    skip(path, extras.error);
    return settings;
  }
  const parsed = SettingsPatchSchema.safeParse(extras.value);
  if (!parsed.success) {
    skip(path, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return settings;
  }
  return { ...settings, ...parsed.data };
}
