import type { AdminContext, NamespaceHandlers } from './common';

export function eventHandlers({ ctx }: AdminContext): NamespaceHandlers<'events'> {
  return {
    'events.list': (filter) => ctx.events.list(filter),
    'events.page': (filter) => ctx.events.page(filter),
    'events.count': (filter) => ctx.events.count(filter),
    'events.request': ({ event_id }) => ctx.events.requests.get(event_id),
  };
}
