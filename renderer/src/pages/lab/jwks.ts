import { useQuery } from '@tanstack/react-query';
import { exportJWK, importSPKI, importX509, type JSONWebKeySet, type JWK } from 'jose';
import { adminApi } from '../../api';

interface KeySetSource {
  jwks: JSONWebKeySet;
  /** Where the keys came from, in words. */
  source: string;
}

/**
 * This provider's JWKS. In browser mode the UI shares the issuer's origin and fetches /jwks exactly as
 * a service would; in the desktop app (an app:// page, whose CSP allows no network) it reads the
 * same published keys (current and previous, not retired) from the engine's key list.
 */
export function useProviderJwks(issuer: string | undefined) {
  return useQuery({
    // Not an admin method, but keyed under the keys namespace: key changes make it stale with keys.list.
    queryKey: ['keys.jwks', issuer],
    enabled: Boolean(issuer),
    queryFn: async (): Promise<KeySetSource> => {
      if (issuer && new URL(issuer).origin === window.location.origin) {
        const response = await fetch(`${issuer}/jwks`, { credentials: 'omit' });
        if (!response.ok) throw new Error(`${issuer}/jwks answered ${response.status}`);
        return { jwks: (await response.json()) as JSONWebKeySet, source: `${issuer}/jwks` };
      }
      const keys = await adminApi.keys.list({});
      return {
        jwks: { keys: keys.filter((k) => k.status !== 'retired').map((k) => k.public_jwk as JWK) },
        source: "the engine's published keys (what /jwks serves)",
      };
    },
  });
}

/** Which key type each JWS algorithm family needs. */
function ktyFor(alg: string): string | null {
  if (/^(RS|PS)\d+$/.test(alg)) return 'RSA';
  if (/^ES\d+K?$/.test(alg)) return 'EC';
  if (alg === 'EdDSA' || alg === 'Ed25519') return 'OKP';
  return null;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

interface ParsedKeys {
  jwks: JSONWebKeySet;
  /** What was assumed or dropped, to show next to the result. */
  notes: string[];
}

/**
 * A key the user pasted, as a JWKS: a JWKS, a single JWK, or a PEM public key / certificate. Private
 * members are dropped. A key without alg (or, when it is the only one, without kid) takes them from
 * the token's header — only for a key type that fits that alg, so alg confusion stays impossible.
 */
export async function parsePastedKeys(
  text: string,
  header: { alg?: string | undefined; kid?: string | undefined } | null,
): Promise<ParsedKeys> {
  const trimmed = text.trim();
  if (!trimmed) throw new Error('Paste a JWKS, a JWK or a PEM public key.');
  const notes: string[] = [];
  const alg = header?.alg;
  let keys: JWK[];
  if (trimmed.startsWith('-----BEGIN')) {
    if (/PRIVATE KEY/.test(trimmed)) {
      throw new Error('That is a private key. Paste the public key (and keep the private one to yourself).');
    }
    if (!alg || !ktyFor(alg)) {
      throw new Error('A PEM key needs the token’s alg to be an asymmetric one (RS…, PS…, ES…, EdDSA).');
    }
    const key = /CERTIFICATE/.test(trimmed)
      ? await importX509(trimmed, alg, { extractable: true })
      : await importSPKI(trimmed, alg, { extractable: true });
    keys = [{ ...(await exportJWK(key)), alg }];
    notes.push(`PEM key read as a ${alg} key.`);
  } else {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new Error(`Not JSON or PEM: ${(error as Error).message}`);
    }
    if (value && typeof value === 'object' && Array.isArray((value as JSONWebKeySet).keys)) {
      keys = (value as JSONWebKeySet).keys;
    } else if (value && typeof value === 'object' && typeof (value as JWK).kty === 'string') {
      keys = [value as JWK];
    } else {
      throw new Error('Expected a JWKS ({"keys": [...]}) or a single JWK ({"kty": ...}).');
    }
  }
  if (keys.length === 0) throw new Error('The JWKS has no keys.');

  const cleaned = keys.map((original) => {
    const key: JWK = { ...original };
    if (PRIVATE_MEMBERS.some((m) => m in key)) {
      for (const member of PRIVATE_MEMBERS) delete (key as Record<string, unknown>)[member];
      notes.push(
        key.kty === 'oct'
          ? 'A shared secret (kty "oct") cannot be checked here: HS* signatures are not verified.'
          : `Private parts of key ${key.kid ?? '(no kid)'} were ignored; only the public key is used.`,
      );
    }
    if (!key.alg && alg && key.kty === ktyFor(alg)) {
      key.alg = alg;
      notes.push(`Key ${key.kid ?? '(no kid)'} has no alg; assumed ${alg} from the token header.`);
    }
    return key;
  });
  const only = cleaned[0];
  if (cleaned.length === 1 && only && !only.kid && header?.kid) {
    only.kid = header.kid;
    notes.push(`The key has no kid; it is tried for the token's kid "${header.kid}".`);
  }
  return { jwks: { keys: cleaned }, notes };
}
