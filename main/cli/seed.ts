import { type ParsedWorkspace, WorkspaceSchema } from '../../shared/schemas';
import { validateInput } from '../../shared/validation';
import { SeedError, type SeedJson } from './seed-file';

/**
 * Validates a seed (workspace) file read by readSeedJson, as workspace.import validates its input.
 * Every problem names the file, the JSON path and what was expected, and nothing is applied unless
 * the whole file is valid.
 */
export function validateSeed({ json, shown }: SeedJson): ParsedWorkspace {
  const parsed = validateInput(WorkspaceSchema, json);
  if (!parsed.success) {
    const lines = parsed.problems.map((line) => `  ${line}`);
    throw new SeedError(`seed file ${shown} is invalid; nothing was applied:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
