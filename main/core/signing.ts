import type { SigningAlg } from '../../shared/schemas';
import { seconds } from './clock';
import type { ProviderContext } from './context';
import { generateSigningKey, type KeyRecord } from './store/keys';

export interface KeyManager {
  /** Makes sure a current key exists for the configured algorithm (at start, after settings or import). */
  ensureCurrent(): Promise<KeyRecord>;
  /** A new current key; the old one stays published (status previous) until retired. */
  rotate(alg?: SigningAlg): Promise<KeyRecord>;
}

export function createKeyManager(ctx: ProviderContext): KeyManager {
  // Serialises key changes so two concurrent calls cannot both rotate.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  async function install(alg: SigningAlg, reason: string): Promise<KeyRecord> {
    // Key generation is async: it happens before, not inside, the transaction.
    const key = await generateSigningKey(alg, seconds(ctx.clock));
    ctx.db.transaction(() => {
      const previous = ctx.keys.current();
      ctx.keys.install(key);
      ctx.events.record('key.rotated', {
        data: { kid: key.kid, alg, previous_kid: previous?.kid ?? null, reason },
      });
    })();
    return key;
  }

  return {
    ensureCurrent: () =>
      serial(async () => {
        const alg = ctx.settings.get().signing_alg;
        const current = ctx.keys.current();
        if (current && current.alg === alg) return current;
        return install(alg, current ? 'signing_alg_changed' : 'initial');
      }),
    rotate: (alg) => serial(() => install(alg ?? ctx.settings.get().signing_alg, 'rotated')),
  };
}
