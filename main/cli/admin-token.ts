import fs from 'node:fs';
import { UsageError } from './args';

/** Where `serve` takes a fixed admin token from; none of them set means a random token per start. */
export interface AdminTokenSources {
  /** `--admin-token-file FILE`. */
  file: string | undefined;
  env: NodeJS.ProcessEnv;
}

/**
 * The admin token `serve` should use, or undefined for a random one. A file (the flag, else
 * IDP_SANDBOX_ADMIN_TOKEN_FILE) is how container secrets arrive (/run/secrets/…); the token itself in
 * IDP_SANDBOX_ADMIN_TOKEN is the simple case. Both kinds at once is refused rather than one silently
 * winning, as the official database images do with their *_FILE variables.
 */
export function adminTokenFrom({ file, env }: AdminTokenSources): string | undefined {
  const fileName = file ?? (env.IDP_SANDBOX_ADMIN_TOKEN_FILE || undefined);
  const direct = env.IDP_SANDBOX_ADMIN_TOKEN || undefined;
  if (fileName === undefined) return direct;
  const from = file === undefined ? 'IDP_SANDBOX_ADMIN_TOKEN_FILE' : '--admin-token-file';
  if (direct !== undefined) {
    throw new UsageError(
      `Both IDP_SANDBOX_ADMIN_TOKEN and ${from} are set; give the admin token one way (unset one of them).`,
    );
  }
  let text: string;
  try {
    text = fs.readFileSync(fileName, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(
      code === 'ENOENT'
        ? `${from}: ${fileName} does not exist. Mount the secret there, or point ${from} at it.`
        : `${from}: cannot read ${fileName} (${code}).`,
    );
  }
  // Secret files usually end with a newline (echo, editors); the token is what is on the line.
  const token = text.trim();
  if (token === '' || /\s/.test(token)) {
    throw new UsageError(
      `${from}: ${fileName} must hold the admin token alone on one line (it is ${token === '' ? 'empty' : 'more than one word'}).`,
    );
  }
  return token;
}

/** adminTokenFrom for `serve`: a bad source ends the CLI with exit code 2, before anything starts. */
export function adminTokenOrExit(file: string | undefined): string | undefined {
  try {
    return adminTokenFrom({ file, env: process.env });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`idp-sandbox: ${error.message}\n`);
    process.exit(2);
  }
}
