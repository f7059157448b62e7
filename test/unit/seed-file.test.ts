import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateSeed } from '../../main/cli/seed';
import { readSeedJson, SeedError } from '../../main/cli/seed-file';
import { MAX_INPUT_DEPTH } from '../../shared/validation';

/** A seed file is named in messages as the user would type it from the working folder. */
const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-seed-file-'));
fs.mkdirSync(path.join(process.cwd(), 'test-results'), { recursive: true });
const inside = fs.mkdtempSync(path.join(process.cwd(), 'test-results', 'seed-file-'));
afterAll(() => {
  fs.rmSync(outside, { recursive: true, force: true });
  fs.rmSync(inside, { recursive: true, force: true });
});

describe('readSeedJson', () => {
  it('names a file inside the working folder by its relative path', () => {
    const file = path.join(inside, 'seed.json');
    fs.writeFileSync(file, '{"users": []}');
    expect(readSeedJson(file)).toEqual({
      json: { users: [] },
      shown: path.relative(process.cwd(), file),
      bytes: Buffer.from('{"users": []}'),
    });
    expect(readSeedJson(file).shown.startsWith('test-results')).toBe(true);
  });

  it('names a file outside the working folder by its absolute path, not by ../..', () => {
    const file = path.join(outside, 'missing.json');
    expect(() => readSeedJson(file)).toThrow(new SeedError(`seed file ${file} does not exist.`));
    fs.writeFileSync(path.join(outside, 'broken.json'), '{\n  "users": [\n    { "username": "a", }\n  ]\n}');
    expect(() => readSeedJson(path.join(outside, 'broken.json'))).toThrow(
      new RegExp(`^seed file ${path.join(outside, 'broken.json')} is not valid JSON at line 3, column \\d+`),
    );
  });
});

describe('a seed file is parsed and validated as workspace.import input is', () => {
  const read = (name: string, bytes: string | Buffer) => {
    const file = path.join(outside, name);
    fs.writeFileSync(file, bytes);
    return { file, load: () => validateSeed(readSeedJson(file)) };
  };

  it('refuses bytes that are not UTF-8, naming the byte, instead of reading U+FFFD', () => {
    const { file, load } = read('latin1.json', Buffer.from('{"users":[{"username":"caf\xe9"}]}', 'latin1'));
    expect(load).toThrow(new SeedError(`seed file ${file} is not valid UTF-8 (at byte offset 26)`));
  });

  it('reads a file that starts with a byte order mark', () => {
    const { load } = read('bom.json', '\uFEFF{"users":[{"username":"bom"}]}');
    expect(load().users?.[0]?.username).toBe('bom');
  });

  it.each([
    [
      'a "__proto__" claim',
      '{"users":[{"username":"a","claims":{"__proto__":{}}}]}',
      'users[0].claims.__proto__: "__proto__" cannot be used as a name',
    ],
    [
      'an integer JSON cannot keep',
      '{"users":[{"username":"a","claims":{"n":-9007199254740993}}]}',
      'users[0].claims.n: integers must be between',
    ],
    [
      'nesting past the limit',
      `{"users":[{"username":"a","claims":{"d":${'['.repeat(5000)}${']'.repeat(5000)}}}]}`,
      `input nests deeper than ${MAX_INPUT_DEPTH} levels`,
    ],
  ])(
    'refuses %s with its path, not by dropping or changing it (nor a RangeError)',
    (_case, json, expected) => {
      const { file, load } = read('refused.json', json);
      expect(load).toThrow(SeedError);
      expect(load).toThrow(`seed file ${file} is invalid; nothing was applied:\n  `);
      expect(load).toThrow(expected);
    },
  );
});
