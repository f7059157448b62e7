import type { EngineEvent, Token } from '../../../../shared/schemas';

/** A token as tokens.list answers it, for the renderer's unit tests: alice's active access token at web. */
export function testToken(patch: Partial<Token> & Pick<Token, 'id'>): Token {
  return {
    kind: 'access',
    format: 'jwt',
    state: 'active',
    client_id: 'web',
    username: 'alice',
    subject: 'alice-sub',
    grant_id: 'g1',
    parent_id: null,
    scope: 'openid',
    audience: ['web'],
    issued_at: '2026-03-14T12:00:00.000Z',
    expires_at: '2026-03-14T13:00:00.000Z',
    revoked_at: null,
    revoked_reason: null,
    last_used_at: null,
    flaws: [],
    grant_type: null,
    act: null,
    ...patch,
  };
}

/** A service's reference token with this issue sequence (issued `seq` seconds after the epoch). */
export function serviceToken(seq: number): Token {
  return testToken({
    id: `tok-${seq}`,
    seq,
    format: 'reference',
    client_id: 'svc',
    username: null,
    subject: 'svc',
    grant_id: null,
    issued_at: new Date(seq * 1000).toISOString(),
  });
}

/** serviceToken(from) down to serviceToken(to), newest first (as tokens.list answers issued_desc). */
export function serviceTokens(from: number, to: number): Token[] {
  return Array.from({ length: from - to + 1 }, (_, i) => serviceToken(from - i));
}

/** The token.issued event of serviceToken(seq). */
export function serviceTokenIssued(seq: number): EngineEvent {
  return {
    id: seq,
    at: serviceToken(seq).issued_at,
    type: 'token.issued',
    client_id: 'svc',
    username: null,
    token_id: `tok-${seq}`,
    data: {},
  };
}
