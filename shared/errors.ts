/** Error codes the admin surface returns as `{ code, message }` over IPC and HTTP alike. */
export const adminErrorCodes = [
  'invalid_input',
  'unknown_method',
  'not_found',
  'conflict',
  'unauthorized',
  'forbidden',
  'internal',
] as const;
export type AdminErrorCode = (typeof adminErrorCodes)[number];

export interface AdminErrorBody {
  code: AdminErrorCode;
  message: string;
}

export class AdminError extends Error {
  readonly code: AdminErrorCode;
  constructor(code: AdminErrorCode, message: string) {
    super(message);
    this.name = 'AdminError';
    this.code = code;
  }
  toJSON(): AdminErrorBody {
    return { code: this.code, message: this.message };
  }
}

export function isAdminErrorBody(value: unknown): value is AdminErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}
