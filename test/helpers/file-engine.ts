import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Workspace } from '../../shared/schemas';
import { runningClock } from './clock';
import { startTestEngine } from './engine';

/**
 * One engine shared by the tests of a file, for the endpoint tests that are split into files by
 * feature but run against the same seed. A test file calls `startFileEngine(seed)` once at its top
 * and imports `engine`, `issuer` and `clock`: `engine` and `issuer` are live bindings, set by the
 * beforeAll that call registers, so they are read inside tests, never at import time.
 */

export type TestEngine = Awaited<ReturnType<typeof startTestEngine>>;

export let engine: TestEngine;
export let issuer: string;

/** The engine's clock: the system time until a test moves it, and back to the system time after each test. */
export const clock = runningClock();

export function startFileEngine(seed: Workspace): void {
  beforeAll(async () => {
    engine = await startTestEngine({ seed, inMemory: true, clock });
    issuer = engine.issuer;
  });
  afterAll(async () => {
    await engine.cleanup();
  });
  afterEach(() => {
    clock.reset();
  });
}
