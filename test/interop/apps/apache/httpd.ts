import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from '../../../helpers/engine';
import { type Spawned, spawnProcess } from '../../../helpers/process';

export const APACHE_BIN = '/usr/sbin/apache2';
export const APACHE_MODULES = '/usr/lib/apache2/modules';

export const APACHE_HELP =
  'The Apache interop tests need Apache httpd with mod_auth_openidc. Install them with ' +
  '"sudo apt-get install -y apache2 libapache2-mod-auth-openidc" (Debian/Ubuntu).';

/** The modules the gateway uses (Debian compiles core, so, unixd and log_config in). */
const MODULES = [
  'mpm_event',
  'authn_core',
  'authz_core',
  'authz_user',
  'auth_openidc',
  'proxy',
  'proxy_http',
] as const;

/** Fails loudly, with how to install it, when httpd or one of the modules is missing. */
export function checkApacheInstalled(): void {
  const missing = [APACHE_BIN, ...MODULES.map((name) => path.join(APACHE_MODULES, `mod_${name}.so`))].filter(
    (file) => !fs.existsSync(file),
  );
  if (missing.length > 0) throw new Error(`${APACHE_HELP} Missing: ${missing.join(', ')}.`);
}

/** A port for a gateway that is not started yet (its origin goes into the client's redirect URI). */
export async function reservePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, httpd: Spawned, errorLog: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (httpd.child.exitCode !== null) break;
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`httpd did not listen on ${port}.\n${httpd.output()}\n${errorLog()}`);
}

export interface Httpd {
  /** http://127.0.0.1:<port>, the gateway's own origin. */
  origin: string;
  errorLog(): string;
  close(): Promise<void>;
}

export interface HttpdOptions {
  port: number;
  /** Where everything outside mod_auth_openidc's own paths is proxied to. */
  backendOrigin: string;
  /** The site configuration under test: a rendered recipe. */
  site: string;
}

/**
 * httpd's workers run as nobody when the suite runs as root: a file they read at request time (the
 * provider's CA) must be where nobody can read it, which the provider's private data folder is not.
 */
export function copyReadableByWorkers(file: string): { path: string; remove(): void } {
  const folder = tempDir('idp-sandbox-httpd-files-');
  fs.chmodSync(folder, 0o755);
  const copy = path.join(folder, path.basename(file));
  fs.copyFileSync(file, copy);
  fs.chmodSync(copy, 0o644);
  return { path: copy, remove: () => fs.rmSync(folder, { recursive: true, force: true }) };
}

/**
 * Starts an httpd of its own (never the system service): its own ServerRoot, config, pid file and
 * logs in a temp folder, listening on 127.0.0.1 only. The config is checked with `-t` first so a
 * directive httpd refuses fails with httpd's own message.
 */
export async function startHttpd(options: HttpdOptions): Promise<Httpd> {
  checkApacheInstalled();
  const root = tempDir('idp-sandbox-httpd-');
  const errorLogFile = path.join(root, 'error.log');
  // As root, httpd must hand its workers to an unprivileged user; the numeric ids need no lookup.
  const runAs = process.getuid?.() === 0 ? ['User #65534', 'Group #65534'] : [];
  const config = [
    `ServerRoot "${root}"`,
    'ServerName 127.0.0.1',
    `DefaultRuntimeDir "${root}"`,
    `PidFile "${path.join(root, 'httpd.pid')}"`,
    `ErrorLog "${errorLogFile}"`,
    'LogLevel warn auth_openidc:info',
    `Listen 127.0.0.1:${options.port}`,
    ...MODULES.map((name) => `LoadModule ${name}_module "${path.join(APACHE_MODULES, `mod_${name}.so`)}"`),
    ...runAs,
    // One small worker process: the suite's machine has two cores.
    'StartServers 1',
    'ServerLimit 1',
    'ThreadsPerChild 8',
    'MaxRequestWorkers 8',
    `ProxyPass "/" "${options.backendOrigin}/"`,
    '',
    options.site,
  ].join('\n');
  const configFile = path.join(root, 'httpd.conf');
  fs.writeFileSync(configFile, config);
  try {
    execFileSync(APACHE_BIN, ['-t', '-f', configFile], { stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new Error(`httpd refused the config (apache2 -t):\n${stderr}\n--- ${configFile}\n${config}`);
  }
  const httpd = spawnProcess(APACHE_BIN, ['-f', configFile, '-DFOREGROUND']);
  const errorLog = () => (fs.existsSync(errorLogFile) ? fs.readFileSync(errorLogFile, 'utf8') : '');
  await waitForPort(options.port, httpd, errorLog);
  return {
    origin: `http://127.0.0.1:${options.port}`,
    errorLog,
    async close() {
      if (httpd.child.exitCode === null) {
        // SIGTERM to the parent (by its pid) stops its workers too.
        httpd.child.kill('SIGTERM');
        await httpd.exited;
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
