import { exportJWK, generateKeyPair } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_CODE_GRANT, JWT_BEARER_GRANT, TOKEN_EXCHANGE_GRANT } from '../../shared/schemas';
import { admin, createWebClient, screenshot, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('lab/playground');
  page = ui.page;
  await admin(ui.engine, 'users.create', {
    username: 'alice',
    password: 'alice-pw',
    claims: { email: 'alice@example.test' },
  });
  await createWebClient(ui.engine, { scope: 'openid email offline_access' });
  await admin(ui.engine, 'clients.create', {
    client_id: 'worker',
    client_secret: 'worker-secret',
    grant_types: ['client_credentials'],
    scope: 'orders:read',
    access_token_format: 'reference',
  });
});
afterAll(async () => {
  await ui?.close();
});

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });
const result = () => page.getByRole('region', { name: 'Flow result' });
const stepTitle = () => page.getByTestId('step-title').textContent();

async function stepValue(name: string): Promise<string> {
  return (await page.locator(`[data-value="${name}"] code`).first().textContent()) ?? '';
}

describe('Lab: flow playground', () => {
  it('runs authorization code + PKCE and steps through every exchange', async () => {
    await page.getByRole('heading', { level: 2, name: 'Flow playground' }).waitFor();
    // web is the only client allowed the grant, alice the only user: both preselected.
    expect(await page.getByRole('combobox', { name: 'Client', exact: true }).inputValue()).toBe('web');
    await page.getByRole('button', { name: 'Run flow' }).click();
    await poll(() => result().getByTestId('flow-outcome').textContent()).toBe('completed');
    expect(await result().getByRole('heading', { level: 3 }).first().textContent()).toBe(
      'Authorization code + PKCE: 6 steps',
    );

    // Step 1: PKCE made by the client, no HTTP.
    expect(await stepTitle()).toBe('Client prepares PKCE, state and nonce');
    const verifier = await stepValue('code_verifier');
    const challenge = await stepValue('code_challenge');
    expect(verifier).toMatch(/^[\w-]{43}$/);
    expect(challenge).toMatch(/^[\w-]{43}$/);
    expect(await page.getByRole('list', { name: 'Spec sections' }).textContent()).toContain(
      'RFC 7636 §4.1–4.2',
    );
    expect(await page.getByRole('button', { name: 'Back' }).isDisabled()).toBe(true);

    // Step 2: the authorize request carries the challenge.
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Browser → GET /authorize');
    expect(await page.getByRole('region', { name: 'Request' }).textContent()).toContain(
      `code_challenge=${challenge}`,
    );
    expect(await page.getByTestId('response-status').textContent()).toBe('200');

    // Step 3: sign-in answers 303 with the code.
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('User signs in as alice → POST /login');
    expect(await page.getByTestId('response-status').textContent()).toBe('303');
    const code = await stepValue('code');
    expect(code.length).toBeGreaterThan(20);

    // Step 4: the code is redeemed with the verifier; the tokens come back decoded.
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Client → POST /token (authorization_code)');
    const body = await page.getByRole('region', { name: 'Request' }).getByLabel('Request body').textContent();
    expect(body).toContain(`code=${code}`);
    expect(body).toContain(`code_verifier=${verifier}`);
    expect(await page.getByRole('region', { name: 'Access token (decoded)' }).textContent()).toContain(
      'at+jwt',
    );
    expect(await page.getByRole('region', { name: 'ID token (decoded)' }).textContent()).toContain(
      '"email": "alice@example.test"',
    );
    await screenshot(page, 'lab-playground');

    // The step list jumps anywhere; Back goes back.
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /^6\. / }).click();
    await poll(stepTitle).toBe('Client → GET /userinfo');
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Back' }).click();
    await poll(stepTitle).toBe('Client validates the ID token');
    expect(await stepValue('nonce_matches')).toBe('true');
  });

  it('continues with refresh, then revokes the refresh token, feeding each flow the last one’s tokens', async () => {
    await page.getByRole('button', { name: 'Continue with refresh' }).click();
    await poll(() => result().getByRole('heading', { level: 3 }).first().textContent()).toBe(
      'Refresh: 1 step',
    );
    expect(await stepTitle()).toBe('Client → POST /token (refresh_token)');
    expect(await stepValue('new_refresh_token_differs')).toBe('true');
    expect(await page.getByRole('list', { name: 'Spec sections' }).textContent()).toContain('RFC 6749 §6');

    await page.getByRole('button', { name: 'Revoke the refresh token' }).click();
    await poll(() => result().getByRole('heading', { level: 3 }).first().textContent()).toBe(
      'Revocation: 2 steps',
    );
    expect(await stepTitle()).toBe('Client → POST /revoke');
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Resource server → POST /introspect');
    expect(await page.getByRole('region', { name: 'Introspection' }).textContent()).toContain(
      '"active": false',
    );
    // Revoking the refresh token ended its grant: every token of the family is revoked.
    const active = await admin<{ tokens: unknown[] }>(ui.engine, 'tokens.list', {
      client_id: 'web',
      state: 'active',
    });
    expect(active.tokens).toHaveLength(0);
  });

  it('runs client credentials with introspection for a reference token', async () => {
    await page.getByText('Client credentials', { exact: true }).click();
    await poll(() => page.getByRole('combobox', { name: 'Client', exact: true }).inputValue()).toBe('worker');
    await page.getByRole('button', { name: 'Run flow' }).click();
    await poll(() => result().getByRole('heading', { level: 3 }).first().textContent()).toBe(
      'Client credentials: 2 steps',
    );
    expect(await page.getByRole('region', { name: 'Access token (decoded)' }).textContent()).toContain(
      'opaque (reference)',
    );
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Resource server → POST /introspect');
    expect(await page.getByRole('region', { name: 'Introspection' }).textContent()).toContain(
      '"client_id": "worker"',
    );
  });

  it('runs a token exchange in delegation: the user’s token, the actor’s token, act, introspection', async () => {
    await admin(ui.engine, 'clients.create', {
      client_id: 'orders-api',
      client_secret: 'orders-secret',
      grant_types: ['client_credentials', TOKEN_EXCHANGE_GRANT],
      scope: 'openid email',
    });
    await page.getByText('Token exchange', { exact: true }).click();
    await page.getByRole('combobox', { name: 'Client', exact: true }).click();
    await page.getByRole('option', { name: 'web', exact: true }).click();
    // orders-api is the only client allowed the exchange; delegation is the default.
    await poll(() =>
      page.getByRole('combobox', { name: 'Second client (exchanges the token)' }).inputValue(),
    ).toBe('orders-api');
    await page.getByRole('button', { name: 'Run flow' }).click();
    await poll(() => result().getByRole('heading', { level: 3 }).first().textContent()).toBe(
      'Token exchange: 7 steps',
    );
    expect(await result().getByTestId('flow-outcome').textContent()).toBe('completed');
    // web signs alice in through the browser, then orders-api gets its own token and exchanges.
    expect(await stepTitle()).toBe('Client prepares PKCE, state and nonce');
    const steps = page.getByRole('navigation', { name: 'Steps' });
    await steps.getByRole('button', { name: /^5\. / }).click();
    await poll(stepTitle).toBe('Actor orders-api → POST /token (client_credentials)');
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('orders-api → POST /token (token exchange, delegation)');
    expect(await page.getByRole('list', { name: 'Spec sections' }).textContent()).toContain('RFC 8693 §4.1');
    const body = await page.getByRole('region', { name: 'Request' }).getByLabel('Request body').textContent();
    expect(body).toContain(`grant_type=${TOKEN_EXCHANGE_GRANT}`);
    expect(body).toContain('actor_token_type=urn:ietf:params:oauth:token-type:access_token');
    expect(await stepValue('issued_token_type')).toBe('urn:ietf:params:oauth:token-type:access_token');
    expect(
      await page.getByRole('region', { name: 'act (who acts for the subject)' }).textContent(),
    ).toContain('"client_id": "orders-api"');
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Resource server → POST /introspect');
    const introspection = await page.getByRole('region', { name: 'Introspection' }).textContent();
    expect(introspection).toContain('"active": true');
    expect(introspection).toContain('"act": {');
    await screenshot(page, 'lab-playground-token-exchange');
  });

  it('runs the device flow: codes, authorization_pending, the approval, the tokens', async () => {
    await admin(ui.engine, 'clients.create', {
      client_id: 'tv',
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_CODE_GRANT],
      scope: 'openid email',
    });
    await page.getByText('Device', { exact: true }).click();
    await poll(() => page.getByRole('combobox', { name: 'Client', exact: true }).inputValue()).toBe('tv');
    await page.getByRole('button', { name: 'Run flow' }).click();
    await poll(() => result().getByRole('heading', { level: 3 }).first().textContent()).toBe(
      'Device: 4 steps',
    );
    expect(await stepTitle()).toBe('Device → POST /device_authorization');
    expect(await page.getByTestId('response-status').textContent()).toBe('200');
    const userCode = await stepValue('user_code');
    expect(userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(await page.getByRole('list', { name: 'Spec sections' }).textContent()).toContain('RFC 8628 §3.2');

    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Device → POST /token (poll: authorization_pending)');
    expect(await page.getByTestId('response-status').textContent()).toBe('400');
    expect(await stepValue('error')).toBe('authorization_pending');

    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('User approves the device as alice');
    expect(await page.getByRole('region', { name: /^Step 3/ }).textContent()).toContain(
      'In real life the user opens verification_uri_complete',
    );
    expect(await stepValue('approved_as')).toBe('alice');

    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Device → POST /token (poll: tokens)');
    expect(await page.getByTestId('response-status').textContent()).toBe('200');
    expect(await page.getByRole('region', { name: 'ID token (decoded)' }).textContent()).toContain(
      '"email": "alice@example.test"',
    );
    const devices = await admin<{ user_code: string; status: string }[]>(ui.engine, 'devices.list');
    expect(devices.find((d) => d.user_code === userCode)?.status).toBe('redeemed');
  });

  it('runs the JWT bearer grant with a pasted issuer key: assertion, token, introspection, replay refused', async () => {
    // The issuer's key pair, made as a developer would with jose; the client trusts its public half.
    const ISSUER = 'https://idp.partner.example';
    const pair = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(pair.privateKey);
    await admin(ui.engine, 'clients.create', {
      client_id: 'partner-app',
      client_secret: 'partner-secret',
      grant_types: [JWT_BEARER_GRANT],
      scope: 'openid email',
      jwt_bearer: {
        trusted_issuers: [{ issuer: ISSUER, jwks: { keys: [await exportJWK(pair.publicKey)] } }],
      },
    });
    const alice = await admin<{ sub: string }>(ui.engine, 'users.get', { username: 'alice' });

    await page.getByText('JWT bearer', { exact: true }).click();
    await poll(() => page.getByRole('combobox', { name: 'Client', exact: true }).inputValue()).toBe(
      'partner-app',
    );
    expect(
      await page.getByRole('combobox', { name: 'Trusted issuer (signs the assertion)' }).inputValue(),
    ).toBe(ISSUER);
    // Without the issuer's key the flow cannot run, and the page says how to make one.
    expect(await page.getByRole('button', { name: 'Run flow' }).isDisabled()).toBe(true);
    expect(await page.getByText(`Choose the private key of issuer ${ISSUER} to run this flow.`).count()).toBe(
      1,
    );
    expect(await page.getByLabel('Issuer key command').textContent()).toContain("node -e \"import('jose')");
    await page
      .getByRole('textbox', { name: `Private key of issuer ${ISSUER} (JWK)` })
      .fill(JSON.stringify(privateJwk));
    await page.getByRole('button', { name: 'Run flow' }).click();
    await poll(() => result().getByRole('heading', { level: 3 }).first().textContent()).toBe(
      'JWT bearer: 4 steps',
    );
    expect(await result().getByTestId('flow-outcome').textContent()).toBe('completed');

    expect(await stepTitle()).toBe(`Issuer ${ISSUER} signs an assertion about alice`);
    expect(await page.getByRole('list', { name: 'Spec sections' }).textContent()).toContain('RFC 7523 §3');
    const assertion = await page.getByRole('region', { name: 'Assertion (decoded)' }).textContent();
    expect(assertion).toContain(`"iss": "${ISSUER}"`);
    expect(assertion).toContain(`"sub": "${alice.sub}"`);
    expect(assertion).toContain(`"aud": "${ui.engine.issuer}/token"`);

    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Client → POST /token (jwt-bearer, for alice)');
    expect(await page.getByTestId('response-status').textContent()).toBe('200');
    const body = await page.getByRole('region', { name: 'Request' }).getByLabel('Request body').textContent();
    expect(body).toContain(`grant_type=${JWT_BEARER_GRANT}`);
    // No raw null: a dash and the reason.
    expect(await page.locator('[data-value="refresh_token"] td').first().textContent()).toBe(
      '— (no refresh token: the JWT bearer grant issues none (RFC 7521 §4.1))',
    );
    expect(await page.getByRole('region', { name: 'Access token (decoded)' }).textContent()).toContain(
      `"sub": "${alice.sub}"`,
    );

    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Resource server → POST /introspect');
    const introspection = await page.getByRole('region', { name: 'Introspection' }).textContent();
    expect(introspection).toContain('"active": true');
    expect(introspection).toContain(`"sub": "${alice.sub}"`);

    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Client → POST /token again with the same assertion: refused (replay)');
    expect(await page.getByTestId('response-status').textContent()).toBe('400');
    expect(await stepValue('error')).toBe('invalid_grant');
    // The pasted key is nowhere in what the engine sent back.
    expect(await result().textContent()).not.toContain(privateJwk.d);
    await screenshot(page, 'lab-playground-jwt-bearer');
  });

  it('keeps the new refresh token after a refresh, and warns before sending a spent one', async () => {
    await page.getByText('Authorization code + PKCE', { exact: true }).click();
    await page.getByRole('button', { name: 'Run flow' }).click();
    await poll(() => result().getByTestId('flow-outcome').textContent()).toBe('completed');
    await page.getByRole('button', { name: 'Continue with refresh' }).click();
    await poll(() => result().getByRole('heading', { level: 3 }).first().textContent()).toBe(
      'Refresh: 1 step',
    );
    const sent = new URLSearchParams(
      (await page.getByRole('region', { name: 'Request' }).getByLabel('Request body').textContent())?.replace(
        /\n/g,
        '&',
      ),
    ).get('refresh_token');
    const issued = JSON.parse(
      (await page.getByRole('region', { name: 'Response' }).getByLabel('Response body').textContent()) ??
        '{}',
    ).refresh_token as string;
    expect(sent).toMatch(/\w{20,}/);
    expect(issued).not.toBe(sent);
    // The field holds the new token, so "Run flow" again is an honest refresh, not reuse.
    const field = page.getByRole('textbox', { name: 'Refresh token' });
    await poll(() => field.inputValue()).toBe(issued);

    // The spent one, pasted back: the page warns and sends nothing until asked to.
    await field.fill(sent ?? '');
    await page.getByRole('button', { name: 'Run flow' }).click();
    const warning = page.getByTestId('reuse-warning');
    await poll(() => warning.textContent()).toContain('RFC 9700 §4.14.2');
    expect(await warning.textContent()).toContain('revokes its family');
    expect(await result().getByRole('heading', { level: 3 }).first().textContent()).toBe('Refresh: 1 step');
    await warning.getByRole('button', { name: 'Run anyway' }).click();
    await poll(() => result().getByTestId('flow-outcome').textContent()).toBe('stopped at a failing step');
    expect(await stepTitle()).toContain('with a spent refresh token: reuse');
    expect(await page.getByTestId('step-error').textContent()).toContain('invalid_grant');
    expect(await stepValue('refresh_token_reuse')).toBe('true');
  });

  it('opens a failed run on its failing step, with the OAuth error first', async () => {
    await page.getByText('Authorization code + PKCE', { exact: true }).click();
    const scope = page.getByRole('textbox', { name: 'Scope', exact: true });
    await scope.fill('openid no-such-scope');
    await page.getByRole('button', { name: 'Run flow' }).click();
    await poll(() => result().getByTestId('flow-outcome').textContent()).toBe('stopped at a failing step');
    expect(await result().getByTestId('flow-failure').textContent()).toContain(
      'Stopped at step 2: Browser → GET /authorize',
    );
    expect(await result().getByTestId('flow-failure').textContent()).toContain('invalid_scope');
    expect(await stepTitle()).toBe('Browser → GET /authorize');
    expect(await page.getByText('Step 2 of 2').count()).toBe(1);
    const error = page.getByTestId('step-error');
    expect(await error.textContent()).toContain('Failed: invalid_scope');
    expect(await error.textContent()).toContain('no-such-scope');
    expect(await error.textContent()).toContain('from the redirect query');
    // The step's text says what happened, not "shows its login page".
    const step = page.getByRole('region', { name: /^Step 2:/ });
    expect(await step.textContent()).toContain('This step failed: the provider redirected back');
    await screenshot(page, 'lab-playground-failed-step');
    await scope.fill('');
  });

  it('runs a built-in mistake: the wrong code_verifier, refused with RFC 7636 §4.6', async () => {
    await page.getByRole('combobox', { name: 'Error scenario' }).click();
    await page.getByRole('option', { name: 'Wrong code_verifier (RFC 7636 §4.6)' }).click();
    await page.getByRole('button', { name: 'Run flow' }).click();
    await poll(stepTitle).toBe('Client → POST /token with the wrong code_verifier');
    expect(await result().getByTestId('flow-outcome').textContent()).toBe('stopped at a failing step');
    expect(await page.getByRole('list', { name: 'Spec sections' }).textContent()).toContain('RFC 7636 §4.6');
    expect(await page.getByTestId('step-error').textContent()).toContain('code_verifier does not match');
    expect(await page.getByTestId('response-status').textContent()).toBe('400');
    // Every HTTP step can be replayed from a terminal.
    expect(await page.getByRole('button', { name: 'Copy as curl' }).count()).toBe(1);
    await page.getByRole('combobox', { name: 'Error scenario' }).click();
    await page.getByRole('option', { name: 'Wrong code_verifier (RFC 7636 §4.6)' }).click();
  });

  it('shows a failing exchange as it is, and an error when a flow cannot start', async () => {
    await page.getByText('Refresh', { exact: true }).click();
    await page.getByRole('combobox', { name: 'Client', exact: true }).click();
    await page.getByRole('option', { name: 'web', exact: true }).click();
    await page.getByRole('textbox', { name: 'Refresh token' }).fill('not-a-refresh-token');
    await page.getByRole('button', { name: 'Run flow' }).click();
    await poll(() => result().getByTestId('flow-outcome').textContent()).toBe('stopped at a failing step');
    expect(await page.getByTestId('response-status').textContent()).toBe('400');
    expect(await page.getByRole('region', { name: 'Response' }).textContent()).toContain('invalid_grant');

    // When the engine refuses to start a flow, its reason is shown, not swallowed.
    await page.route('**/admin/api/playground.run', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ code: 'invalid_input', message: 'Client "web" has no redirect URI.' }),
      }),
    );
    await page.getByRole('button', { name: 'Run flow' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The flow could not start' });
    await poll(() => alert.textContent()).toContain('Client "web" has no redirect URI.');
    await page.unroute('**/admin/api/playground.run');

    // Without any client, the page says what to do.
    for (const client_id of ['web', 'worker', 'orders-api', 'tv', 'partner-app']) {
      await admin(ui.engine, 'clients.delete', { client_id });
    }
    await page.getByText('No clients yet').waitFor();
  });
});
