import fs from 'node:fs';
import path from 'node:path';
import { JsonTextError, parseJsonBytes } from '../../shared/validation';

/** A seed file that cannot be used; the message names the file and the problem. */
export class SeedError extends Error {}

/** A seed file read and parsed as JSON, not yet validated (seed.ts does that). */
export interface SeedJson {
  json: unknown;
  /** The file as the user should see it: relative to the working folder when inside it. */
  shown: string;
}

/**
 * Reads a seed (workspace) file as JSON, by the same parser as the admin API's request bodies.
 * Apart from the validation in seed.ts so that the CLI can read it before loading the schemas (see
 * beginInitialKey in index.ts).
 */
export function readSeedJson(file: string): SeedJson {
  const relative = path.relative(process.cwd(), file);
  // Outside the working folder a relative path ("../../seed.json") says less than the absolute one.
  const shown =
    relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : path.resolve(file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SeedError(
      code === 'ENOENT'
        ? `seed file ${shown} does not exist.`
        : `cannot read seed file ${shown} (${code ?? 'error'}).`,
    );
  }
  try {
    return { json: parseJsonBytes(bytes), shown };
  } catch (error) {
    if (!(error instanceof JsonTextError)) throw error;
    throw new SeedError(`seed file ${shown} ${error.message}`);
  }
}
