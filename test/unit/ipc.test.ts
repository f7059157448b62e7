import { describe, expect, it } from 'vitest';
import { dispatchAdmin } from '../../main/core/admin/dispatch';
import {
  type IpcFrameLike,
  type IpcInvokeEventLike,
  type IpcMainLike,
  type IpcResult,
  registerAdminIpc,
  rendererOriginCheck,
} from '../../main/electron/ipc';
import { IPC_ADMIN_PREFIX as ADMIN_CHANNEL_PREFIX, adminMethods } from '../../shared/contract';
import { createTestAdmin } from '../helpers/admin';
import { capAtCurrentSize } from '../helpers/store-full';

type Listener = (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  const ipcMain: IpcMainLike = { handle: (channel, listener) => handlers.set(channel, listener) };
  return { ipcMain, handlers };
}

const RENDERER = 'app://idp-sandbox/index.html';

const topFrame = (url: string): IpcFrameLike => ({ url, parent: null });

async function setup() {
  const { ipcMain, handlers } = fakeIpcMain();
  const { admin, ctx } = await createTestAdmin();
  registerAdminIpc(
    ipcMain,
    (method, input) => dispatchAdmin(admin, method, input),
    rendererOriginCheck(RENDERER),
  );
  const invokeFrom = (method: string, senderFrame: IpcFrameLike | null, ...args: unknown[]) => {
    const handler = handlers.get(`${ADMIN_CHANNEL_PREFIX}${method}`);
    if (!handler) throw new Error(`no handler for ${method}`);
    return handler({ senderFrame }, ...args) as Promise<IpcResult>;
  };
  // A call from a window's top-level page at frameUrl (null: the frame is gone).
  const invoke = (method: string, frameUrl: string | null, ...args: unknown[]) =>
    invokeFrom(method, frameUrl === null ? null : topFrame(frameUrl), ...args);
  return { handlers, invoke, invokeFrom, ctx };
}

describe('admin IPC wrapper', () => {
  it('registers one channel per contract method and nothing else', async () => {
    const { handlers } = await setup();
    expect([...handlers.keys()].sort()).toEqual(
      adminMethods.map((m) => `${ADMIN_CHANNEL_PREFIX}${m}`).sort(),
    );
  });

  it('answers a write refused for want of room with what to do, and stores nothing of it', async () => {
    const { invoke, ctx } = await setup();
    const users = () => (ctx.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
    const before = users();
    const uncap = capAtCurrentSize(ctx.db);
    const result = await invoke('users.create', RENDERER, {
      username: 'one-too-many',
      claims: { note: 'x'.repeat(8000) },
    });
    uncap();
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'internal',
        message: expect.stringMatching(/^The in-memory store is full: .*tokens\.purgeExpired.*--data-dir/),
      },
    });
    expect(users()).toBe(before);
  });

  it('answers a call from the app renderer', async () => {
    const { invoke } = await setup();
    const result = await invoke('engine.info', RENDERER, {});
    expect(result).toMatchObject({ ok: true, value: { issuer: 'http://127.0.0.1:9400', dataDir: '/data' } });
  });

  it.each([
    ['a web page', 'https://evil.example/'],
    ['a local file', 'file:///tmp/evil.html'],
    [
      'the renderer bundle opened as a file',
      'file:///opt/IDP%20Sandbox/resources/app.asar/dist/renderer/index.html',
    ],
    ['another app:// host', 'app://elsewhere/index.html'],
    ['no frame', null],
  ])('refuses a sender that is %s', async (_what, frameUrl) => {
    const { invoke } = await setup();
    const result = await invoke('engine.info', frameUrl, {});
    expect(result).toEqual({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('untrusted frame') },
    });
  });

  it.each([
    ['the app page itself', RENDERER],
    ['a web page', 'https://evil.example/'],
  ])('refuses a sub-frame of the app page that is %s', async (_what, frameUrl) => {
    const { invokeFrom } = await setup();
    const result = await invokeFrom('engine.info', { url: frameUrl, parent: topFrame(RENDERER) }, {});
    expect(result).toEqual({
      ok: false,
      error: { code: 'forbidden', message: `IPC from a sub-frame (${frameUrl}) was refused.` },
    });
  });

  it('refuses an invalid payload with invalid_input', async () => {
    const { invoke } = await setup();
    const result = await invoke('engine.info', RENDERER, { unexpected: true });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('refuses extra arguments', async () => {
    const { invoke } = await setup();
    const result = await invoke('engine.info', RENDERER, {}, 'extra');
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
