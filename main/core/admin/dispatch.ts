import type { z } from 'zod';
import {
  type AdminMethod,
  type AdminParsedInput,
  adminContract,
  isAdminMethod,
} from '../../../shared/contract';
import { AdminError } from '../../../shared/errors';
import type { AdminScope } from '../../../shared/issuers';
import { formatIssues, validateInput } from '../../../shared/validation';
import type { AdminHandlers } from './service';

/** One admin call, validated and run for the issuer `scope` names (the root issuer by default). */
export type AdminCall = (method: string, input: unknown, scope?: AdminScope) => Promise<unknown>;

/** Turns a zod failure into one readable sentence naming each bad field by its JSON path. */
export function describeZodError(error: z.ZodError): string {
  return formatIssues(error).join('; ');
}

/**
 * The single entry point both admin transports (IPC and HTTP) use: checks the method name, validates
 * the payload against the shared contract, runs the handler and returns its result.
 */
/** A method's input as its contract schema parses it (defaults applied), or the refusal dispatchAdmin gives. */
export function validated<M extends AdminMethod>(method: M, rawInput: unknown): AdminParsedInput<M> {
  const parsed = validateInput(adminContract[method].input, rawInput ?? {});
  if (!parsed.success) {
    throw new AdminError('invalid_input', `Invalid input for ${method}: ${parsed.problems.join('; ')}`);
  }
  return parsed.data as AdminParsedInput<M>;
}

export async function dispatchAdmin(
  handlers: AdminHandlers,
  method: string,
  rawInput: unknown,
): Promise<unknown> {
  if (!isAdminMethod(method)) {
    throw new AdminError('unknown_method', `Unknown admin method "${method}".`);
  }
  const handler = handlers[method] as (input: unknown) => unknown;
  return await handler(validated(method, rawInput));
}

export type { AdminMethod };
/** For the admin HTTP route, which loads the contract through contract-loader.ts. */
export { isAdminMethod };
