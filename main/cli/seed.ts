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

/**
 * A valid seed the engine refused as a whole (a subject another user already has, two current keys…):
 * the same sentence at start and on a --watch re-apply, since the transaction wrote nothing either way.
 */
export function seedNotApplied(shown: string, reason: string): SeedError {
  return new SeedError(`seed file ${shown} could not be applied; nothing was changed: ${reason}`);
}
