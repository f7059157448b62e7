import { describe, expect, it } from 'vitest';
import { authorizeUrl, expectErrorPage, get, VALID } from '../helpers/authorize-endpoint';
import { FormBrowser } from '../helpers/browser-session';
import { AUTHORIZE_SEED } from '../helpers/endpoint-seeds';
import { engine, startFileEngine } from '../helpers/file-engine';
import { pkcePair, REDIRECT, tokenRequest } from '../helpers/oauth-http';

/** Who the authorization endpoint may redirect to: clients and redirect URIs, over real HTTP. */

startFileEngine(AUTHORIZE_SEED);

describe('authorization endpoint: who may be redirected to', () => {
  it('shows an error page for an unknown client, on GET and POST, and never redirects', async () => {
    const { response, text } = await get({ ...VALID, client_id: 'nobody' });
    await expectErrorPage(response, text, 'Unknown client &quot;nobody&quot;');

    const posted = await fetch(`${engine.issuer}/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...VALID, client_id: 'nobody' }).toString(),
    });
    await expectErrorPage(posted, await posted.text(), 'Unknown client');

    const missing = await get({ redirect_uri: REDIRECT, response_type: 'code' });
    await expectErrorPage(missing.response, missing.text, 'no client_id');
  });

  it('shows an error page for an unregistered redirect_uri, even when the request has other errors', async () => {
    for (const redirect of ['https://evil.example/callback', 'javascript:alert(1)', 'not a url', '']) {
      const { response, text } = await get({ ...VALID, redirect_uri: redirect, response_type: 'token' });
      await expectErrorPage(response, text, 'redirect_uri');
    }
  });

  it('refuses a redirect_uri that differs from the registered one only by path, query, trailing slash or spelling', async () => {
    const variants = [
      `${REDIRECT}/`,
      `${REDIRECT}?x=1`,
      `${REDIRECT}?`,
      `${REDIRECT}#frag`,
      `${REDIRECT}2`,
      'http://127.0.0.1:5173/Callback',
      'http://127.0.0.1:5173/',
      'http://127.0.0.1:5173',
      'http://127.0.0.1:5173/callback/../callback',
      'http://127.0.0.1:5173/./callback',
      'http://127.0.0.1:5173/%63allback',
      'http://127.0.0.1:5173\\callback',
      'HTTP://127.0.0.1:5173/callback',
      'http://127.1:5173/callback',
      'http://user@127.0.0.1:5173/callback',
      'https://127.0.0.1:5173/callback',
    ];
    for (const redirect of variants) {
      const { response, text } = await get({ ...VALID, redirect_uri: redirect });
      expect({ redirect, status: response.status }).toEqual({ redirect, status: 400 });
      await expectErrorPage(response, text, 'is not registered');
    }
    // A non-loopback URI gets no port leeway at all.
    for (const redirect of [
      'https://app.example.com:8443/cb',
      'https://app.example.com/cb/',
      'http://app.example.com/cb',
    ]) {
      const { response, text } = await get({ ...VALID, client_id: 'remote', redirect_uri: redirect });
      await expectErrorPage(response, text, 'is not registered');
    }
  });

  it('accepts a loopback redirect_uri on another port for a public native client (RFC 8252 §7.3), not on another host, never for a confidential one', async () => {
    const otherPort = 'http://127.0.0.1:49152/callback';
    const pkce = pkcePair();
    // spa: public, with a loopback IP redirect, so any port is allowed by default.
    const native = {
      ...VALID,
      client_id: 'spa',
      redirect_uri: otherPort,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    };
    const { response, text } = await get(native);
    expect(response.status).toBe(200);
    expect(text).toContain('name="interaction"');

    const browser = new FormBrowser();
    const location = await browser.signIn(authorizeUrl(native), 'alice', 'alice-pw');
    expect(location.startsWith(`${otherPort}?`)).toBe(true);
    // ...and the code is redeemable only with that exact redirect_uri.
    const code = new URL(location).searchParams.get('code') as string;
    const redeemed = await tokenRequest(engine.issuer, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: otherPort,
      client_id: 'spa',
      code_verifier: pkce.verifier,
    });
    expect(redeemed.status).toBe(200);

    for (const redirect of [
      'http://localhost:5173/callback',
      'http://[::1]:5173/callback',
      'http://127.0.0.2:5173/callback',
      'http://localhost:49152/callback',
    ]) {
      const refused = await get({ ...native, redirect_uri: redirect });
      await expectErrorPage(refused.response, refused.text, 'is not registered');
    }
    // A confidential client's redirect URI matches exactly, port included (RFC 9700 §4.1.3).
    const confidential = await get({ ...VALID, redirect_uri: otherPort });
    await expectErrorPage(confidential.response, confidential.text, 'allow_loopback_port_variance');
  });
});
