import { describe, expect, it } from 'vitest';
import {
  type ClaimContext,
  decideClaims,
  explainClaims,
  introspectionClaims,
} from '../../main/core/tokens/claim-mapping';

const user = { claims: { name: 'Alice', email: 'a@x.test', roles: ['admin'], dept: 'research', cc: 'cc-1' } };
const context = (over: Partial<ClaimContext> = {}): ClaimContext => ({
  user,
  client: { client_id: 'orders' },
  scopes: ['openid', 'profile'],
  scopeClaims: undefined,
  ...over,
});

describe('decideClaims', () => {
  it('without mappings: scope claims in ID token and userinfo, every custom claim everywhere', () => {
    expect(decideClaims(context(), 'id').claims).toEqual({
      name: 'Alice',
      roles: ['admin'],
      dept: 'research',
      cc: 'cc-1',
    });
    expect(decideClaims(context(), 'access').claims).toEqual({
      roles: ['admin'],
      dept: 'research',
      cc: 'cc-1',
    });
    expect(decideClaims(context({ user: null }), 'access').claims).toEqual({});
  });

  it('a mapping wins over a custom claim of the same name, and mapped_only keeps scope-released claims', () => {
    const client = {
      client_id: 'orders',
      custom_claims: 'mapped_only' as const,
      claim_mappings: [{ name: 'roles', source: { value: ['viewer'] }, tokens: ['access' as const] }],
    };
    const decided = decideClaims(
      context({ client, scopeClaims: { orders: ['cc'] }, scopes: ['orders'] }),
      'access',
      true,
    );
    expect(decided.claims).toEqual({ roles: ['viewer'], cc: 'cc-1' });
    expect(decided.reasons).toEqual({
      roles: 'static value of client `orders`',
      cc: 'from scope `orders` (workspace scope claims)',
    });
  });

  it('a static value reaches a machine token only when marked machine', () => {
    const mapping = { name: 'app', source: { value: 'x' }, tokens: ['access' as const] };
    const plain = { client_id: 'orders', claim_mappings: [mapping] };
    const machine = { client_id: 'orders', claim_mappings: [{ ...mapping, machine: true }] };
    expect(decideClaims(context({ user: null, client: plain }), 'access').claims).toEqual({});
    expect(decideClaims(context({ user: null, client: machine }), 'access', true)).toEqual({
      claims: { app: 'x' },
      reasons: { app: 'static value of client `orders`, for machine tokens' },
    });
  });

  it('a claim named __proto__ stays a claim, and a scope named like an Object member releases nothing', () => {
    const own = JSON.parse('{"__proto__": {"polluted": true}, "tier": "gold"}') as Record<string, unknown>;
    const decided = decideClaims(
      context({ user: { claims: own }, scopes: ['constructor', 'toString'] }),
      'id',
    );
    expect(Object.keys(decided.claims)).toEqual(['__proto__', 'tier']);
    expect(Object.getPrototypeOf(decided.claims)).toBe(Object.prototype);
  });
});

describe('introspectionClaims and explainClaims', () => {
  it('introspection drops access-only claims and adds introspection-only ones', () => {
    const client = {
      client_id: 'orders',
      claim_mappings: [
        { name: 'app', source: { value: 'a' }, tokens: ['access' as const] },
        { name: 'audit', source: { value: 1 }, tokens: ['introspection' as const] },
      ],
    };
    const ctx = context({ client });
    const token = { ...decideClaims(ctx, 'access').claims, iss: 'http://i', cnf: { jkt: 'k' } };
    const out = introspectionClaims(token, decideClaims(ctx, 'access'), decideClaims(ctx, 'introspection'));
    expect(out).toEqual({
      roles: ['admin'],
      dept: 'research',
      cc: 'cc-1',
      iss: 'http://i',
      cnf: { jkt: 'k' },
      audit: 1,
    });
  });

  it('explains protocol claims, minted extras and claims the configuration no longer produces', () => {
    const decided = decideClaims(context(), 'access', true);
    expect(explainClaims({ roles: ['admin'], iss: 'x', extra: 1 }, decided, { minted: true })).toEqual({
      roles: 'custom claim of the user (all custom claims)',
      iss: 'protocol claim',
      extra: 'extra claim given when the token was minted',
    });
    expect(explainClaims({ dept: 'old', gone: 1 }, decided)).toEqual({
      dept: 'custom claim of the user (all custom claims); the value has changed since it was issued',
      gone: 'not from the current configuration: the user, the client or the scope claims changed since it was issued',
    });
  });
});
