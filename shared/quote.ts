/**
 * Quoting for the snippets and recipes the app hands to users. Each value is written the way the
 * program that reads the file reads it, so a hostile value (a client id holding `$(…)`, a secret with a
 * quote or a line break, a redirect URI with a newline the URL parser ignores) stays one value and never
 * becomes code, a command or another directive. test/unit/quote.test.ts runs each format's own reader.
 */

/** Characters a POSIX shell word may hold bare: nothing in them expands, splits or quotes. */
const SHELL_BARE = /^[\w@%+=:,./-]+$/;

/** A POSIX sh word: bare when nothing in it is special, else in single quotes, where only `'` is. */
export function shellQuote(value: string): string {
  return SHELL_BARE.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A string literal for JavaScript, TypeScript, JSON and Java. JSON's escapes mean the same in each; JS
 * accepts U+2028/U+2029 raw in strings since ES2019, and Java's \u pre-pass never sees JSON's `\\u`.
 */
export const jsQuote = (value: string): string => JSON.stringify(value);

const hex4 = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Control characters (C0, DEL, C1), the characters some readers take as line breaks (NEL, U+2028,
 * U+2029), the byte order mark and noncharacters U+FFFE/U+FFFF: never written raw in a literal.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE_RAW = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What a C-style literal escapes: the quote, the backslash, UNSAFE_RAW and lone surrogates. */
const C_STYLE_ESCAPED = new RegExp(`[\\\\"]|${UNSAFE_RAW.source}|${LONE_SURROGATE.source}`, 'g');

interface CStyle {
  /** Short escapes the format knows, by character. */
  short: Record<string, string>;
  /** How a lone surrogate is written: `\uD800` where the format allows it, else U+FFFD. */
  loneSurrogate: 'escape' | 'replace';
}

function cStyleQuote(value: string, style: CStyle): string {
  const body = value.replace(C_STYLE_ESCAPED, (char) => {
    if (char === '\\' || char === '"') return `\\${char}`;
    if (char >= '\ud800' && char <= '\udfff' && style.loneSurrogate === 'replace') return '\ufffd';
    return style.short[char] ?? hex4(char);
  });
  return `"${body}"`;
}

const COMMON_SHORT = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A Python str literal. Python reads \uXXXX (surrogates too) and never ends a literal at NEL or U+2028. */
export const pythonQuote = (value: string): string =>
  cStyleQuote(value, { short: COMMON_SHORT, loneSurrogate: 'escape' });

/**
 * A Go interpreted string literal. Go refuses a raw byte order mark anywhere but at the start of a file
 * and a \u escape of a surrogate, which JSON.stringify would write: a lone surrogate (no UTF-8 file can
 * hold one) becomes U+FFFD, as it would when the file is saved.
 */
export const goQuote = (value: string): string =>
  cStyleQuote(value, { short: COMMON_SHORT, loneSurrogate: 'replace' });

/** A C# regular string literal: C# ends a line (and the literal, with an error) at NEL, U+2028 and U+2029. */
export const csharpQuote = (value: string): string =>
  cStyleQuote(value, { short: COMMON_SHORT, loneSurrogate: 'escape' });

/**
 * A YAML double-quoted scalar, read alike by YAML 1.1 (SnakeYAML, PyYAML) and 1.2 readers: raw NEL,
 * U+2028 and U+2029 are line breaks in 1.1 (folded away), raw C1 and DEL are not printable at all.
 */
export const yamlQuote = (value: string): string =>
  cStyleQuote(value, { short: COMMON_SHORT, loneSurrogate: 'escape' });

/** A TOML basic string. TOML forbids raw DEL and a \u escape of a surrogate. */
export const tomlQuote = (value: string): string =>
  cStyleQuote(value, {
    short: { ...COMMON_SHORT, '\b': '\\b', '\f': '\\f' },
    loneSurrogate: 'replace',
  });

/** A value Apache httpd cannot read back as written, whatever the quoting. */
export class UnquotableError extends Error {}

/**
 * Why Apache httpd's config parser would not read `value` back as it is, or null when it would.
 * A line break ends the directive (the rest would be read as directives of its own); NUL ends the
 * line; httpd replaces `${NAME}` with a Define or environment variable, with no escape for it.
 */
export function apacheUnquotable(value: string): string | null {
  if (/[\r\n]/.test(value)) return 'it holds a line break, which would end the directive';
  if (value.includes('\0')) return 'it holds a NUL character';
  // biome-ignore lint/suspicious/noTemplateCurlyInString: httpd's own variable syntax, named in the message
  if (value.includes('${')) return 'httpd would replace its ${…} with a variable';
  return null;
}

/**
 * A double-quoted Apache httpd directive argument: httpd reads `\\` and `\"` inside the quotes.
 * Throws UnquotableError for a value httpd cannot read back (see apacheUnquotable).
 */
export function apacheQuote(value: string): string {
  const problem = apacheUnquotable(value);
  if (problem) throw new UnquotableError(`This value cannot be written in an Apache config: ${problem}.`);
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

/**
 * Text of a value inside a comment (any language): control characters and everything a reader may take
 * as a line break are written as \uXXXX, so the value cannot end the comment and start a line of code.
 */
export function commentText(value: string): string {
  return value.replace(UNSAFE_RAW, hex4);
}

/** Text of a value inside a Python """docstring""": cannot end it, escape out of it, or break a line. */
export function pythonDocText(value: string): string {
  return commentText(value.replace(/[\\"]/g, (char) => `\\${char}`));
}
