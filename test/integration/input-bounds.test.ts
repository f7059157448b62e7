import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchAdmin } from '../../main/core/admin/dispatch';
import { interactionsOf, MAX_PENDING, MAX_PENDING_BYTES } from '../../main/core/protocol/interactions';
import { MAX_RESOURCES, PARAMETER_LIMITS } from '../../main/core/protocol/parameter-limits';
import type { ProviderContext } from '../../main/core/provider/context';
import { createTestAdmin, serveTestAdmin } from '../helpers/admin';
import { FormBrowser } from '../helpers/browser-session';
import { pkcePair, REDIRECT } from '../helpers/oauth-http';

/**
 * Any web page can make a browser open the login page, and each open one keeps its authorization
 * request in memory until it is answered: its parameters are bounded (invalid_request at the client,
 * RFC 6749 §4.1.2.1) and so are the pending sign-ins, in count and bytes (read from the store itself).
 */

const CLIENT = 'bounded-web';
const { challenge } = pkcePair();

let app: FastifyInstance;
let issuer: string;
let ctx: ProviderContext;
let close: () => void;
let store: ReturnType<typeof interactionsOf>;

beforeAll(async () => {
  const options = { issuer: '' };
  const admin = await createTestAdmin(options);
  ({ ctx, close } = admin);
  await dispatchAdmin(admin.admin, 'clients.create', {
    client_id: CLIENT,
    client_secret: 'secret',
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code'],
    scope: 'openid profile',
  });
  await dispatchAdmin(admin.admin, 'users.create', { username: 'alice' });
  ({ app, origin: issuer } = await serveTestAdmin(admin, options));
  store = interactionsOf(ctx);
});

afterAll(async () => {
  await app?.close();
  close?.();
});

const base = { client_id: CLIENT, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid' };

/** A form post to /authorize, as a cross-site page's auto-submitting form sends it. */
function postAuthorize(params: [string, string][], browser?: FormBrowser): Promise<Response> {
  const body = new URLSearchParams(params).toString();
  if (browser) return browser.postForm(`${issuer}/authorize`, Object.fromEntries(params));
  return fetch(`${issuer}/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}

/** The largest request the limits allow: every kept parameter at its limit, all resources. */
function largestRequest(tag: string): [string, string][] {
  const fill = (prefix: string, bytes: number) => `${prefix}${'x'.repeat(bytes - prefix.length)}`;
  return [
    ...Object.entries(base),
    ['state', fill(tag, PARAMETER_LIMITS.state)],
    ['nonce', fill('n', PARAMETER_LIMITS.nonce)],
    ['login_hint', fill('h', PARAMETER_LIMITS.login_hint)],
    ['code_challenge', challenge],
    ['code_challenge_method', 'S256'],
    ...Array.from(
      { length: MAX_RESOURCES },
      (_, i) => ['resource', fill(`https://api-${i}.test/`, PARAMETER_LIMITS.resource)] as [string, string],
    ),
  ];
}

describe('authorization request parameters', () => {
  it.each([
    ['state', 'x'.repeat(PARAMETER_LIMITS.state + 1)],
    ['nonce', 'n'.repeat(PARAMETER_LIMITS.nonce + 1)],
    ['login_hint', 'h'.repeat(PARAMETER_LIMITS.login_hint + 1)],
    ['scope', `openid ${'s'.repeat(PARAMETER_LIMITS.scope)}`],
    ['prompt', 'login '.repeat(PARAMETER_LIMITS.prompt)],
    ['resource', `https://api.test/${'r'.repeat(PARAMETER_LIMITS.resource)}`],
    // Two-byte characters: the limit is in UTF-8 bytes, not characters.
    ['state', 'é'.repeat(PARAMETER_LIMITS.state / 2 + 1)],
  ])('a %s over its limit is invalid_request at the client, saying the limit', async (name, value) => {
    const state = name === 'state' ? {} : { state: 'kept-state' };
    const answer = await postAuthorize(Object.entries({ ...base, ...state, [name]: value }));
    expect(answer.status).toBe(303);
    const location = new URL(answer.headers.get('location') as string);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toBe(
      `${name} is too long: at most ${PARAMETER_LIMITS[name as keyof typeof PARAMETER_LIMITS]} bytes (got ${Buffer.byteLength(value)}).`,
    );
    // An oversized state is the fault: it is not echoed back into the client's URL.
    expect(location.searchParams.get('state')).toBe(name === 'state' ? null : 'kept-state');
    expect(location.searchParams.get('iss')).toBe(issuer);
  });

  it(`more than ${MAX_RESOURCES} resource values are invalid_request`, async () => {
    const resources = Array.from(
      { length: MAX_RESOURCES + 1 },
      (_, i) => ['resource', `https://api-${i}.test/`] as [string, string],
    );
    const answer = await postAuthorize([...Object.entries(base), ['state', 's'], ...resources]);
    const location = new URL(answer.headers.get('location') as string);
    expect(location.searchParams.get('error_description')).toBe(
      `At most ${MAX_RESOURCES} resource parameters (got ${MAX_RESOURCES + 1}).`,
    );
    expect(location.searchParams.get('state')).toBe('s');
  });

  it('every parameter at its limit opens the login page', async () => {
    const answer = await postAuthorize(largestRequest('at-limit'));
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('name="interaction"');
  });

  it('an untrusted client gets the error page, never a redirect, whatever the sizes', async () => {
    const answer = await postAuthorize([
      ...Object.entries({ ...base, client_id: 'nobody' }),
      ['state', 'x'.repeat(PARAMETER_LIMITS.state + 1)],
    ]);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('location')).toBeNull();
  });
});

describe('pending sign-ins', () => {
  it(`hold at most ${MAX_PENDING_BYTES} bytes: the oldest page then says it has expired`, async () => {
    const first = new FormBrowser();
    const firstPage = await postAuthorize(largestRequest('first'), first);
    const firstInteraction = /name="interaction" value="([^"]+)"/.exec(await firstPage.text())?.[1];
    expect(firstInteraction).toBeDefined();

    // Each largest request holds ~90 kB: 150 of them would be ~13 MB.
    let peakBytes = 0;
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 15 }, (_, i) => postAuthorize(largestRequest(`flood-${batch}-${i}`))),
      );
      for (const answer of answers) expect(answer.status).toBe(200);
      peakBytes = Math.max(peakBytes, store.bytes);
      expect(store.bytes).toBeLessThanOrEqual(MAX_PENDING_BYTES);
    }
    expect(peakBytes).toBeGreaterThan(MAX_PENDING_BYTES * 0.9);
    expect(store.count).toBeLessThan(151);

    const dropped = await first.postForm(`${issuer}/login`, {
      interaction: firstInteraction as string,
      username: 'alice',
    });
    expect(dropped.status).toBe(400);
    expect(await dropped.text()).toContain(
      'This sign-in page has expired. Start again from the application.',
    );

    // The newest page still signs in.
    const last = new FormBrowser();
    const location = await last.signIn(
      `${issuer}/authorize?${new URLSearchParams(largestRequest('last'))}`,
      'alice',
    );
    expect(new URL(location).searchParams.get('code')).toBeTruthy();
  }, 60_000);

  it(`are at most ${MAX_PENDING} at once, however small`, async () => {
    const small = [...Object.entries(base), ['state', 'tiny'] as [string, string]];
    for (let batch = 0; batch < Math.ceil((MAX_PENDING + 100) / 50); batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => postAuthorize(small)));
      for (const answer of answers) expect(answer.status).toBe(200);
      expect(store.count).toBeLessThanOrEqual(MAX_PENDING);
    }
    expect(store.count).toBe(MAX_PENDING);
  }, 60_000);
});
