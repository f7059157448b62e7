import { describe, expect, it } from 'vitest';
import { TOKEN_EXCHANGE_GRANT, type Token } from '../../../../shared/schemas';
import { exchangeActing, issuedBy, originOf, shortTokenId, tokenName } from './lineage';
import { testToken } from './test-token';

function token(patch: Partial<Token>): Token {
  return testToken({
    id: '01m91dq2ab0000000000k3j9x2ab',
    client_id: 'orders-api',
    audience: ['billing-api'],
    ...patch,
  });
}

describe('token lineage in words', () => {
  it('names the issuing grant, minting, and an unrecorded one', () => {
    expect(issuedBy(TOKEN_EXCHANGE_GRANT)).toBe('token-exchange (RFC 8693)');
    expect(issuedBy('refresh_token')).toBe('refresh_token');
    expect(issuedBy('mint')).toBe('minted (admin API)');
    expect(issuedBy(null)).toBe('unknown (not recorded for this token)');
  });

  it('tells an exchange (also a minted one, which has a parent) from a refresh', () => {
    expect(originOf(token({ grant_type: TOKEN_EXCHANGE_GRANT, parent_id: 'p' }))).toBe('exchange');
    expect(originOf(token({ grant_type: 'mint', parent_id: 'p' }))).toBe('exchange');
    expect(originOf(token({ grant_type: 'mint' }))).toBe('unknown');
    expect(originOf(token({ grant_type: 'refresh_token', parent_id: 'p' }))).toBe('refresh');
    expect(originOf(token({ parent_id: 'p' }))).toBe('unknown');
  });

  it('names the actor of a delegation, and an impersonation that kept the subject’s act', () => {
    const prior = { sub: 'web-bff', client_id: 'web-bff' };
    const parent = token({ client_id: 'web', act: prior });
    const delegated = token({ act: { sub: 'orders-api', client_id: 'orders-api', act: prior } });
    expect(exchangeActing(delegated, parent)).toBe('acting: orders-api (client orders-api)');
    expect(exchangeActing(token({ act: prior }), parent)).toBe(
      'impersonation: client orders-api acts as alice-sub',
    );
    expect(exchangeActing(token({}), null)).toBe('impersonation: client orders-api acts as alice-sub');
  });

  it('shortens ids by their random tail: ids issued together share their first characters', () => {
    expect(shortTokenId('01m91dq2ab0000000000k3j9x2ab')).toBe('…k3j9x2ab');
    expect(tokenName(token({ kind: 'refresh' }))).toBe('Refresh token …k3j9x2ab');
  });
});
