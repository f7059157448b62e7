import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_SIGNING_ALG, isSigningAlg, type SigningAlg } from '../../shared/signing';
import { DATABASE_FILE, defaultDataDir, generateSigningKey, type KeyRecord } from '../core';
import { parseCli, type ServeOptions } from './args';
import { readSeedJson } from './seed-file';

/** A signing key begun before the engine is loaded, for EngineOptions.preparedKey. */
interface StartKey {
  alg: SigningAlg;
  key: Promise<KeyRecord>;
}

/** The data folder a `serve` uses, or undefined in memory. */
export function dataDirOf(options: ServeOptions): string | undefined {
  return options.inMemory ? undefined : path.resolve(options.dataDir ?? defaultDataDir());
}

/**
 * A fresh start needs a new signing key, its slowest step (RSA: 0.1–0.8 s in libuv's thread pool), so
 * it is begun before anything else; the engine installs it (EngineOptions.preparedKey), or drops it if
 * the start turns out not to need it. None when the data folder already has a database (it has its
 * keys) or the seed carries keys; an algorithm the seed names wrongly is left to the seed's validation.
 */
export function startKeyFor(options: ServeOptions, seed: unknown): StartKey | undefined {
  const dataDir = dataDirOf(options);
  if (dataDir !== undefined && fs.existsSync(path.join(dataDir, DATABASE_FILE))) return undefined;
  const workspace = (seed ?? {}) as { keys?: unknown; settings?: { signing_alg?: unknown } };
  if (Array.isArray(workspace.keys) && workspace.keys.length > 0) return undefined;
  const alg = workspace.settings?.signing_alg ?? DEFAULT_SIGNING_ALG;
  if (!isSigningAlg(alg)) return undefined;
  const key = generateSigningKey(alg, Math.floor(Date.now() / 1000));
  key.catch(() => undefined); // The engine reports a failure (Engine.keyReady); this stops an unhandled one.
  return { alg, key };
}

// The launcher and the CLI bundle are two bundles in one process; this is how the key gets across.
const HANDOFF = Symbol.for('idp-sandbox.cli.start-key');
type Handoff = { [HANDOFF]?: StartKey | undefined };

/**
 * For the launcher (launcher.ts): begins the key for these arguments before the CLI bundle is even
 * compiled, which overlaps it with that and with loading the engine. Bad arguments or a bad seed file
 * are left alone here: the CLI reports them.
 */
export function beginStartKey(argv: readonly string[]): void {
  try {
    const command = parseCli(argv);
    if (command.kind !== 'serve') return;
    const { seed } = command.options;
    const json = seed === undefined ? undefined : readSeedJson(path.resolve(seed)).json;
    (globalThis as Handoff)[HANDOFF] = startKeyFor(command.options, json);
  } catch {
    // The CLI parses the same arguments and reads the same file again, and says what is wrong.
  }
}

/** The key the launcher began, if it did (once). */
export function takeStartKey(): StartKey | undefined {
  const handoff = globalThis as Handoff;
  const key = handoff[HANDOFF];
  delete handoff[HANDOFF];
  return key;
}
