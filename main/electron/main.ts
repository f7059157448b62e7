import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell } from 'electron';
import { IPC_EVENT_CHANNEL } from '../../shared/contract';
import { createEngine, type Engine } from '../core/engine';
import { UI_CSP } from '../core/http/security-headers';
import { registerAdminIpc, rendererOriginCheck } from './ipc';
import { hardenedWebPreferences, isExternalLinkAllowed } from './window-options';

// The built files sit together: dist/electron/{main,preload}.cjs and dist/renderer/.
const rendererIndex = path.join(__dirname, '..', 'renderer', 'index.html');
const rendererIndexUrl = pathToFileURL(rendererIndex).href;

/** better-sqlite3 built for Electron's ABI lives apart from the Node-ABI build tests and the CLI use. */
function electronNativeBinding(): string {
  return app.isPackaged
    ? path.join(process.resourcesPath, 'native', 'better_sqlite3.node')
    : path.join(app.getAppPath(), '.native', 'electron', 'better_sqlite3.node');
}

let engine: Engine | undefined;
let mainWindow: BrowserWindow | undefined;

async function startEngine(port?: number): Promise<Engine> {
  return createEngine({ dataDir: app.getPath('userData'), port, nativeBinding: electronNativeBinding() });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'IDP Sandbox',
    show: false,
    webPreferences: hardenedWebPreferences(path.join(__dirname, 'preload.cjs')),
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(rendererIndexUrl)) event.preventDefault();
  });
  void win.loadFile(rendererIndex);
  return win;
}

function hardenSession(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [UI_CSP] } });
  });
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  await app.whenReady();
  hardenSession();
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
    ]),
  );

  try {
    engine = await startEngine();
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code !== 'EADDRINUSE') throw error;
    const choice = await dialog.showMessageBox({
      type: 'warning',
      message: 'The default port is already in use.',
      detail: 'Another program is listening on it. Start IDP Sandbox on a free port instead?',
      buttons: ['Use a free port', 'Quit'],
      defaultId: 0,
    });
    if (choice.response !== 0) {
      app.quit();
      return;
    }
    engine = await startEngine(0);
  }

  registerAdminIpc(ipcMain, engine.admin, rendererOriginCheck(rendererIndexUrl));
  mainWindow = createWindow();
  // Live updates are pushed, never polled: every engine event goes to the window as it happens.
  const unsubscribe = engine.subscribe((event) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC_EVENT_CHANNEL, event);
  });
  mainWindow.on('closed', () => {
    unsubscribe();
    mainWindow = undefined;
  });

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (!engine) return;
    event.preventDefault();
    const closing = engine;
    engine = undefined;
    void closing.close().finally(() => app.quit());
  });
}

main().catch((error: unknown) => {
  dialog.showErrorBox('IDP Sandbox could not start', (error as Error).message);
  app.exit(1);
});
