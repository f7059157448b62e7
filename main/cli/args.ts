import { parseArgs } from 'node:util';
import { DEFAULT_PORT, MAX_SIGNING_WORKERS, parsePort } from '../core';
import { parseClockOffset } from './clock-offset';

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
  /** Provider time's offset from real time, in seconds (`--clock-offset`). */
  clockOffset: number | undefined;
  /** `--admin-token-file`: a file holding the admin token to use (admin-token.ts). */
  adminTokenFile: string | undefined;
  /** `--watch`: apply the seed file again whenever it changes (seed-watch.ts); needs `seed`. */
  watch: boolean;
}

type CliCommand =
  | { kind: 'help'; command?: 'check-api' }
  | { kind: 'version' }
  | { kind: 'serve'; options: ServeOptions }
  | { kind: 'mcp'; options: ServeOptions }
  | { kind: 'check-api'; options: CheckApiOptions };

export class UsageError extends Error {}

export const USAGE = `Usage: idp-sandbox serve [options]
       idp-sandbox mcp [options of serve]
       idp-sandbox check-api URL --client ID [options]

serve runs the IDP Sandbox OpenID Connect provider headless; check-api sends tokens built to be wrong to
your own API and reports which it accepted (its options are below).
mcp starts the provider as serve does and answers the Model Context Protocol on stdin/stdout, so a coding
agent can create test users and clients and mint, inspect and revoke tokens (its log goes to stderr).

Options of serve:
  --port N          Port to listen on (default 9400; 0 picks a free port)
  --host ADDR       Address to bind (default 127.0.0.1; anything else is reachable from the network)
  --data-dir DIR    Folder for the database and admin token (default: the desktop app's data folder)
  --in-memory       Keep everything in memory; nothing survives a restart
  --issuer URL      Public issuer URL, if clients reach the provider under another address
  --https           Serve HTTPS with a certificate from a local CA kept in the data folder (tls/ca.crt);
                    the issuer becomes https://HOST:PORT. Prints how to trust the CA.
  --seed FILE       JSON file of settings, users and clients to upsert at start (same format as export);
                    \${NAME} in its strings is replaced by the environment variable NAME ($\${ for a literal \${)
  --watch           With --seed: apply the file again each time it is saved, and print what changed
                    (a broken edit is refused as a whole and the last good state keeps serving)
  --ui              Also serve the admin UI in the browser (prints a sign-in URL)
  --signing-workers N
                    Worker threads that sign JWTs, 0 to ${MAX_SIGNING_WORKERS} (default 0: sign on the main thread)
  --clock-offset D  Move provider time from real time by a signed duration (+1h, -30m, 2d, 3600):
                    tokens are issued and expire by it (Settings → provider clock changes it later)
  --admin-token-file FILE
                    Use the admin token in FILE (a mounted secret) instead of a random one;
                    IDP_SANDBOX_ADMIN_TOKEN_FILE or IDP_SANDBOX_ADMIN_TOKEN do the same
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

function parseClockOffsetFlag(raw: string): number {
  const parsed = parseClockOffset(raw);
  if (typeof parsed === 'string') throw new UsageError(parsed);
  return parsed;
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
  if (command === 'check-api') {
    const options = parseCheckApiArgs(rest);
    return options ? { kind: 'check-api', options } : { kind: 'help', command: 'check-api' };
  }
  // mcp takes serve's flags: it starts the same engine, then talks MCP on stdio (mcp.ts).
  if (command === 'mcp') {
    const parsed = parseCli(['serve', ...rest]);
    if (parsed.kind !== 'serve') return parsed;
    const unused = [parsed.options.ui && '--ui', parsed.options.watch && '--watch'].filter(Boolean);
    if (unused.length) throw new UsageError(`mcp does not take ${unused.join(' or ')}: use serve for that.`);
    return { kind: 'mcp', options: parsed.options };
  }
  if (command !== 'serve') {
    throw new UsageError(`Unknown command "${command}". The commands are "serve", "mcp" and "check-api".`);
  }

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
  if (values.watch && values.seed === undefined) {
    throw new UsageError('--watch watches the seed file: give it with --seed FILE.');
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
      clockOffset:
        values['clock-offset'] === undefined ? undefined : parseClockOffsetFlag(values['clock-offset']),
      adminTokenFile: values['admin-token-file'],
      watch: values.watch ?? false,
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
      'clock-offset': { type: 'string' },
      'admin-token-file': { type: 'string' },
      watch: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

// `idp-sandbox check-api`: sent by check-api.ts through the running engine's admin API.

export interface CheckApiOptions {
  /** The admin input of lab.checkApi, as the engine's contract takes it. */
  input: {
    url: string;
    method: string;
    headers?: Record<string, string>;
    body?: string;
    baseline: {
      client_id: string;
      username?: string;
      audience?: string[];
      scope?: string;
      required_scope?: string;
      format?: 'jwt' | 'reference';
    };
    accepted_statuses?: number[];
    allow_remote: boolean;
  };
  issuer: string;
  adminTokenFile: string | undefined;
  dataDir: string | undefined;
  junitFile: string | undefined;
  jsonFile: string | undefined;
}

/** The check-api part of the help: \`idp-sandbox --help\` shows it after USAGE. */
export const CHECK_API_HELP = `check-api URL sends a good token, then each bad token (expired, wrong audience, alg none, …), to
URL, an endpoint of your own service, and reports which bad ones it accepted. The engine must be
running: it makes the tokens and sends the requests. Exit code 0: nothing bad was accepted; 1: something
was; 2: the run could not be made (bad flags, engine unreachable, the good token not accepted).

Options of check-api:
  --client ID           Client the tokens are issued to (required)
  --user NAME           User the tokens are about (default: a machine token)
  --audience A          Audience of the tokens; repeat for several (default: the client's)
  --scope S             Scope of the tokens (default: the client's)
  --required-scope S    Scope the API requires (the insufficient_scope token lacks it)
  --format jwt|reference
                        Format of the good token (default: the client's)
  --method M            HTTP method (default GET)
  --header 'Name: value'
                        Extra request header; repeat for several (never Authorization)
  --data BODY           Request body
  --accept STATUS       Status that means "accepted"; repeat for several (default: any 2xx)
  --allow-remote        Allow a URL that is not on this machine (loopback only by default)
  --junit FILE          Also write a JUnit XML report (one test case per bad token)
  --json FILE           Also write the report as JSON
  --issuer URL          The running engine (default http://127.0.0.1:${DEFAULT_PORT})
  --admin-token-file FILE
                        Admin token file (default: IDP_SANDBOX_ADMIN_TOKEN, else <data dir>/admin-token)
  --data-dir DIR        The engine's data folder, to find its admin token (default: the app's data folder)`;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

function parseHeader(raw: string, headers: Record<string, string>): void {
  const colon = raw.indexOf(':');
  const name = colon > 0 ? raw.slice(0, colon).trim() : '';
  if (name === '') throw new UsageError(`--header must be "Name: value" (got "${raw}").`);
  if (name.toLowerCase() === 'authorization') {
    throw new UsageError(
      '--header cannot set Authorization: the run sends "Authorization: Bearer <token>" itself, a different token each request.',
    );
  }
  headers[name] = raw.slice(colon + 1).trim();
}

function parseStatus(raw: string): number {
  const status = /^\d{3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(status >= 100 && status <= 599)) {
    throw new UsageError(`--accept must be an HTTP status from 100 to 599 (got "${raw}").`);
  }
  return status;
}

function parseEngineIssuer(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(
      `--issuer must be the engine's http(s) URL, like http://127.0.0.1:9400 (got "${raw}").`,
    );
  }
  return raw.replace(/\/+$/, '');
}

function readFlags(args: string[]) {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        client: { type: 'string' },
        user: { type: 'string' },
        audience: { type: 'string', multiple: true },
        scope: { type: 'string' },
        'required-scope': { type: 'string' },
        format: { type: 'string' },
        method: { type: 'string' },
        header: { type: 'string', multiple: true },
        data: { type: 'string' },
        accept: { type: 'string', multiple: true },
        'allow-remote': { type: 'boolean' },
        junit: { type: 'string' },
        json: { type: 'string' },
        issuer: { type: 'string' },
        'admin-token-file': { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The options of `check-api`, or null when help was asked for. */
export function parseCheckApiArgs(args: string[]): CheckApiOptions | null {
  const { values, positionals } = readFlags(args);
  if (values.help) return null;
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'check-api needs the URL of your API, e.g. idp-sandbox check-api http://127.0.0.1:8080/orders --client web.'
        : `check-api takes one URL (got ${positionals.length}: ${positionals.join(' ')}).`,
    );
  }
  if (!values.client)
    throw new UsageError('check-api needs --client ID: the client the tokens are issued to.');
  const method = (values.method ?? 'GET').toUpperCase();
  if (!METHODS.includes(method)) {
    throw new UsageError(`--method must be one of ${METHODS.join(', ')} (got "${values.method}").`);
  }
  const format = values.format;
  if (format !== undefined && format !== 'jwt' && format !== 'reference') {
    throw new UsageError(`--format must be jwt or reference (got "${format}").`);
  }
  const headers: Record<string, string> = {};
  for (const raw of values.header ?? []) parseHeader(raw, headers);
  return {
    input: {
      url: positionals[0] as string,
      method,
      ...(values.header ? { headers } : {}),
      ...(values.data !== undefined ? { body: values.data } : {}),
      baseline: {
        client_id: values.client,
        ...(values.user !== undefined ? { username: values.user } : {}),
        ...(values.audience ? { audience: values.audience } : {}),
        ...(values.scope !== undefined ? { scope: values.scope } : {}),
        ...(values['required-scope'] !== undefined ? { required_scope: values['required-scope'] } : {}),
        ...(format ? { format } : {}),
      },
      ...(values.accept ? { accepted_statuses: values.accept.map(parseStatus) } : {}),
      allow_remote: values['allow-remote'] ?? false,
    },
    issuer: parseEngineIssuer(values.issuer ?? `http://127.0.0.1:${DEFAULT_PORT}`),
    adminTokenFile: values['admin-token-file'],
    dataDir: values['data-dir'],
    junitFile: values.junit,
    jsonFile: values.json,
  };
}
