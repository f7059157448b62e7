import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, DatabaseOpenError, moveDatabaseAside } from '../../main/core';
import { createEngine } from '../../main/core/engine';
import { BUILT_CLI, tempDir } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';

const dirs: string[] = [];
const procs: Spawned[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function dataDirWithDatabase(bytes: Buffer): { dir: string; file: string } {
  const dir = tempDir();
  dirs.push(dir);
  const file = path.join(dir, DATABASE_FILE);
  fs.writeFileSync(file, bytes);
  return { dir, file };
}

describe('a damaged database', () => {
  const garbage = Buffer.from(
    'this is not an SQLite database, just bytes that happen to be here'.repeat(100),
  );

  it('is refused with a clear reason and left byte-identical', async () => {
    const { dir, file } = dataDirWithDatabase(garbage);
    const failure = await createEngine({ dataDir: dir, port: 0 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DatabaseOpenError);
    expect(failure).toMatchObject({ problem: 'damaged', file });
    expect((failure as Error).message).toContain('left untouched');
    expect(fs.readFileSync(file).equals(garbage)).toBe(true);
  });

  it('makes the CLI exit 1 with the reason, keeping the file', async () => {
    const { dir, file } = dataDirWithDatabase(garbage);
    const proc = spawnProcess(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--data-dir', dir]);
    procs.push(proc);
    expect((await proc.exited).code).toBe(1);
    expect(proc.output()).toContain(`The database ${file} is damaged`);
    expect(fs.readFileSync(file).equals(garbage)).toBe(true);
  });

  it('can be moved aside (the desktop app offers this) so a fresh one starts, keeping the old bytes', async () => {
    const { dir } = dataDirWithDatabase(garbage);
    const kept = moveDatabaseAside(dir, new Date('2026-11-29T10:00:00Z'));
    expect(path.basename(kept)).toBe(`${DATABASE_FILE}.damaged-2026-11-29T10-00-00-000Z`);
    expect(fs.readFileSync(kept).equals(garbage)).toBe(true);
    const engine = await createEngine({ dataDir: dir, port: 0 });
    expect((await fetch(`${engine.issuer}/.well-known/openid-configuration`)).status).toBe(200);
    await engine.close();
  });
});

describe('a data folder that cannot be written', () => {
  it('is a clear message naming the folder', async () => {
    // A path below a regular file can never be created, whoever runs the test (root included).
    const blocker = path.join(tempDir(), 'a-file');
    dirs.push(path.dirname(blocker));
    fs.writeFileSync(blocker, 'x');
    const dataDir = path.join(blocker, 'data');
    const failure = await createEngine({ dataDir, port: 0 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ problem: 'unwritable' });
    expect((failure as Error).message).toContain(`Cannot write to the data folder ${dataDir}`);

    const proc = spawnProcess(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--data-dir', dataDir]);
    procs.push(proc);
    expect((await proc.exited).code).toBe(1);
    expect(proc.output()).toContain('Cannot write to the data folder');
  });
});
