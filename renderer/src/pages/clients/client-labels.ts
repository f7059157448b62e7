import {
  DEVICE_CODE_GRANT,
  type GrantType,
  JWT_BEARER_GRANT,
  type SubjectMatch,
  TOKEN_EXCHANGE_GRANT,
} from '../../../../shared/schemas';

/** The URN grant types get a readable name; the others read well as they are. */
export const GRANT_TYPE_LABELS: Record<GrantType, string> = {
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
  client_credentials: 'client_credentials',
  password: 'password',
  [TOKEN_EXCHANGE_GRANT]: 'token-exchange (RFC 8693)',
  [DEVICE_CODE_GRANT]: 'device_code (RFC 8628)',
  [JWT_BEARER_GRANT]: 'jwt-bearer (RFC 7523)',
};

/** How a jwt-bearer assertion's sub finds the test user, for the client form and drawer. */
export const SUBJECT_MATCH_LABELS: Record<SubjectMatch, string> = {
  sub_then_username: "A user's subject, else a username",
  sub: "A user's subject (sub) only",
  username: 'A username only',
};
