import type { z } from 'zod';
import { type AdminMethod, adminContract, isAdminMethod } from '../../../shared/contract';
import { AdminError } from '../../../shared/errors';
import { formatIssues } from '../../../shared/validation';
import type { AdminHandlers } from './service';

/** Turns a zod failure into one readable sentence naming each bad field by its JSON path. */
export function describeZodError(error: z.ZodError): string {
  return formatIssues(error).join('; ');
}

/**
 * How deep admin input may nest. zod validates recursively and overflows the stack somewhere past a
 * thousand levels (fewer in a worker thread), which was answered as a 500; no real claim nests this
 * deep, so deeper input is refused before validation, measured without recursion.
 */
export const MAX_INPUT_DEPTH = 256;

/** Lone UTF-16 surrogate halves: SQLite stores text as UTF-8, where they cannot exist. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Checks what the schemas cannot: nesting depth, no "__proto__" key, and that every string (keys
 * included) is well-formed Unicode. A username with a lone surrogate used to be stored mangled (as U+FFFD) while the create
 * call answered with the original, so the stored value was not the one acknowledged. Returns the
 * problem, naming its JSON path, or null.
 */
export function checkInputShape(input: unknown): string | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: input, path: '', depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, path, depth } = item;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value))
        return `${path || 'input'}: text must be well-formed Unicode (it has a lone surrogate)`;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) return `input nests deeper than ${MAX_INPUT_DEPTH} levels`;
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (LONE_SURROGATE.test(key))
        return `${childPath}: names must be well-formed Unicode (one has a lone surrogate)`;
      // JSON.parse makes "__proto__" an own key, but copying it (as validation does) sets the
      // prototype instead, so the claim silently vanished. The HTTP transport's parser refuses it;
      // this refuses it for IPC and seed files too.
      if (key === '__proto__') return `${childPath}: "__proto__" cannot be used as a name`;
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return null;
}

/**
 * The single entry point both admin transports (IPC and HTTP) use: checks the method name, validates
 * the payload against the shared contract, runs the handler and returns its result.
 */
export async function dispatchAdmin(
  handlers: AdminHandlers,
  method: string,
  rawInput: unknown,
): Promise<unknown> {
  if (!isAdminMethod(method)) {
    throw new AdminError('unknown_method', `Unknown admin method "${method}".`);
  }
  const shapeProblem = checkInputShape(rawInput);
  if (shapeProblem) throw new AdminError('invalid_input', `Invalid input for ${method}: ${shapeProblem}`);
  const parsed = adminContract[method].input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    throw new AdminError('invalid_input', `Invalid input for ${method}: ${describeZodError(parsed.error)}`);
  }
  const handler = handlers[method] as (input: unknown) => unknown;
  return await handler(parsed.data);
}

export type { AdminMethod };
