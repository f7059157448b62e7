import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteBinding } from '../../main/cli/sqlite-binding';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the CLI's better-sqlite3 native module", () => {
  it('is the installed package’s build, and better-sqlite3 opens a database with it', () => {
    const binding = sqliteBinding();
    const packageDir = path.dirname(require.resolve('better-sqlite3/package.json'));
    expect(binding).toBe(path.join(packageDir, 'build', 'Release', 'better_sqlite3.node'));
    const db = new Database(':memory:', { nativeBinding: binding });
    expect(db.prepare('SELECT 1 + 1 AS two').get()).toEqual({ two: 2 });
    db.close();
  });

  it('is undefined where better-sqlite3 cannot be resolved', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-sqlite-binding-'));
    made.push(dir);
    expect(sqliteBinding(pathToFileURL(path.join(dir, 'cli-main.cjs')).href)).toBeUndefined();
  });

  it('is undefined when the package has no native module built', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-sqlite-binding-'));
    made.push(dir);
    const packageDir = path.join(dir, 'node_modules', 'better-sqlite3');
    fs.mkdirSync(packageDir, { recursive: true });
    fs.writeFileSync(path.join(packageDir, 'package.json'), '{"name":"better-sqlite3","main":"index.js"}');
    expect(sqliteBinding(pathToFileURL(path.join(dir, 'cli-main.cjs')).href)).toBeUndefined();
  });
});
