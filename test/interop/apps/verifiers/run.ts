import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RecipeFile } from '../../../../shared/recipes/types';
import { ROOT, tempDir } from '../../../helpers/engine';
import { type Spawned, spawnProcess } from '../../../helpers/process';

/** A verifier (a microservice's API) running as its own process on its own port of 127.0.0.1. */
export interface Verifier {
  origin: string;
  process: Spawned;
  close(): Promise<void>;
}

/** What the verifier answered to a request carrying `token` as a Bearer token. */
export interface VerifierAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Writes a rendered recipe to a folder of its own, as a user would save it, and returns that folder. */
export function writeRecipe(files: RecipeFile[]): string {
  const dir = tempDir('idp-sandbox-verifier-');
  for (const file of files) fs.writeFileSync(path.join(dir, file.name), file.content);
  return dir;
}

/** Lets a rendered Node app import the packages installed in the project, as `npm install` beside it would. */
export function linkNodeModules(dir: string): void {
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}

/**
 * Starts a verifier with PORT=0 (the recipes' documented PORT variable; 0 takes a free port) and waits
 * for the line where it says which address it listens on.
 */
export async function startVerifier(command: string, args: string[]): Promise<Verifier> {
  const child = spawnProcess(command, args, { ...process.env, PORT: '0', NO_PROXY: '127.0.0.1,localhost' });
  let origin: string;
  try {
    [, origin] = (await child.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000)) as [
      string,
      string,
    ];
  } catch (error) {
    child.child.kill('SIGKILL');
    throw error;
  }
  return {
    origin,
    process: child,
    async close() {
      if (child.child.exitCode === null && child.child.signalCode === null) {
        child.child.kill('SIGTERM');
        await child.exited;
      }
    },
  };
}

export async function askVerifier(verifier: Verifier, route: string, token: string): Promise<VerifierAnswer> {
  const response = await fetch(`${verifier.origin}${route}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    throw new Error(
      `${verifier.origin}${route} answered ${response.status} with non-JSON: ${text}\n${verifier.process.output()}`,
    );
  }
}

/** Runs a command-line program of a recipe to its end and returns what it printed. */
export async function runToEnd(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  const { stdout } = await promisify(execFile)(command, args, {
    env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', ...env },
    timeout: 30_000,
  });
  return stdout.trim();
}
