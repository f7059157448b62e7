import { afterEach, describe, expect, it } from 'vitest';
import { createProviderContext } from '../../main/core/provider/context';
import { createKeyManager } from '../../main/core/provider/key-manager';
import { type Db, openDatabase } from '../../main/core/store/database';
import { frozenClock } from '../helpers/clock';

/**
 * The key prepared at start-up (engine.ts begins it before anything else, for the start's algorithm)
 * is the key the first key check installs; a prepared key of another algorithm is not used. The
 * clock moves between preparing and installing, so a key's created_at tells which one was installed.
 */
const PREPARED_AT = 1_800_000_000;
const clock = frozenClock(PREPARED_AT * 1000);
let db: Db | undefined;

function setup() {
  clock.reset();
  db = openDatabase({});
  const ctx = createProviderContext(db, clock, () => 'http://127.0.0.1:9400');
  return { ctx, keys: createKeyManager(ctx) };
}

afterEach(() => db?.close());

describe('KeyManager.prepare', () => {
  it('hands the prepared key to the first key check, which generates none of its own', async () => {
    const { ctx, keys } = setup();
    keys.prepare('ES256');
    clock.advance(60);
    const installed = await keys.ensureCurrent();
    expect(ctx.settings.get().signing_alg).toBe('RS256');
    // The settings ask for RS256, so the prepared ES256 key is not the one: a new RS256 key is made.
    expect(installed).toMatchObject({ alg: 'RS256', created_at: PREPARED_AT + 60 });

    // After a change of algorithm, the prepared key is taken as is.
    ctx.settings.update({ ...ctx.settings.get(), signing_alg: 'ES256' });
    clock.advance(60);
    const switched = await keys.ensureCurrent();
    expect(switched).toMatchObject({ alg: 'ES256', created_at: PREPARED_AT, status: 'current' });
    expect(ctx.keys.current()?.kid).toBe(switched.kid);
  });

  it('is taken once: the next key of that algorithm is generated anew', async () => {
    const { keys } = setup();
    keys.prepare('RS256');
    clock.advance(60);
    const first = await keys.ensureCurrent();
    expect(first.created_at).toBe(PREPARED_AT);
    const rotated = await keys.rotate('RS256');
    expect(rotated.created_at).toBe(PREPARED_AT + 60);
    expect(rotated.kid).not.toBe(first.kid);
  });

  it('prepares nothing when a current key of that algorithm exists', async () => {
    const { keys } = setup();
    const existing = await keys.ensureCurrent();
    keys.prepare('RS256');
    clock.advance(60);
    expect(await keys.ensureCurrent()).toEqual(existing);
    // Had a key been prepared, this rotation would have taken it (created at the earlier time).
    expect((await keys.rotate('RS256')).created_at).toBe(PREPARED_AT + 60);
  });
});
