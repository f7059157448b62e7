import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { RecipeFile } from '../../../../shared/recipes/types';
import { ROOT, tempDir } from '../../../helpers/engine';
import { type Spawned, spawnProcess } from '../../../helpers/process';

/** A port nothing listens on now, for an app whose redirect URI must be registered before it starts. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningApp {
  process: Spawned;
  close(): Promise<void>;
}

/**
 * Saves a recipe's Node program as the user would and runs it with node. The folder gets a link to
 * this checkout's node_modules, which stands in for the user's `npm install`.
 */
export async function runNodeRecipe(
  file: RecipeFile,
  ready: RegExp,
  env: NodeJS.ProcessEnv = {},
): Promise<RunningApp> {
  const dir = tempDir('idp-sandbox-recipe-');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const program = path.join(dir, file.name);
  fs.writeFileSync(program, file.content);
  const proc = spawnProcess(process.execPath, [program], { ...process.env, ...env });
  const close = async () => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await proc.waitFor(ready);
  } catch (error) {
    await close();
    throw error;
  }
  return { process: proc, close };
}
