/**
 * The admin contract (shared/contract.ts: a zod schema for every method's input and output) and the
 * dispatch that validates against it, loaded on the first admin call rather than at start. Building
 * those schemas was the largest piece of module setup in a headless cold start, and a start answers
 * protocol requests without them: the seed is checked with WorkspaceSchema, and what the CLI reads
 * before it prints "ready" (settings.get, issuers.list) takes no input (main/cli/index.ts).
 */
type Dispatch = typeof import('./dispatch');

let loading: Promise<Dispatch> | undefined;

/** The dispatch module; the first call loads it, later ones get the same module. */
export function adminDispatch(): Promise<Dispatch> {
  loading ??= import('./dispatch');
  return loading;
}
