import type { z } from 'zod';
import { type AdminMethod, adminContract, isAdminMethod } from '../../../shared/contract';
import { AdminError } from '../../../shared/errors';
import { formatIssues, validateInput } from '../../../shared/validation';
import type { AdminHandlers } from './service';

/** Turns a zod failure into one readable sentence naming each bad field by its JSON path. */
export function describeZodError(error: z.ZodError): string {
  return formatIssues(error).join('; ');
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
  const parsed = validateInput(adminContract[method].input, rawInput ?? {});
  if (!parsed.success) {
    throw new AdminError('invalid_input', `Invalid input for ${method}: ${parsed.problems.join('; ')}`);
  }
  const handler = handlers[method] as (input: unknown) => unknown;
  return await handler(parsed.data);
}

export type { AdminMethod };
