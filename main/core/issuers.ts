import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AdminError } from '../../shared/errors';
import {
  type AdminScope,
  ALL_ISSUERS,
  type IssuerProfile,
  type IssuerSummary,
  ROOT_ISSUER_ID,
} from '../../shared/issuers';
import type { EventType, IssuerSection } from '../../shared/schemas';
import { adminDispatch } from './admin/contract-loader';
import { checkImport } from './admin/handlers/workspace';
import type { AdminHandlers } from './admin/service';
import type { IssuerRouter } from './http/server';
import { type Clock, isoFromSeconds, seconds } from './lib/clock';
import { createProviderContext, type ProviderContext } from './provider/context';
import { createKeyManager, type KeyManager } from './provider/key-manager';
import { type IssuerShape, issuerShape } from './provider/profiles';
import { purgeHistory } from './provider/retention';
import { type Db, openDatabase, statement } from './store/database';
import type { EventInterest, RecordedEvent } from './store/events';
import type { JwtSigner } from './tokens/signer';

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/** One issuer of the workspace while the engine runs: its stores, keys, admin service and app. */
export interface IssuerRuntime {
  readonly ctx: ProviderContext;
  readonly keyManager: KeyManager;
  readonly admin: AdminHandlers;
  displayName: string;
  readonly createdAt: number | null;
  /** The app its requests are handed to; null for the root issuer, which the listening app serves. */
  app: FastifyInstance | null;
  stop(): Promise<void>;
}

interface IssuerRow {
  id: string;
  name: string;
  profile: IssuerProfile;
  display_name: string;
  created_at: number;
}

/** What the engine gives every issuer it opens. */
export interface IssuerDeps {
  /** The data folder; null in memory, where every issuer's database is in memory too. */
  dataDir: string | null;
  nativeBinding: string | undefined;
  hostClock: Clock;
  signer: JwtSigner;
  /** The engine's public origin: the root issuer's identifier. */
  origin(): string;
  /** The admin service of one issuer. */
  adminFor(ctx: ProviderContext, keyManager: KeyManager): AdminHandlers;
  /** Its protocol app (http/server.ts createIssuerApp), loaded lazily with the HTTP layer. */
  createApp(ctx: ProviderContext): Promise<FastifyInstance>;
}

/** Where an issuer's database lives: a folder per id, so a rename moves nothing. */
function issuerDir(dataDir: string, id: string): string {
  return path.join(dataDir, 'issuers', id);
}

/** Stops the purge schedule, key work and writes of one issuer, and closes its database. */
function stopper(ctx: ProviderContext, keyManager: KeyManager, purge: NodeJS.Timeout | null) {
  return async () => {
    if (purge) clearInterval(purge);
    ctx.faults.close();
    keyManager.close();
    ctx.writes.flush();
    ctx.db.close();
  };
}

/** The root issuer's runtime; the engine made its context and key manager before anything else. */
export function rootRuntime(
  ctx: ProviderContext,
  keyManager: KeyManager,
  admin: AdminHandlers,
): IssuerRuntime {
  const purge = setInterval(() => void purgeHistory(ctx), PURGE_INTERVAL_MS);
  purge.unref();
  return {
    ctx,
    keyManager,
    admin,
    displayName: 'Root issuer',
    createdAt: null,
    app: null,
    stop: stopper(ctx, keyManager, purge),
  };
}

/**
 * The workspace's issuers. The root one is the engine's own database; the others are listed in its
 * `issuers` table, each with a database of its own, opened at start and when created.
 */
export class Issuers {
  private readonly runtimes = new Map<string, IssuerRuntime>();
  private readonly listeners = new Set<{ listener: (event: RecordedEvent) => void; wants: EventInterest }>();
  private readonly unsubscribes = new Map<string, () => void>();
  /** Route prefixes, longest first, so /realms/a never takes /realms/ab's requests. */
  private prefixes: { prefix: string; under: string; runtime: IssuerRuntime }[] = [];
  /** RFC 8414 §3.1's inserted discovery paths, which lie outside their issuer's prefix. */
  private exactPaths = new Map<string, IssuerRuntime>();

  constructor(
    readonly root: IssuerRuntime,
    private readonly deps: IssuerDeps,
  ) {
    this.add(root);
  }

  private get rootDb(): Db {
    return this.root.ctx.db;
  }

  /** Opens every stored issuer; called once at start, before the engine listens. */
  async openStored(): Promise<void> {
    const rows = statement<[], IssuerRow>(
      this.rootDb,
      'SELECT id, name, profile, display_name, created_at FROM issuers ORDER BY created_at, id',
    ).all();
    for (const row of rows) this.add(await this.open(row));
    this.reindex();
  }

  private async open(row: IssuerRow): Promise<IssuerRuntime> {
    const { deps } = this;
    const db = openDatabase({
      dataDir: deps.dataDir ? issuerDir(deps.dataDir, row.id) : undefined,
      nativeBinding: deps.nativeBinding,
    });
    let keyManager: KeyManager | undefined;
    try {
      const shape = issuerShape(row.id, row.name, row.profile);
      const ctx = createProviderContext(db, deps.hostClock, deps.origin, deps.signer, shape);
      keyManager = createKeyManager(ctx);
      await keyManager.ensureCurrent();
      const admin = deps.adminFor(ctx, keyManager);
      const app = await deps.createApp(ctx);
      const purge = setInterval(() => void purgeHistory(ctx), PURGE_INTERVAL_MS);
      purge.unref();
      const stop = stopper(ctx, keyManager, purge);
      const runtime: IssuerRuntime = {
        ctx,
        keyManager,
        admin,
        displayName: row.display_name,
        createdAt: row.created_at,
        app,
        async stop() {
          await runtime.app?.close();
          await stop();
        },
      };
      return runtime;
    } catch (error) {
      keyManager?.close();
      db.close();
      throw error;
    }
  }

  private add(runtime: IssuerRuntime): void {
    const id = runtime.ctx.shape.id;
    this.runtimes.set(id, runtime);
    this.unsubscribes.set(
      id,
      // Every token issued is an event: nothing is built or copied unless a listener wants its type
      // (the event carries its issuer's id: the context's log was made with it).
      runtime.ctx.events.subscribe(
        (event) => {
          for (const { listener, wants } of this.listeners) if (wants(event.type)) listener(event);
        },
        (type) => this.wanted(type),
      ),
    );
  }

  private reindex(): void {
    this.prefixes = [...this.runtimes.values()]
      .filter((runtime) => runtime.app)
      // `under`: the prefix and a slash, joined here rather than for every request the dispatch sees.
      .map((runtime) => {
        const prefix = runtime.ctx.shape.routePrefix;
        return { prefix, under: `${prefix}/`, runtime };
      })
      .sort((a, b) => b.prefix.length - a.prefix.length);
    this.exactPaths = new Map();
    for (const { runtime } of this.prefixes) {
      for (const doc of runtime.ctx.paths.discovery) {
        if (!doc.startsWith(`${runtime.ctx.shape.routePrefix}/`)) this.exactPaths.set(doc, runtime);
      }
    }
  }

  /** The http server's dispatch: which other issuer's app takes a request, by its path. */
  readonly route: IssuerRouter = (url) => {
    if (this.prefixes.length === 0) return undefined;
    const query = url.indexOf('?');
    const pathname = query < 0 ? url : url.slice(0, query);
    const exact = this.exactPaths.get(pathname);
    if (exact) return exact.app?.routing;
    for (const { prefix, under, runtime } of this.prefixes) {
      if (pathname === prefix || pathname.startsWith(under)) return runtime.app?.routing;
    }
    return undefined;
  };

  /** Every issuer's context, the root one first. */
  contexts(): ProviderContext[] {
    return [...this.runtimes.values()].map((runtime) => runtime.ctx);
  }

  /** Every issuer's live events as recorded (built by a listener that keeps one), each of its issuer. */
  subscribe(listener: (event: RecordedEvent) => void, wants: EventInterest = () => true): () => void {
    const entry = { listener, wants };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  private wanted(type: EventType): boolean {
    for (const { wants } of this.listeners) if (wants(type)) return true;
    return false;
  }

  summary(runtime: IssuerRuntime): IssuerSummary {
    const { ctx } = runtime;
    return {
      id: ctx.shape.id,
      name: ctx.shape.name,
      display_name: runtime.displayName,
      profile: ctx.shape.profile,
      issuer: ctx.issuer(),
      discovery_url: `${ctx.origin()}${ctx.paths.discovery[0]}`,
      created_at: runtime.createdAt === null ? null : isoFromSeconds(runtime.createdAt),
    };
  }

  list(): IssuerSummary[] {
    return [...this.runtimes.values()].map((runtime) => this.summary(runtime));
  }

  /** The issuer a call's scope names, by id or by name; the root issuer when it names none. */
  resolve(scope: AdminScope | undefined): IssuerRuntime {
    const wanted = scope?.issuer;
    if (wanted === undefined || wanted === '' || wanted === ROOT_ISSUER_ID) return this.root;
    const byId = this.runtimes.get(wanted);
    if (byId) return byId;
    for (const runtime of this.runtimes.values()) if (runtime.ctx.shape.name === wanted) return runtime;
    throw new AdminError(
      'not_found',
      `No issuer "${wanted}". The workspace has: ${this.list()
        .map((issuer) => issuer.name || ROOT_ISSUER_ID)
        .join(', ')}.`,
    );
  }

  private other(id: string): IssuerRuntime {
    const runtime = this.resolve({ issuer: id });
    if (runtime === this.root) {
      throw new AdminError('invalid_input', 'The root issuer cannot be renamed, re-shaped or deleted.');
    }
    return runtime;
  }

  /** Refuses a name or route prefix another issuer already has. */
  private assertFree(shape: IssuerShape, except?: IssuerRuntime): void {
    for (const runtime of this.runtimes.values()) {
      if (runtime === except || runtime === this.root) continue;
      if (runtime.ctx.shape.name === shape.name) {
        throw new AdminError('conflict', `An issuer named "${shape.name}" exists already.`);
      }
      if (runtime.ctx.shape.routePrefix === shape.routePrefix) {
        throw new AdminError(
          'conflict',
          `Issuer "${runtime.ctx.shape.name}" answers at ${shape.routePrefix} already.`,
        );
      }
    }
  }

  private recordOnRoot(type: 'issuer.created' | 'issuer.updated' | 'issuer.deleted', summary: IssuerSummary) {
    this.root.ctx.events.record(type, {
      data: { id: summary.id, name: summary.name, profile: summary.profile, issuer: summary.issuer },
    });
  }

  async create(input: { name: string; profile: IssuerProfile; display_name?: string | undefined }) {
    const row: IssuerRow = {
      id: randomBytes(6).toString('hex'),
      name: input.name,
      profile: input.profile,
      display_name: input.display_name ?? input.name,
      created_at: seconds(this.root.ctx.clock),
    };
    this.assertFree(issuerShape(row.id, row.name, row.profile));
    // The row goes in once the issuer's database opened: a start never finds a row it cannot open.
    const runtime = await this.open(row);
    try {
      statement(
        this.rootDb,
        'INSERT INTO issuers (id, name, profile, display_name, created_at) VALUES (@id, @name, @profile, @display_name, @created_at)',
      ).run(row);
    } catch (error) {
      await runtime.stop();
      this.removeFolder(row.id);
      throw error;
    }
    this.add(runtime);
    this.reindex();
    const summary = this.summary(runtime);
    this.recordOnRoot('issuer.created', summary);
    return summary;
  }

  async update(input: {
    id: string;
    name?: string | undefined;
    profile?: IssuerProfile | undefined;
    display_name?: string | undefined;
  }) {
    const runtime = this.other(input.id);
    const { shape } = runtime.ctx;
    const next = issuerShape(shape.id, input.name ?? shape.name, input.profile ?? shape.profile);
    this.assertFree(next, runtime);
    const displayName = input.display_name ?? runtime.displayName;
    const moved = next.routePrefix !== shape.routePrefix || next.issuerPath !== shape.issuerPath;
    // The routes were made from the old paths: a new app serves the new ones, and the old one closes.
    const oldApp = runtime.app;
    if (moved || next.profile !== shape.profile) {
      runtime.ctx.shape = next;
      try {
        runtime.app = await this.deps.createApp(runtime.ctx);
      } catch (error) {
        runtime.ctx.shape = shape;
        throw error;
      }
    }
    statement(this.rootDb, 'UPDATE issuers SET name = ?, profile = ?, display_name = ? WHERE id = ?').run(
      next.name,
      next.profile,
      displayName,
      shape.id,
    );
    runtime.displayName = displayName;
    this.reindex();
    if (oldApp && oldApp !== runtime.app) await oldApp.close();
    const summary = this.summary(runtime);
    this.recordOnRoot('issuer.updated', summary);
    return summary;
  }

  /** A new issuer with the users, clients and settings of another (not its keys, tokens or history). */
  async clone(input: {
    id: string;
    name: string;
    profile?: IssuerProfile | undefined;
    display_name?: string | undefined;
  }) {
    const source = this.resolve({ issuer: input.id });
    const workspace = await source.admin['workspace.export']({ include_keys: false });
    const summary = await this.create({
      name: input.name,
      profile: input.profile ?? source.ctx.shape.profile,
      display_name: input.display_name,
    });
    const target = this.resolve({ issuer: summary.id });
    try {
      await (await adminDispatch()).dispatchAdmin(target.admin, 'workspace.import', workspace);
    } catch (error) {
      await this.remove(summary.id);
      throw error;
    }
    return summary;
  }

  async remove(id: string): Promise<{ deleted: true }> {
    const runtime = this.other(id);
    const summary = this.summary(runtime);
    statement(this.rootDb, 'DELETE FROM issuers WHERE id = ?').run(summary.id);
    this.runtimes.delete(summary.id);
    this.unsubscribes.get(summary.id)?.();
    this.unsubscribes.delete(summary.id);
    this.reindex();
    await runtime.stop();
    this.removeFolder(summary.id);
    this.recordOnRoot('issuer.deleted', summary);
    return { deleted: true };
  }

  /**
   * A list or count for every issuer (scope "*"), each row tagged with its issuer: tokens.list (merged
   * by its order's time, keyset cursors holding a position per issuer: issuer-lists.ts), tokens.count
   * and events.count (summed), and events.list (the newest events of each, merged newest first,
   * without id cursors, which count one issuer's events).
   */
  async listAll(method: string, input: unknown): Promise<unknown> {
    const runtimes = [...this.runtimes.values()];
    const listed = runtimes.map((runtime) => ({ id: runtime.ctx.shape.id, admin: runtime.admin }));
    // Like the contract they validate against, loaded with the first call (admin/contract-loader.ts).
    if (method === 'tokens.list') return (await import('./issuer-lists')).tokensOfAll(listed, input);
    if (method === 'tokens.count' || method === 'events.count')
      return (await import('./issuer-lists')).countOfAll(listed, method, input);
    if (method === 'events.page') {
      throw new AdminError(
        'invalid_input',
        'events.page pages one issuer’s events (its before_id counts that issuer’s events): name an issuer, or use events.list for the newest events of every issuer.',
      );
    }
    if (method === 'events.list') {
      const filter = (await adminDispatch()).validated('events.list', input);
      if (filter.after_id !== undefined || filter.before_id !== undefined) {
        throw new AdminError(
          'invalid_input',
          'events.list for every issuer takes no after_id or before_id: event ids count one issuer’s events. Name an issuer to page.',
        );
      }
      const lists = await Promise.all(
        runtimes.map(async (runtime) =>
          (await runtime.admin['events.list'](filter)).map((event) => ({
            ...event,
            issuer: runtime.ctx.shape.id,
          })),
        ),
      );
      const events = lists.flat();
      events.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
      return events.slice(0, filter.limit);
    }
    throw new AdminError(
      'invalid_input',
      `${method} answers for one issuer; only tokens.list, tokens.count, events.list and events.count take the scope "${ALL_ISSUERS}" (every issuer).`,
    );
  }

  /** The other issuers as sections of a workspace document, by name, so an export diffs cleanly. */
  async exportSections(includeKeys: boolean): Promise<IssuerSection[]> {
    const sections: IssuerSection[] = [];
    const others = [...this.runtimes.values()].filter((runtime) => runtime !== this.root);
    others.sort((a, b) => (a.ctx.shape.name < b.ctx.shape.name ? -1 : 1));
    for (const runtime of others) {
      const { name, profile } = runtime.ctx.shape;
      const contents = await runtime.admin['workspace.export']({ include_keys: includeKeys });
      sections.push({ name, profile, display_name: runtime.displayName, ...contents });
    }
    return sections;
  }

  /**
   * What can be checked of a document's issuer sections before anything is written: each name and path
   * is free (or the issuer's own), and each section's keys and settings make a valid import.
   */
  async checkSections(sections: readonly IssuerSection[]): Promise<void> {
    const byName = new Map([...this.runtimes.values()].map((runtime) => [runtime.ctx.shape.name, runtime]));
    for (const [index, { name, profile, display_name: _, ...contents }] of sections.entries()) {
      const existing = byName.get(name);
      try {
        this.assertFree(issuerShape(existing?.ctx.shape.id ?? 'new', name, profile), existing);
        await checkImport(contents);
      } catch (error) {
        if (error instanceof AdminError)
          throw new AdminError(error.code, `issuers[${index}]: ${error.message}`);
        throw error;
      }
    }
  }

  /**
   * Imports a document's issuer sections: an issuer of that name is created when missing and given the
   * section's profile and label, then its contents are imported (or applied as a seed, remembering what
   * the seed wrote) in that issuer's own transaction. Callers check the sections first (checkSections),
   * before they write anything of the document. Answers the notes of what a seed overwrote, each naming
   * its issuer.
   */
  async importSections(sections: readonly IssuerSection[], as: 'import' | 'seed'): Promise<string[]> {
    const byName = new Map([...this.runtimes.values()].map((runtime) => [runtime.ctx.shape.name, runtime]));
    const notes: string[] = [];
    const { dispatchAdmin } = await adminDispatch();
    for (const { name, profile, display_name, ...contents } of sections) {
      const existing = byName.get(name);
      const runtime = existing
        ? existing
        : this.resolve({ issuer: (await this.create({ name, profile, display_name })).id });
      if (
        existing &&
        (existing.ctx.shape.profile !== profile || (display_name && display_name !== existing.displayName))
      ) {
        await this.update({ id: existing.ctx.shape.id, profile, display_name });
      }
      if (as === 'import') {
        await dispatchAdmin(runtime.admin, 'workspace.import', contents);
      } else {
        const applied = (await dispatchAdmin(runtime.admin, 'workspace.applySeed', contents)) as {
          overwrites: string[];
        };
        notes.push(...applied.overwrites.map((note) => `issuer ${name}: ${note}`));
      }
    }
    return notes;
  }

  private removeFolder(id: string): void {
    if (this.deps.dataDir) fs.rmSync(issuerDir(this.deps.dataDir, id), { recursive: true, force: true });
  }

  /** Stops every issuer but the root one, which the engine closes last. */
  async closeOthers(): Promise<void> {
    for (const [id, runtime] of this.runtimes) {
      if (runtime === this.root) continue;
      this.unsubscribes.get(id)?.();
      await runtime.stop();
    }
  }
}
