import type { QueryClient, QueryKey } from '@tanstack/react-query';
import type { AdminMethod } from '../../../shared/contract';
import type { EventType } from '../../../shared/schemas';

type NamespaceOf<M extends string> = M extends `${infer NS}.${string}` ? NS : never;

/** The part of an admin method's name before the dot: "users" for "users.list". */
export type AdminNamespace = NamespaceOf<AdminMethod>;

/**
 * What a change makes stale. A namespace covers every query of its methods ("users": users.list and
 * users.previewClaims); a method name covers only that method's queries, for where the whole
 * namespace would refetch more than the change touched.
 */
export type InvalidationTarget = AdminNamespace | AdminMethod;

export function namespaceOf(method: AdminMethod): AdminNamespace {
  return method.slice(0, method.indexOf('.')) as AdminNamespace;
}

/**
 * Whether a query key belongs to a target. Every query key starts with the name of the admin method
 * that serves it (see adminQueryKey), or a name under its namespace for data derived from one
 * ("keys.jwks"), so the first element says which targets it falls under.
 */
export function keyIsUnder(key: QueryKey, target: InvalidationTarget): boolean {
  const method = key[0];
  return typeof method === 'string' && (method === target || method.startsWith(`${target}.`));
}

/** Marks the queries of these targets stale; mounted ones refetch. */
export function invalidateTargets(queryClient: QueryClient, targets: readonly InvalidationTarget[]) {
  return queryClient.invalidateQueries({
    predicate: (query) => targets.some((target) => keyIsUnder(query.queryKey, target)),
  });
}

export type EventStaleness = Record<EventType, readonly InvalidationTarget[]>;

/** Token lists, details and lookups. */
const TOKENS = ['tokens'] as const;
/** Users and clients decide what tokens say and whether they are still valid. */
const USERS = ['users', 'tokens'] as const;
const CLIENTS = ['clients', 'users.previewClaims', 'tokens'] as const;
/** A key change alters each token's verification, not which tokens exist. */
const KEYS = ['keys', 'tokens.get', 'tokens.lookup'] as const;
const WORKSPACE = ['settings', 'users', 'clients', 'keys', 'tokens', 'workspace.seedManaged'] as const;

/**
 * Which cached data each engine event makes stale, besides the event log (every event is a new row
 * in it). Typed by the shared event types: a new event type does not compile until it is listed here.
 */
export const STALE_AFTER_EVENT: EventStaleness = {
  // A sign-in starts or ends a session, which the user's drawer lists.
  login: [...TOKENS, 'users.sessions'],
  logout: [...TOKENS, 'users.sessions'],
  'token.issued': TOKENS,
  'token.refreshed': TOKENS,
  'token.introspected': TOKENS,
  'token.revoked': TOKENS,
  'tokens.revoked': TOKENS,
  'token.reuse_detected': TOKENS,
  'code.reuse_detected': TOKENS,
  'tokens.purged': TOKENS,
  'key.rotated': KEYS,
  'key.staged': KEYS,
  'key.activated': KEYS,
  'key.retired': KEYS,
  // Scope claims (settings) change why a token's claims are there, in its drawer.
  'settings.changed': ['settings', 'keys', 'users.previewClaims', 'tokens.get', 'tokens.lookup'],
  'user.created': USERS,
  'user.updated': USERS,
  'user.deleted': USERS,
  'client.created': CLIENTS,
  'client.updated': CLIENTS,
  'client.deleted': CLIENTS,
  'workspace.imported': WORKSPACE,
  'workspace.reset': WORKSPACE,
  'fault.added': ['faults'],
  'fault.removed': ['faults'],
  'fault.expired': ['faults'],
  'faults.cleared': ['faults'],
  'device.requested': ['devices'],
  'device.approved': ['devices'],
  'device.denied': ['devices'],
  // A protocol request: a use (userinfo, introspection) moves a token's last use, in its drawer.
  request: ['tokens.get'],
  // A re-signed lab token is not stored: only the event log changes.
  'lab.resigned': [],
  // An issuer's URL is in engine.info when it is the selected one.
  'issuer.created': ['issuers'],
  'issuer.updated': ['issuers', 'engine'],
  'issuer.deleted': ['issuers'],
};

/** Everything an event makes stale: its entry in STALE_AFTER_EVENT and the event log. */
export function staleAfterEvent(type: EventType): readonly InvalidationTarget[] {
  return ['events', ...STALE_AFTER_EVENT[type]];
}

/** Whether an event makes the data of one admin method stale (for views that refetch by themselves). */
export function eventMakesStale(type: EventType, method: AdminMethod): boolean {
  return staleAfterEvent(type).some((target) => keyIsUnder([method], target));
}
