import { AdminError } from '../../../../shared/errors';
import type { AdminContext, IssuerDirectory, NamespaceHandlers } from './common';

/** issuers.*: the same directory whichever issuer's admin service is called. */
export function issuerHandlers(admin: AdminContext): NamespaceHandlers<'issuers'> {
  const directory = (): IssuerDirectory => {
    if (!admin.issuers)
      throw new AdminError('internal', 'This admin service runs without an engine: it has no issuers.');
    return admin.issuers();
  };
  return {
    'issuers.list': () => directory().list(),
    'issuers.create': (input) => directory().create(input),
    'issuers.update': (input) => directory().update(input),
    'issuers.clone': (input) => directory().clone(input),
    'issuers.delete': ({ id }) => directory().remove(id),
  };
}
