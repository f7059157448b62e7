import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput } from '../../shared/contract';
import { RESOURCE_ENDPOINTS_SEED } from '../helpers/endpoint-seeds';
import { startTestEngine } from '../helpers/engine';
import { expectActive, expectInactive, jwtHeader, jwtPayload, listTokens } from '../helpers/oauth-http';

/**
 * lab.resign: the Inspector's "Edit and re-sign". A re-signed token verifies against the provider's
 * JWKS like an issued one, yet is not issued: not listed, not active at introspection (asked as the
 * seed's gateway, which may introspect every token).
 */

let engine: Awaited<ReturnType<typeof startTestEngine>>;
beforeAll(async () => {
  engine = await startTestEngine({ seed: RESOURCE_ENDPOINTS_SEED, inMemory: true });
});
afterAll(async () => {
  await engine.cleanup();
});

type Resigned = AdminOutput<'lab.resign'>;
const resign = (header: unknown, payload: unknown) =>
  engine.call('lab.resign', {
    header: typeof header === 'string' ? header : JSON.stringify(header),
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  }) as Promise<Resigned>;

async function mintJwt(): Promise<{ value: string; id: string }> {
  const minted = (await engine.call('tokens.mint', {
    client_id: 'web',
    username: 'alice',
    audience: ['orders-api'],
  })) as AdminOutput<'tokens.mint'>;
  return { value: minted.value, id: minted.token.id };
}

async function currentKey(): Promise<{ kid: string; alg: string }> {
  const keys = (await engine.call('keys.list', {})) as AdminOutput<'keys.list'>;
  return keys.find((key) => key.status === 'current') as { kid: string; alg: string };
}

describe('lab.resign', () => {
  it('signs an edited payload with the current key: jose verifies it against the JWKS, but it is not issued', async () => {
    const issued = await mintJwt();
    const claims = jwtPayload(issued.value);
    const tokensBefore = (await listTokens(engine)).length;

    const out = await resign(jwtHeader(issued.value), { ...claims, scope: 'openid orders:admin' });

    const jwks = createRemoteJWKSet(new URL(`${engine.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(out.value, jwks, {
      issuer: engine.issuer,
      audience: 'orders-api',
      typ: 'at+jwt',
    });
    expect(payload).toEqual({ ...claims, scope: 'openid orders:admin' });
    const key = await currentKey();
    expect(protectedHeader).toMatchObject({ alg: key.alg, kid: key.kid, typ: 'at+jwt' });
    expect(out.replaced).toEqual([]);
    expect(out.same_as_token_id).toBeNull();

    // Not issued: no new row, no token with its value, and introspection does not know it even
    // though it keeps the jti of a token that introspects active.
    const tokens = await listTokens(engine);
    expect(tokens.length).toBe(tokensBefore);
    await expectActive(engine.issuer, issued.value);
    await expectInactive(engine.issuer, out.value);
    const lookup = (await engine.call('tokens.lookup', { value: out.value })) as AdminOutput<'tokens.lookup'>;
    expect(lookup).toEqual({ token: null, introspection: { active: false } });
  });

  it('says when nothing changed: RS256 is deterministic, so the unchanged token is the issued one', async () => {
    expect((await currentKey()).alg).toBe('RS256');
    const issued = await mintJwt();
    const out = await resign(jwtHeader(issued.value), jwtPayload(issued.value));
    expect(out.value).toBe(issued.value);
    expect(out.same_as_token_id).toBe(issued.id);
  });

  it("sets alg and kid from the provider's key and says what it replaced", async () => {
    const key = await currentKey();
    const out = await resign(
      { typ: 'JWT', alg: 'PS512', kid: 'made-up' },
      { sub: 'someone', custom: [1, 2] },
    );
    expect(decodeProtectedHeader(out.value)).toEqual({ typ: 'JWT', alg: key.alg, kid: key.kid });
    expect(out.header).toEqual({ typ: 'JWT', alg: key.alg, kid: key.kid });
    expect(out.payload).toEqual({ sub: 'someone', custom: [1, 2] });
    expect(out.replaced).toEqual([
      { name: 'alg', was: 'PS512', now: key.alg },
      { name: 'kid', was: 'made-up', now: key.kid },
    ]);

    const bare = await resign({}, { sub: 'someone' });
    expect(bare.replaced).toEqual([
      { name: 'alg', was: null, now: key.alg },
      { name: 'kid', was: null, now: key.kid },
    ]);
  });

  it.each([
    ['none', /alg "none" is refused.*Lab → Bad tokens/],
    ['NONE', /alg "NONE" is refused/],
    ['HS256', /alg "HS256" is refused.*Bad tokens/],
    ['HS512', /alg "HS512" is refused/],
  ])('refuses alg %s, pointing to Bad tokens', async (alg, message) => {
    const error = await resign({ alg, typ: 'at+jwt' }, { sub: 'x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    ['{"alg": "RS256",', '{}', /^The header is not valid JSON: .+/],
    ['{}', '{"sub": }', /^The payload is not valid JSON: .+/],
    ['[]', '{}', /^The header must be a JSON object \(\{ … \}\), not an array\.$/],
    ['{}', '"a string"', /^The payload must be a JSON object \(\{ … \}\), not a string\.$/],
    ['{}', 'null', /^The payload must be a JSON object \(\{ … \}\), not null\.$/],
  ])(
    'refuses header %s with payload %s as invalid_input, naming the part',
    async (header, payload, message) => {
      const eventsBefore = (await engine.call('events.list', { type: 'lab.resigned' })) as unknown[];
      const error = await resign(header, payload).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalid_input' });
      expect((error as Error).message).toMatch(message);
      // Nothing half-written: no event for a refused request.
      expect(await engine.call('events.list', { type: 'lab.resigned' })).toHaveLength(eventsBefore.length);
    },
  );

  it('refuses an empty header or payload at the contract', async () => {
    await expect(engine.call('lab.resign', { header: '', payload: '{}' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(engine.call('lab.resign', { header: '{}' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('records a lab.resigned event, linked to the token it was edited from', async () => {
    const issued = await mintJwt();
    const claims = jwtPayload(issued.value);
    await resign(jwtHeader(issued.value), { ...claims, tenant: 'acme' });
    const list = (await engine.call('events.list', {
      type: 'lab.resigned',
      token_id: issued.id,
    })) as AdminOutput<'events.list'>;
    const key = await currentKey();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      type: 'lab.resigned',
      client_id: 'web',
      token_id: issued.id,
      data: { alg: key.alg, kid: key.kid, typ: 'at+jwt', sub: 'alice-sub', jti: issued.id, replaced: [] },
    });
    expect(list[0]?.data.claims).toContain('tenant');
  });
});
