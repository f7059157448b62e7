import { parseArgs } from 'node:util';
import { MAX_SIGNING_WORKERS, parsePort } from '../core';

export interface ServeOptions {
  port: number | undefined;
  host: string | undefined;
  dataDir: string | undefined;
  inMemory: boolean;
  issuer: string | undefined;
  seed: string | undefined;
  ui: boolean;
  https: boolean;
  signingWorkers: number | undefined;
}

type CliCommand = { kind: 'help' } | { kind: 'version' } | { kind: 'serve'; options: ServeOptions };

export class UsageError extends Error {}

export const USAGE = `Usage: idp-sandbox serve [options]

Runs the IDP Sandbox OpenID Connect provider headless.

Options:
  --port N          Port to listen on (default 9400; 0 picks a free port)
  --host ADDR       Address to bind (default 127.0.0.1; anything else is reachable from the network)
  --data-dir DIR    Folder for the database and admin token (default: the desktop app's data folder)
  --in-memory       Keep everything in memory; nothing survives a restart
  --issuer URL      Public issuer URL, if clients reach the provider under another address
  --https           Serve HTTPS with a certificate from a local CA kept in the data folder (tls/ca.crt);
                    the issuer becomes https://HOST:PORT. Prints how to trust the CA.
  --seed FILE       JSON file of settings, users and clients to upsert at start (same format as export)
  --ui              Also serve the admin UI in the browser (prints a sign-in URL)
  --signing-workers N
                    Worker threads that sign JWTs, 0 to ${MAX_SIGNING_WORKERS} (default 0: sign on the main thread)
  -h, --help        Show this help
  -v, --version     Show the version`;

function parsePortFlag(raw: string): number {
  try {
    return parsePort(raw);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parseSigningWorkers(raw: string): number {
  const count = /^\d{1,2}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(count <= MAX_SIGNING_WORKERS)) {
    throw new UsageError(
      `--signing-workers must be a whole number from 0 to ${MAX_SIGNING_WORKERS} (got "${raw}").`,
    );
  }
  return count;
}

function parseIssuer(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--issuer must be an absolute http(s) URL (got "${raw}").`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--issuer must use http or https (got "${url.protocol}").`);
  }
  if (url.search || url.hash) throw new UsageError('--issuer must not have a query or fragment.');
  return raw.replace(/\/+$/, '');
}

export function parseCli(argv: readonly string[]): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help')
    return { kind: 'help' };
  if (command === '-v' || command === '--version') return { kind: 'version' };
  if (command !== 'serve') throw new UsageError(`Unknown command "${command}". The command is "serve".`);

  let values: ReturnType<typeof parseServeFlags>['values'];
  try {
    values = parseServeFlags(rest).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };
  if (values['in-memory'] && values['data-dir'] !== undefined) {
    throw new UsageError('Use either --data-dir or --in-memory, not both.');
  }
  if (values.host !== undefined && values.host.trim() === '')
    throw new UsageError('--host must not be empty.');
  if (values.https && values.issuer?.toLowerCase().startsWith('http:')) {
    throw new UsageError(
      `--https serves TLS, so the issuer must be https:// (got --issuer ${values.issuer}). Use --issuer https://… or leave out --https.`,
    );
  }
  return {
    kind: 'serve',
    options: {
      port: values.port === undefined ? undefined : parsePortFlag(values.port),
      host: values.host,
      dataDir: values['data-dir'],
      inMemory: values['in-memory'] ?? false,
      issuer: values.issuer === undefined ? undefined : parseIssuer(values.issuer),
      seed: values.seed,
      ui: values.ui ?? false,
      https: values.https ?? false,
      signingWorkers:
        values['signing-workers'] === undefined ? undefined : parseSigningWorkers(values['signing-workers']),
    },
  };
}

function parseServeFlags(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'in-memory': { type: 'boolean' },
      issuer: { type: 'string' },
      seed: { type: 'string' },
      ui: { type: 'boolean' },
      https: { type: 'boolean' },
      'signing-workers': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
