import type { AdminMethod, AdminOutput, AdminParsedInput } from '../../../shared/contract';
import { AdminError } from '../../../shared/errors';
import type { KeyExport, ParsedWorkspace } from '../../../shared/schemas';
import { jsonPath } from '../../../shared/validation';
import { isoFromSeconds, seconds } from '../clock';
import type { ProviderContext } from '../context';
import { customClaims, identityClaims, splitScope } from '../oauth/claims';
import { defaultAudience } from '../oauth/grants/issue';
import { inBatches, PURGE_BATCH } from '../retention';
import type { KeyManager } from '../signing';
import { clientDto, generateClientSecret } from '../store/clients';
import { type KeyRecord, keyDto, keyFromExport } from '../store/keys';
import { tokenDto } from '../store/tokens';
import { userDto } from '../store/users';
import { writeHttpsPreference } from '../tls/preference';
import { audClaim } from '../tokens/service';
import { VERSION } from '../version';
import { lookupToken, mintToken } from './mint';
import { runPlayground } from './playground';
import { tokenDetail } from './token-detail';

interface AdminContext {
  ctx: ProviderContext;
  keyManager: KeyManager;
  dataDir: string | null;
  startedAt: Date;
  port(): number;
  /** http(s)://HOST:PORT where the engine listens on this machine (the playground calls it). */
  localOrigin(): string;
  /** TLS state for engine.info; plain HTTP when absent. */
  https?(): AdminOutput<'engine.info'>['https'];
  /** PEM of the local CA when serving HTTPS (the playground trusts it). */
  localCa?(): string | undefined;
}

export type AdminHandlers = {
  [M in AdminMethod]: (input: AdminParsedInput<M>) => AdminOutput<M> | Promise<AdminOutput<M>>;
};

type Json = AdminOutput<'tokens.get'>['claims'];

const PLAIN_HTTP: AdminOutput<'engine.info'>['https'] = {
  enabled: false,
  caCertPath: null,
  trustCommands: [],
  nextStart: null,
};

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
 * The one admin service: the renderer (over IPC or HTTP), the seed loader and scripts all call it.
 * Inputs arrive already validated against the shared contract by `dispatchAdmin`. Every change runs
 * in one transaction together with its event, so nothing is half-written.
 */
export function createAdminService(admin: AdminContext): AdminHandlers {
  const { ctx, keyManager } = admin;
  const now = () => seconds(ctx.clock);
  const tx = <T>(fn: () => T): T => ctx.db.transaction(fn)();

  /** One token.revoked event per revoked token; call inside the revoking transaction. */
  function recordRevocations(ids: string[], data: Record<string, unknown>): void {
    for (const id of ids) {
      const token = ctx.tokens.findById(id);
      ctx.events.record('token.revoked', {
        client_id: token?.client_id,
        username: token?.username,
        token_id: id,
        data,
      });
    }
  }

  function revokeMatching(
    column: 'grant_id' | 'user_id' | 'client_id',
    value: string,
    reason: string,
  ): number {
    return tx(() => {
      const at = now();
      const ids = ctx.tokens.revokeWhere(column, value, reason, at);
      if (column === 'grant_id') ctx.grants.revoke(value, reason, at);
      recordRevocations(ids, { by: 'admin', scope: column });
      return ids.length;
    });
  }

  async function importWorkspace(workspace: ParsedWorkspace) {
    // Keys are checked (async) before the transaction; then everything is applied at once or not at all.
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
    const summary = tx(() => {
      const at = now();
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
      const result = {
        users: workspace.users?.length ?? 0,
        clients: workspace.clients?.length ?? 0,
        keys: keys.length,
        settings: workspace.settings !== undefined,
      };
      ctx.events.record('workspace.imported', { data: result });
      return result;
    });
    await keyManager.ensureCurrent();
    return summary;
  }

  return {
    'engine.info': () => ({
      issuer: ctx.issuer(),
      version: VERSION,
      dataDir: admin.dataDir,
      startedAt: admin.startedAt.toISOString(),
      discoveryUrl: `${ctx.issuer()}/.well-known/openid-configuration`,
      port: admin.port(),
      https: admin.https?.() ?? PLAIN_HTTP,
    }),
    'engine.setHttps': ({ enabled }) => {
      if ((admin.https?.().nextStart ?? null) === null || !admin.dataDir) {
        throw new AdminError(
          'invalid_input',
          'This host chooses HTTPS at start (idp-sandbox serve --https).',
        );
      }
      writeHttpsPreference(admin.dataDir, enabled);
      return { nextStart: enabled };
    },

    'settings.get': () => ctx.settings.get(),
    'settings.update': async (patch) => {
      const before = ctx.settings.get();
      const after = tx(() => {
        const next = ctx.settings.update(patch);
        const changed = Object.keys(patch).filter(
          (k) =>
            JSON.stringify(before[k as keyof typeof before]) !== JSON.stringify(next[k as keyof typeof next]),
        );
        if (changed.length) ctx.events.record('settings.changed', { data: { changed, settings: next } });
        return next;
      });
      if (after.signing_alg !== before.signing_alg) await keyManager.ensureCurrent();
      return after;
    },

    'users.list': ({ search }) => ctx.users.list(search).map(userDto),
    'users.get': ({ username }) => userDto(ctx.users.require(username)),
    'users.create': (input) =>
      tx(() => {
        const user = ctx.users.create(input, now());
        ctx.events.record('user.created', { username: user.username });
        return userDto(user);
      }),
    'users.update': ({ username, user: input }) =>
      tx(() => {
        const user = ctx.users.replace(ctx.users.require(username), input, now());
        if (user.username !== username) {
          // The user's tokens move with the rename, so filtering by the new name finds them.
          ctx.tokens.renameUser(user.id, user.username);
          ctx.grants.renameUser(user.id, user.username);
        }
        ctx.events.record('user.updated', { username: user.username, data: { previous_username: username } });
        return userDto(user);
      }),
    'users.delete': ({ username }) =>
      tx(() => {
        const user = ctx.users.require(username);
        const revoked = ctx.tokens.revokeWhere('user_id', user.id, 'user_deleted', now());
        ctx.users.delete(user.id);
        ctx.events.record('user.deleted', { username, data: { revoked_tokens: revoked.length } });
        return { deleted: true as const };
      }),
    'users.previewClaims': ({ username, client_id, scope }) => {
      const user = ctx.users.require(username);
      const client = client_id ? ctx.clients.require(client_id) : undefined;
      const scopes = splitScope(scope ?? client?.scope ?? 'openid profile email');
      const at = now();
      const aud = client?.client_id ?? '<client_id>';
      const accessAud = client ? defaultAudience(client) : ['<audience>'];
      return {
        id_token: {
          ...identityClaims(user.claims, scopes),
          iss: ctx.issuer(),
          sub: user.sub,
          aud,
          iat: at,
          exp: at + (client?.id_token_ttl ?? ctx.settings.get().id_token_ttl),
          auth_time: at,
        } as Json,
        access_token: {
          ...customClaims(user.claims),
          iss: ctx.issuer(),
          sub: user.sub,
          aud: audClaim(accessAud),
          client_id: aud,
          scope: scopes.join(' '),
          iat: at,
          exp: at + (client?.access_token_ttl ?? ctx.settings.get().access_token_ttl),
        } as Json,
        userinfo: { ...identityClaims(user.claims, scopes), sub: user.sub } as Json,
      };
    },

    'clients.list': () => ctx.clients.list().map(clientDto),
    'clients.get': ({ client_id }) => clientDto(ctx.clients.require(client_id)),
    'clients.create': (input) =>
      tx(() => {
        const client = ctx.clients.create(input, now());
        ctx.events.record('client.created', { client_id: client.client_id });
        return clientDto(client);
      }),
    'clients.update': (input) =>
      tx(() => {
        const client = ctx.clients.replace(ctx.clients.require(input.client_id), input, now());
        ctx.events.record('client.updated', { client_id: client.client_id });
        return clientDto(client);
      }),
    'clients.delete': ({ client_id }) =>
      tx(() => {
        ctx.clients.require(client_id);
        const revoked = ctx.tokens.revokeWhere('client_id', client_id, 'client_deleted', now());
        ctx.clients.delete(client_id);
        ctx.events.record('client.deleted', { client_id, data: { revoked_tokens: revoked.length } });
        return { deleted: true as const };
      }),
    'clients.regenerateSecret': ({ client_id }) =>
      tx(() => {
        const existing = ctx.clients.require(client_id);
        if (existing.token_endpoint_auth_method === 'none') {
          throw new AdminError(
            'conflict',
            `Client "${client_id}" is public (auth method "none") and has no secret.`,
          );
        }
        const client = ctx.clients.replace(
          existing,
          { ...existing, client_secret: generateClientSecret() },
          now(),
        );
        ctx.events.record('client.updated', { client_id, data: { secret_regenerated: true } });
        return clientDto(client);
      }),

    'tokens.list': (filter) => {
      const at = now();
      const { tokens, total } = ctx.tokens.list(filter, at);
      return { tokens: tokens.map((t) => tokenDto(t, at)), total };
    },
    'tokens.get': ({ id }) => {
      const record = ctx.tokens.findById(id);
      if (!record) throw new AdminError('not_found', `No token with id "${id}".`);
      return tokenDetail(ctx, record);
    },
    'tokens.mint': (input) => mintToken(ctx, input),
    'tokens.lookup': ({ value }) => lookupToken(ctx, value),
    'playground.run': (input) =>
      runPlayground({ ctx, localOrigin: admin.localOrigin, localCa: admin.localCa }, input),
    'tokens.revoke': ({ id }) =>
      tx(() => {
        const token = ctx.tokens.findById(id);
        if (!token) throw new AdminError('not_found', `No token with id "${id}".`);
        const changed = ctx.tokens.revoke(id, 'revoked_by_admin', now());
        if (changed) {
          ctx.events.record('token.revoked', {
            client_id: token.client_id,
            username: token.username,
            token_id: id,
            data: { by: 'admin', scope: 'token' },
          });
        }
        return { revoked: changed ? 1 : 0 };
      }),
    'tokens.revokeGrant': ({ grant_id }) => {
      if (!ctx.grants.find(grant_id)) throw new AdminError('not_found', `No grant with id "${grant_id}".`);
      return { revoked: revokeMatching('grant_id', grant_id, 'revoked_by_admin') };
    },
    'tokens.revokeUser': ({ username }) => ({
      revoked: revokeMatching('user_id', ctx.users.require(username).id, 'revoked_by_admin'),
    }),
    'tokens.revokeClient': ({ client_id }) => {
      ctx.clients.require(client_id);
      return { revoked: revokeMatching('client_id', client_id, 'revoked_by_admin') };
    },
    'tokens.purgeExpired': async () => {
      const cutoff = now();
      const purged = await inBatches(ctx, () => ctx.tokens.purgeExpiredBefore(cutoff, PURGE_BATCH));
      tx(() => {
        ctx.codes.purgeExpiredBefore(cutoff);
        if (purged) ctx.events.record('tokens.purged', { data: { purged } });
      });
      return { purged };
    },

    'keys.list': () => {
      // Reading the current key activates a staged key whose time has come, so the list is never stale.
      ctx.keys.current();
      return ctx.keys.list().map(keyDto);
    },
    'keys.rotate': async ({ alg }) => keyDto(await keyManager.rotate(alg)),
    'keys.stage': async ({ alg, activate_after_seconds }) =>
      keyDto(await keyManager.stage({ alg, activateAfterSeconds: activate_after_seconds })),
    'keys.activate': ({ kid }) => keyDto(keyManager.activate(kid)),
    'keys.retire': ({ kid }) =>
      tx(() => {
        const was = ctx.keys.find(kid)?.status;
        const key = ctx.keys.retire(kid, now());
        // Tokens signed with it can no longer be verified by anyone: they are revoked, not "active".
        const revoked = ctx.tokens.revokeSignedBy(kid, 'key_retired', now());
        ctx.events.record('key.retired', { data: { kid, was: was ?? null, revoked_tokens: revoked.length } });
        recordRevocations(revoked, { by: 'key_retired', kid });
        return keyDto(key);
      }),

    'events.list': (filter) => ctx.events.list(filter),

    'workspace.export': ({ include_keys }) => {
      const workspace: ParsedWorkspace = {
        settings: ctx.settings.get(),
        users: ctx.users.list().map((u) => ({
          username: u.username,
          ...(u.password !== null ? { password: u.password } : {}),
          sub: u.sub,
          claims: u.claims as Json,
        })),
        clients: ctx.clients.list().map(({ created_at: _c, updated_at: _u, ...metadata }) => metadata),
      };
      if (include_keys) {
        workspace.keys = ctx.keys
          .list()
          .filter((k) => k.status !== 'retired')
          .map((k) => ({
            kid: k.kid,
            alg: k.alg,
            status: k.status,
            created_at: new Date(k.created_at * 1000).toISOString(),
            ...(k.activates_at === null ? {} : { activates_at: isoFromSeconds(k.activates_at) }),
            private_jwk: k.private_jwk as Json,
          }));
      }
      return workspace;
    },
    'workspace.import': (workspace) => importWorkspace(workspace),
    'workspace.reset': async () => {
      tx(() => {
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
