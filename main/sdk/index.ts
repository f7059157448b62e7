/**
 * The Node API for test suites: `import { startSandbox } from 'idp-sandbox'` (package.json `exports`,
 * built to dist/sdk/ by scripts/build.mjs). It runs the same engine as the CLI and the desktop app, in
 * this process, and talks to it through the same admin contract (shared/contract.ts) as the UI.
 */
import path from 'node:path';
import {
  type AdminApi,
  type AdminInput,
  type AdminMethod,
  type AdminOutput,
  buildAdminApi,
} from '../../shared/contract';
import { ROOT_ISSUER_ID } from '../../shared/issuers';
import type { LiveBatch } from '../../shared/live-gap';
import type { EngineEvent, Workspace } from '../../shared/schemas';
import { readSeedJson } from '../cli/seed-file';
import { createEngine } from '../core';
import { DETERMINISTIC_ALGS, type DeterministicAlg, deterministicKey } from './deterministic-key';
import { eventStream, type SandboxEvents } from './event-stream';

export type { AdminInput, AdminMethod, AdminOutput } from '../../shared/contract';
export type { EngineEvent, Workspace } from '../../shared/schemas';
export { MAX_BUFFERED_EVENTS, type SandboxEvents } from './event-stream';

export interface StartSandboxOptions {
  /** Users, clients, settings (and keys) to start with: a workspace object, or the path of a JSON file of one. */
  seed?: Workspace | string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Public issuer URL, if clients reach the sandbox under another address. */
  issuer?: string;
  /**
   * The same string gives the same signing key (same kid, same JWKS) on every run: for snapshot tests.
   * ES256 unless the seed's settings.signing_alg says EdDSA (RSA keys cannot be derived from a seed;
   * for a fixed RSA key, seed `keys` from `workspace.export` with include_keys).
   */
  deterministicKeys?: string;
  /** Keep the data in this folder instead of in memory. */
  dataDir?: string;
  /** Fixed bearer token of the admin HTTP API (random by default). */
  adminToken?: string;
}

/** The admin contract, fully typed: `admin.users.create({...})` or `admin.call('users.create', {...})`. */
export type SandboxAdmin = Omit<AdminApi, 'live'> & {
  call<M extends AdminMethod>(method: M, input: AdminInput<M>): Promise<AdminOutput<M>>;
};

/** Provider time, which tokens are issued and expire by: real time plus an offset (Settings → provider clock). */
export interface SandboxClock {
  /** The current offset from real time, in seconds. */
  offset(): Promise<number>;
  /** Sets the offset (seconds, negative for the past); 0 is real time. */
  set(offsetSeconds: number): Promise<void>;
  /** Moves provider time forward by `seconds` (backward when negative), e.g. to expire a token. */
  advance(seconds: number): Promise<void>;
  /** Provider time now. */
  now(): Promise<Date>;
}

export interface Sandbox {
  /** The issuer URL, e.g. http://127.0.0.1:41234; discovery is at `${issuer}/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly port: number;
  /** Bearer token of the admin HTTP API (`${issuer}/admin/api/...`), for code outside this process. */
  readonly adminToken: string;
  readonly admin: SandboxAdmin;
  /** Every engine event from the start on (logins, tokens issued, revoked, requests…); ends at close(). */
  readonly events: SandboxEvents;
  readonly clock: SandboxClock;
  /** Stops the server and frees everything; in memory, nothing is kept. Safe to call twice. */
  close(): Promise<void>;
}

/** The seed as an object: a path is read as the CLI reads `--seed` (the engine validates either). */
function seedObject(seed: Workspace | string | undefined): Workspace | undefined {
  if (typeof seed !== 'string') return seed;
  return readSeedJson(path.resolve(seed)).json as Workspace;
}

/** The seed with a key derived from `keySeed` as its signing key. */
async function withDeterministicKey(seed: Workspace | undefined, keySeed: string): Promise<Workspace> {
  if (seed?.keys?.length) {
    throw new Error('deterministicKeys and a seed with keys both fix the signing key: use one of them.');
  }
  const alg = seed?.settings?.signing_alg ?? 'ES256';
  if (!(DETERMINISTIC_ALGS as readonly string[]).includes(alg)) {
    throw new Error(
      `deterministicKeys derives ${DETERMINISTIC_ALGS.join(' or ')} keys, but the seed's settings.signing_alg is ${alg}. Use one of those, or put a fixed ${alg} key in the seed's keys (workspace.export with include_keys).`,
    );
  }
  const key = await deterministicKey(keySeed, alg as DeterministicAlg, new Date());
  return { ...seed, keys: [key] };
}

function clockOf(admin: SandboxAdmin): SandboxClock {
  const offset = async () => (await admin.settings.get({})).clock_offset_seconds;
  const set = async (offsetSeconds: number) => {
    await admin.settings.update({ clock_offset_seconds: offsetSeconds });
  };
  return {
    offset,
    set,
    advance: async (seconds) => set((await offset()) + seconds),
    now: async () => new Date(Date.now() + (await offset()) * 1000),
  };
}

/**
 * Starts a sandbox: an OpenID Connect provider on 127.0.0.1 (a free port by default), in memory, with
 * the seed's users and clients. Call close() when done (afterAll, globalTeardown…).
 */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<Sandbox> {
  let seed = seedObject(options.seed);
  if (options.deterministicKeys !== undefined)
    seed = await withDeterministicKey(seed, options.deterministicKeys);
  const engine = await createEngine({
    port: options.port ?? 0,
    host: options.host,
    issuer: options.issuer,
    inMemory: options.dataDir === undefined,
    dataDir: options.dataDir,
    seed,
    adminToken: options.adminToken,
  });
  // A test suite's sandbox is whole once it has started: its signing key is in (the engine listens
  // before that, Engine.keyReady), so its events begin after the start's own, and a key that could
  // not be made fails the start.
  await engine.keyReady.catch(async (error: unknown) => {
    await engine.close();
    throw error;
  });
  const stream = eventStream((listener) => engine.subscribe(listener));
  const { live: _, ...api } = buildAdminApi(
    (method, input, scope) => engine.call(method, input ?? {}, scope),
    {
      subscribe: (listener: (event: EngineEvent) => void) => engine.subscribe(listener),
      // `live` is left out of the sandbox's admin (it has `events` below); a batch is one event here,
      // never with a gap.
      subscribeBatch: (listener: (batch: LiveBatch) => void) =>
        engine.subscribe((event) => listener({ events: [event], gap: null })),
      connection: () => 'live',
      onConnectionChange: () => () => undefined,
    },
  );
  // Like the named methods, `call` goes to the issuer `admin.issuer.select()` chose (the root one by default).
  const call = (method: AdminMethod, input: unknown) => {
    const selected = api.issuer.current();
    return engine.call(method, input ?? {}, selected === ROOT_ISSUER_ID ? undefined : { issuer: selected });
  };
  const admin = { ...api, call } as SandboxAdmin;
  let closing: Promise<void> | undefined;
  return {
    issuer: engine.issuer,
    port: engine.port,
    adminToken: engine.adminToken,
    admin,
    events: stream.events,
    clock: clockOf(admin),
    close() {
      closing ??= (async () => {
        stream.end();
        await engine.close();
      })();
      return closing;
    },
  };
}
