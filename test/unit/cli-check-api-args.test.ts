import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../main/cli/args';

const URL = 'http://127.0.0.1:8080/orders';

describe('idp-sandbox check-api arguments', () => {
  it('makes the lab.checkApi input of every flag', () => {
    const command = parseCli([
      'check-api',
      URL,
      '--client=web',
      '--user',
      'alice',
      '--audience',
      'orders-api',
      '--audience',
      'billing-api',
      '--scope',
      'openid orders.read',
      '--required-scope',
      'orders.read',
      '--method',
      'post',
      '--format',
      'reference',
      '--header',
      'Content-Type: application/json',
      '--header',
      'X-Trace:a:b',
      '--data',
      '{"id":1}',
      '--accept',
      '200',
      '--accept',
      '204',
      '--allow-remote',
      '--junit',
      'out.xml',
      '--json',
      'out.json',
      '--issuer',
      'https://127.0.0.1:9443/',
      '--admin-token-file',
      'token.txt',
      '--data-dir',
      'data',
    ]);
    expect(command).toEqual({
      kind: 'check-api',
      options: {
        input: {
          url: URL,
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Trace': 'a:b' },
          body: '{"id":1}',
          baseline: {
            client_id: 'web',
            username: 'alice',
            audience: ['orders-api', 'billing-api'],
            scope: 'openid orders.read',
            required_scope: 'orders.read',
            format: 'reference',
          },
          accepted_statuses: [200, 204],
          allow_remote: true,
        },
        issuer: 'https://127.0.0.1:9443',
        adminTokenFile: 'token.txt',
        dataDir: 'data',
        junitFile: 'out.xml',
        jsonFile: 'out.json',
      },
    });
  });

  it('defaults to GET, loopback only, and the engine on the default port', () => {
    expect(parseCli(['check-api', URL, '--client', 'web'])).toEqual({
      kind: 'check-api',
      options: {
        input: { url: URL, method: 'GET', baseline: { client_id: 'web' }, allow_remote: false },
        issuer: 'http://127.0.0.1:9400',
        adminTokenFile: undefined,
        dataDir: undefined,
        junitFile: undefined,
        jsonFile: undefined,
      },
    });
  });

  it('answers help for --help', () => {
    expect(parseCli(['check-api', '--help'])).toEqual({ kind: 'help', command: 'check-api' });
  });

  it.each([
    [['check-api', '--client', 'web'], 'check-api needs the URL of your API'],
    [['check-api', URL, URL, '--client', 'web'], 'check-api takes one URL (got 2'],
    [['check-api', URL], 'check-api needs --client ID'],
    [['check-api', URL, '--client', 'web', '--method', 'FETCH'], '--method must be one of GET, POST'],
    [
      ['check-api', URL, '--client', 'web', '--format', 'opaque'],
      '--format must be jwt or reference (got "opaque")',
    ],
    [
      ['check-api', URL, '--client', 'web', '--header', 'NoColon'],
      '--header must be "Name: value" (got "NoColon")',
    ],
    [['check-api', URL, '--client', 'web', '--header', ': empty'], '--header must be "Name: value"'],
    [
      ['check-api', URL, '--client', 'web', '--header', 'authorization: Bearer x'],
      '--header cannot set Authorization',
    ],
    [
      ['check-api', URL, '--client', 'web', '--accept', '2xx'],
      '--accept must be an HTTP status from 100 to 599 (got "2xx")',
    ],
    [['check-api', URL, '--client', 'web', '--accept', '600'], '--accept must be an HTTP status'],
    [
      ['check-api', URL, '--client', 'web', '--issuer', 'localhost:9400'],
      "--issuer must be the engine's http(s) URL",
    ],
    [['check-api', URL, '--client', 'web', '--port', '1'], "Unknown option '--port'"],
    [['check-api', URL, '--client'], "Option '--client <value>' argument missing"],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(message);
  });
});
