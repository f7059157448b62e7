import { generateKeyPairSync } from 'node:crypto';
import { MAX_INPUT_DEPTH } from '../../shared/validation';

/**
 * Hostile strings for user names, claims and client metadata (test/integration/hostile-strings.test.ts
 * and test/e2e/hostile-strings.test.ts): SQL, HTML and script, template syntax, control characters,
 * invisible and bidirectional characters, emoji and other non-BMP text. Each must be stored and
 * returned byte-identical and shown as text, never interpreted.
 */
export const HOSTILE = {
  sql: `'; DROP TABLE users; --`,
  sqlOr: `" OR ""=" OR 1=1 --`,
  sqlUnion: `Robert'); DROP TABLE tokens;-- UNION SELECT * FROM signing_keys`,
  script: '<script>alert(1)</script>',
  img: '<img src=x onerror=alert(1)>',
  attribute: `"><svg/onload=alert(1)>'`,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: template-injection syntax, on purpose
  template: "{{constructor.constructor('alert(1)')()}} ${alert(1)} #{7*7}",
  control: 'a\u0000b\u0001c\u0007d\be\tf\ng\rh\u001b[31mi\u007fj\u0085k',
  separators: 'x\u2028y\u2029z',
  emoji: '👩🏽‍💻🦄🇺🇳',
  bidi: '\u202Egnp.exe\u202C مرحبا שלום',
  zalgo: 'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  invisible: '\uFEFFbom\u200Bzw\u200Dj\u00A0nb',
  astral: '𝕏𝔂𝖟 \u{10FFFF}',
  encoded: '%00%27%3Cscript%3E&amp;&lt;b&gt;',
  backslash: `\\\\"\\u0000'\``,
} as const;
export type HostileKey = keyof typeof HOSTILE;
export const HOSTILE_KEYS = Object.keys(HOSTILE) as HostileKey[];

/** A user name made of a hostile string (user names may not start or end with spaces). */
export function hostileUsername(key: HostileKey): string {
  return `h-${key}:${HOSTILE[key]}:end`;
}

/** Every hostile string as claims: as values, as claim names, in arrays and nested objects. */
export function hostileClaims(): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    name: HOSTILE.img,
    hostile_values: { ...HOSTILE },
    hostile_list: Object.values(HOSTILE),
  };
  for (const key of HOSTILE_KEYS) claims[`k-${key}:${HOSTILE[key]}`] = HOSTILE[key];
  return claims;
}

/** `levels` objects nested inside one another, with a hostile string at the bottom. */
export function deeplyNested(levels: number): unknown {
  let value: unknown = HOSTILE.script;
  for (let i = 0; i < levels; i++) value = i % 2 ? { [`l${i}`]: value } : [value];
  return value;
}

/** Markup that must never appear unescaped in a page (it would become an element). */
export const INJECTED_MARKUP = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg/onload=alert(1)>',
];

/** A seed/import document the provider must refuse whole, and what its refusal must say. */
export interface HostileDocument {
  name: string;
  /** The file or request body, byte for byte. */
  bytes: Buffer;
  /** Where the fault is (its JSON path; a byte offset for bytes that are not UTF-8). */
  where: string;
  /** What was expected there. */
  expected: string;
}

/** A private RSA key of `bits` (under 2048 imports, but signs nothing) as an exported workspace key. */
function weakRsaKey(kid: string, alg: 'RS256' | 'PS256', bits: number): unknown {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    kid,
    alg,
    status: 'current',
    created_at: '2024-01-01T00:00:00Z',
    private_jwk: privateKey.export({ format: 'jwk' }),
  };
}

/**
 * What a seed file or workspace.import cannot keep exactly: each used to be stored changed or
 * dropped, or to fail later (a weak key: every token request a 500), or to crash the CLI.
 */
export function hostileDocuments(): HostileDocument[] {
  const user = (claims: string) => `{"users":[{"username":"mallory","claims":${claims}}]}`;
  const text = (name: string, json: string, where: string, expected: string): HostileDocument => ({
    name,
    bytes: Buffer.from(json, 'utf8'),
    where,
    expected,
  });
  const keys = (key: unknown) => JSON.stringify({ keys: [key] });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' });
  return [
    text(
      'a "__proto__" claim',
      user('{"__proto__":{"admin":true}}'),
      'users[0].claims.__proto__',
      '"__proto__" cannot be used as a name',
    ),
    text(
      'a "__proto__" key inside an array',
      user('{"list":[1,{"__proto__":{}}]}'),
      'users[0].claims.list[1].__proto__',
      '"__proto__" cannot be used as a name',
    ),
    text(
      'claims nested 5,000 deep',
      user(`{"deep":${'['.repeat(5000)}${']'.repeat(5000)}}`),
      'users[0].claims.deep[0][0]',
      `nests deeper than ${MAX_INPUT_DEPTH} levels`,
    ),
    text(
      'an integer above 2^53',
      user('{"id":9007199254740993}'),
      'users[0].claims.id',
      'integers must be between -(2^53 - 1) and 2^53 - 1',
    ),
    text(
      'an integer below -2^53',
      `{"settings":{"access_token_ttl":-90071992547409930}}`,
      'settings.access_token_ttl',
      'integers must be between',
    ),
    text(
      'a number beyond a 64-bit float',
      user('{"big":1e400}'),
      'users[0].claims.big',
      'numbers must be finite',
    ),
    text(
      'a lone surrogate',
      '{"users":[{"username":"half-\\ud800"}]}',
      'users[0].username',
      'lone surrogate',
    ),
    {
      name: 'bytes that are not UTF-8',
      bytes: Buffer.concat([
        Buffer.from('{"users":[{"username":"caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}]}'),
      ]),
      where: 'at byte offset 26',
      expected: 'is not valid UTF-8',
    },
    text(
      'a 512-bit RSA key',
      keys(weakRsaKey('weak-512', 'RS256', 512)),
      'keys[0].private_jwk',
      'Key "weak-512" cannot sign RS256: RSA keys must have at least 2048 bits (this one has 512).',
    ),
    text(
      'a 1024-bit RSA key for PS256',
      keys(weakRsaKey('weak-1024', 'PS256', 1024)),
      'keys[0].private_jwk',
      'Key "weak-1024" cannot sign PS256: RSA keys must have at least 2048 bits (this one has 1024).',
    ),
    text(
      'a P-384 key for ES256',
      keys({
        kid: 'p384',
        alg: 'ES256',
        status: 'current',
        created_at: '2024-01-01T00:00:00Z',
        private_jwk: p384,
      }),
      'keys[0].private_jwk',
      'not a usable ES256 private key',
    ),
    text(
      'a next key that says it has started signing',
      keys({
        kid: 'not-yet',
        alg: 'ES256',
        status: 'next',
        created_at: '2024-01-01T00:00:00Z',
        activated_at: '2024-01-02T00:00:00Z',
        private_jwk: {},
      }),
      'keys[0].activated_at',
      'a next key has not started signing',
    ),
  ];
}
