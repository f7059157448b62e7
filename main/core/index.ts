// The engine's public entry: main/cli and main/electron import main/core only through this file (a lint
// rule in biome.json), so what the hosts may rely on is listed here and nowhere else.
//
// Everything re-exported statically is light, because the CLI's launcher loads this file before it
// begins generating a fresh start's signing key: the engine itself (Fastify, the store, the admin
// contract) loads only when `createEngine` is first called.
import type { Engine, EngineOptions } from './engine';

export type { AdminHandlers } from './admin/service';
export type { Engine, EngineOptions, EngineTls } from './engine';
export { batchEvents, type LiveBatches } from './http/live-batches';
export {
  ADMIN_TOKEN_FILE,
  DATABASE_FILE,
  dataDirWarning,
  defaultDataDir,
  moveDatabaseAside,
} from './lib/paths';
export { DEFAULT_HOST, DEFAULT_PORT, parsePort, portFromArgv } from './lib/port';
export { UI_CSP } from './lib/security-headers';
export {
  DatabaseOpenError,
  type DatabaseProblem,
  EngineStartError,
  type EngineStartProblem,
} from './lib/start-errors';
export { VERSION } from './lib/version';
export type { KeyRecord } from './store/keys';
export { generateSigningKey } from './tokens/keygen';
export { MAX_SIGNING_WORKERS } from './tokens/signer';

/** Builds and starts an engine (main/core/engine.ts), loading the engine's modules on first use. */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const engine = await import('./engine');
  return engine.createEngine(options);
}
