import { AdminError } from '../../../shared/errors';
import type { SigningAlg } from '../../../shared/schemas';
import { isoFromSeconds, seconds } from '../lib/clock';
import type { KeyRecord } from '../store/keys';
import { generateSigningKey } from '../tokens/keygen';
import type { ProviderContext } from './context';

/** How a staged key came to sign: its scheduled time, keys.activate, or keys.rotate ("rotate now"). */
type ActivationCause = 'scheduled' | 'activated' | 'rotated';

interface StageOptions {
  alg?: SigningAlg | undefined;
  /** Seconds until the key signs by itself; absent: it waits for `activate`. */
  activateAfterSeconds?: number | undefined;
}

export interface KeyManager {
  /** Makes sure a current key exists for the configured algorithm (at start, after settings or import). */
  ensureCurrent(): Promise<KeyRecord>;
  /**
   * Rotate now: a new current key signs at once; the old one stays published (status previous) until
   * retired. A staged next key, already published, is the one that starts signing instead.
   */
  rotate(alg?: SigningAlg): Promise<KeyRecord>;
  /** Staged rotation: publishes a new key as next, signing only once activated (by time or by hand). */
  stage(options: StageOptions): Promise<KeyRecord>;
  /** The staged next key (`kid`, when given, must be it) signs from now on. */
  activate(kid?: string): KeyRecord;
  /**
   * Starts generating the key `ensureCurrent` will need for `alg`, unless a current key of that alg
   * exists: at start-up, so that the slowest step (an RSA key: 0.1–0.8 s in libuv's thread pool)
   * runs while the thread loads and builds everything else. The next key change for `alg` takes it.
   * `key` is one the host already began generating for `alg` (the CLI does, before it loads the engine).
   */
  prepare(alg: SigningAlg, key?: Promise<KeyRecord>): void;
  /** Stops the activation timer (engine shutdown). */
  close(): void;
}

/** A signing key that could not be made: names the algorithm and what failed, for the host to show. */
export class KeyGenerationError extends Error {
  constructor(
    readonly alg: SigningAlg,
    cause: unknown,
  ) {
    super(
      `Could not generate the ${alg} signing key: ${String((cause as Error)?.message ?? cause).replace(/\.$/, '')}.`,
      { cause },
    );
    this.name = 'KeyGenerationError';
  }
}

/** setTimeout's longest delay; a later activation is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The configured signing algorithm follows the key that signs; call inside the key's transaction. */
function alignSigningAlg(ctx: ProviderContext, alg: SigningAlg): void {
  if (ctx.settings.get().signing_alg === alg) return;
  ctx.settings.update({ signing_alg: alg });
  ctx.events.record('settings.changed', {
    data: { changed: ['signing_alg'], settings: ctx.settings.get() },
  });
}

export function createKeyManager(ctx: ProviderContext): KeyManager {
  // Serialises key changes so two concurrent calls cannot both rotate.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  let prepared: { alg: SigningAlg; key: Promise<KeyRecord> } | null = null;
  function takePrepared(alg: SigningAlg): Promise<KeyRecord> | null {
    if (prepared?.alg !== alg) return null;
    const { key } = prepared;
    prepared = null;
    return key;
  }

  // Key generation is async: it happens before, not inside, the transaction. A prepared key that
  // failed is that change's failure, not made again: a second try in the same process fails the same
  // way (OpenSSL, memory, the thread pool), and it would only delay the error the host shows.
  const generate = async (alg: SigningAlg): Promise<KeyRecord> => {
    try {
      return await (takePrepared(alg) ?? generateSigningKey(alg, seconds(ctx.clock)));
    } catch (error) {
      throw new KeyGenerationError(alg, error);
    }
  };

  async function install(alg: SigningAlg, reason: string): Promise<KeyRecord> {
    const key = await generate(alg);
    return ctx.db.transaction(() => {
      const previous = ctx.keys.current();
      alignSigningAlg(ctx, alg);
      // Signing from its creation, as an imported key (keyFromExport), so a workspace's copy lists it alike.
      ctx.keys.install({ ...key, activated_at: key.created_at }, seconds(ctx.clock));
      ctx.events.record('key.rotated', {
        data: { kid: key.kid, alg, previous_kid: previous?.kid ?? null, reason },
      });
      return ctx.keys.find(key.kid) ?? key;
    })();
  }

  function activateNext(kid: string, cause: ActivationCause): KeyRecord {
    const activated = ctx.db.transaction(() => {
      const scheduledFor = ctx.keys.next()?.activates_at ?? null;
      const { key, previous } = ctx.keys.activate(kid, seconds(ctx.clock));
      alignSigningAlg(ctx, key.alg);
      ctx.events.record('key.activated', {
        data: {
          kid: key.kid,
          alg: key.alg,
          previous_kid: previous?.kid ?? null,
          cause,
          scheduled_for: scheduledFor === null ? null : isoFromSeconds(scheduledFor),
        },
      });
      return key;
    })();
    arm();
    return activated;
  }

  // A timer activates a scheduled key on time even when nothing signs, so Settings, Activity and the
  // timeline show the switch when it happens. The clock decides (ctx.keys.current() activates a due
  // key); a timer that fires early, or under a clock frozen by a test, just re-arms.
  let timer: NodeJS.Timeout | null = null;
  function arm(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    const at = ctx.keys.next()?.activates_at;
    if (at == null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at * 1000 - ctx.clock.now()));
    timer = setTimeout(() => {
      timer = null;
      ctx.keys.current();
      arm();
    }, delay);
    timer.unref();
  }

  ctx.keys.activateWhenDue(ctx.clock, (next) => activateNext(next.kid, 'scheduled'));
  arm();

  return {
    ensureCurrent: () =>
      serial(async () => {
        arm();
        const alg = ctx.settings.get().signing_alg;
        const current = ctx.keys.current();
        if (current && current.alg === alg) return current;
        return install(alg, current ? 'signing_alg_changed' : 'initial');
      }),
    rotate: (requested) =>
      serial(async () => {
        const next = ctx.keys.next();
        if (!next) return install(requested ?? ctx.settings.get().signing_alg, 'rotated');
        if (requested && requested !== next.alg) {
          throw new AdminError(
            'conflict',
            `Key ${next.kid} (${next.alg}) is staged as next. Activate it, or retire it before rotating to ${requested}.`,
          );
        }
        // The staged key is already in every verifier's JWKS cache: it is the safest key to switch to.
        return activateNext(next.kid, 'rotated');
      }),
    stage: ({ alg: requested, activateAfterSeconds }) =>
      serial(async () => {
        const alg = requested ?? ctx.settings.get().signing_alg;
        // Refused before a key is generated; the store checks again in the transaction.
        ctx.keys.assertNothingStaged();
        const key = await generate(alg);
        const staged = ctx.db.transaction(() => {
          const now = seconds(ctx.clock);
          const activatesAt = activateAfterSeconds === undefined ? null : now + activateAfterSeconds;
          const record = ctx.keys.stage(key, activatesAt);
          ctx.events.record('key.staged', {
            data: {
              kid: record.kid,
              alg,
              current_kid: ctx.keys.current()?.kid ?? null,
              activates_at: activatesAt === null ? null : isoFromSeconds(activatesAt),
            },
          });
          return record;
        })();
        arm();
        return staged;
      }),
    activate: (kid) => {
      const next = ctx.keys.next();
      if (!next && !kid) {
        throw new AdminError('conflict', 'No key is staged as next. Stage one first (keys.stage).');
      }
      return activateNext(kid ?? (next as KeyRecord).kid, 'activated');
    },
    prepare: (alg, key) => {
      if (ctx.keys.current()?.alg === alg) return;
      const pending = key ?? generateSigningKey(alg, seconds(ctx.clock));
      pending.catch(() => undefined); // the key change that takes it reports the failure
      prepared = { alg, key: pending };
    },
    close: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
