import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell } from 'electron';
import { IPC_EVENT_CHANNEL } from '../../shared/contract';
import {
  batchEvents,
  createEngine,
  DatabaseOpenError,
  DEFAULT_PORT,
  defaultDataDir,
  type Engine,
  EngineStartError,
  moveDatabaseAside,
  parsePort,
  portFromArgv,
  UI_CSP,
} from '../core';
import {
  APP_INDEX_URL,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  isAppPage,
  isAppUrl,
  serveRendererFile,
} from './app-protocol';
import { registerAdminIpc, rendererOriginCheck } from './ipc';
import { hardenedWebPreferences, isExternalLinkAllowed } from './window-options';

// The built files sit together: dist/electron/{main,preload}.cjs and dist/renderer/, served as app://.
const rendererDir = path.join(__dirname, '..', 'renderer');
const rendererIndexUrl = APP_INDEX_URL;

// Only before the app is ready can a scheme be made standard and secure.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

/** better-sqlite3 built for Electron's ABI lives apart from the Node-ABI build tests and the CLI use. */
function electronNativeBinding(): string {
  return app.isPackaged
    ? path.join(process.resourcesPath, 'native', 'better_sqlite3.node')
    : path.join(app.getAppPath(), '.native', 'electron', 'better_sqlite3.node');
}

// The CLI defaults to the same folder, so both hosts see one workspace unless told otherwise.
app.setPath('userData', defaultDataDir());

let engine: Engine | undefined;
let mainWindow: BrowserWindow | undefined;

// `npm start -- --port N` reaches the app as it reaches the headless fallback.
const requestedPortArg = portFromArgv(process.argv);
const requestedPort = requestedPortArg === undefined ? undefined : parsePort(requestedPortArg);

async function startEngine(port = requestedPort): Promise<Engine> {
  // HTTPS or not is the choice stored in the data folder (Settings → HTTPS), taken at each start.
  return createEngine({
    dataDir: app.getPath('userData'),
    port,
    nativeBinding: electronNativeBinding(),
    httpsPreference: true,
  });
}

/**
 * Starts the engine; for the two failures a user can fix from here (a damaged database, the port
 * taken) asks what to do instead of crashing. Returns undefined when the user chose to quit.
 */
async function startEngineWithRecovery(): Promise<Engine | undefined> {
  try {
    return await startEngine();
  } catch (error) {
    if (error instanceof DatabaseOpenError && error.problem === 'damaged') {
      // Recovery is the user's choice; the damaged file is kept, never overwritten.
      const choice = await dialog.showMessageBox({
        type: 'error',
        message: 'The IDP Sandbox database cannot be read.',
        detail: `${error.message}\n\nMoving it aside keeps the file (renamed) and starts with an empty workspace.`,
        buttons: ['Move it aside and start fresh', 'Quit'],
        defaultId: 1,
        cancelId: 1,
      });
      if (choice.response !== 0) return undefined;
      moveDatabaseAside(app.getPath('userData'));
      return startEngine();
    }
    if (error instanceof EngineStartError && error.problem === 'port_in_use') {
      const choice = await dialog.showMessageBox({
        type: 'warning',
        message: `Port ${requestedPort ?? DEFAULT_PORT} is already in use.`,
        detail: 'Another program is listening on it. Start IDP Sandbox on a free port instead?',
        buttons: ['Use a free port', 'Quit'],
        defaultId: 0,
        cancelId: 1,
      });
      if (choice.response !== 0) return undefined;
      return startEngine(0);
    }
    throw error;
  }
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'IDP Sandbox',
    // Linux and Windows show it in the task bar (macOS takes the bundle's icon from electron-builder).
    icon: path.join(rendererDir, 'icon.png'),
    show: false,
    webPreferences: hardenedWebPreferences(path.join(__dirname, 'preload.cjs')),
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // The window only ever shows the app's page: no navigation, frame navigation or redirect leaves it.
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppPage(url)) event.preventDefault();
  });
  win.webContents.on('will-frame-navigate', (event) => {
    if (!isAppPage(event.url)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event) => {
    if (!isAppPage(event.url)) event.preventDefault();
  });
  void win.loadURL(rendererIndexUrl);
  return win;
}

function hardenSession(): void {
  // Everything is denied except writing to the clipboard from the app's own page (the copy buttons).
  const allowed = (permission: string, url: string) =>
    permission === 'clipboard-sanitized-write' && isAppUrl(url);
  session.defaultSession.setPermissionRequestHandler((webContents, permission, callback) =>
    callback(allowed(permission, webContents.getURL())),
  );
  // Judged by the page URL, as for requests.
  session.defaultSession.setPermissionCheckHandler((webContents, permission) =>
    allowed(permission, webContents?.getURL() ?? ''),
  );
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
  // Files of the renderer folder only; anything else (another host, a path leaving it) is a 404.
  protocol.handle(APP_SCHEME, (request) => serveRendererFile(request.url, rendererDir));
  hardenSession();
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
    ]),
  );

  engine = await startEngineWithRecovery();
  if (!engine) {
    app.quit();
    return;
  }
  // The engine listens while a fresh start's signing key is still being made (Engine.keyReady). Without
  // it nothing can be signed, so say why and close, as `serve` does, rather than fail every token request.
  engine.keyReady.catch((error: unknown) => {
    dialog.showErrorBox(
      'IDP Sandbox could not make its signing key',
      `${(error as Error).message}\n\nNo token can be signed without it, so the app will close.`,
    );
    const failing = engine;
    engine = undefined;
    void (failing?.close() ?? Promise.resolve()).finally(() => app.exit(1));
  });

  registerAdminIpc(ipcMain, engine.call, rendererOriginCheck(rendererIndexUrl));
  mainWindow = createWindow();
  // Live updates are pushed, never polled: engine events go to the window in batches, one IPC
  // message per batch however many tokens a second are issued (see live-batches.ts).
  const live = engine;
  const batches = batchEvents(
    (listener) => live.subscribeRecorded(listener),
    ({ events, gap }) => {
      if (!mainWindow || mainWindow.isDestroyed()) return;
      // A gap (what a batch under heavy load left out) is a second argument, only when there is one.
      if (gap) mainWindow.webContents.send(IPC_EVENT_CHANNEL, events, gap);
      else mainWindow.webContents.send(IPC_EVENT_CHANNEL, events);
    },
  );
  mainWindow.on('closed', () => {
    batches.close();
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
