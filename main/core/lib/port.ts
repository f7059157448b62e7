/** The port the provider listens on when none is given; documented in the README. */
export const DEFAULT_PORT = 9400;
export const DEFAULT_HOST = '127.0.0.1';

/** Parses a port given by a person (flag or environment); the message says what was expected. */
export function parsePort(raw: string, name = '--port'): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new Error(`${name} must be a whole number from 0 to 65535 (got "${raw}").`);
  }
  return Number(raw);
}

/** The value of `--port N` or `--port=N` in an argument list, if present. */
export function portFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--port') return argv[i + 1] ?? '';
    if (arg.startsWith('--port=')) return arg.slice('--port='.length);
  }
  return undefined;
}
