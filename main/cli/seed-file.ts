import fs from 'node:fs';
import path from 'node:path';

/** A seed file that cannot be used; the message names the file and the problem. */
export class SeedError extends Error {}

/** A seed file read and parsed as JSON, not yet validated (seed.ts does that). */
export interface SeedJson {
  json: unknown;
  /** The file as the user should see it: relative to the working folder when inside it. */
  shown: string;
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/**
 * Reads a seed (workspace) file as JSON. Apart from the validation in seed.ts so that the CLI can read
 * it before loading the schemas (see beginInitialKey in index.ts).
 */
export function readSeedJson(file: string): SeedJson {
  const relative = path.relative(process.cwd(), file);
  // Outside the working folder a relative path ("../../seed.json") says less than the absolute one.
  const shown =
    relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SeedError(
      code === 'ENOENT'
        ? `seed file ${shown} does not exist.`
        : `cannot read seed file ${shown} (${code ?? 'error'}).`,
    );
  }
  try {
    return { json: JSON.parse(text), shown };
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? '' : ` at ${lineAndColumn(text, Number(position))}`;
    throw new SeedError(`seed file ${shown} is not valid JSON${where}: ${message}`);
  }
}
