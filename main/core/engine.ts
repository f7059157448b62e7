import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { HTTP_UI_TOKEN_PARAM } from '../../shared/contract-constants';
import { AdminError } from '../../shared/errors';
import { type AdminScope, ALL_ISSUERS } from '../../shared/issuers';
import type { EngineEvent, ParsedWorkspace, SigningAlg, Workspace } from '../../shared/schemas';
import { WorkspaceSchema } from '../../shared/schemas';
import { validateInput } from '../../shared/validation';
import { adminDispatch } from './admin/contract-loader';
import { importSeed } from './admin/handlers/workspace';
import { type AdminHandlers, createAdminService } from './admin/service';
import { type AdminSecrets, createAdminSecrets, UI_PREFIX } from './http/admin-auth';
import type { LiveStreamOptions } from './http/event-stream';
import { HEALTH_PATH } from './http/health';
import { Issuers, rootRuntime } from './issuers';
import { gateAdmin, type PendingKey } from './keys/pending-key';
import { holdRequestsForKey } from './keys/request-gate';
import { type Clock, systemClock } from './lib/clock';
import { ADMIN_TOKEN_FILE, dataDirWarning, UI_TOKEN_FILE } from './lib/paths';
import { DEFAULT_HOST, DEFAULT_PORT } from './lib/port';
import { readKeptToken, writeSecretFile } from './lib/secret-files';
import { explainStartFailure } from './lib/start-errors';
import { createProviderContext, type ProviderContext } from './provider/context';
import { createKeyManager, type KeyManager } from './provider/key-manager';
import { type Db, openDatabase } from './store/database';
import type { EventInterest, RecordedEvent } from './store/events';
import type { KeyRecord } from './store/keys';
import type { TlsMaterial } from './tls/material';
import { readHttpsPreference } from './tls/preference';
import { type TrustCommand, trustCommands } from './tls/trust';
import { createSigner, DEFAULT_SIGNING_WORKERS } from './tokens/signer';

export { ADMIN_TOKEN_FILE } from './lib/paths';
export { DEFAULT_HOST, DEFAULT_PORT } from './lib/port';

export interface EngineOptions {
  /** Folder for the database and the admin token file. Required unless `inMemory`. */
  dataDir?: string | undefined;
  /** Keep everything in memory: nothing survives a restart (CI, throwaway runs). */
  inMemory?: boolean | undefined;
  host?: string | undefined;
  /** 0 picks a free port. */
  port?: number | undefined;
  /** Public issuer URL when it differs from http://host:port (e.g. behind a container port map). */
  issuer?: string | undefined;
  /** Users, clients, settings (and keys) to upsert at start; validated like an import. */
  seed?: Workspace | undefined;
  /** Built renderer folder; when set, the admin UI is served at /ui/ (browser mode). */
  uiDir?: string | undefined;
  /** Fixed admin token (e.g. from IDP_SANDBOX_ADMIN_TOKEN); a random one otherwise. */
  adminToken?: string | undefined;
  /**
   * better-sqlite3 native module to load: the desktop app's Electron-ABI build, or the CLI's installed
   * one (its bundle carries better-sqlite3's JavaScript, so the package's own search would start there).
   */
  nativeBinding?: string | undefined;
  /** Time source; tests pass a controllable one. */
  clock?: Clock | undefined;
  /**
   * Worker threads that sign JWTs (0 to 16); 0, the default, signs on the main thread
   * (DEFAULT_SIGNING_WORKERS; docs/ARCHITECTURE.md has the measurements behind it).
   */
  signingWorkers?: number | undefined;
  /**
   * A signing key the host began generating before it loaded the engine (the CLI does on a fresh
   * start). It becomes the first key if the start needs a new key of that algorithm; else it is dropped.
   */
  preparedKey?: { alg: SigningAlg; key: Promise<KeyRecord> } | undefined;
  /**
   * Serve HTTPS with a certificate from the data folder's local CA (tls/ca.crt, made on first use); the
   * issuer becomes https://. An http:// `issuer` is refused with it.
   */
  https?: boolean | undefined;
  /**
   * The host keeps its HTTPS choice in the data folder (the desktop app): when `https` is not given it
   * is read from there, and the admin API (engine.setHttps) changes it for the next start.
   */
  httpsPreference?: boolean | undefined;
  /** How the admin live stream batches and replays events (event-stream.ts's defaults); tests set small bounds. */
  liveStream?: LiveStreamOptions | undefined;
}

/** The local CA a TLS engine's certificate comes from: what clients must trust. */
export interface EngineTls {
  caCertPath: string;
  caFingerprint: string;
  /** This start made a new CA; clients that trusted an earlier one must trust this one. */
  caCreated: boolean;
  /** Made for this run only in a temporary folder (in-memory engine); removed when the engine closes. */
  temporary: boolean;
  trustCommands: TrustCommand[];
}

export interface Engine {
  readonly issuer: string;
  readonly port: number;
  readonly dataDir: string | null;
  /** Bearer token for the admin HTTP API. */
  readonly adminToken: string;
  /** File holding the admin token, readable only by the current user. */
  readonly adminTokenFile: string;
  /** Problems the host should show once at start (a data folder other users can write to, what a seed overwrote). */
  readonly warnings: readonly string[];
  /** The local CA when serving HTTPS, null for plain HTTP. */
  readonly tls: EngineTls | null;
  /** Browser-mode URL with its sign-in token, or null when no UI is served. */
  readonly uiUrl: string | null;
  /** The root issuer's admin service (the same one IPC and the admin HTTP API call). */
  readonly admin: AdminHandlers;
  /**
   * Resolves once the start's signing key is in place. A fresh start listens while its key is still
   * being generated, and whatever signs or publishes keys waits for it. Rejects (KeyGenerationError)
   * if it could not be made: the engine then answers those requests with a server_error naming the
   * cause, and the host should say so (the CLI prints it and exits).
   */
  readonly keyReady: Promise<void>;
  /** Validates and runs one admin call, as the transports do, for the issuer `scope` names (root by default). */
  call(method: string, input: unknown, scope?: AdminScope): Promise<unknown>;
  /**
   * Live lifecycle events of every issuer (of the types `wants` accepts; all by default), each tagged
   * with its issuer's id. Returns an unsubscribe function.
   */
  subscribe(listener: (event: EngineEvent) => void, wants?: EventInterest): () => void;
  /**
   * The same events as recorded, each built (`build()`) only if the listener keeps it: for a host that
   * batches them (live-batches.ts), which at full speed keeps a few hundred of thousands a second.
   */
  subscribeRecorded(listener: (event: RecordedEvent) => void): () => void;
  close(): Promise<void>;
}

function parseSeed(seed: Workspace): ParsedWorkspace {
  // The same validation as admin input and workspace.import (shared/validation.ts validateInput).
  const parsed = validateInput(WorkspaceSchema, seed);
  if (!parsed.success) throw new AdminError('invalid_input', `Invalid seed: ${parsed.problems.join('; ')}`);
  return parsed.data;
}

interface StartServing {
  options: EngineOptions;
  seed: ParsedWorkspace | undefined;
  ctx: ProviderContext;
  issuers: Issuers;
  /** The engine's admin call, for the admin HTTP API. */
  call: Engine['call'];
  keyManager: KeyManager;
  /** The start's key check, which startServing begins, and the admin service and requests wait on. */
  key: PendingKey;
  secrets: AdminSecrets;
  tokenDir: string;
  host: string;
  port: number;
  https: boolean;
  clock: Clock;
}

/** What a start has made so far: the HTTP server, and for HTTPS its certificates. */
interface Serving {
  app?: FastifyInstance;
  tls?: TlsMaterial | undefined;
}

/**
 * The slow part of a start, overlapped where it can be: the signing key, the seed, TLS material and the
 * HTTP server. What it made is in `serving` as soon as it exists, for the caller to release if it throws.
 */
async function startServing(
  start: StartServing,
  serving: Serving,
): Promise<{ adminTokenFile: string; seedNotes: string[] }> {
  const { options, seed, ctx, issuers, call, keyManager, secrets, tokenDir, host, port, https, clock } =
    start;
  const { key } = start;
  const dataDir = options.inMemory ? null : path.resolve(options.dataDir as string);
  // Before listening: a start that cannot keep its token private does not serve.
  const adminTokenFile = writeSecretFile(
    path.join(tokenDir, ADMIN_TOKEN_FILE),
    secrets.adminToken,
    'admin token',
  );
  if (dataDir && options.uiDir)
    writeSecretFile(path.join(dataDir, UI_TOKEN_FILE), secrets.uiToken, 'UI token');
  // A new signing key is the slowest step of a start (RSA: 0.1–0.8 s, in libuv's thread pool), so it
  // is begun first, for the algorithm the seed or the stored settings ask for, and is ready while this
  // thread imports the seed and loads and builds the HTTP server. Not when the seed carries keys:
  // they become the engine's keys.
  if (!seed?.keys?.length) {
    const alg = seed?.settings?.signing_alg ?? ctx.settings.get().signing_alg;
    keyManager.prepare(alg, options.preparedKey?.alg === alg ? options.preparedKey.key : undefined);
  }
  // The seed goes in before the key check: a seed that carries keys makes them the engine's keys,
  // instead of demoting a throwaway key generated a moment earlier (which would stay in the JWKS).
  // Listening waits for the seed but not for the key: the key check (installing the key begun above)
  // runs on, and until it is done the requests and admin calls that need a key wait for it
  // (keys/request-gate.ts, gateAdmin). A key that cannot be made fails the start if that is known
  // before listening, else those requests (Engine.keyReady).
  // A seed says which of its users and clients it overwrote after edits in the UI (never silently).
  const dataReady = seed ? importSeed(ctx, seed) : Promise.resolve<string[]>([]);
  dataReady.catch(() => undefined); // awaited below; this only stops an early unhandled rejection
  key.begin(dataReady.then(() => keyManager.ensureCurrent()));
  // Loaded only for HTTPS: the X.509 library would lengthen every plain start.
  const tlsReady = https
    ? import('./tls/material').then(({ prepareTls, serverNames }) =>
        prepareTls({
          dir: dataDir && path.join(dataDir, 'tls'),
          names: serverNames(host, options.issuer),
          now: new Date(clock.now()),
        }),
      )
    : undefined;
  tlsReady?.catch(() => undefined); // awaited below; this only stops an early unhandled rejection
  const { createHttpServer } = await import('./http/server');
  serving.tls = await tlsReady;
  serving.app = await createHttpServer({
    ctx,
    call,
    secrets,
    uiDir: options.uiDir,
    tls: serving.tls,
    events: { subscribe: (listener) => issuers.subscribe(listener), options: options.liveStream },
    route: issuers.route,
    everyIssuer: () => issuers.contexts(),
  });
  // The workspace's other issuers, each with its own database and app, before the port opens; then the
  // seed's issuer sections, which may create some.
  await issuers.openStored();
  const seedNotes = await dataReady;
  if (seed?.issuers?.length) {
    await issuers.checkSections(seed.issuers);
    seedNotes.push(...(await issuers.importSections(seed.issuers, 'seed')));
  }
  const failure = key.failure();
  if (failure) throw failure;
  // The root issuer's requests that need no key answer at once; the other issuers' keys are theirs.
  const rootPaths = ctx.paths;
  holdRequestsForKey(serving.app.server, key, (url) => {
    if (issuers.route(url)) return true;
    const pathname = url.split('?', 1)[0] as string;
    return (
      rootPaths.discovery.includes(pathname) ||
      pathname === HEALTH_PATH ||
      pathname.startsWith('/admin/') ||
      pathname.startsWith('/ui')
    );
  });
  await serving.app.listen({ host, port });
  return { adminTokenFile, seedNotes };
}

/** What the host shows of the TLS material: the CA to trust, and how. */
function engineTls(tls: TlsMaterial, issuer: string): EngineTls {
  const { caCertPath, caFingerprint, caCreated, temporary } = tls;
  return {
    caCertPath,
    caFingerprint,
    caCreated,
    temporary,
    trustCommands: trustCommands(caCertPath, issuer),
  };
}

/** The issuer a start names by where it listens (when none is configured). */
function listeningIssuer(scheme: string, host: string, port: number): string {
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return `${scheme}://${urlHost}:${port}`;
}

/**
 * Builds and starts the engine: database, signing keys, seed, admin service and the HTTP server.
 * The desktop app and the CLI both call this one factory.
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  if (!options.inMemory && !options.dataDir) {
    throw new Error('createEngine needs a dataDir, or inMemory: true');
  }
  // A bad seed is refused before the database is even opened, naming the JSON path of the fault.
  const seed = options.seed === undefined ? undefined : parseSeed(options.seed);
  if (options.https && options.issuer?.startsWith('http:')) {
    throw new Error(`An HTTPS engine needs an https:// issuer (got ${options.issuer}).`);
  }
  // Before the database opens: a bad count or a missing worker file is refused with nothing to undo
  // (the pool starts its threads only when the first token is signed).
  const signer = createSigner(options.signingWorkers ?? DEFAULT_SIGNING_WORKERS);
  const host = options.host ?? DEFAULT_HOST;
  const clock = options.clock ?? systemClock;
  const dataDir = options.inMemory ? null : path.resolve(options.dataDir as string);
  const db: Db = openDatabase({ dataDir: dataDir ?? undefined, nativeBinding: options.nativeBinding });
  // A data folder keeps browser mode's UI token, so open tabs survive a restart; in memory, every start is new.
  const keptUiToken = dataDir && options.uiDir ? readKeptToken(path.join(dataDir, UI_TOKEN_FILE)) : undefined;
  const secrets: AdminSecrets = createAdminSecrets(options.adminToken, keptUiToken);
  const startedAt = new Date(clock.now());
  let issuer = options.issuer?.replace(/\/+$/, '') ?? '';
  // The stored choice gives way to an http:// issuer the host was given; an explicit `https` does not.
  const https =
    options.https ??
    (!!options.httpsPreference && !!dataDir && readHttpsPreference(dataDir) && !issuer.startsWith('http:'));
  const scheme = https ? 'https' : 'http';
  const serving: Serving = {};
  let port = options.port ?? DEFAULT_PORT;

  const ctx = createProviderContext(db, clock, () => issuer, signer);
  const keyManager = createKeyManager(ctx);
  // Where this machine reaches the listener: a wildcard bind is reached on loopback.
  const localHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const localOrigin = () => `${scheme}://${localHost.includes(':') ? `[${localHost}]` : localHost}:${port}`;
  const adminFor = (issuerCtx: ProviderContext, issuerKeys: KeyManager) =>
    createAdminService({
      ctx: issuerCtx,
      keyManager: issuerKeys,
      issuers: () => issuers,
      dataDir,
      startedAt,
      port: () => port,
      localOrigin,
      https: () => ({
        enabled: serving.tls !== undefined,
        caCertPath: serving.tls?.caCertPath ?? null,
        trustCommands: serving.tls ? trustCommands(serving.tls.caCertPath, issuer) : [],
        nextStart: options.httpsPreference && dataDir ? readHttpsPreference(dataDir) : null,
      }),
      localCa: () => serving.tls?.ca,
    });
  const { admin, key } = gateAdmin(adminFor(ctx, keyManager)); // calls wait for the start's key
  // One admin call for the issuer its scope names, or a list for every issuer (ALL_ISSUERS).
  // issuers.* are the workspace's, whichever issuer the caller has selected (even one just deleted).
  // The contract it validates against loads with the first call (admin/contract-loader.ts).
  const call: Engine['call'] = async (method, input, scope) => {
    if (scope?.issuer === ALL_ISSUERS) return issuers.listAll(method, input);
    const handlers = method.startsWith('issuers.') ? admin : issuers.resolve(scope).admin;
    return (await adminDispatch()).dispatchAdmin(handlers, method, input);
  };
  const issuers: Issuers = new Issuers(rootRuntime(ctx, keyManager, admin), {
    dataDir,
    nativeBinding: options.nativeBinding,
    hostClock: clock,
    signer,
    origin: () => issuer,
    adminFor,
    createApp: async (issuerCtx) => (await import('./http/server')).createIssuerApp(issuerCtx),
  });

  const tokenDir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'idp-sandbox-'));
  let adminTokenFile: string;
  let seedNotes: string[];
  try {
    const start = {
      options,
      seed,
      ctx,
      issuers,
      call,
      keyManager,
      key,
      secrets,
      tokenDir,
      host,
      port,
      https,
      clock,
    };
    ({ adminTokenFile, seedNotes } = await startServing(start, serving));
  } catch (error) {
    await key.end(error as Error);
    await issuers.closeOthers();
    await serving.app?.close();
    serving.tls?.dispose();
    await signer.close();
    await issuers.root.stop();
    if (!dataDir) fs.rmSync(tokenDir, { recursive: true, force: true });
    throw explainStartFailure(error, `${host}:${port}`);
  }
  const app = serving.app as FastifyInstance;
  const tls = serving.tls;
  const address = app.server.address();
  if (typeof address === 'object' && address) port = address.port;
  if (!issuer) issuer = listeningIssuer(scheme, host, port);

  return {
    issuer,
    port,
    dataDir,
    adminToken: secrets.adminToken,
    adminTokenFile,
    warnings: [...(dataDir ? [dataDirWarning(dataDir)].filter((w) => w !== null) : []), ...seedNotes],
    tls: tls ? engineTls(tls, issuer) : null,
    uiUrl: options.uiDir ? `${issuer}${UI_PREFIX}?${HTTP_UI_TOKEN_PARAM}=${secrets.uiToken}` : null,
    admin,
    call,
    keyReady: key.ready,
    subscribe: (listener, wants) => issuers.subscribe((event) => listener(event.build()), wants),
    subscribeRecorded: (listener) => issuers.subscribe(listener),
    async close() {
      await app.close();
      await key.end(new Error('The engine closed.'));
      await issuers.closeOthers();
      await signer.close();
      // Writes queued by the last requests commit before the database closes (IssuerRuntime.stop).
      await issuers.root.stop();
      if (!dataDir) fs.rmSync(tokenDir, { recursive: true, force: true });
      tls?.dispose();
    },
  };
}
