/**
 * The id of the issuer at the engine's origin; admin calls without an issuer go to it. In a module of
 * its own, without zod, because the engine's live path (main/core/http/live-batches.ts) needs it and
 * the CLI's launcher loads that path.
 */
export const ROOT_ISSUER_ID = 'root';
