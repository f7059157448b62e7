import { describe, expect, it } from 'vitest';
import { redactBody, redactHeaders, redactUrl } from '../../main/core/http/redact';
import { opaqueValue, tokenId } from '../../main/core/lib/token-values';

/** The request log's redaction (http/redact.ts): what a reader of the log may and may not see. */
describe('request log redaction', () => {
  const id = tokenId(Date.UTC(2026, 0, 1));
  const refresh = opaqueValue(id).value;

  it('cuts secrets whole and keeps a token’s first characters and id', () => {
    const form = redactBody(
      {
        grant_type: 'refresh_token',
        client_id: 'web',
        client_secret: 's3cret-value',
        password: 'pw-value',
        code_verifier: 'verifier-value',
        refresh_token: refresh,
        client_assertion: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        scope: 'openid profile',
        custom_secret_thing: 'also-secret',
      },
      'application/x-www-form-urlencoded',
    );
    expect(form).toEqual({
      grant_type: 'refresh_token',
      client_id: 'web',
      client_secret: '[redacted]',
      password: '[redacted]',
      code_verifier: '[redacted]',
      refresh_token: `${refresh.slice(0, 6)}…[redacted] (token id ${id})`,
      client_assertion: 'eyJhbG…[redacted]',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      scope: 'openid profile',
      custom_secret_thing: '[redacted]',
    });
  });

  it('keeps claims and token types in a JSON answer, and not its tokens', () => {
    const body = redactBody(
      JSON.stringify({
        access_token: 'abcdefghijklmnop',
        token_type: 'Bearer',
        expires_in: 300,
        id_token: 'eyJ0eXAiOiJKV1QifQ.eyJqdGkiOiJ4In0.sig',
        user: { name: 'Alice', roles: ['a'] },
      }),
      'application/json; charset=utf-8',
    );
    expect(body).toEqual({
      access_token: 'abcdef…[redacted]',
      token_type: 'Bearer',
      expires_in: 300,
      id_token: 'eyJ0eX…[redacted] (token id x)',
      user: { name: 'Alice', roles: ['a'] },
    });
    const page = '<html>id_token_hint=eyJ…</html>';
    expect(redactBody(page, 'text/html')).toBe(`[text/html, ${Buffer.byteLength(page)} bytes, not kept]`);
  });

  it('redacts credentials, proofs, cookies and redirect parameters in headers', () => {
    const basic = `Basic ${Buffer.from('my+svc:pa%3Ass').toString('base64')}`;
    expect(
      redactHeaders({
        authorization: basic,
        dpop: 'eyJ0eXAiOiJkcG9wK2p3dCJ9.eyJqdGkiOiJ4In0.sig',
        cookie: 'sid=abc; other=def',
        'set-cookie': ['sid=abc; Path=/; HttpOnly'],
        location: 'http://127.0.0.1:5173/cb?code=abcdefghij&state=xyz',
        'content-type': 'application/json',
      }),
    ).toEqual({
      authorization: 'Basic [redacted] (client_id my svc)',
      dpop: 'eyJ0eX…[redacted]',
      cookie: 'sid=[redacted]; other=[redacted]',
      'set-cookie': 'sid=[redacted]',
      location: `http://127.0.0.1:5173/cb?code=${encodeURIComponent('abcdef…[redacted]')}&state=xyz`,
      'content-type': 'application/json',
    });
    expect(redactHeaders({ authorization: `Bearer ${refresh}` }).authorization).toBe(
      `Bearer ${refresh.slice(0, 6)}…[redacted] (token id ${id})`,
    );
    expect(redactUrl('/logout?id_token_hint=eyJhbGciOi.e30.x&client_id=web')).toBe(
      `/logout?id_token_hint=${encodeURIComponent('eyJhbG…[redacted]')}&client_id=web`,
    );
  });
});
