import { describe, expect, it } from 'vitest';
import { GRANT_HANDLERS, isSupportedGrantType } from '../../main/core/oauth/grants';
import type { GrantHandler } from '../../main/core/oauth/grants/types';
import { GRANT_TYPES, type GrantType } from '../../shared/schemas';

// The compile-time half of these tests is the @ts-expect-error lines: `npm run typecheck`
// (tsc -p tsconfig.node.json, which includes test/) fails if an expected error stops occurring, so each
// one proves a map short of a handler is refused.

describe('GRANT_HANDLERS', () => {
  it('has exactly one handler per grant type of the contract', () => {
    expect(Object.keys(GRANT_HANDLERS).sort()).toEqual([...GRANT_TYPES].sort());
    for (const type of GRANT_TYPES) expect(GRANT_HANDLERS[type]).toBeTypeOf('function');
  });

  it('a handler map missing one grant type does not compile', () => {
    const { password: _dropped, ...withoutPassword } = GRANT_HANDLERS;
    // @ts-expect-error Property 'password' is missing: every GrantType needs a handler.
    const incomplete: Record<GrantType, GrantHandler> = withoutPassword;
    expect(Object.keys(incomplete)).not.toContain('password');
  });

  it('a grant type added to GRANT_TYPES without a handler does not compile', () => {
    // What GRANT_HANDLERS' declared type becomes once GRANT_TYPES gains, say, CIBA.
    type WithNewGrant = Record<GrantType | 'urn:openid:params:grant-type:ciba', GrantHandler>;
    // @ts-expect-error Property 'urn:openid:params:grant-type:ciba' is missing.
    const grown: WithNewGrant = GRANT_HANDLERS;
    expect(grown).toBe(GRANT_HANDLERS);
  });

  it('dispatches only on its own keys, never on Object.prototype names', () => {
    for (const type of GRANT_TYPES) expect(isSupportedGrantType(type)).toBe(true);
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'device_code']) {
      expect(isSupportedGrantType(name)).toBe(false);
    }
  });
});
