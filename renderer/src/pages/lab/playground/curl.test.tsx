import { describe, expect, it } from 'vitest';
import { curlCommand, shellQuote } from './curl';

const exchange = (request: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}) => ({
  request,
  response: { status: 200, headers: {}, body: '' },
});

describe('curlCommand', () => {
  it('replays a token request: method, URL, every header and the body, quoted for the shell', () => {
    const command = curlCommand(
      exchange({
        method: 'POST',
        url: 'http://127.0.0.1:4000/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'Basic d2ViOnNlY3JldA==',
        },
        body: "grant_type=authorization_code&code=abc&client_assertion=[redacted: it's a secret]",
      }),
    );
    expect(command).toBe(
      [
        'curl -i',
        '-X POST',
        "'http://127.0.0.1:4000/token'",
        "-H 'content-type: application/x-www-form-urlencoded'",
        "-H 'authorization: Basic d2ViOnNlY3JldA=='",
        "--data-raw 'grant_type=authorization_code&code=abc&client_assertion=[redacted: it'\\''s a secret]'",
      ].join(' \\\n  '),
    );
  });

  it('sends a GET without -X and without a body', () => {
    expect(
      curlCommand(exchange({ method: 'GET', url: 'http://x/authorize?a=1&b=2', headers: {}, body: null })),
    ).toBe("curl -i \\\n  'http://x/authorize?a=1&b=2'");
  });

  it('quotes anything the shell would read', () => {
    expect(shellQuote('$(rm -rf ~) `x` "y"')).toBe(`'$(rm -rf ~) \`x\` "y"'`);
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
  });
});
