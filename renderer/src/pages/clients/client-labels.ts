import { DEVICE_CODE_GRANT, type GrantType, TOKEN_EXCHANGE_GRANT } from '../../../../shared/schemas';

/** The two URN grant types get a readable name; the others read well as they are. */
export const GRANT_TYPE_LABELS: Record<GrantType, string> = {
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
  client_credentials: 'client_credentials',
  password: 'password',
  [TOKEN_EXCHANGE_GRANT]: 'token-exchange (RFC 8693)',
  [DEVICE_CODE_GRANT]: 'device_code (RFC 8628)',
};
