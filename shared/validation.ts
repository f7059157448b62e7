import type { z } from 'zod';

/** A zod issue path as a JSON path: `users[2].claims.iss`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/** One line per problem: where it is and what was expected. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${jsonPath(issue.path)}: ${issue.message}`);
}

/**
 * How deep input may nest. zod validates recursively and overflows the stack somewhere past a
 * thousand levels (fewer in a worker thread), which was answered as a 500 (and a seed file as a
 * RangeError); no real claim nests this deep, so deeper input is refused before validation, measured
 * without recursion.
 */
export const MAX_INPUT_DEPTH = 256;

/** Lone UTF-16 surrogate halves: SQLite stores text as UTF-8, where they cannot exist. */
const LONE_SURROGATE = /\p{Cs}/u;

const childPath = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * Checks what the schemas cannot, for every way input arrives (admin HTTP API, IPC, seed files,
 * workspace.import): nesting depth, no "__proto__" key, numbers that JSON keeps exactly, and that
 * every string (keys included) is well-formed Unicode. Each of these used to be stored changed while
 * the call answered with the original: a lone surrogate as U+FFFD, 2^53 + 1 as 2^53, 1e400 as null,
 * and a "__proto__" claim not at all (copying it, as validation does, sets the prototype instead).
 * Returns the first problem, naming its JSON path, or null.
 */
function checkInputShape(input: unknown): string | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: input, path: '', depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, path, depth } = item;
    const where = path || '(root)';
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value))
        return `${where}: text must be well-formed Unicode (it has a lone surrogate)`;
      continue;
    }
    if (typeof value === 'number') {
      // JSON.parse reads 1e400 as Infinity, which JSON.stringify stores as null.
      if (!Number.isFinite(value))
        return `${where}: numbers must be finite (this one is beyond a 64-bit float)`;
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        return `${where}: integers must be between -(2^53 - 1) and 2^53 - 1 to be kept exactly; send larger ones as strings`;
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      // The path of the 256th level is itself hundreds of characters long: its start says where.
      return `${where.slice(0, 60)}…: input nests deeper than ${MAX_INPUT_DEPTH} levels`;
    }
    const isArray = Array.isArray(value);
    for (const [key, child] of Object.entries(value)) {
      const next = childPath(path, isArray ? Number(key) : key);
      if (LONE_SURROGATE.test(key))
        return `${next}: names must be well-formed Unicode (one has a lone surrogate)`;
      if (key === '__proto__') return `${next}: "__proto__" cannot be used as a name`;
      stack.push({ value: child, path: next, depth: depth + 1 });
    }
  }
  return null;
}

/** Input that is not JSON, or not UTF-8; the message says where. */
export class JsonTextError extends Error {}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/**
 * Parses JSON sent as bytes (a request body, a seed file). Invalid UTF-8 is refused rather than
 * decoded to U+FFFD, which stored text other than what was sent. JSON.parse keeps "__proto__" as an
 * own key and nests without recursion, so checkInputShape (next, in validateInput) sees both.
 */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new JsonTextError(`is not valid UTF-8 (at byte offset ${firstInvalidUtf8Byte(bytes)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? '' : ` at ${lineAndColumn(text, Number(position))}`;
    throw new JsonTextError(`is not valid JSON${where}: ${message}`);
  }
}

/** The offset of the first byte that makes `bytes` invalid UTF-8, for the error message. */
function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    try {
      decoder.decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return bytes.length;
}

type InputCheck<T> = { success: true; data: T } | { success: false; problems: string[] };

/**
 * The one validation of admin input, imports and seed files: the shape checks above, then the
 * schema. Each problem is one line: the JSON path and what was expected.
 */
export function validateInput<S extends z.ZodType>(schema: S, input: unknown): InputCheck<z.output<S>> {
  const shapeProblem = checkInputShape(input);
  if (shapeProblem) return { success: false, problems: [shapeProblem] };
  const parsed = schema.safeParse(input);
  return parsed.success
    ? { success: true, data: parsed.data }
    : { success: false, problems: formatIssues(parsed.error) };
}
