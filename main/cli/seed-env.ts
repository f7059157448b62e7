import { jsonPath, MAX_INPUT_DEPTH } from '../../shared/validation';

/**
 * `${NAME}` references in a seed file, expanded from the environment when the CLI reads the file, so a
 * workspace kept in git need not hold its secrets. Every string value is expanded (not object keys), as
 * docker compose does, rather than a list of "secret" fields that would miss the next field someone
 * wants to fill from CI. The forms:
 *   ${NAME}            the variable's value; unset is an error naming the variable and the JSON path
 *   ${NAME:-default}   the value, or `default` when the variable is unset or empty
 *   $${                a literal "${" (so "$${HOME}" stays "${HOME}")
 * A `$` not followed by `{` is kept as it is ("pa$$word", "$2b$10$…"), so existing seeds need no escaping.
 */

/** One reference that could not be expanded, as a line for the user. */
export interface EnvProblem {
  path: string;
  message: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** An escaped `$${` or the start of a reference `${`. */
const MARKER = /\$\$\{|\$\{/g;

export type Env = Readonly<Record<string, string | undefined>>;

function expandString(text: string, env: Env, path: string, problems: EnvProblem[]): string {
  if (!text.includes('${')) return text;
  let out = '';
  let from = 0;
  MARKER.lastIndex = 0;
  for (let match = MARKER.exec(text); match; match = MARKER.exec(text)) {
    out += text.slice(from, match.index);
    if (match[0] === '$${') {
      out += '${';
      from = MARKER.lastIndex;
      continue;
    }
    const close = text.indexOf('}', MARKER.lastIndex);
    const body = close === -1 ? text.slice(MARKER.lastIndex) : text.slice(MARKER.lastIndex, close);
    const sep = body.indexOf(':-');
    const name = sep === -1 ? body : body.slice(0, sep);
    if (close === -1 || !NAME.test(name)) {
      problems.push({
        path,
        message: `"\${${body}${close === -1 ? '' : '}'}" is not a variable reference: write \${NAME} or \${NAME:-default} (letters, digits and _), or $\${ for a literal "\${".`,
      });
      return text;
    }
    const value = env[name];
    if (sep !== -1 && !value) out += body.slice(sep + 2);
    else if (value === undefined) {
      problems.push({
        path,
        message: `environment variable ${name} is not set. Set it, give a default with \${${name}:-value}, or write $\${ for a literal "\${".`,
      });
    } else out += value;
    from = close + 1;
    MARKER.lastIndex = from;
  }
  return out + text.slice(from);
}

function expandValue(value: unknown, env: Env, path: (string | number)[], problems: EnvProblem[]): unknown {
  if (typeof value === 'string') return expandString(value, env, jsonPath(path), problems);
  // Deeper than any input may nest: left as it is for the validation to refuse with its own message.
  if (path.length > MAX_INPUT_DEPTH) return value;
  if (Array.isArray(value))
    return value.map((item, index) => expandValue(item, env, [...path, index], problems));
  if (value !== null && typeof value === 'object') {
    // defineProperty, not assignment: a "__proto__" key stays a plain own property, as JSON.parse made it.
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, key, {
        value: expandValue(item, env, [...path, key], problems),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/**
 * Expands every `${NAME}` in the string values of a parsed JSON document. Answers the expanded document,
 * or every reference that could not be expanded (all of them, so one run shows every missing variable).
 */
export function expandEnv(json: unknown, env: Env = process.env): { json: unknown; problems: EnvProblem[] } {
  const problems: EnvProblem[] = [];
  const expanded = expandValue(json, env, [], problems);
  return { json: expanded, problems };
}
