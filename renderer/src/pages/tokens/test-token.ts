import type { Token } from '../../../../shared/schemas';

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
