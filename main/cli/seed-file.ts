import fs from 'node:fs';
import path from 'node:path';
import { JsonTextError, parseJsonBytes } from '../../shared/validation';
import { type Env, expandEnv } from './seed-env';

/** The file as the user should see it: relative to the working folder when inside it. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  // Outside the working folder a relative path ("../../seed.json") says less than the absolute one.
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : path.resolve(file);
}

/** A seed file that cannot be used; the message names the file and the problem. */
export class SeedError extends Error {}

/** A seed file read and parsed as JSON, not yet validated (seed.ts does that). */
export interface SeedJson {
  json: unknown;
  /** The file as the user should see it: relative to the working folder when inside it. */
  shown: string;
  /** The file's bytes as read: `--watch` applies the file again only when they change. */
  bytes: Buffer;
}

/**
 * Reads a seed (workspace) file as JSON, by the same parser as the admin API's request bodies, with its
 * `${NAME}` references expanded from `env`.
 * Apart from the validation in seed.ts so that the CLI can read it before loading the schemas (see
 * beginInitialKey in index.ts).
 */
export function readSeedJson(file: string, env: Env = process.env): SeedJson {
  const shown = shownPath(file);
  return parseSeedBytes(readSeedBytes(file, shown), shown, env);
}

/** The bytes of a seed file; a file that cannot be read is a SeedError naming it. */
export function readSeedBytes(file: string, shown: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SeedError(
      code === 'ENOENT'
        ? `seed file ${shown} does not exist.`
        : `cannot read seed file ${shown} (${code ?? 'error'}).`,
    );
  }
}

/** Parses a seed file's bytes and expands its `${NAME}` references (seed-env.ts). */
export function parseSeedBytes(bytes: Buffer, shown: string, env: Env = process.env): SeedJson {
  let json: unknown;
  try {
    json = parseJsonBytes(bytes);
  } catch (error) {
    if (!(error instanceof JsonTextError)) throw error;
    throw new SeedError(`seed file ${shown} ${error.message}`);
  }
  const expanded = expandEnv(json, env);
  if (expanded.problems.length) {
    const lines = expanded.problems.map(({ path, message }) => `  ${path}: ${message}`);
    throw new SeedError(
      `seed file ${shown} cannot be expanded from the environment; nothing was applied:\n${lines.join('\n')}`,
    );
  }
  return { json: expanded.json, shown, bytes };
}
