import type { AdminMethod, AdminOutput, AdminParsedInput } from '../../../../shared/contract';
import type { IssuerSummary } from '../../../../shared/issuers';
import type { IssuerSection } from '../../../../shared/schemas';
import type { ProviderContext } from '../../provider/context';
import type { KeyManager } from '../../provider/key-manager';

/** What the admin handlers need from the engine that hosts them. */
/** The workspace's issuers, as the issuers.* methods change them (core/issuers.ts). */
export interface IssuerDirectory {
  list(): IssuerSummary[];
  create(input: AdminParsedInput<'issuers.create'>): Promise<IssuerSummary>;
  update(input: AdminParsedInput<'issuers.update'>): Promise<IssuerSummary>;
  clone(input: AdminParsedInput<'issuers.clone'>): Promise<IssuerSummary>;
  remove(id: string): Promise<{ deleted: true }>;
  /** The other issuers as sections of a workspace export. */
  exportSections(includeKeys: boolean): Promise<IssuerSection[]>;
  /** Refuses a document's issuer sections that could not be imported, before anything is written. */
  checkSections(sections: readonly IssuerSection[]): Promise<void>;
  /** A document's issuer sections, created where missing and imported (or seeded) each in its issuer. */
  importSections(sections: readonly IssuerSection[], as: 'import' | 'seed'): Promise<string[]>;
}

export interface AdminContext {
  ctx: ProviderContext;
  keyManager: KeyManager;
  /** Every issuer's admin service reaches the same directory; absent for a service built without an engine. */
  issuers?(): IssuerDirectory;
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

/** The handler of one contract method: it gets the input as the contract parsed it. */
export type AdminHandler<M extends AdminMethod> = (
  input: AdminParsedInput<M>,
) => AdminOutput<M> | Promise<AdminOutput<M>>;

/** One handler per contract method: a table without one of them does not compile. */
export type AdminHandlers = { [M in AdminMethod]: AdminHandler<M> };

/** The first part of a contract method's name: "users" of "users.create". */
export type AdminNamespace = AdminMethod extends `${infer NS}.${string}` ? NS : never;

/** The handlers of one namespace: `NamespaceHandlers<'users'>` has exactly the `users.*` methods. */
export type NamespaceHandlers<NS extends AdminNamespace> = {
  [M in AdminMethod as M extends `${NS}.${string}` ? M : never]: AdminHandler<M>;
};

/** Any JSON value the contract passes through unchanged (claims, private JWKs). */
export type Json = AdminOutput<'tokens.get'>['claims'];

/** Runs `fn` in one transaction, so a change and its event are written together or not at all. */
export function inTransaction<T>(ctx: ProviderContext, fn: () => T): T {
  return ctx.db.transaction(fn)();
}

/** One token.revoked event per revoked token; call inside the revoking transaction. */
export function recordRevocations(ctx: ProviderContext, ids: string[], data: Record<string, unknown>): void {
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
