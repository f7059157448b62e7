import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../main/cli/args';

describe('CLI argument parsing', () => {
  it('parses serve flags', () => {
    expect(parseCli(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', '/tmp/x', '--ui'])).toEqual(
      {
        kind: 'serve',
        options: {
          port: 0,
          host: '127.0.0.1',
          dataDir: '/tmp/x',
          inMemory: false,
          issuer: undefined,
          seed: undefined,
          ui: true,
          https: false,
          signingWorkers: undefined,
          watch: false,
        },
      },
    );
  });

  it('takes --watch with --seed', () => {
    const command = parseCli(['serve', '--seed', 'seed.json', '--watch']);
    expect(command.kind === 'serve' && command.options).toMatchObject({ seed: 'seed.json', watch: true });
  });

  it('defaults everything when no flag is given', () => {
    const command = parseCli(['serve']);
    expect(command.kind).toBe('serve');
    if (command.kind === 'serve') expect(command.options.port).toBeUndefined();
  });

  it.each([
    [['serve', '--port', 'abc'], '--port must be a whole number from 0 to 65535 (got "abc")'],
    [['serve', '--port', '70000'], '--port must be a whole number'],
    [['serve', '--port', '-1'], '--port'],
    [['serve', '--bogus'], "Unknown option '--bogus'"],
    [['serve', '--in-memory', '--data-dir', 'x'], 'Use either --data-dir or --in-memory'],
    [['serve', '--issuer', 'not a url'], '--issuer must be an absolute http(s) URL'],
    [['serve', '--issuer', 'ftp://x'], '--issuer must use http or https'],
    [['serve', '--https', '--issuer', 'http://idp.test:9400'], 'the issuer must be https://'],
    [
      ['serve', '--signing-workers', '17'],
      '--signing-workers must be a whole number from 0 to 16 (got "17")',
    ],
    [['serve', '--signing-workers=-1'], '--signing-workers must be a whole number from 0 to 16 (got "-1")'],
    [['serve', '--signing-workers', '1.5'], '--signing-workers must be a whole number from 0 to 16'],
    [['serve', '--signing-workers', 'two'], '--signing-workers must be a whole number from 0 to 16'],
    [['serve', '--signing-workers', ''], '--signing-workers must be a whole number from 0 to 16 (got "")'],
    [['serve', '--signing-workers', '0x2'], '--signing-workers must be a whole number from 0 to 16'],
    [['launch'], 'Unknown command "launch"'],
    [['serve', '--watch'], '--watch watches the seed file: give it with --seed FILE.'],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(message);
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['16', 16],
    ['07', 7],
  ])('takes --signing-workers %s', (raw, count) => {
    const command = parseCli(['serve', '--signing-workers', raw]);
    expect(command.kind === 'serve' && command.options.signingWorkers).toBe(count);
  });

  it('strips a trailing slash from --issuer', () => {
    const command = parseCli(['serve', '--issuer', 'http://idp.test:8080/']);
    expect(command.kind === 'serve' && command.options.issuer).toBe('http://idp.test:8080');
  });

  it('recognises help and version', () => {
    expect(parseCli([])).toEqual({ kind: 'help' });
    expect(parseCli(['--version'])).toEqual({ kind: 'version' });
    expect(parseCli(['serve', '--help'])).toEqual({ kind: 'help' });
  });
});

describe('--clock-offset', () => {
  it.each([
    ['+1h', 3600],
    ['-30m', -1800],
    ['2d', 172_800],
    ['90s', 90],
    ['3600', 3600],
    ['0', 0],
  ])('takes %s as %d seconds', (raw, seconds) => {
    const command = parseCli(['serve', `--clock-offset=${raw}`]);
    expect(command.kind === 'serve' && command.options.clockOffset).toBe(seconds);
  });

  it.each([['1y'], ['+1.5h'], ['soon'], [''], ['+99999999999'], ['4000d']])(
    'refuses %j, saying what it takes',
    (raw) => {
      expect(() => parseCli(['serve', `--clock-offset=${raw}`])).toThrow(
        `--clock-offset takes a signed duration such as +1h, -30m, 2d or 3600 (seconds), at most ten years (got "${raw}")`,
      );
    },
  );
});
