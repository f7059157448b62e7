import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../main/core';
import { TOKEN_ENDPOINT_SEED } from '../helpers/endpoint-seeds';
import { startTestEngine } from '../helpers/engine';
import { expectActive, expectInactive, jwtPayload, postForm } from '../helpers/oauth-http';

/** Provider time (clock_offset_seconds) and issuing skew (clock_skew_seconds), over real HTTP. */
describe('the provider clock', () => {
  let engine: Engine & { cleanup(): Promise<void> };

  beforeAll(async () => {
    engine = await startTestEngine({ seed: TOKEN_ENDPOINT_SEED });
  });
  afterAll(() => engine.cleanup());

  async function mint(format: 'jwt' | 'reference', ttl: number): Promise<string> {
    const minted = (await engine.call('tokens.mint', { client_id: 'worker', format, ttl })) as {
      value: string;
    };
    return minted.value;
  }
  const setClock = (patch: { clock_offset_seconds?: number; clock_skew_seconds?: number }) =>
    engine.call('settings.update', patch);

  it('moving it an hour ahead makes a fresh 5-minute token inactive at once, in both formats', async () => {
    await setClock({ clock_offset_seconds: 0, clock_skew_seconds: 0 });
    const jwt = await mint('jwt', 300);
    const reference = await mint('reference', 300);
    await expectActive(engine.issuer, jwt);
    await expectActive(engine.issuer, reference);

    await setClock({ clock_offset_seconds: 3600 });
    await expectInactive(engine.issuer, jwt);
    await expectInactive(engine.issuer, reference);
    const listed = (await engine.call('tokens.list', { client_id: 'worker' })) as {
      tokens: { state: string }[];
    };
    expect(listed.tokens.map((token) => token.state)).toEqual(['expired', 'expired']);

    // Back to real time: the tokens are live again (their exp never changed).
    await setClock({ clock_offset_seconds: 0 });
    await expectActive(engine.issuer, jwt);
  });

  it('issues iat and exp in provider time, and the skew moves only what is issued', async () => {
    await setClock({ clock_offset_seconds: 86_400, clock_skew_seconds: 0 });
    const before = Math.floor(Date.now() / 1000);
    const ahead = jwtPayload(await mint('jwt', 600));
    expect(Number(ahead.iat) - before).toBeGreaterThanOrEqual(86_400);
    expect(Number(ahead.iat) - before).toBeLessThanOrEqual(86_402);
    expect(Number(ahead.exp) - Number(ahead.iat)).toBe(600);

    await setClock({ clock_offset_seconds: 0, clock_skew_seconds: -120 });
    const now = Math.floor(Date.now() / 1000);
    const skewed = jwtPayload(await mint('jwt', 600));
    expect(now - Number(skewed.iat)).toBeGreaterThanOrEqual(119);
    expect(now - Number(skewed.iat)).toBeLessThanOrEqual(121);
    // Judged in provider time, a token issued "two minutes ago" for ten minutes is still active.
    const value = await mint('jwt', 600);
    await expectActive(engine.issuer, value);
    await setClock({ clock_skew_seconds: 0 });
  });

  it('governs tokens issued at the token endpoint too', async () => {
    await setClock({ clock_offset_seconds: 0 });
    const response = await postForm(
      engine.issuer,
      '/token',
      { grant_type: 'client_credentials', client_id: 'worker', client_secret: 'worker-secret' },
      {},
    );
    expect(response.status).toBe(200);
    const value = String(response.json.access_token);
    await setClock({ clock_offset_seconds: 3 * 3600 });
    await expectInactive(engine.issuer, value);
    await setClock({ clock_offset_seconds: 0 });
  });

  it('refuses offsets beyond ten years and skews beyond a day, changing nothing', async () => {
    const before = await engine.call('settings.get', {});
    await expect(setClock({ clock_offset_seconds: 10 * 366 * 86_400 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(setClock({ clock_skew_seconds: 86_401 })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await engine.call('settings.get', {})).toEqual(before);
  });
});
