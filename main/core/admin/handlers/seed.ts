import { createHash } from 'node:crypto';
import type { AdminOutput, SeedApplied } from '../../../../shared/contract';
import type { ParsedWorkspace, Settings } from '../../../../shared/schemas';
import type { ProviderContext } from '../../provider/context';
import { clientDto } from '../../store/clients';
import { statement } from '../../store/database';
import { parseJson } from '../../store/json';
import { userDto } from '../../store/users';

/**
 * What the last seed wrote, per user and client: a hash of each field as stored right after seeding.
 * It lives in the settings table under a key that is no setting (the settings store ignores it, and
 * workspace.reset clears it with the rest), so marking seed-managed records needs no migration. Hashes,
 * not values: a password or client secret is not kept a second time.
 */
const SEED_STATE_KEY = 'seed_state';

type FieldHashes = Record<string, string>;
interface SeedState {
  users: Record<string, FieldHashes>;
  clients: Record<string, FieldHashes>;
}

/** JSON with object keys sorted, so reordered claims are not mistaken for a change. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function hashFields(fields: Record<string, unknown> | undefined): FieldHashes | undefined {
  if (!fields) return undefined;
  return Object.fromEntries(
    Object.entries(fields).map(([name, value]) => [
      name,
      createHash('sha256').update(stableJson(value)).digest('base64url'),
    ]),
  );
}

/** A stored user's fields as the seed sets them (the name is the key; times are not the seed's). */
function userFields(ctx: ProviderContext, username: string): FieldHashes | undefined {
  const user = ctx.users.findByUsername(username);
  if (!user) return undefined;
  const { username: _n, created_at: _c, updated_at: _u, ...fields } = userDto(user);
  return hashFields(fields);
}

function clientFields(ctx: ProviderContext, clientId: string): FieldHashes | undefined {
  const client = ctx.clients.find(clientId);
  if (!client) return undefined;
  const { client_id: _i, created_at: _c, updated_at: _u, ...fields } = clientDto(client);
  return hashFields(fields);
}

export function readSeedState(ctx: ProviderContext): SeedState | undefined {
  const row = statement(ctx.db, 'SELECT value FROM settings WHERE key = ?').get(SEED_STATE_KEY) as
    | { value: string }
    | undefined;
  return row ? parseJson<SeedState>(row.value) : undefined;
}

export function seedManaged(ctx: ProviderContext): AdminOutput<'workspace.seedManaged'> {
  const state = readSeedState(ctx);
  return { users: Object.keys(state?.users ?? {}), clients: Object.keys(state?.clients ?? {}) };
}

function changedFields(before: FieldHashes, after: FieldHashes): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => before[name] !== after[name]).sort();
}

interface Kind {
  label: 'user' | 'client';
  names: string[];
  fields: (name: string) => FieldHashes | undefined;
  seeded: Record<string, FieldHashes>;
}

type Snapshot = Map<string, FieldHashes | undefined>;

function snapshot(kind: Kind): Snapshot {
  return new Map(kind.names.map((name) => [name, kind.fields(name)]));
}

type RecordChanges = SeedApplied['users'];

/**
 * What the seed changed in one kind of record (added, updated with the fields, unchanged), one line
 * per record the seed overwrote where it was edited since the last seed (or made outside any seed),
 * naming the fields that changed; and the hashes of what the seed wrote.
 */
function recordChanges(
  kind: Kind,
  before: Snapshot,
): { changes: RecordChanges; notes: string[]; hashes: Record<string, FieldHashes> } {
  const changes: RecordChanges = { added: [], updated: [], unchanged: 0, no_longer_seeded: [] };
  const notes: string[] = [];
  const hashes: Record<string, FieldHashes> = {};
  for (const name of kind.names) {
    const after = kind.fields(name) ?? {};
    hashes[name] = after;
    const current = before.get(name);
    const seeded = kind.seeded[name];
    if (!current) {
      changes.added.push(name);
      if (seeded) notes.push(`seed recreates ${kind.label} ${name} (deleted in the UI)`);
      continue;
    }
    const overwritten = changedFields(current, after);
    if (!overwritten.length) {
      changes.unchanged += 1;
      continue;
    }
    changes.updated.push({ name, fields: overwritten });
    if (!seeded) {
      notes.push(
        `seed overwrites ${kind.label} ${name} (made in the UI, not by the seed: ${overwritten.join(', ')})`,
      );
      continue;
    }
    // Only fields edited since the last seed: a field the seed file itself changed is no surprise.
    const edited = overwritten.filter((field) => seeded[field] !== current[field]);
    if (edited.length)
      notes.push(`seed overwrites ${kind.label} ${name} (changed in the UI: ${edited.join(', ')})`);
  }
  const listed = new Set(kind.names);
  changes.no_longer_seeded = Object.keys(kind.seeded)
    .filter((name) => !listed.has(name))
    .sort();
  return { changes, notes, hashes };
}

/** Names of the settings whose value differs, in the settings' own order. */
function changedSettings(before: Settings, after: Settings): string[] {
  // By value: a setting may be a list or an object, read afresh after the write.
  return (Object.keys(after) as (keyof Settings)[]).filter(
    (key) => stableJson(before[key]) !== stableJson(after[key]),
  );
}

/**
 * Applies a seed through `apply` (the import) and records what it wrote, so the next start can say
 * what it overwrites and the UI can mark seed-managed records; answers what changed. Call inside the
 * import's transaction.
 */
export function applySeed(
  ctx: ProviderContext,
  seed: ParsedWorkspace,
  apply: () => void,
): Omit<SeedApplied, 'keys'> {
  const previous = readSeedState(ctx) ?? { users: {}, clients: {} };
  const users: Kind = {
    label: 'user',
    names: (seed.users ?? []).map((u) => u.username),
    fields: (name) => userFields(ctx, name),
    seeded: previous.users,
  };
  const clients: Kind = {
    label: 'client',
    names: (seed.clients ?? []).map((c) => c.client_id),
    fields: (id) => clientFields(ctx, id),
    seeded: previous.clients,
  };
  const before = [snapshot(users), snapshot(clients)] as const;
  const settingsBefore = ctx.settings.get();
  apply();
  const userResult = recordChanges(users, before[0]);
  const clientResult = recordChanges(clients, before[1]);
  const state: SeedState = { users: userResult.hashes, clients: clientResult.hashes };
  statement(
    ctx.db,
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(SEED_STATE_KEY, JSON.stringify(state));
  return {
    users: userResult.changes,
    clients: clientResult.changes,
    settings: changedSettings(settingsBefore, ctx.settings.get()),
    overwrites: [...userResult.notes, ...clientResult.notes],
  };
}
