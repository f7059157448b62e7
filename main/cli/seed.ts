import fs from 'node:fs';
import path from 'node:path';
import { type ParsedWorkspace, WorkspaceSchema } from '../../shared/schemas';
import { formatIssues } from '../../shared/validation';

export class SeedError extends Error {}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/**
 * Reads and validates a seed (workspace) file. Every problem names the file, the JSON path and what
 * was expected, and nothing is applied unless the whole file is valid.
 */
export function loadSeedFile(file: string): ParsedWorkspace {
  const shown = path.relative(process.cwd(), file) || file;
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? '' : ` at ${lineAndColumn(text, Number(position))}`;
    throw new SeedError(`seed file ${shown} is not valid JSON${where}: ${message}`);
  }
  const parsed = WorkspaceSchema.safeParse(json);
  if (!parsed.success) {
    const lines = formatIssues(parsed.error).map((line) => `  ${line}`);
    throw new SeedError(`seed file ${shown} is invalid; nothing was applied:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
