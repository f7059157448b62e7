import type { EventType } from '../../../shared/schemas';

/**
 * Query-key roots. Every query's key starts with one of these, so a live event can invalidate a
 * whole family (all token lists, whatever their filters) with one prefix.
 */
export const QK = {
  info: 'engine.info',
  settings: 'settings',
  users: 'users',
  preview: 'users.preview',
  clients: 'clients',
  tokens: 'tokens',
  token: 'token',
  keys: 'keys',
  events: 'events',
} as const;
export type QueryRoot = (typeof QK)[keyof typeof QK];

const TOKEN_ROOTS: QueryRoot[] = [QK.tokens, QK.token];

/** Which cached data an engine event makes stale. The event log itself is stale after every event. */
export function rootsForEvent(type: EventType): QueryRoot[] {
  const roots: QueryRoot[] = [QK.events];
  if (type.startsWith('token') || type.startsWith('code.') || type === 'login' || type === 'logout') {
    roots.push(...TOKEN_ROOTS);
  } else if (type.startsWith('user.')) {
    roots.push(QK.users, QK.preview, ...TOKEN_ROOTS);
  } else if (type.startsWith('client.')) {
    roots.push(QK.clients, QK.preview, ...TOKEN_ROOTS);
  } else if (type.startsWith('key.')) {
    roots.push(QK.keys, QK.token);
  } else if (type === 'settings.changed') {
    roots.push(QK.settings, QK.keys, QK.preview);
  } else if (type.startsWith('workspace.')) {
    roots.push(QK.settings, QK.users, QK.preview, QK.clients, QK.keys, ...TOKEN_ROOTS);
  }
  return roots;
}
