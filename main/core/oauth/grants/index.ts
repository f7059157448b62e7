import {
  DEVICE_CODE_GRANT,
  type GrantType,
  JWT_BEARER_GRANT,
  TOKEN_EXCHANGE_GRANT,
} from '../../../../shared/schemas';
import { authorizationCode } from './authorization-code';
import { clientCredentials } from './client-credentials';
import { deviceCode } from './device-code';
import { jwtBearer } from './jwt-bearer';
import { password } from './password';
import { refreshToken } from './refresh-token';
import { tokenExchange } from './token-exchange';
import type { GrantHandler } from './types';

/**
 * The token endpoint's dispatch table. Keyed by every GrantType, so adding a grant type to GRANT_TYPES
 * (shared/schemas.ts) without a handler here fails to compile (test/unit/grant-handlers.test.ts).
 */
export const GRANT_HANDLERS: Readonly<Record<GrantType, GrantHandler>> = {
  authorization_code: authorizationCode,
  refresh_token: refreshToken,
  client_credentials: clientCredentials,
  password,
  [TOKEN_EXCHANGE_GRANT]: tokenExchange,
  [DEVICE_CODE_GRANT]: deviceCode,
  [JWT_BEARER_GRANT]: jwtBearer,
};

/** Own keys only: a grant_type of "toString" or "__proto__" must not reach Object.prototype. */
export function isSupportedGrantType(value: string): value is GrantType {
  return Object.hasOwn(GRANT_HANDLERS, value);
}
