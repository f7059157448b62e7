import type { SigningAlg } from '../../shared/schemas';
import { seconds } from './clock';
import type { ProviderContext } from './context';
import { generateSigningKey } from './keygen';
import type { KeyRecord } from './store/keys';

export interface KeyManager {
  /** Makes sure a current key exists for the configured algorithm (at start, after settings or import). */
  ensureCurrent(): Promise<KeyRecord>;
  /** A new current key; the old one stays published (status previous) until retired. */
  rotate(alg?: SigningAlg): Promise<KeyRecord>;
  /**
   * Starts generating the key `ensureCurrent` will need for `alg`, unless a current key of that alg
   * exists: at start-up, so that the slowest step (an RSA key: 0.1–0.8 s in libuv's thread pool)
   * runs while the thread loads and builds everything else. The next key change for `alg` takes it.
   * `key` is one the host already began generating for `alg` (the CLI does, before it loads the engine).
   */
  prepare(alg: SigningAlg, key?: Promise<KeyRecord>): void;
}

export function createKeyManager(ctx: ProviderContext): KeyManager {
  // Serialises key changes so two concurrent calls cannot both rotate.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  let prepared: { alg: SigningAlg; key: Promise<KeyRecord | null> } | null = null;
  function takePrepared(alg: SigningAlg): Promise<KeyRecord | null> | null {
    if (prepared?.alg !== alg) return null;
    const { key } = prepared;
    prepared = null;
    return key;
  }

  async function install(alg: SigningAlg, reason: string): Promise<KeyRecord> {
    // Key generation is async: it happens before, not inside, the transaction. A prepared key that
    // failed to generate (null) is made again here, so the error, if any, reaches the caller.
    const key = (await takePrepared(alg)) ?? (await generateSigningKey(alg, seconds(ctx.clock)));
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
    prepare: (alg, key) => {
      if (ctx.keys.current()?.alg === alg) return;
      prepared = { alg, key: (key ?? generateSigningKey(alg, seconds(ctx.clock))).catch(() => null) };
    },
  };
}
