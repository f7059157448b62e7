import { describe, expect, it } from 'vitest';
import { dispatchAdmin } from '../../main/core/admin/dispatch';
import { clientHandlers } from '../../main/core/admin/handlers/clients';
import type { AdminHandler, NamespaceHandlers } from '../../main/core/admin/handlers/common';
import { userHandlers } from '../../main/core/admin/handlers/users';
import type { AdminContext, AdminHandlers } from '../../main/core/admin/service';
import { createKeyManager } from '../../main/core/provider/key-manager';
import { adminMethods } from '../../shared/contract';
import { createTestAdmin } from '../helpers/admin';

const { admin, ctx } = await createTestAdmin();

// The compile-time half of the handler-table tests is the @ts-expect-error lines: `npm run typecheck`
// (tsc -p tsconfig.node.json, which includes test/) fails if an expected error stops occurring, so each
// one proves a table short of a handler is refused.

describe('dispatchAdmin', () => {
  it('rejects an unknown method', async () => {
    await expect(dispatchAdmin(admin, 'users.explode', {})).rejects.toMatchObject({ code: 'unknown_method' });
  });

  it('rejects a prototype key posing as a method', async () => {
    await expect(dispatchAdmin(admin, 'constructor', {})).rejects.toMatchObject({ code: 'unknown_method' });
  });

  it('names the bad field in invalid input', async () => {
    await expect(dispatchAdmin(admin, 'engine.info', { nope: 1 })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('engine.info'),
    });
  });
});

describe('the admin handler table', () => {
  const context: AdminContext = {
    ctx,
    keyManager: createKeyManager(ctx),
    dataDir: null,
    startedAt: new Date(0),
    port: () => 9400,
    localOrigin: () => 'http://127.0.0.1:9400',
  };

  it('has exactly one handler per contract method', () => {
    expect(Object.keys(admin).sort()).toEqual([...adminMethods].sort());
    for (const method of adminMethods) expect(admin[method]).toBeTypeOf('function');
  });

  it('a table missing one method does not compile', () => {
    const { 'users.delete': _dropped, ...withoutDelete } = admin;
    // @ts-expect-error Property 'users.delete' is missing: every contract method needs a handler.
    const incomplete: AdminHandlers = withoutDelete;
    expect(Object.keys(incomplete)).not.toContain('users.delete');
  });

  it('a table assembled from some namespace modules only does not compile', () => {
    // Each module covers its own namespace alone: createAdminService needs every one of them.
    // @ts-expect-error Properties 'engine.info', 'keys.list', … are missing.
    const usersAndClients: AdminHandlers = { ...userHandlers(context), ...clientHandlers(context) };
    expect(Object.keys(usersAndClients).filter((m) => !/^(users|clients)\./.test(m))).toEqual([]);
  });

  it('a method added to the contract without a handler does not compile', () => {
    // What AdminHandlers and NamespaceHandlers<'users'> become once the contract gains, say, users.suspend.
    type Suspend = { 'users.suspend': AdminHandler<'users.delete'> };
    // @ts-expect-error Property 'users.suspend' is missing in the service's table.
    const grown: AdminHandlers & Suspend = admin;
    // @ts-expect-error Property 'users.suspend' is missing in the users module's handlers.
    const grownUsers: NamespaceHandlers<'users'> & Suspend = userHandlers(context);
    expect(grown).toBe(admin);
    expect(Object.keys(grownUsers)).not.toContain('users.suspend');
  });
});
