import type { FastifyInstance } from 'fastify';
import { dispatchAdmin } from '../../main/core/admin/dispatch';
import { createAdminService } from '../../main/core/admin/service';
import { type AdminSecrets, createAdminSecrets } from '../../main/core/http/admin-auth';
import { createHttpServer } from '../../main/core/http/server';
import { type Clock, systemClock } from '../../main/core/lib/clock';
import { createProviderContext } from '../../main/core/provider/context';
import { createKeyManager } from '../../main/core/provider/key-manager';
import { openDatabase } from '../../main/core/store/database';

/** The real admin service over a real (in-memory) SQLite database, without HTTP. */
export async function createTestAdmin(options: { issuer?: string; clock?: Clock } = {}) {
  const db = openDatabase({});
  const ctx = createProviderContext(
    db,
    options.clock ?? systemClock,
    () => options.issuer ?? 'http://127.0.0.1:9400',
  );
  const keyManager = createKeyManager(ctx);
  await keyManager.ensureCurrent();
  const admin = createAdminService({
    ctx,
    keyManager,
    dataDir: '/data',
    startedAt: new Date(0),
    port: () => 9400,
    localOrigin: () => 'http://127.0.0.1:9400',
  });
  return { db, ctx, admin, close: () => db.close() };
}

/**
 * The engine's HTTP server over a createTestAdmin() service, listening on a free port of 127.0.0.1, with
 * the admin context's issuer set to that origin (`options` is the object createTestAdmin was given).
 */
export async function serveTestAdmin(
  admin: Awaited<ReturnType<typeof createTestAdmin>>,
  options: { issuer?: string },
  secrets = createAdminSecrets(),
): Promise<{ app: FastifyInstance; origin: string; secrets: AdminSecrets }> {
  const { ctx } = admin;
  const app = await createHttpServer({
    ctx,
    call: (method, input) => dispatchAdmin(admin.admin, method, input),
    secrets,
    events: ctx.events,
    route: () => undefined,
    everyIssuer: () => [ctx],
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // The provider context reads its issuer on every request: it is known once the server listens.
  options.issuer = origin;
  return { app, origin, secrets };
}
