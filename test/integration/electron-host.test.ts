import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_CSP } from '../../main/core/lib/security-headers';
import { prepareTls, serverNames } from '../../main/core/tls/material';
import { writeHttpsPreference } from '../../main/core/tls/preference';
import { adminMethods, IPC_ADMIN_PREFIX } from '../../shared/contract';
import { ROOT, tempDir } from '../helpers/engine';

// The desktop host runs here with a stand-in for the Electron module (the real binary cannot be
// downloaded on these machines). Everything else is real: the built main.cjs, the engine, SQLite
// (the Node-ABI build placed where the app looks for its Electron-ABI build) and HTTP.
const HARNESS = path.join(ROOT, 'test', 'fixtures', 'electron-harness.cjs');
let appDir: string;
let configHome: string;

function runHost(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [HARNESS, appDir, ...extraArgs], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, XDG_CONFIG_HOME: configHome, DISPLAY: '', ...env },
  });
  if (result.status !== 0)
    throw new Error(`harness failed (${result.status}):\n${result.stderr}\n${result.stdout}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string);
}

beforeAll(() => {
  appDir = tempDir('idp-sandbox-app-');
  configHome = tempDir('idp-sandbox-config-');
  fs.mkdirSync(path.join(appDir, '.native', 'electron'), { recursive: true });
  fs.copyFileSync(
    path.join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
    path.join(appDir, '.native', 'electron', 'better_sqlite3.node'),
  );
});
afterAll(() => {
  fs.rmSync(appDir, { recursive: true, force: true });
  fs.rmSync(configHome, { recursive: true, force: true });
});

describe('desktop host (built main.cjs, Electron stand-in)', () => {
  it('starts the engine in the shared data folder, hardens the window and serves the admin API over IPC', () => {
    const report = runHost(['--port', '0']);
    expect(report.singleInstanceLock).toBe(true);
    expect(report.menuSet).toBe(true);
    expect(report.userData).toBe(path.join(configHome, 'IDP Sandbox'));
    expect(fs.existsSync(path.join(configHome, 'IDP Sandbox', 'idp-sandbox.db'))).toBe(true);
    expect(report.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(report.webPreferences.preload).toMatch(/dist[\\/]electron[\\/]preload\.cjs$/);
    // The page comes from app://idp-sandbox/, a scheme of its own, never from file://.
    expect(report.loaded).toBe('app://idp-sandbox/index.html');
    expect(report.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(report.protocolSchemes).toEqual(['app']);
    expect(report.served.index).toMatchObject({
      status: 200,
      type: 'text/html; charset=utf-8',
      csp: UI_CSP,
      body: expect.stringContaining('<!doctype html>'),
    });
    for (const refused of ['traversal', 'dotdot', 'otherHost', 'missing']) {
      expect(report.served[refused], refused).toMatchObject({ status: 404, body: 'Not found' });
    }
    expect(report.channels).toEqual(adminMethods.map((m) => `${IPC_ADMIN_PREFIX}${m}`).sort());

    expect(report.info).toMatchObject({
      ok: true,
      value: { issuer: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) },
    });
    expect(report.discovery).toBe(200);
    expect(report.foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(report.invalid).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(report.created).toMatchObject({ ok: true, value: { username: 'from-ipc' } });
    expect(report.pushed).toContain('user.created');
    expect(report.pushedAsBatches).toBe(true);

    expect(report.windowOpen).toEqual({
      https: 'deny',
      file: 'deny',
      openedExternal: 'https://example.test/docs',
    });
    expect(report.navigation).toEqual({ foreignPrevented: true, ownPrevented: false });
    // Navigation, frame navigation and redirects all stay on the app's page.
    for (const guard of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      expect(report.guards[guard], guard).toEqual({
        foreign: true,
        file: true,
        otherAppFile: true,
        own: false,
      });
    }
    expect(report.permissions).toEqual({
      geolocation: false,
      clipboardFromApp: true,
      clipboardFromElsewhere: false,
      checkMedia: false,
    });
    expect(report.quitPrevented).toBe(true);
    expect(report.closedCleanly).toBe(true);
  });

  it('serves HTTPS when the HTTPS choice is stored in the data folder (Settings → HTTPS)', async () => {
    const dataDir = path.join(configHome, 'IDP Sandbox');
    writeHttpsPreference(dataDir, true);
    // The CA the engine will find there, made first so the harness's fetch can be told to trust it.
    const { caCertPath } = await prepareTls({
      dir: path.join(dataDir, 'tls'),
      names: serverNames('127.0.0.1', undefined),
    });
    try {
      const report = runHost(['--port', '0'], { NODE_EXTRA_CA_CERTS: caCertPath });
      expect(report.info.value.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(report.info.value.https).toMatchObject({ enabled: true, nextStart: true, caCertPath });
      expect(report.discovery).toBe(200);
    } finally {
      writeHttpsPreference(dataDir, false);
    }
  });

  it('offers a free port when the requested one is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const report = runHost(['--port', String(port)]);
      expect(report.dialogs).toContain(`Port ${port} is already in use.`);
      expect(report.info.value.issuer).not.toBe(`http://127.0.0.1:${port}`);
      expect(report.discovery).toBe(200);
    } finally {
      blocker.close();
    }
  });
});
