import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_FILE, createEngine } from '../../main/core/engine';
import { DATABASE_FILE, UI_TOKEN_FILE } from '../../main/core/lib/paths';
import { BUILT_CLI, BUILT_UI, startTestEngine, tempDir } from '../helpers/engine';
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

  it('keeps the browser-mode UI token across starts on one data folder, owner-only, and in memory never', async () => {
    const dataDir = folder(0o755);
    const tokenOf = (uiUrl: string | null) => new URL(uiUrl as string).searchParams.get('token');
    const first = await createEngine({ dataDir, port: 0, uiDir: BUILT_UI });
    const kept = path.join(dataDir, UI_TOKEN_FILE);
    const token = tokenOf(first.uiUrl);
    await first.close();
    expect(fs.readFileSync(kept, 'utf8')).toBe(`${token}\n`);
    expect(modeOf(kept).toString(8)).toBe('600');
    // The same link (an open tab's credential) works after the restart.
    const second = await createEngine({ dataDir, port: 0, uiDir: BUILT_UI });
    expect(tokenOf(second.uiUrl)).toBe(token);
    await second.close();

    // Readable by others, someone may have read it: it is replaced. So is a file that is not a token.
    for (const [content, mode] of [
      [`${token}\n`, 0o644],
      ['not a token\n', 0o600],
    ] as const) {
      fs.writeFileSync(kept, content);
      fs.chmodSync(kept, mode);
      const engine = await createEngine({ dataDir, port: 0, uiDir: BUILT_UI });
      expect(tokenOf(engine.uiUrl)).not.toBe(token);
      expect(tokenOf(engine.uiUrl)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(modeOf(kept).toString(8)).toBe('600');
      await engine.close();
    }

    const inMemory = [await createEngine({ inMemory: true, port: 0, uiDir: BUILT_UI })];
    inMemory.push(await createEngine({ inMemory: true, port: 0, uiDir: BUILT_UI }));
    expect(tokenOf(inMemory[0]?.uiUrl ?? null)).not.toBe(tokenOf(inMemory[1]?.uiUrl ?? null));
    for (const engine of inMemory) await engine.close();

    // Without browser mode there is no UI token to keep.
    const plain = folder(0o755);
    await (await createEngine({ dataDir: plain, port: 0 })).close();
    expect(fs.existsSync(path.join(plain, UI_TOKEN_FILE))).toBe(false);
  });

  it('refuses a ui-token that is a symbolic link, leaving its target untouched', async () => {
    const dataDir = folder(0o755);
    const target = path.join(folder(0o700), 'not-yours.txt');
    fs.writeFileSync(target, 'precious\n', { mode: 0o644 });
    const link = path.join(dataDir, UI_TOKEN_FILE);
    fs.symlinkSync(target, link);
    await expect(createEngine({ dataDir, port: 0, uiDir: BUILT_UI })).rejects.toThrow(
      `The UI token file ${link} is a symbolic link; the token is not written through it.`,
    );
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
