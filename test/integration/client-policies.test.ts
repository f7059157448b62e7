import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, EngineEvent, Workspace } from '../../shared/schemas';
import { FormBrowser } from '../helpers/browser-session';
import { startTestEngine } from '../helpers/engine';
import { basic, expectOAuthError, pkcePair, postForm, REDIRECT, tokenRequest } from '../helpers/oauth-http';

/**
 * The per-client policies over real HTTP: which redirect URIs may differ by port (RFC 8252 §7.3 only
 * where a client allows it) and which tokens a client may introspect (RFC 7662 §4).
 */

const NATIVE_REDIRECT = 'http://127.0.0.1/callback';
const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice' } }],
  clients: [
    // A confidential web app on a dev server: its redirect URI must be matched exactly.
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      scope: 'openid profile offline_access',
    },
    // A native app: public, with a loopback IP redirect, so it gets any port by default.
    {
      client_id: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: [NATIVE_REDIRECT],
      scope: 'openid',
    },
    // Public with a loopback redirect, but the setting turned off.
    {
      client_id: 'native-exact',
      token_endpoint_auth_method: 'none',
      redirect_uris: [NATIVE_REDIRECT],
      scope: 'openid',
      allow_loopback_port_variance: false,
    },
    // Calls the orders API: its tokens are addressed to orders-api.
    {
      client_id: 'orders-web',
      client_secret: 'orders-web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      scope: 'openid offline_access orders:read',
      audience: ['orders-api'],
      access_token_format: 'reference',
    },
    // The orders API (a resource server), another API, and a gateway that may see every token.
    { client_id: 'orders-api', client_secret: 'orders-api-secret', grant_types: ['client_credentials'] },
    { client_id: 'billing-api', client_secret: 'billing-api-secret', grant_types: ['client_credentials'] },
    {
      client_id: 'gateway',
      client_secret: 'gateway-secret',
      grant_types: ['client_credentials'],
      introspect_any_token: true,
    },
  ],
};

let engine: Awaited<ReturnType<typeof startTestEngine>>;

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true });
});
afterAll(async () => {
  await engine.cleanup();
});

/** A page listening on another loopback port, recording every request the browser sends it. */
async function listenerOnAnotherPort(): Promise<{
  callback: string;
  received: URL[];
  close(): Promise<void>;
}> {
  const received: URL[] = [];
  const server = http.createServer((request, response) => {
    received.push(new URL(request.url ?? '/', 'http://127.0.0.1'));
    response.end('thanks');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    callback: `http://127.0.0.1:${port}/callback`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function authorizeUrl(params: Record<string, string>): string {
  return `${engine.issuer}/authorize?${new URLSearchParams(params)}`;
}

/** The provider's own error page for an unregistered redirect: 400, no redirect anywhere. */
async function expectRefusedRedirect(response: Response): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get('location')).toBeNull();
  const text = await response.text();
  expect(text).toContain('is not registered');
  expect(text).toContain('allow_loopback_port_variance');
}

describe('loopback redirect port variance (RFC 8252 §7.3)', () => {
  it('refuses another loopback port for a confidential client: exact match only', async () => {
    const { challenge } = pkcePair();
    for (const redirect of ['http://127.0.0.1:49152/callback', 'http://127.0.0.1/callback']) {
      const response = await new FormBrowser().get(
        authorizeUrl({
          client_id: 'web',
          redirect_uri: redirect,
          response_type: 'code',
          scope: 'openid',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
      );
      await expectRefusedRedirect(response);
    }
  });

  it('refuses another port for a public client whose setting is off', async () => {
    const { challenge } = pkcePair();
    const response = await new FormBrowser().get(
      authorizeUrl({
        client_id: 'native-exact',
        redirect_uri: 'http://127.0.0.1:49152/callback',
        response_type: 'code',
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    await expectRefusedRedirect(response);
  });

  it('lets a public native client use any port on its loopback redirect, redeemable only at that exact URI', async () => {
    const app = await listenerOnAnotherPort();
    try {
      const { verifier, challenge } = pkcePair();
      const browser = new FormBrowser();
      const location = await browser.signIn(
        authorizeUrl({
          client_id: 'native',
          redirect_uri: app.callback,
          response_type: 'code',
          scope: 'openid',
          state: 'st',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
        'alice',
        'alice-pw',
      );
      expect(location.startsWith(`${app.callback}?`)).toBe(true);
      const code = new URL(location).searchParams.get('code') as string;
      const fields = { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: 'native' };
      // RFC 6749 §4.1.3: the token request repeats the redirect_uri of the authorization request exactly.
      expectOAuthError(
        await tokenRequest(engine.issuer, { ...fields, redirect_uri: NATIVE_REDIRECT }),
        400,
        'invalid_grant',
      );
      const redeemed = await tokenRequest(engine.issuer, { ...fields, redirect_uri: app.callback });
      expect(redeemed.status, redeemed.text).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('gives a page on another loopback port no code for a signed-in user of a confidential web client (prompt=none)', async () => {
    // The user has signed in to the web app, so the browser holds a session at the provider.
    const browser = new FormBrowser();
    const signedIn = await browser.signIn(
      authorizeUrl({ client_id: 'web', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid' }),
      'alice',
      'alice-pw',
    );
    expect(new URL(signedIn).searchParams.get('code')).toBeTruthy();

    // Any page the user visits sends the browser to /authorize with its own port and its own PKCE.
    const attacker = await listenerOnAnotherPort();
    try {
      const { challenge } = pkcePair();
      const answer = await browser.authorize(
        authorizeUrl({
          client_id: 'web',
          redirect_uri: attacker.callback,
          response_type: 'code',
          scope: 'openid',
          prompt: 'none',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
      );
      const location = answer.headers.get('location');
      // Where the browser would go next, it goes: the listener records whatever reaches it.
      if (location) await fetch(location);
      expect(attacker.received.map((url) => url.searchParams.get('code'))).toEqual([]);
      await expectRefusedRedirect(answer);
    } finally {
      await attacker.close();
    }
  });
});

/** Introspection as `caller`: the status and the exact body text. */
async function introspectAs(
  caller: string,
  token: string,
): Promise<{ status: number; text: string; json: Record<string, unknown> }> {
  const response = await postForm(
    engine.issuer,
    '/introspect',
    { token },
    { authorization: basic(caller, `${caller}-secret`) },
  );
  return { status: response.status, text: response.text, json: response.json };
}

describe('who may introspect a token (RFC 7662 §4)', () => {
  let orders: { access_token: string; refresh_token?: string };
  let webTokens: { access_token: string; refresh_token?: string };

  /** Signs alice in for `clientId` and redeems the code, as that confidential client. */
  async function signedInTokens(clientId: string, scope: string) {
    const location = await new FormBrowser().signIn(
      authorizeUrl({ client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', scope }),
      'alice',
      'alice-pw',
    );
    const code = new URL(location).searchParams.get('code') as string;
    const answer = await tokenRequest(
      engine.issuer,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
      { authorization: basic(clientId, `${clientId}-secret`) },
    );
    expect(answer.status, answer.text).toBe(200);
    return answer.json as { access_token: string; refresh_token?: string };
  }

  beforeAll(async () => {
    orders = await signedInTokens('orders-web', 'openid offline_access orders:read');
    webTokens = await signedInTokens('web', 'openid offline_access');
  });

  it('answers exactly {"active":false} for another client\'s access and refresh tokens', async () => {
    for (const [caller, token] of [
      ['billing-api', orders.access_token],
      ['billing-api', orders.refresh_token as string],
      ['web', orders.access_token],
      ['orders-web', webTokens.access_token],
      ['orders-web', webTokens.refresh_token as string],
      ['orders-api', webTokens.access_token],
    ] as const) {
      expect({ caller, ...(await introspectAs(caller, token)) }).toMatchObject({
        caller,
        status: 200,
        text: '{"active":false}',
      });
    }
    // The event log, which only the admin reads, says why a live token was answered inactive.
    const events = (await engine.call('events.list', {
      type: 'token.introspected',
      client_id: 'billing-api',
      limit: 10,
    })) as EngineEvent[];
    expect(events.map((event) => event.data)).toContainEqual({
      active: false,
      caller: 'billing-api',
      hidden_from_caller: true,
    });
  });

  it('answers active, with the claims, for a token issued to the caller', async () => {
    const access = await introspectAs('orders-web', orders.access_token);
    expect(access.json).toMatchObject({
      active: true,
      client_id: 'orders-web',
      sub: 'alice-sub',
      aud: 'orders-api',
      scope: 'openid offline_access orders:read',
    });
    const refresh = await introspectAs('orders-web', orders.refresh_token as string);
    expect(refresh.json).toMatchObject({
      active: true,
      client_id: 'orders-web',
      token_type: 'refresh_token',
    });
    expect((await introspectAs('web', webTokens.access_token)).json).toMatchObject({
      active: true,
      aud: 'web',
    });
  });

  it('answers active for an access token addressed to the caller (its client_id in aud), not for the refresh token', async () => {
    const access = await introspectAs('orders-api', orders.access_token);
    expect(access.json).toMatchObject({
      active: true,
      client_id: 'orders-web',
      aud: 'orders-api',
      sub: 'alice-sub',
    });
    // A refresh token goes to nobody but the provider: the API has no business asking about it.
    expect((await introspectAs('orders-api', orders.refresh_token as string)).text).toBe('{"active":false}');
  });

  it('lets a client with introspect_any_token see every token', async () => {
    for (const token of [
      orders.access_token,
      orders.refresh_token,
      webTokens.access_token,
      webTokens.refresh_token,
    ]) {
      expect((await introspectAs('gateway', token as string)).json).toMatchObject({ active: true });
    }
  });
});

describe('client policies in seeds, exports and the admin API', () => {
  const byId = (clients: Client[]) => new Map(clients.map((client) => [client.client_id, client]));

  it('gives a seed without the fields their defaults', async () => {
    const clients = byId((await engine.call('clients.list', {})) as Client[]);
    const policies = (id: string) => {
      const client = clients.get(id) as Client;
      return [client.allow_loopback_port_variance, client.introspect_any_token];
    };
    expect(policies('web')).toEqual([false, false]);
    expect(policies('native')).toEqual([true, false]);
    expect(policies('native-exact')).toEqual([false, false]);
    expect(policies('gateway')).toEqual([false, true]);
  });

  it('keeps both settings through an export and a re-import into a fresh engine', async () => {
    const exported = (await engine.call('workspace.export', {})) as Workspace;
    const exportedClients = new Map((exported.clients ?? []).map((client) => [client.client_id, client]));
    expect(exportedClients.get('native')).toMatchObject({
      allow_loopback_port_variance: true,
      introspect_any_token: false,
    });
    expect(exportedClients.get('gateway')).toMatchObject({
      allow_loopback_port_variance: false,
      introspect_any_token: true,
    });

    // The opposite of each default, so a default cannot pass for a kept value.
    const flipped: Workspace = {
      ...exported,
      clients: (exported.clients ?? []).map((client) =>
        client.client_id === 'web'
          ? { ...client, allow_loopback_port_variance: true, introspect_any_token: true }
          : client.client_id === 'native'
            ? { ...client, allow_loopback_port_variance: false }
            : client,
      ),
    };
    const second = await startTestEngine({ seed: flipped, inMemory: true });
    try {
      const clients = byId((await second.call('clients.list', {})) as Client[]);
      expect(clients.get('web')).toMatchObject({
        allow_loopback_port_variance: true,
        introspect_any_token: true,
      });
      expect(clients.get('native')).toMatchObject({ allow_loopback_port_variance: false });
      expect(clients.get('gateway')).toMatchObject({ introspect_any_token: true });
      const again = (await second.call('workspace.export', {})) as Workspace;
      expect(again.clients).toEqual(flipped.clients);
    } finally {
      await second.cleanup();
    }
  });

  it('refuses a setting that is not a boolean, naming the field', async () => {
    await expect(
      engine.call('clients.create', {
        client_id: 'bad',
        grant_types: ['client_credentials'],
        introspect_any_token: 'yes',
      }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('introspect_any_token'),
    });
    expect((await engine.call('clients.list', {})) as Client[]).not.toContainEqual(
      expect.objectContaining({ client_id: 'bad' }),
    );
  });
});
