import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type AdminHandlers, createAdminService } from './admin/service';
import { type AdminSecrets, createAdminSecrets } from './http/admin-auth';
import { createHttpServer } from './http/server';
import { UI_PREFIX } from './http/ui-routes';
import { type Db, openDatabase } from './store/database';

/** The port the provider listens on when none is given; documented in the README. */
export const DEFAULT_PORT = 9400;
export const DEFAULT_HOST = '127.0.0.1';
export const ADMIN_TOKEN_FILE = 'admin-token';

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
  /** Built renderer folder; when set, the admin UI is served at /ui/ (browser mode). */
  uiDir?: string | undefined;
  /** Fixed admin token (e.g. from IDP_SANDBOX_ADMIN_TOKEN); a random one otherwise. */
  adminToken?: string | undefined;
  /** better-sqlite3 native module to load (the desktop app's Electron-ABI build). */
  nativeBinding?: string | undefined;
}

export interface Engine {
  readonly issuer: string;
  readonly port: number;
  readonly dataDir: string | null;
  /** Bearer token for the admin HTTP API. */
  readonly adminToken: string;
  /** File holding the admin token, readable only by the current user. */
  readonly adminTokenFile: string;
  /** Browser-mode URL with its one-time sign-in token, or null when no UI is served. */
  readonly uiUrl: string | null;
  readonly admin: AdminHandlers;
  close(): Promise<void>;
}

function writeAdminTokenFile(dir: string, token: string): string {
  const file = path.join(dir, ADMIN_TOKEN_FILE);
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

/**
 * Builds and starts the engine: database, admin service and the HTTP server. The desktop app and
 * the CLI both call this one factory.
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  if (!options.inMemory && !options.dataDir) {
    throw new Error('createEngine needs a dataDir, or inMemory: true');
  }
  const host = options.host ?? DEFAULT_HOST;
  const dataDir = options.inMemory ? null : path.resolve(options.dataDir as string);
  const db: Db = openDatabase({ dataDir: dataDir ?? undefined, nativeBinding: options.nativeBinding });
  const secrets: AdminSecrets = createAdminSecrets(options.adminToken);
  const startedAt = new Date();

  let issuer = options.issuer?.replace(/\/+$/, '') ?? '';
  const admin = createAdminService({ issuer: () => issuer, dataDir, startedAt });

  let app: FastifyInstance | undefined;
  try {
    app = await createHttpServer({ issuer: () => issuer, admin, secrets, uiDir: options.uiDir });
    await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  } catch (error) {
    await app?.close();
    db.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_PORT);
  if (!issuer) {
    const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    issuer = `http://${urlHost}:${port}`;
  }

  const tokenDir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'idp-sandbox-'));
  const adminTokenFile = writeAdminTokenFile(tokenDir, secrets.adminToken);
  const server = app;

  return {
    issuer,
    port,
    dataDir,
    adminToken: secrets.adminToken,
    adminTokenFile,
    uiUrl: options.uiDir ? `${issuer}${UI_PREFIX}?token=${secrets.uiToken}` : null,
    admin,
    async close() {
      await server.close();
      db.close();
      if (!dataDir) fs.rmSync(tokenDir, { recursive: true, force: true });
    },
  };
}
