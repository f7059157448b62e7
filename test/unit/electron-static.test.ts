import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL, isAppUrl } from '../../main/electron/app-protocol';

/**
 * The Electron security checklist, read statically from the desktop host's source and from the same
 * code bundled the way scripts/build.mjs bundles dist/electron/main.cjs (so a refactor or a bundler
 * change cannot silently drop a handler). Complements:
 * - test/unit/electron-window.test.ts: the web preferences object, external-link and IPC-sender rules,
 *   the renderer CSP;
 * - test/integration/electron-host.test.ts: the built host run under a stand-in Electron module
 *   (window-open, navigation, permission and IPC handlers exercised with real calls).
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const MAIN = fs.readFileSync(path.join(ROOT, 'main/electron/main.ts'), 'utf8');
const IPC = fs.readFileSync(path.join(ROOT, 'main/electron/ipc.ts'), 'utf8');
const PRELOAD = fs.readFileSync(path.join(ROOT, 'main/electron/preload.ts'), 'utf8');
const HOST_SOURCES = ['main.ts', 'ipc.ts', 'preload.ts', 'window-options.ts'].map((f) =>
  fs.readFileSync(path.join(ROOT, 'main/electron', f), 'utf8'),
);

/** The text between the parenthesis at `open` and its match (strings and line comments skipped). */
function balanced(source: string, open: number): string {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const ch = source[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      for (i++; i < source.length && source[i] !== ch; i++) if (source[i] === '\\') i++;
      continue;
    }
    if (ch === '/' && source[i + 1] === '/') {
      i = source.indexOf('\n', i);
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')' && --depth === 0) return source.slice(open + 1, i);
  }
  throw new Error(`Unbalanced call at ${open}`);
}

/** Every call starting with `callee` (which includes its opening parenthesis), as its argument text. */
function calls(source: string, callee: string): string[] {
  const found: string[] = [];
  for (let at = source.indexOf(callee); at >= 0; at = source.indexOf(callee, at + callee.length)) {
    found.push(balanced(source, at + callee.indexOf('(')));
  }
  return found;
}

/** The single call of `callee`; fails when there is none or more than one. */
function only(source: string, callee: string): string {
  const found = calls(source, callee);
  expect(found, `${callee} calls`).toHaveLength(1);
  return found[0] as string;
}

/** main.ts bundled like dist/electron/main.cjs (CJS, dependencies and electron external). */
function bundleMain(): string {
  const result = esbuild.buildSync({
    entryPoints: [path.join(ROOT, 'main/electron/main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    external: ['electron'],
    write: false,
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  return result.outputFiles[0]?.text ?? '';
}

describe('Electron main process (static)', () => {
  it('creates its one window with hardenedWebPreferences, and nothing weakens them anywhere', () => {
    const window = only(MAIN, 'new BrowserWindow(');
    expect(window).toMatch(/webPreferences:\s*hardenedWebPreferences\(/);
    expect(window.match(/webPreferences/g)).toHaveLength(1);
    for (const source of HOST_SOURCES) {
      expect(source).not.toMatch(/nodeIntegration(InWorker|InSubFrames)?:\s*true/);
      expect(source).not.toMatch(/contextIsolation:\s*false/);
      expect(source).not.toMatch(/sandbox:\s*false/);
      expect(source).not.toMatch(/webSecurity:\s*false/);
      expect(source).not.toMatch(/allowRunningInsecureContent:\s*true/);
      expect(source).not.toMatch(/webviewTag:\s*true/);
      expect(source).not.toMatch(/enableRemoteModule|@electron\/remote|experimentalFeatures/);
      expect(source).not.toMatch(/\bloadFile\(/);
    }
    // The page is loaded from the app:// scheme only, never from file:// or the network.
    expect(only(MAIN, 'win.loadURL(')).toBe('rendererIndexUrl');
    expect(MAIN).toMatch(/^const rendererIndexUrl = APP_INDEX_URL;$/m);
  });

  it('denies every window.open: each return of the handler is { action: "deny" }', () => {
    const handler = only(MAIN, 'setWindowOpenHandler(');
    const returns = handler.match(/return\b[^;]*;?/g) ?? [];
    expect(returns.length).toBeGreaterThan(0);
    for (const statement of returns) expect(statement).toMatch(/return \{ action: 'deny' \}/);
    expect(handler).not.toContain("'allow'");
    // Only http(s) links go to the system browser.
    expect(handler).toMatch(/if \(isExternalLinkAllowed\(url\)\) void shell\.openExternal\(url\)/);
  });

  it("prevents navigation, frame navigation and redirects away from the app's own page", () => {
    expect(only(MAIN, "win.webContents.on('will-navigate'")).toMatch(
      /\(event, url\) => \{\s*if \(!isAppPage\(url\)\) event\.preventDefault\(\);\s*\}$/,
    );
    for (const name of ['will-frame-navigate', 'will-redirect']) {
      expect(only(MAIN, `win.webContents.on('${name}'`), name).toMatch(
        /\(event\) => \{\s*if \(!isAppPage\(event\.url\)\) event\.preventDefault\(\);\s*\}$/,
      );
    }
  });

  it('serves the renderer from a privileged app:// scheme registered before ready, files from its folder only', () => {
    const register = MAIN.indexOf('protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])');
    expect(register).toBeGreaterThan(0);
    expect(register).toBeLessThan(MAIN.indexOf('await app.whenReady()'));
    expect(only(MAIN, 'protocol.handle(')).toBe(
      'APP_SCHEME, (request) => serveRendererFile(request.url, rendererDir)',
    );
  });

  it('prevents <webview> attachment in every web contents', () => {
    const handler = only(MAIN, "app.on('web-contents-created'");
    expect(handler).toMatch(/contents\.on\('will-attach-webview', \(event\) => event\.preventDefault\(\)\)/);
  });

  it('denies every permission request and check except clipboard-sanitized-write from the app page', async () => {
    const request = only(MAIN, 'setPermissionRequestHandler(');
    const check = only(MAIN, 'setPermissionCheckHandler(');
    expect(request).toMatch(/callback\(allowed\(permission, webContents\.getURL\(\)\)\)/);
    expect(check).toMatch(/allowed\(permission, webContents\?\.getURL\(\) \?\? ''\)/);

    // Evaluate the real predicate (TypeScript stripped by esbuild) over Electron's permission names.
    const declaration = /const allowed = ([\s\S]*?);\n/.exec(MAIN)?.[1];
    expect(declaration).toBeDefined();
    const js = (await esbuild.transform(`(${declaration})`, { loader: 'ts' })).code;
    const allowed = new Function('isAppUrl', `return ${js}`)(isAppUrl) as (
      permission: string,
      url: string,
    ) => boolean;
    const appPage = `${APP_INDEX_URL}#/tokens`;
    const permissions = [
      'clipboard-read',
      'clipboard-sanitized-write',
      'display-capture',
      'fullscreen',
      'geolocation',
      'hid',
      'idle-detection',
      'keyboardLock',
      'media',
      'mediaKeySystem',
      'midi',
      'midiSysex',
      'notifications',
      'openExternal',
      'pointerLock',
      'serial',
      'speaker-selection',
      'storage-access',
      'top-level-storage-access',
      'usb',
      'window-management',
      'fileSystem',
      'unknown',
    ];
    for (const permission of permissions) {
      expect(allowed(permission, appPage), permission).toBe(permission === 'clipboard-sanitized-write');
    }
    for (const elsewhere of [
      'https://evil.example/',
      'http://127.0.0.1:9400/ui/',
      'file:///opt/IDP%20Sandbox/resources/app.asar/dist/renderer/index.html',
      'app://idp-sandbox.evil/index.html',
      'file:///etc/passwd',
      '',
    ]) {
      expect(allowed('clipboard-sanitized-write', elsewhere), elsewhere).toBe(false);
    }
  });

  it('sets the renderer CSP on every response', () => {
    const handler = only(MAIN, 'webRequest.onHeadersReceived(');
    expect(handler).toMatch(/'Content-Security-Policy': \[UI_CSP\]/);
  });

  it('registers IPC only through registerAdminIpc, with the renderer origin check, checked before dispatch', () => {
    expect(only(MAIN, 'registerAdminIpc(')).toBe(
      'ipcMain, engine.call, rendererOriginCheck(rendererIndexUrl)',
    );
    expect(MAIN).not.toMatch(/ipcMain\.(handle|on|once|handleOnce)\(/);
    const handlerBody = IPC.slice(IPC.indexOf('ipcMain.handle('));
    expect(handlerBody.indexOf('isTrustedSender(frameUrl)')).toBeGreaterThan(0);
    expect(handlerBody.indexOf('isTrustedSender(frameUrl)')).toBeLessThan(
      handlerBody.indexOf('await call(method'),
    );
    expect(IPC).toMatch(/url\.protocol === protocol && url\.host === host/);
  });

  it('exposes only the domain API to the page, never ipcRenderer', () => {
    expect(only(PRELOAD, 'contextBridge.exposeInMainWorld(')).toBe("'idp', api");
    expect(PRELOAD).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });

  it('keeps every handler in the bundled main process (as dist/electron/main.cjs is built)', () => {
    const bundled = bundleMain();
    for (const needle of [
      'setWindowOpenHandler',
      'action: "deny"',
      '"will-navigate"',
      '"will-frame-navigate"',
      '"will-redirect"',
      'registerSchemesAsPrivileged',
      '"will-attach-webview"',
      'setPermissionRequestHandler',
      'setPermissionCheckHandler',
      '"clipboard-sanitized-write"',
      'onHeadersReceived',
      'contextIsolation: true',
      'sandbox: true',
      'nodeIntegration: false',
      'nodeIntegrationInWorker: false',
      'webSecurity: true',
      'webviewTag: false',
      'requestSingleInstanceLock',
    ]) {
      expect(bundled, needle).toContain(needle);
    }
    expect(bundled).not.toContain('action: "allow"');
    expect(bundled).toMatch(/require\("electron"\)/);
  });
});

describe('electron-builder fuses', () => {
  it('turn off RunAsNode, NODE_OPTIONS and --inspect, and turn on asar integrity and asar-only loading', () => {
    const yml = fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8');
    const block = /^electronFuses:\n((?: {2}.*\n)+)/m.exec(yml)?.[1] ?? '';
    const fuses = Object.fromEntries(
      block
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/:\s*/) as [string, string]),
    );
    expect(fuses).toMatchObject({
      runAsNode: 'false',
      enableNodeOptionsEnvironmentVariable: 'false',
      enableNodeCliInspectArguments: 'false',
      enableEmbeddedAsarIntegrityValidation: 'true',
      onlyLoadAppFromAsar: 'true',
      // The page is served as app://, so file:// pages need none of their old extra powers.
      grantFileProtocolExtraPrivileges: 'false',
    });
    // Only the built app is packaged: no sources, no source maps.
    expect(yml).toMatch(
      /files:\n {2}- package\.json\n {2}- dist\/electron\/\*\*\n {2}- dist\/renderer\/\*\*\n {2}- "!\*\*\/\*\.map"/,
    );
  });
});
