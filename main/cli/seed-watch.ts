import fs from 'node:fs';
import path from 'node:path';
import type { SeedApplied } from '../../shared/contract';
import { AdminError } from '../../shared/errors';
import { seedNotApplied, validateSeed } from './seed';
import { parseSeedBytes, readSeedBytes, SeedError, type SeedJson } from './seed-file';

/**
 * `serve --seed FILE --watch`: the seed file applied again each time it is saved, through the admin
 * contract's workspace.applySeed (one transaction: all of it or nothing), with what changed printed.
 *
 * The folder is watched, not the file: editors that save by writing a temporary file and renaming it
 * over the original replace the inode a file watch is tied to, and the watch would go quiet after the
 * first save. Events are debounced, because one save is often several (truncate, write, chmod,
 * rename), and a save that leaves the bytes as last applied is not applied again.
 */

export interface SeedWatchOptions {
  /** The seed file, absolute. */
  file: string;
  /** The file as the user should see it (seed-file.ts shownPath). */
  shown: string;
  /** The bytes the start applied, so the first event does not apply them again. */
  applied: Buffer | undefined;
  /** Applies a valid seed document (the engine's workspace.applySeed). */
  apply(document: unknown): Promise<SeedApplied>;
  /** Where "applied" reports go (the CLI's stdout) and refusals and warnings (its stderr). */
  log(line: string): void;
  warn(line: string): void;
  /** Quiet time after the last event before the file is read (ms). */
  debounceMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface SeedWatch {
  close(): void;
}

const DEFAULT_DEBOUNCE_MS = 150;
/** Said after each refusal: the engine is running on, unchanged. */
const STILL_SERVING = 'The last applied seed is still in place; fix the file and save it again.';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The lines that say what one kind of record changed. */
function recordLines(label: 'user' | 'client', changes: SeedApplied['users']): string[] {
  const lines: string[] = [];
  const { added } = changes;
  if (added.length) lines.push(`  added ${added.length === 1 ? label : `${label}s`}: ${added.join(', ')}`);
  for (const { name, fields } of changes.updated) {
    lines.push(`  updated ${label} ${name}: ${fields.join(', ')}`);
  }
  const gone = changes.no_longer_seeded;
  if (gone.length) {
    lines.push(
      `  no longer in the seed, kept: ${gone.length === 1 ? label : `${label}s`} ${gone.join(', ')} (a seed never deletes; delete in the UI or the admin API)`,
    );
  }
  return lines;
}

/** What an apply changed, as the CLI prints it: one header line, then one line per change. */
export function describeApplied(shown: string, applied: SeedApplied): string[] {
  const lines = [...recordLines('user', applied.users), ...recordLines('client', applied.clients)];
  if (applied.settings.length) lines.push(`  changed settings: ${applied.settings.join(', ')}`);
  if (applied.keys) lines.push(`  signing keys: ${plural(applied.keys, 'key')} from the seed`);
  const unchanged = applied.users.unchanged + applied.clients.unchanged;
  const tail = unchanged ? ` (${plural(unchanged, 'record')} unchanged)` : '';
  if (!lines.length) return [`Seed ${shown} applied: nothing changed${tail}.`];
  return [`Seed ${shown} applied${tail}:`, ...lines];
}

export function watchSeed(options: SeedWatchOptions): SeedWatch {
  const { file, shown, log, warn } = options;
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const base = path.basename(file);
  let applied = options.applied;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let closed = false;
  /** A missing file is said once, not on every event while it is gone. */
  let saidMissing = false;
  /** The last save was refused: going back to the applied bytes is then worth a word. */
  let refused = false;

  /** Reads, validates and applies the file; every refusal is one message and changes nothing. */
  async function applyFile(): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = readSeedBytes(file, shown);
    } catch (error) {
      if (!(error instanceof SeedError)) throw error;
      if (!saidMissing) warn(`idp-sandbox: ${error.message} ${STILL_SERVING}`);
      saidMissing = true;
      return;
    }
    saidMissing = false;
    if (applied?.equals(bytes)) {
      if (refused) log(`Seed ${shown} is back to what was last applied: nothing changed.`);
      refused = false;
      return;
    }
    try {
      const seed = parseSeedBytes(bytes, shown, options.env);
      validateSeed(seed);
      const result = await options.apply(seed.json);
      applied = bytes;
      refused = false;
      for (const line of describeApplied(shown, result)) log(line);
      for (const note of result.overwrites) warn(`warning: ${note}`);
    } catch (error) {
      // The same sentences as a bad seed at start (index.ts), and the same guarantee: nothing written.
      const refusal =
        error instanceof SeedError
          ? error
          : error instanceof AdminError
            ? seedNotApplied(shown, error.message)
            : undefined;
      if (!refusal) throw error;
      refused = true;
      warn(`idp-sandbox: ${refusal.message}\n${STILL_SERVING}`);
    }
  }

  /** One apply at a time; events during one make one more after it. */
  async function run(): Promise<void> {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await applyFile();
    } catch (error) {
      warn(`idp-sandbox: could not apply seed file ${shown}: ${(error as Error).message}`);
    } finally {
      running = false;
      if (again && !closed) {
        again = false;
        schedule();
      }
    }
  }

  function schedule(): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void run(), debounceMs);
  }

  // Not persistent: the watch alone does not keep the process running once the server has closed.
  const watcher = fs.watch(path.dirname(file), { persistent: false }, (_event, name) => {
    // Some platforms give no name: then any change in the folder is checked (the bytes decide).
    if (name === null || name === base) schedule();
  });
  watcher.on('error', (error) => {
    warn(`idp-sandbox: stopped watching seed file ${shown}: ${error.message}`);
  });
  // A save between the start's read and the watch beginning would otherwise go unnoticed.
  schedule();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}

/** The CLI's watch: applied through the engine's admin contract, reported on stdout and stderr. */
export function watchSeedFile(
  engine: { call(method: string, input: unknown): Promise<unknown> },
  seed: SeedJson,
): SeedWatch {
  return watchSeed({
    file: path.resolve(seed.shown),
    shown: seed.shown,
    applied: seed.bytes,
    apply: (document) => engine.call('workspace.applySeed', document) as Promise<SeedApplied>,
    log: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
  });
}
