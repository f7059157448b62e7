// Starting and stopping the systems under test, each in its own process, and reading their memory.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILT_CLI = path.join(ROOT, 'dist', 'cli', 'idp-sandbox.cjs');
/**
 * The engine runs from a copy of the built CLI taken when the benchmark starts, so a rebuild of dist/
 * during the run (tests build on demand) cannot pull it away. The copy sits under node_modules/ so the
 * bundle's external packages resolve exactly as from dist/. The CLI is a launcher that runs the bundle
 * beside it from a V8 code cache, so the files beside the launcher are copied with it. One copy per
 * benchmark process (removed when it exits), so two runs at once (an A/B with --cli) never swap builds.
 */
const CLI_COPY_DIR = path.join(ROOT, 'node_modules', '.cache', `idp-sandbox-bench-${process.pid}`);
export const CLI = path.join(CLI_COPY_DIR, 'idp-sandbox.cjs');
process.on('exit', () => fs.rmSync(CLI_COPY_DIR, { recursive: true, force: true }));
/**
 * Beside the launcher: the bundle, its code cache, its source map (which names the engine's own files in
 * CPU profiles, --profile) and the signing worker, where the bundle looks for it. A build from before the
 * launcher or before signing workers lacks some; stale copies of those are removed.
 */
const BESIDE_CLI = [
  'cli-main.cjs',
  'cli-main.cjs.v8cache',
  'cli-main.cjs.map',
  'sign-worker.cjs',
  // The parts only some runs load (--https, --ui, mcp, a route with a JSON schema), which the bundle
  // require()s from its folder (CLI_PARTS in scripts/build.mjs).
  'cli-tls.cjs',
  'cli-fastify-static.cjs',
  'cli-mcp-sdk.cjs',
  'cli-fastify-ajv.cjs',
  'cli-fastify-serializer.cjs',
];

export async function snapshotCli(source = BUILT_CLI) {
  const companions = [
    // A one-file CLI (an older build, --cli) carries its own source map.
    [`${source}.map`, `${CLI}.map`],
    ...BESIDE_CLI.map((name) => [path.join(path.dirname(source), name), path.join(path.dirname(CLI), name)]),
  ];
  for (let attempt = 0; ; attempt++) {
    try {
      fs.mkdirSync(path.dirname(CLI), { recursive: true });
      fs.copyFileSync(source, CLI);
      for (const [from, to] of companions) {
        if (fs.existsSync(from)) fs.copyFileSync(from, to);
        else fs.rmSync(to, { force: true });
      }
      // A build that started meanwhile may have removed some of the files: take them all again.
      if (!fs.existsSync(source)) throw new Error(`${source} went away while it was copied`);
      return;
    } catch (error) {
      // A build in progress removes dist/ for a few seconds; anything longer means there is no build.
      if (attempt >= 60)
        throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` first (${error.message})`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdefghijklmnopqrstuvwxyz';

/** Every process this script started and has not yet seen exit; stopped on the way out whatever happens. */
const running = new Set();

/**
 * Spawns `node args…`. `ready(line)` is called for each line of its stdout and returns null or facts to
 * keep (`issuer`, …); the promise resolves once it returns `{ ready: true }`.
 * Rejects with its stderr if it exits first or takes longer than `timeoutMs`.
 */
export function spawnNode(args, { env = {}, ready, timeoutMs = 60_000, nodeArgs = [] }) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    let info = {};
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args[0]} did not become ready in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    const onExit = (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited with ${code} before it was ready: ${stderr}`));
    };
    child.once('exit', onExit);
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const result = ready(line);
        if (result) info = { ...info, ...result };
        if (result?.ready) {
          clearTimeout(timer);
          child.off('exit', onExit);
          child.stdout.resume();
          const readyNs = process.hrtime.bigint() - started;
          resolve(new Server(child, info, Number(readyNs) / 1e6, () => stderr));
          return;
        }
        nl = buffer.indexOf('\n');
      }
    });
  });
}

export class Server {
  constructor(child, info, readyMs, stderr) {
    this.child = child;
    this.pid = child.pid;
    this.readyMs = readyMs;
    this.stderr = stderr;
    Object.assign(this, info);
    const url = new URL(info.issuer);
    this.port = Number(url.port);
    /** Loopback by address, never by name: `localhost` may resolve to ::1 where these listen on 127.0.0.1. */
    this.origin = `http://127.0.0.1:${this.port}`;
  }

  /** Rewrites an absolute URL the server advertised (e.g. from its discovery document) to 127.0.0.1. */
  local(url) {
    const u = new URL(url, this.origin);
    return `${this.origin}${u.pathname}${u.search}`;
  }

  /** Resident and peak resident memory in MB, from /proc. */
  memory() {
    try {
      const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
      return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
    } catch {
      return { rssMb: Number.NaN, peakMb: Number.NaN };
    }
  }

  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Kills whatever is still running (by the pids this script holds); used on errors and on exit. */
export function killAll() {
  for (const child of running) child.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** Starts one of bench/servers/*.mjs; each prints `READY {"port":…,"issuer":…}` when it answers. */
export function startScript(script, options = {}, { env, nodeArgs } = {}) {
  return spawnNode([path.join(ROOT, 'bench', 'servers', script), JSON.stringify(options)], {
    env,
    nodeArgs,
    ready: (line) => (line.startsWith('READY ') ? { ...JSON.parse(line.slice(6)), ready: true } : null),
  });
}

/**
 * Starts the engine's headless CLI (the built dist/cli/idp-sandbox.cjs) with a seed file, either in memory
 * or on a data folder. Ready when it prints its banner's last line, as the README says.
 */
export function startEngine({ seedFile, dataDir, env = {}, nodeArgs = [], args: extraArgs = [] }) {
  const args = [CLI, 'serve', '--port', '0', '--seed', seedFile, ...extraArgs];
  if (dataDir) args.push('--data-dir', dataDir);
  else args.push('--in-memory');
  return spawnNode(args, {
    env: { IDP_SANDBOX_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
    nodeArgs,
    ready: (line) => {
      const issuer = /^\s*Issuer:\s+(\S+)/.exec(line)?.[1];
      if (issuer) return { issuer };
      return line.startsWith('Press Ctrl+C') ? { ready: true } : null;
    },
  });
}
