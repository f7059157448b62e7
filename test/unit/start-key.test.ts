import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli, type ServeOptions } from '../../main/cli/args';
import { beginStartKey, startKeyFor, takeStartKey } from '../../main/cli/start-key';
import { DATABASE_FILE } from '../../main/core/lib/paths';

/**
 * The CLI begins a fresh start's signing key before it loads the engine (main/cli/start-key.ts). It
 * must begin one exactly when the engine will need a new key, for the algorithm the engine will use.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-start-key-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function serveOptions(...args: string[]): ServeOptions {
  const command = parseCli(['serve', ...args]);
  if (command.kind !== 'serve') throw new Error('not a serve command');
  return command.options;
}

describe('startKeyFor', () => {
  it('begins the default RS256 key for an in-memory start without a seed, and it is a usable key', async () => {
    const started = startKeyFor(serveOptions('--in-memory'), undefined);
    expect(started?.alg).toBe('RS256');
    const key = await started?.key;
    expect(key).toMatchObject({ alg: 'RS256', status: 'current', private_jwk: { kty: 'RSA' } });
    expect(key?.public_jwk).not.toHaveProperty('d');
  });

  it("takes the seed's algorithm", async () => {
    const started = startKeyFor(serveOptions('--in-memory'), { settings: { signing_alg: 'ES256' } });
    expect(started?.alg).toBe('ES256');
    expect((await started?.key)?.public_jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
  });

  it('begins none when the seed carries keys, or names no algorithm the engine knows', () => {
    expect(startKeyFor(serveOptions('--in-memory'), { keys: [{ kid: 'k' }] })).toBeUndefined();
    expect(startKeyFor(serveOptions('--in-memory'), { settings: { signing_alg: 'HS256' } })).toBeUndefined();
    expect(startKeyFor(serveOptions('--in-memory'), { settings: { signing_alg: 7 } })).toBeUndefined();
  });

  it('begins one for a data folder without a database, none for one that has a database', () => {
    const fresh = path.join(dir, 'fresh');
    expect(startKeyFor(serveOptions('--data-dir', fresh), undefined)?.alg).toBe('RS256');
    const used = path.join(dir, 'used');
    fs.mkdirSync(used);
    fs.writeFileSync(path.join(used, DATABASE_FILE), '');
    expect(startKeyFor(serveOptions('--data-dir', used), undefined)).toBeUndefined();
  });
});

describe('the hand-off from the launcher to the CLI bundle', () => {
  it('hands over the key begun for the arguments once', async () => {
    const seed = path.join(dir, 'seed.json');
    fs.writeFileSync(seed, JSON.stringify({ settings: { signing_alg: 'EdDSA' } }));
    beginStartKey(['serve', '--in-memory', '--seed', seed]);
    const taken = takeStartKey();
    expect(taken?.alg).toBe('EdDSA');
    expect((await taken?.key)?.public_jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(takeStartKey()).toBeUndefined();
  });

  it('begins nothing, and throws nothing, for arguments or a seed file the CLI will refuse', () => {
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{ not json');
    for (const argv of [
      ['serve', '--in-memory', '--data-dir', dir],
      ['serve', '--no-such-flag'],
      ['serve', '--in-memory', '--seed', path.join(dir, 'missing.json')],
      ['serve', '--in-memory', '--seed', broken],
      ['--version'],
      [],
    ]) {
      expect(() => beginStartKey(argv)).not.toThrow();
      expect(takeStartKey(), argv.join(' ')).toBeUndefined();
    }
  });
});
