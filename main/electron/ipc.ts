// Kept free of `electron` imports so unit tests can run it with a fake IpcMain.
import { adminMethods, IPC_ADMIN_PREFIX } from '../../shared/contract';
import { AdminError, type AdminErrorBody } from '../../shared/errors';
import { type AdminScope, AdminScopeSchema } from '../../shared/issuers';
import type { Engine } from '../core';

export interface IpcFrameLike {
  readonly url: string;
  /** The embedding frame; null for a window's top-level page (as Electron's WebFrameMain). */
  readonly parent: IpcFrameLike | null;
}

export interface IpcInvokeEventLike {
  readonly senderFrame: IpcFrameLike | null;
}

/** The slice of Electron's ipcMain that the handlers need. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>,
  ): void;
}

export type IpcResult = { ok: true; value: unknown } | { ok: false; error: AdminErrorBody };

/**
 * Registers one channel per admin method. Every call goes through the same checks, in order:
 * the sender frame must be the app's own top-level page (not a frame inside it), the payload must
 * match the method's shared schema.
 * Errors come back as `{ code, message }` values, never as thrown objects Electron would mangle.
 */
export function registerAdminIpc(
  ipcMain: IpcMainLike,
  /** Validates and runs one admin call: the engine's `call`, the same path as the admin HTTP API. */
  call: Engine['call'],
  isTrustedSender: (frameUrl: string) => boolean,
): void {
  for (const method of adminMethods) {
    ipcMain.handle(`${IPC_ADMIN_PREFIX}${method}`, async (event, ...args): Promise<IpcResult> => {
      try {
        const frameUrl = event.senderFrame?.url ?? '';
        // A frame embedded in the app's page (an iframe of any origin, or one the origin check would
        // pass) is refused too: only the page itself calls the admin API, as VS Code's validatedIpcMain.
        if (event.senderFrame?.parent) {
          throw new AdminError('forbidden', `IPC from a sub-frame (${frameUrl || 'unknown'}) was refused.`);
        }
        if (!isTrustedSender(frameUrl)) {
          throw new AdminError(
            'forbidden',
            `IPC from an untrusted frame (${frameUrl || 'unknown'}) was refused.`,
          );
        }
        if (args.length > 2) {
          throw new AdminError(
            'invalid_input',
            `${method} takes its input and, optionally, an issuer scope.`,
          );
        }
        return { ok: true, value: await call(method, args[0], scopeOf(method, args[1])) };
      } catch (error) {
        if (error instanceof AdminError) return { ok: false, error: error.toJSON() };
        return {
          ok: false,
          error: { code: 'internal', message: (error as Error).message ?? 'Internal error' },
        };
      }
    });
  }
}

/** The optional second argument: `{ issuer }`, naming the issuer the call is for. */
function scopeOf(method: string, raw: unknown): AdminScope | undefined {
  if (raw === undefined) return undefined;
  const parsed = AdminScopeSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AdminError(
      'invalid_input',
      `${method}: the scope must be { issuer?: string } (an issuer id or name).`,
    );
  }
  return parsed.data;
}

/** A sender is trusted when it is on the origin of the app's own page (app://idp-sandbox). */
export function rendererOriginCheck(rendererIndexUrl: string): (frameUrl: string) => boolean {
  const { protocol, host } = new URL(rendererIndexUrl);
  // A file:// page has no host: an origin check could not tell the app's page from any other file.
  if (!host) throw new Error(`The app page must have an origin of its own (got ${rendererIndexUrl}).`);
  return (frameUrl) => {
    try {
      const url = new URL(frameUrl);
      return url.protocol === protocol && url.host === host;
    } catch {
      return false;
    }
  };
}
