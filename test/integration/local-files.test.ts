import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_FILE, createEngine } from '../../main/core/engine';
import { DATABASE_FILE } from '../../main/core/lib/paths';
import { BUILT_CLI, startTestEngine, tempDir } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';

/**
 * The data folder's files hold client secrets, test passwords and private signing keys: they are
 * readable by their owner only whatever the folder's mode, the admin token is never written through
 * a symbolic link, and a folder other users can write to is pointed out at start.
 */

const folders: string[] = [];
const running: Spawned[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A data folder as a user's existing one often is: made by hand, open to everyone for reading. */
function folder(mode: number): string {
  const dir = tempDir('idp-sandbox-files-');
  folders.push(dir);
  // chmod, not mkdir's mode: the umask would narrow that.
  fs.chmodSync(dir, mode);
  return dir;
}

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('data folder files', () => {
  it('the database, its -wal and -shm files and the admin token are 0600 in a 0755 folder', async () => {
    const dataDir = folder(0o755);
    const engine = await startTestEngine({ dataDir });
    try {
      // A write after start: the WAL grows, and SQLite made -wal and -shm when it opened the database.
      await engine.call('users.create', { username: 'alice', password: 'secret' });
      const db = path.join(dataDir, DATABASE_FILE);
      for (const file of [db, `${db}-wal`, `${db}-shm`, engine.adminTokenFile]) {
        expect(modeOf(file).toString(8), file).toBe('600');
      }
      expect(engine.adminTokenFile).toBe(path.join(dataDir, ADMIN_TOKEN_FILE));
      expect(modeOf(dataDir).toString(8)).toBe('755');
    } finally {
      await engine.close();
    }
  });

  it('narrows files an earlier start left readable by others', async () => {
    const dataDir = folder(0o755);
    await (await startTestEngine({ dataDir })).close();
    const db = path.join(dataDir, DATABASE_FILE);
    fs.chmodSync(db, 0o644);
    fs.writeFileSync(path.join(dataDir, ADMIN_TOKEN_FILE), 'old\n', { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, ADMIN_TOKEN_FILE), 0o644);
    const engine = await startTestEngine({ dataDir });
    try {
      await engine.call('users.create', { username: 'bob' });
      for (const file of [db, `${db}-wal`, `${db}-shm`, engine.adminTokenFile]) {
        expect(modeOf(file).toString(8), file).toBe('600');
      }
    } finally {
      await engine.close();
    }
  });

  it('refuses an admin-token that is a symbolic link, leaving its target untouched', async () => {
    const dataDir = folder(0o755);
    const elsewhere = folder(0o700);
    const target = path.join(elsewhere, 'not-yours.txt');
    fs.writeFileSync(target, 'precious\n', { mode: 0o644 });
    const link = path.join(dataDir, ADMIN_TOKEN_FILE);
    fs.symlinkSync(target, link);

    await expect(createEngine({ dataDir, port: 0 })).rejects.toThrow(
      `The admin token file ${link} is a symbolic link; the token is not written through it. Remove the link (the engine writes a new file at every start).`,
    );
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
    expect(modeOf(target).toString(8)).toBe('644');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);

    // The CLI says the same and exits 1, without serving.
    const proc = spawnProcess(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--data-dir', dataDir]);
    running.push(proc);
    expect((await proc.exited).code).toBe(1);
    expect(proc.output()).toContain(`The admin token file ${link} is a symbolic link`);
    expect(proc.output()).not.toContain('is ready');
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
  });

  it('the CLI warns once when other users can write to the data folder, and not otherwise', async () => {
    const open = folder(0o777);
    const proc = spawnProcess(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--data-dir', open]);
    running.push(proc);
    await proc.waitFor(/is ready/);
    const warning = `warning: the data folder ${open} can be written by other users (mode 0777): they could replace the database or the admin token file. Run chmod 700 "${open}", or choose another data folder.`;
    expect(proc.output()).toContain(warning);
    expect(proc.output().split(warning).length - 1).toBe(1);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);

    const closed = folder(0o755);
    const quiet = spawnProcess(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--data-dir', closed]);
    running.push(quiet);
    await quiet.waitFor(/is ready/);
    expect(quiet.output()).not.toContain('warning:');
    quiet.child.kill('SIGTERM');
    expect((await quiet.exited).code).toBe(0);
  });
});
