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
