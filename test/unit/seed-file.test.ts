import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSeedJson, SeedError } from '../../main/cli/seed-file';

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
