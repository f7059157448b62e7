import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adminTokenFrom } from '../../main/cli/admin-token';
import { parseCli, UsageError } from '../../main/cli/args';
import { tempDir } from '../helpers/engine';

/** `serve`'s admin token from a mounted secret file (issue 20 §2), read from real files. */

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function secretFile(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('admin token of serve', () => {
  it('takes --admin-token-file from the command line', () => {
    const command = parseCli(['serve', '--admin-token-file', '/run/secrets/idp']);
    expect(command.kind === 'serve' && command.options.adminTokenFile).toBe('/run/secrets/idp');
  });

  it('is random (undefined) when no source is given, and IDP_SANDBOX_ADMIN_TOKEN when only it is', () => {
    expect(adminTokenFrom({ file: undefined, env: {} })).toBeUndefined();
    expect(adminTokenFrom({ file: undefined, env: { IDP_SANDBOX_ADMIN_TOKEN: 'direct' } })).toBe('direct');
  });

  it('reads the file named by the flag or by IDP_SANDBOX_ADMIN_TOKEN_FILE, without its trailing newline', () => {
    const file = secretFile('token', '  s3cret-token\n');
    expect(adminTokenFrom({ file, env: {} })).toBe('s3cret-token');
    expect(adminTokenFrom({ file: undefined, env: { IDP_SANDBOX_ADMIN_TOKEN_FILE: file } })).toBe(
      's3cret-token',
    );
    // The flag is the more specific: it wins over the environment's file.
    const other = secretFile('other', 'other-token');
    expect(adminTokenFrom({ file: other, env: { IDP_SANDBOX_ADMIN_TOKEN_FILE: file } })).toBe('other-token');
  });

  it.each<[{ file?: string; env?: Record<string, string> }, string]>([
    [{ file: '/nonexistent/idp-token' }, '--admin-token-file: /nonexistent/idp-token does not exist.'],
    [
      { env: { IDP_SANDBOX_ADMIN_TOKEN_FILE: '/nonexistent/t' } },
      'IDP_SANDBOX_ADMIN_TOKEN_FILE: /nonexistent/t does not exist. Mount the secret there',
    ],
    [{ file: 'empty' }, 'must hold the admin token alone on one line (it is empty)'],
    [{ file: 'two-words' }, 'must hold the admin token alone on one line (it is more than one word)'],
    [
      { file: 'token', env: { IDP_SANDBOX_ADMIN_TOKEN: 'x' } },
      'Both IDP_SANDBOX_ADMIN_TOKEN and --admin-token-file are set',
    ],
    [{ file: 'directory' }, 'cannot read'],
  ])('refuses %j with a clear message', (source, message) => {
    secretFile('empty', '\n');
    secretFile('two-words', 'one two\n');
    secretFile('token', 'fine');
    fs.mkdirSync(path.join(dir, 'directory'), { recursive: true });
    const file = source.file?.startsWith('/') ? source.file : source.file && path.join(dir, source.file);
    const read = () => adminTokenFrom({ file, env: source.env ?? {} });
    expect(read).toThrow(UsageError);
    expect(read).toThrow(message);
  });
});
