import { describe, expect, it } from 'vitest';
import { actorChain, describeActors, dpopThumbprint } from './delegation';

describe('actorChain', () => {
  it('is empty for a token nobody acts for', () => {
    expect(actorChain({ sub: 'alice' })).toEqual([]);
  });

  it('lists the current actor first, then the ones nested inside it', () => {
    const claims = {
      sub: 'alice',
      act: {
        sub: 'billing-api',
        client_id: 'billing-api',
        act: { sub: 'orders-api', client_id: 'orders-api' },
      },
    };
    expect(actorChain(claims)).toEqual([
      { sub: 'billing-api', client_id: 'billing-api' },
      { sub: 'orders-api', client_id: 'orders-api' },
    ]);
  });

  it('keeps an actor without a client_id or sub readable', () => {
    expect(actorChain({ act: { sub: 'svc' } })).toEqual([{ sub: 'svc', client_id: null }]);
    expect(actorChain({ act: { client_id: 'c' } })).toEqual([{ sub: '(no sub)', client_id: 'c' }]);
  });
});

describe('describeActors', () => {
  it('names each actor and its client, the current one first', () => {
    expect(
      describeActors([
        { sub: 'billing-api', client_id: 'billing-api' },
        { sub: 'svc', client_id: null },
      ]),
    ).toBe('actor billing-api, client billing-api, on behalf of actor svc');
  });
});

describe('dpopThumbprint', () => {
  it('reads cnf.jkt from the first source that has it', () => {
    expect(dpopThumbprint({ sub: 'a' }, { cnf: { jkt: 'abc' } })).toBe('abc');
    expect(dpopThumbprint({ cnf: { 'x5t#S256': 'x' } })).toBeNull();
  });
});
