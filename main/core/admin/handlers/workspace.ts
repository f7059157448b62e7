import type { AdminOutput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import { ROOT_ISSUER_ID } from '../../../../shared/issuers';
import type { KeyExport, ParsedWorkspace, SettingsPatch } from '../../../../shared/schemas';
import { jsonPath } from '../../../../shared/validation';
import { seconds } from '../../lib/clock';
import type { ProviderContext } from '../../provider/context';
import type { KeyManager } from '../../provider/key-manager';
import { type KeyRecord, keyFromExport } from '../../store/keys';
import { type AdminContext, type IssuerDirectory, inTransaction, type NamespaceHandlers } from './common';
import { applySeed, seedManaged } from './seed';
import { exportWorkspace } from './workspace-export';

export { exportWorkspace };

/** An import that passed every check that can be made before writing: its keys parsed, its settings final. */
export interface CheckedImport {
  keys: KeyRecord[];
  /** The imported key that signs from now on, if the import carries keys. */
  currentKey: KeyRecord | undefined;
  /** The settings to write: the imported ones, with signing_alg set to the current key's alg. */
  settings: SettingsPatch;
}

/** Runs one step of an import, prefixing a refusal with the JSON path of the entry at fault. */
function atPath<T>(path: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof AdminError) throw new AdminError(error.code, `${path}: ${error.message}`);
    throw error;
  }
}

/**
 * An import upserts by username and client_id, so the same name twice in one document would silently
 * keep only the last entry; it is refused instead.
 */
function assertUnique<K extends string>(entries: Record<K, string>[], list: string, field: K): void {
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const first = seen.get(entry[field]);
    if (first !== undefined) {
      throw new AdminError(
        'invalid_input',
        `${jsonPath([list, index, field])}: "${entry[field]}" appears twice in this import (also at ${jsonPath([list, first])}).`,
      );
    }
    seen.set(entry[field], index);
  });
}

/** Checks an exported key is a usable private key for its alg; a bad one is invalid input, not a crash. */
async function importKey(exported: KeyExport, index: number): Promise<KeyRecord> {
  try {
    return await keyFromExport(exported);
  } catch (error) {
    const reason =
      error instanceof AdminError
        ? error.message
        : `not a usable ${exported.alg} private key (${(error as Error).message}).`;
    throw new AdminError('invalid_input', `${jsonPath(['keys', index, 'private_jwk'])}: ${reason}`);
  }
}

/**
 * The checks of an import that need no database: its keys (async, so before the transaction), their
 * statuses, the signing algorithm they imply, and duplicate names. Refuses with the JSON path at fault.
 */
export async function checkImport(workspace: ParsedWorkspace): Promise<CheckedImport> {
  const keys = await Promise.all((workspace.keys ?? []).map(importKey));
  const currentKey = keys.find((k) => k.status === 'current');
  if (keys.length && keys.filter((k) => k.status === 'current').length !== 1) {
    throw new AdminError('invalid_input', 'keys: exactly one key must have status "current".');
  }
  if (keys.filter((k) => k.status === 'next').length > 1) {
    throw new AdminError('invalid_input', 'keys: at most one key can have status "next".');
  }
  const settings = { ...workspace.settings };
  if (currentKey && settings.signing_alg !== undefined && settings.signing_alg !== currentKey.alg) {
    throw new AdminError(
      'invalid_input',
      `settings.signing_alg: "${settings.signing_alg}" differs from the current key's alg "${currentKey.alg}"; the engine would replace the imported key at once.`,
    );
  }
  // Imported keys stay the signing keys only if the signing algorithm matches the current one.
  if (currentKey) settings.signing_alg = currentKey.alg;
  assertUnique(workspace.users ?? [], 'users', 'username');
  assertUnique(workspace.clients ?? [], 'clients', 'client_id');
  return { keys, currentKey, settings };
}

/** Writes a checked import; call inside one transaction, so it is applied at once or not at all. */
function applyImport(
  ctx: ProviderContext,
  workspace: ParsedWorkspace,
  { keys, currentKey, settings }: CheckedImport,
): AdminOutput<'workspace.import'> {
  const at = seconds(ctx.clock);
  if (workspace.settings || currentKey) ctx.settings.update(settings);
  for (const [index, input] of (workspace.users ?? []).entries()) {
    atPath(jsonPath(['users', index]), () => {
      const existing = ctx.users.findByUsername(input.username);
      if (existing) ctx.users.replace(existing, input, at);
      else ctx.users.create(input, at);
    });
  }
  for (const [index, input] of (workspace.clients ?? []).entries()) {
    atPath(jsonPath(['clients', index]), () => {
      const existing = ctx.clients.find(input.client_id);
      if (existing) ctx.clients.replace(existing, input, at);
      else ctx.clients.create(input, at);
    });
  }
  if (keys.length) {
    keys.forEach((key, index) => {
      if (key.status === 'current') return;
      // A staged key of the import joins the engine's keys unless another one is already staged.
      if (key.status === 'next' && ctx.keys.next()?.kid !== key.kid) {
        atPath(jsonPath(['keys', index]), () => ctx.keys.stage(key, key.activates_at));
      } else ctx.keys.insert(key);
    });
    if (currentKey) ctx.keys.install(currentKey, at);
  }
  return {
    users: workspace.users?.length ?? 0,
    clients: workspace.clients?.length ?? 0,
    keys: keys.length,
    settings: workspace.settings !== undefined,
  };
}

/** Imports a workspace document: users and clients are upserted by name, keys and settings replaced. */
export async function importWorkspace(
  { ctx, keyManager }: AdminContext,
  workspace: ParsedWorkspace,
): Promise<AdminOutput<'workspace.import'>> {
  const checked = await checkImport(workspace);
  const summary = inTransaction(ctx, () => {
    const result = applyImport(ctx, workspace, checked);
    ctx.events.record('workspace.imported', { data: result });
    return result;
  });
  await keyManager.ensureCurrent();
  return summary;
}

/**
 * A seed file, at start or again while running (workspace.applySeed): imported as workspace.import does,
 * in one transaction, remembering what it wrote (seed.ts). Answers what changed, with one line per user
 * or client it overwrote that was edited since the last seed, for the host to show.
 */
export async function applySeedFile(
  ctx: ProviderContext,
  keyManager: KeyManager,
  seed: ParsedWorkspace,
): Promise<AdminOutput<'workspace.applySeed'>> {
  const applied = await applySeedData(ctx, seed);
  await keyManager.ensureCurrent();
  return applied;
}

/** applySeedFile without the key check: a start runs that in the background (engine.ts). */
async function applySeedData(
  ctx: ProviderContext,
  seed: ParsedWorkspace,
): Promise<AdminOutput<'workspace.applySeed'>> {
  const checked = await checkImport(seed);
  return inTransaction(ctx, () => {
    let result: AdminOutput<'workspace.import'> | undefined;
    const changes = applySeed(ctx, seed, () => {
      result = applyImport(ctx, seed, checked);
    });
    ctx.events.record('workspace.imported', {
      data: { ...result, seed: true, overwrites: changes.overwrites },
    });
    return { ...changes, keys: checked.keys.length };
  });
}

/**
 * A start's seed file (applySeedFile), without the key check: the engine makes sure of the current
 * key itself, after this, while it already listens. Answers the lines the host shows about what it
 * overwrote.
 */
export async function importSeed(ctx: ProviderContext, seed: ParsedWorkspace): Promise<string[]> {
  return (await applySeedData(ctx, seed)).overwrites;
}

/** The issuer directory when this is the root issuer's service: only its documents hold other issuers. */
function sectionsHere(admin: AdminContext): IssuerDirectory | undefined {
  return admin.ctx.shape.id === ROOT_ISSUER_ID ? admin.issuers?.() : undefined;
}

/** The directory a document's `issuers` go to; refused at another issuer, whose documents are its own only. */
function sectionsFor(admin: AdminContext, workspace: ParsedWorkspace): IssuerDirectory | undefined {
  if (!workspace.issuers?.length) return undefined;
  const directory = sectionsHere(admin);
  if (!directory) {
    throw new AdminError(
      'invalid_input',
      `issuers: a document with other issuers is imported at the root issuer; this is issuer "${admin.ctx.shape.name}".`,
    );
  }
  return directory;
}

export function workspaceHandlers(admin: AdminContext): NamespaceHandlers<'workspace'> {
  const { ctx, keyManager } = admin;
  return {
    'workspace.export': async ({ include_keys }) => {
      const own = exportWorkspace(ctx, include_keys);
      const sections = (await sectionsHere(admin)?.exportSections(include_keys)) ?? [];
      return sections.length ? { ...own, issuers: sections } : own;
    },
    'workspace.import': async (workspace) => {
      const directory = sectionsFor(admin, workspace);
      if (directory && workspace.issuers) await directory.checkSections(workspace.issuers);
      const summary = await importWorkspace(admin, workspace);
      if (directory && workspace.issuers) await directory.importSections(workspace.issuers, 'import');
      return summary;
    },
    'workspace.seedManaged': () => seedManaged(ctx),
    'workspace.applySeed': async (seed) => {
      const directory = sectionsFor(admin, seed);
      if (directory && seed.issuers) await directory.checkSections(seed.issuers);
      const applied = await applySeedFile(ctx, keyManager, seed);
      if (!directory || !seed.issuers) return applied;
      const notes = await directory.importSections(seed.issuers, 'seed');
      return { ...applied, overwrites: [...applied.overwrites, ...notes] };
    },
    'workspace.reset': async () => {
      inTransaction(ctx, () => {
        ctx.tokens.deleteAll();
        ctx.grants.deleteAll();
        ctx.sessions.deleteAll();
        ctx.users.deleteAll();
        ctx.clients.deleteAll();
        ctx.keys.deleteAll();
        ctx.settings.reset();
        ctx.db.prepare('DELETE FROM events').run();
        ctx.events.record('workspace.reset');
      });
      await keyManager.ensureCurrent();
      return { reset: true as const };
    },
  };
}
