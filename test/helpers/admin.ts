import { createAdminService } from '../../main/core/admin/service';
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
