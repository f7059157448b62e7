// What the request hot path keeps in memory or batches must never show stale or lost state over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent, Token } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import { basic, postForm, tokenRequest } from '../helpers/oauth-http';

let engine: Awaited<ReturnType<typeof startTestEngine>>;
const SVC = { client_id: 'svc', client_secret: 'svc-secret-0123456789' };

beforeAll(async () => {
  engine = await startTestEngine({
    seed: {
      clients: [
        {
          ...SVC,
          grant_types: ['client_credentials'],
          scope: 'orders:read',
          access_token_format: 'reference',
        },
      ],
    },
  });
});
afterAll(async () => {
  await engine.cleanup();
});

const discovery = async () =>
  (await (await fetch(`${engine.issuer}/.well-known/openid-configuration`)).json()) as Record<
    string,
    string[]
  >;
const issue = () =>
  tokenRequest(
    engine.issuer,
    { grant_type: 'client_credentials' },
    { authorization: basic(SVC.client_id, SVC.client_secret) },
  );

describe('request hot path', () => {
  it('the discovery document follows client and user changes at once', async () => {
    expect((await discovery()).scopes_supported).not.toContain('invoices:pay');
    await engine.call('clients.create', {
      client_id: 'billing',
      grant_types: ['client_credentials'],
      scope: 'invoices:pay',
    });
    expect((await discovery()).scopes_supported).toContain('invoices:pay');
    await engine.call('users.create', { username: 'dora', claims: { cost_center: 'C-1' } });
    expect((await discovery()).claims_supported).toContain('cost_center');
    await engine.call('clients.delete', { client_id: 'billing' });
    expect((await discovery()).scopes_supported).not.toContain('invoices:pay');
  });

  it('a changed client secret is required from the next request on', async () => {
    expect((await issue()).status).toBe(200);
    await engine.call('clients.update', {
      ...SVC,
      client_secret: 'rotated-secret-0123456789',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      access_token_format: 'reference',
    });
    expect((await issue()).status).toBe(401);
    await engine.call('clients.update', {
      ...SVC,
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      access_token_format: 'reference',
    });
    expect((await issue()).status).toBe(200);
  });

  it('client_credentials tokens issued concurrently are all stored, each without a grant, each with its event', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, issue));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    const { tokens } = (await engine.call('tokens.list', { client_id: 'svc', limit: 500 })) as {
      tokens: Token[];
    };
    const issuedNow = new Set(answers.map((a) => a.json.access_token as string));
    expect(issuedNow.size).toBe(40);
    for (const answer of answers) {
      const found = (await engine.call('tokens.lookup', { value: answer.json.access_token })) as {
        token: Token | null;
      };
      expect(found.token).toMatchObject({
        kind: 'access',
        format: 'reference',
        state: 'active',
        grant_id: null,
      });
    }
    expect(tokens.length).toBeGreaterThanOrEqual(40);
    const events = (await engine.call('events.list', {
      type: 'token.issued',
      client_id: 'svc',
      limit: 500,
    })) as EngineEvent[];
    expect(events.length).toBe(tokens.length);
  });

  // The event is written detached (the answer does not depend on it) but in the turn that answered, so
  // whatever reads next, here the admin call made once the answer has arrived, finds it.
  it("an introspection's event is committed before the next request is read", async () => {
    const token = (await issue()).json.access_token as string;
    await engine.call('clients.create', {
      client_id: 'api',
      client_secret: 'api-secret',
      grant_types: ['client_credentials'],
      scope: 'x',
      // A gateway: it introspects svc's token.
      introspect_any_token: true,
    });
    const answer = await postForm(
      engine.issuer,
      '/introspect',
      { token },
      { authorization: basic('api', 'api-secret') },
    );
    expect(answer.json).toMatchObject({ active: true, client_id: 'svc' });
    const events = (await engine.call('events.list', {
      type: 'token.introspected',
      limit: 10,
    })) as EngineEvent[];
    expect(events[0]).toMatchObject({ type: 'token.introspected', client_id: 'api', data: { active: true } });
  });
});
