import { describe, expect, it } from 'vitest';
import type { Client } from '../../../../../shared/schemas';
import { defaultAudience, emptyBaseline, toBaseline } from './baseline';

describe('the baseline a QA lab page sends', () => {
  it('needs a client, and sends nothing else when the fields are empty (the client’s defaults apply)', () => {
    expect(toBaseline(emptyBaseline(null))).toBeNull();
    expect(toBaseline(emptyBaseline('web'))).toEqual({ client_id: 'web' });
  });

  it('sends what was typed, with scopes normalised and blank audiences dropped', () => {
    expect(
      toBaseline({
        clientId: 'web',
        username: 'alice',
        audience: [' orders-api ', ''],
        scope: '  orders:read\topenid  ',
        requiredScope: 'orders:write ',
        format: 'reference',
      }),
    ).toEqual({
      client_id: 'web',
      username: 'alice',
      audience: ['orders-api'],
      scope: 'orders:read openid',
      required_scope: 'orders:write',
      format: 'reference',
    });
  });

  it('names the audience an empty field stands for', () => {
    const client = { client_id: 'svc', audience: [] } as unknown as Client;
    expect(defaultAudience(undefined)).toEqual([]);
    expect(defaultAudience(client)).toEqual(['svc']);
    expect(defaultAudience({ ...client, audience: ['orders-api'] })).toEqual(['orders-api']);
  });
});
