import { makeBadTokens } from '../lab/bad-tokens';
import { checkApi } from '../lab/check-api';
import { resignToken } from '../lab/resign';
import type { AdminContext, NamespaceHandlers } from './common';

export function labHandlers(admin: AdminContext): NamespaceHandlers<'lab'> {
  return {
    'lab.badTokens': (input) => makeBadTokens(admin, input),
    'lab.checkApi': (input) => checkApi(admin, input),
    'lab.resign': (input) => resignToken(admin, input),
  };
}
