import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '../../main/core/engine';

export function tempDir(prefix = 'idp-sandbox-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A real engine on 127.0.0.1 with a free port and its own temp data dir. */
export async function startTestEngine(
  options: Partial<EngineOptions> = {},
): Promise<Engine & { cleanup(): Promise<void> }> {
  const dataDir = options.inMemory ? undefined : (options.dataDir ?? tempDir());
  const engine = await createEngine({ port: 0, ...options, dataDir });
  return Object.assign(engine, {
    async cleanup() {
      await engine.close();
      if (dataDir && !options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BUILT_CLI = path.join(ROOT, 'dist', 'cli', 'idp-sandbox.cjs');
export const BUILT_UI = path.join(ROOT, 'dist', 'renderer');
