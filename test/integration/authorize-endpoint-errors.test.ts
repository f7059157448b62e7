import { describe, expect, it } from 'vitest';
import { challenge, expectErrorPage, expectRedirectError, get, VALID } from '../helpers/authorize-endpoint';
import { AUTHORIZE_SEED } from '../helpers/endpoint-seeds';
import { startFileEngine } from '../helpers/file-engine';
import { REDIRECT } from '../helpers/oauth-http';

/** Bad authorization requests answered with an error sent back to the client, over real HTTP. */

startFileEngine(AUTHORIZE_SEED);

describe('authorization endpoint: errors sent back to the client', () => {
  it('redirects with unsupported_response_type and echoes state exactly, unusual characters included', async () => {
    const state = `a b+c&d=e/?#%25%zz ü 😀 <>"'\`;,é\t~`;
    for (const responseType of ['token', 'id_token', 'code id_token', 'code token', 'CODE', 'none']) {
      const { response } = await get({ ...VALID, response_type: responseType, state });
      expectRedirectError(response, 'unsupported_response_type', state);
    }
    const missing = await get({ client_id: 'web', redirect_uri: REDIRECT, scope: 'openid', state });
    expectRedirectError(missing.response, 'invalid_request', state);
  });

  it('refuses PKCE code_challenge_method=plain and unknown methods', async () => {
    for (const method of ['plain', 'S512', 's256']) {
      const { response } = await get({ ...VALID, code_challenge: challenge, code_challenge_method: method });
      expect(expectRedirectError(response, 'invalid_request').get('error_description')).toContain('S256');
    }
    // A malformed challenge is refused too (RFC 7636 §4.2: 43–128 unreserved characters).
    const short = await get({ ...VALID, code_challenge: 'abc', code_challenge_method: 'S256' });
    expectRedirectError(short.response, 'invalid_request');
  });

  it('refuses a public client without PKCE', async () => {
    const { response } = await get({ ...VALID, client_id: 'spa' });
    expect(expectRedirectError(response, 'invalid_request').get('error_description')).toContain('PKCE');
    const methodOnly = await get({ ...VALID, client_id: 'spa', code_challenge_method: 'S256' });
    expectRedirectError(methodOnly.response, 'invalid_request');
  });

  it('answers invalid_scope for a scope the client may not request', async () => {
    for (const scope of ['openid admin', 'openid orders:write', 'openid\u0000profile']) {
      const { response } = await get({ ...VALID, scope });
      expectRedirectError(response, 'invalid_scope');
    }
  });

  it('answers invalid_request for a parameter sent twice, and shows a page when it is client_id or redirect_uri', async () => {
    const base = new URLSearchParams(VALID);
    const twice = (name: string, value: string) => {
      const params = new URLSearchParams(base);
      if (!params.has(name)) params.append(name, value);
      params.append(name, value);
      return params.toString();
    };
    for (const name of ['scope', 'response_type', 'nonce', 'code_challenge']) {
      const { response } = await get(twice(name, name === 'scope' ? 'openid' : challenge));
      expect(expectRedirectError(response, 'invalid_request').get('error_description')).toContain(name);
    }
    // Which of two states is the client's? Neither is echoed.
    const states = await get(twice('state', 'other'));
    expectRedirectError(states.response, 'invalid_request', null);

    const clients = await get(twice('client_id', 'spa'));
    await expectErrorPage(clients.response, clients.text, 'more than once');
    const redirects = await get(twice('redirect_uri', 'https://evil.example/cb'));
    await expectErrorPage(redirects.response, redirects.text, 'more than once');
  });

  it('answers login_required for prompt=none without a session', async () => {
    const { response } = await get({ ...VALID, prompt: 'none' });
    expectRedirectError(response, 'login_required');
  });

  it('ignores unknown parameters', async () => {
    const { response, text } = await get({
      ...VALID,
      foo: 'bar',
      'x[y]': '1',
      claims_locales: 'xx',
      ui_locales: '?',
    });
    expect(response.status).toBe(200);
    expect(text).toContain('name="interaction"');
  });
});
