import { AdminError } from '../../../shared/errors';
import type { AdminHandlers } from '../admin/service';

/**
 * The start's signing key while it is still being made. A fresh start generates its key (RSA: 0.1–0.8 s
 * in libuv's thread pool) while the engine already listens (engine.ts); until it is installed, whatever
 * signs or publishes keys waits for it (request-gate.ts, gateAdmin), so nothing sees a key ring without
 * it and nothing is signed with another key. If it fails, they fail with its error instead.
 */
export interface PendingKey {
  /** Resolves once the start's key check is done; rejects with its error (KeyGenerationError). */
  readonly ready: Promise<void>;
  /** Settled, either way: nothing waits any more. */
  settled(): boolean;
  /** Why it failed, once it has; null while pending and once ready. */
  failure(): Error | null;
  /** The start's key check (a later call changes nothing). */
  begin(check: Promise<unknown>): void;
  /**
   * Waits for the check to end, before the database closes (it writes the key when it ends); one
   * not begun (a start that failed before it) ends now, with `reason`.
   */
  end(reason: Error): Promise<void>;
}

/** The start's key check, to be begun (`begin`) once the seed is in; until then it is pending. */
export function pendingKey(): PendingKey {
  let settled = false;
  let failure: Error | null = null;
  let begin: (check: Promise<unknown>) => void = () => undefined;
  const ready = new Promise<unknown>((resolve) => {
    begin = resolve;
  }).then(
    () => {
      settled = true;
    },
    (error: unknown) => {
      settled = true;
      failure = error instanceof Error ? error : new Error(String(error));
      throw failure;
    },
  );
  // Whoever waits gets the error; this only stops an unhandled rejection when nobody does.
  ready.catch(() => undefined);
  return {
    ready,
    settled: () => settled,
    failure: () => failure,
    begin: (check) => begin(check),
    end: (reason) => {
      const ended = Promise.reject(reason);
      ended.catch(() => undefined); // unused when the check was begun: it settles as it will
      begin(ended);
      return ready.catch(() => undefined);
    },
  };
}

/**
 * What the CLI reads before it prints "ready" (settings and the issuer list): they touch no key, so
 * they answer at once. Every other method waits for the key: tokens.mint and the playground sign,
 * keys.* and workspace.export list keys, and an import or a settings change may install one.
 */
const WITHOUT_KEY = new Set<string>(['settings.get', 'issuers.list', 'engine.info']);

/**
 * The start's key check (pendingKey), and `admin` whose methods first wait for it (those in WITHOUT_KEY
 * excepted). Once the key is ready the table holds the handlers themselves again, so later calls cost
 * nothing extra.
 */
export function gateAdmin(admin: AdminHandlers): { admin: AdminHandlers; key: PendingKey } {
  const key = pendingKey();
  const gated: Record<string, unknown> = { ...admin };
  for (const [method, handler] of Object.entries(admin) as [string, (input: unknown) => unknown][]) {
    if (WITHOUT_KEY.has(method)) continue;
    gated[method] = async (input: unknown) => {
      if (!key.settled()) await key.ready.catch(() => undefined);
      const failure = key.failure();
      // The admin surface's own envelope ({ code, message }), over IPC and HTTP alike.
      if (failure) throw new AdminError('internal', failure.message);
      return handler(input);
    };
  }
  key.ready.then(() => Object.assign(gated, admin)).catch(() => undefined);
  return { admin: gated as AdminHandlers, key };
}
