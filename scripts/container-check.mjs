#!/usr/bin/env node
// CI check of the container image (Containerfile, issue 20 §2). No container runtime runs here and no
// registry image can be pulled (only Debian's mirror and npm's registry are reachable), so:
//   1. the base is assembled locally: a Debian bookworm rootfs unpacked from Debian's packages (or,
//      with --debootstrap, debootstrap's minbase: slower) plus this machine's Node 20 and npm, laid out
//      as node:20-slim has them (node at /usr/local/bin, user `node` uid 1000), committed as a buildah
//      image; kept in buildah's store under a tag keyed by the Node binary and this recipe, so a second
//      local run skips it (CI, on a fresh machine, makes it each time);
//   2. buildah builds the Containerfile unchanged, with BASE set to that image and better-sqlite3's
//      prebuilt binary served from this machine (GitHub, where its install fetches it, is unreachable);
//   3. the built image's filesystem is mounted (buildah mount) and its ENTRYPOINT and CMD run in it by
//      chroot as its USER, with /proc and /dev, a mounted seed, an admin token from a mounted secret
//      file and a host folder as its /data volume, as a container runtime would;
//      this script then asks it /health, the image's HEALTHCHECK command, discovery, a client_credentials
//      token (verified with jose against the JWKS), the admin API with the mounted token, and runs the
//      compose example's API (examples/compose/api) against it; and it measures start-to-ready.
// Needs root (buildah, chroot) on Debian bookworm x64 (Node 20 installed); installs buildah (and
// debootstrap) itself. Options: --dist DIR (a built dist/ to pack, default ./dist), --keep (keep the
// built image), --debootstrap (the base from debootstrap --variant=minbase).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: { dist: { type: 'string' }, keep: { type: 'boolean' }, debootstrap: { type: 'boolean' } },
});
const distDir = path.resolve(flags.dist ?? path.join(root, 'dist'));
const SUITE = 'bookworm'; // node:20-slim's Debian
const MIRROR = process.env.IDP_SANDBOX_DEBIAN_MIRROR || 'http://deb.debian.org/debian';
/** Bump when the base recipe below changes, so a cached base is not reused. */
const BASE_RECIPE = 2;
const IMAGE = 'localhost/idp-sandbox:check';
const started = performance.now();
const timings = {};

function log(message) {
  process.stdout.write(
    `[container-check ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`,
  );
}

function fail(message) {
  throw new Error(message);
}

/** Runs a command to completion; its output is shown only when it fails (or `show`). */
function run(command, args, { show = false, input } = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', show ? 'inherit' : 'pipe', show ? 'inherit' : 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) fail(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    fail(
      `${command} ${args.join(' ')} exited with ${result.status ?? result.signal}\n${result.stdout ?? ''}${result.stderr ?? ''}`,
    );
  }
  return (result.stdout ?? '').trim();
}

/** Like run, but without blocking the event loop (the binary mirror answers while buildah builds). */
function runAsync(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}`)),
    );
  });
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

async function timed(name, work) {
  const begin = performance.now();
  const result = await work();
  timings[name] = Math.round(performance.now() - begin);
  return result;
}

function preconditions() {
  if (process.platform !== 'linux' || process.arch !== 'x64') fail('This check runs on Linux x64 only.');
  if (process.getuid() !== 0) fail('This check needs root (buildah and chroot). Run it as root.');
  if (!process.version.startsWith('v20.'))
    fail(`The image is Node 20 and its base takes this machine's Node; this is ${process.version}.`);
  const codename = /^VERSION_CODENAME=(.*)$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1];
  if (!flags.debootstrap && codename !== SUITE)
    fail(
      `The base is made from this machine's Debian ${SUITE} package lists; this is ${codename}. Use --debootstrap.`,
    );
  if (!fs.existsSync(path.join(distDir, 'cli', 'idp-sandbox.cjs')))
    fail(`No built CLI in ${distDir}/cli. Run "npm run build" first.`);
  const missing = ['buildah', ...(flags.debootstrap ? ['debootstrap'] : [])].filter((tool) => !has(tool));
  if (missing.length === 0) return;
  log(`Installing ${missing.join(', ')} from Debian…`);
  const install = ['install', '-y', '--no-install-recommends', ...missing];
  const first = spawnSync('apt-get', install, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (first.status !== 0) {
    run('apt-get', ['update'], { show: true });
    run('apt-get', install, { show: true });
  }
}

/**
 * Debian's packages the base needs, with their dependencies: a shell for RUN, coreutils for its
 * commands, Node's C++ runtime, and base-files/base-passwd for the filesystem layout and system users.
 */
const BASE_PACKAGES = ['base-files', 'base-passwd', 'dash', 'coreutils', 'libstdc++6'];

/**
 * A Debian rootfs from Debian's packages, unpacked (no maintainer scripts: nothing here needs them).
 * 10–30 s here, where debootstrap's minbase took 70–290 s (--debootstrap still makes that one).
 */
function packagesRootfs(rootfs, work) {
  const debs = path.join(work, 'debs');
  fs.mkdirSync(debs);
  const closure = run('apt-cache', [
    'depends',
    '--recurse',
    ...['recommends', 'suggests', 'conflicts', 'breaks', 'replaces', 'enhances'].map(
      (kind) => `--no-${kind}`,
    ),
    ...BASE_PACKAGES,
  ])
    .split('\n')
    .filter((line) => /^[a-z0-9]/.test(line));
  const packages = [...new Set(closure)].sort();
  log(`Debian packages for the base: ${packages.join(' ')}`);
  spawnSync('apt-get', ['download', ...packages], { cwd: debs, stdio: 'ignore' });
  if (fs.readdirSync(debs).length < packages.length) {
    run('apt-get', ['update'], { show: true }); // Stale package lists name files the mirror no longer has.
    run('sh', ['-c', `cd "${debs}" && apt-get download ${packages.join(' ')}`]);
  }
  fs.mkdirSync(rootfs);
  for (const deb of fs.readdirSync(debs)) run('dpkg-deb', ['-x', path.join(debs, deb), rootfs]);
  // What base-passwd's maintainer script would have written.
  for (const name of ['passwd', 'group'])
    fs.copyFileSync(
      path.join(rootfs, 'usr/share/base-passwd', `${name}.master`),
      path.join(rootfs, 'etc', name),
    );
  run('ldconfig', ['-r', rootfs]);
}

/** The base image: Debian bookworm + this machine's node and npm, as node:20-slim lays them out. */
function baseImage() {
  const npmDir = path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  if (!fs.existsSync(path.join(npmDir, 'bin', 'npm-cli.js'))) fail(`npm not found at ${npmDir}.`);
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  const key = crypto
    .createHash('sha256')
    .update(
      JSON.stringify([
        BASE_RECIPE,
        flags.debootstrap,
        BASE_PACKAGES,
        SUITE,
        MIRROR,
        process.version,
        extraCa,
      ]),
    )
    .update(fs.readFileSync(process.execPath))
    .digest('hex')
    .slice(0, 12);
  const tag = `localhost/idp-sandbox-base:${process.version.slice(1)}-${key}`;
  if (spawnSync('buildah', ['inspect', '--type', 'image', tag], { stdio: 'ignore' }).status === 0) {
    log(`Base image ${tag} is already built (cached).`);
    return tag;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-sandbox-base-'));
  const rootfs = path.join(work, 'rootfs');
  try {
    if (flags.debootstrap) {
      log(`debootstrap --variant=minbase ${SUITE} from ${MIRROR}…`);
      run('debootstrap', ['--variant=minbase', SUITE, rootfs, MIRROR]);
      // As Debian's slim images: no package lists, downloaded packages, docs or man pages.
      for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man']) {
        fs.rmSync(path.join(rootfs, dir), { recursive: true, force: true });
        fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
      }
    } else {
      packagesRootfs(rootfs, work);
    }
    const local = path.join(rootfs, 'usr', 'local');
    fs.mkdirSync(path.join(local, 'bin'), { recursive: true });
    fs.copyFileSync(process.execPath, path.join(local, 'bin', 'node'));
    fs.chmodSync(path.join(local, 'bin', 'node'), 0o755);
    fs.mkdirSync(path.join(local, 'lib', 'node_modules'), { recursive: true });
    run('cp', ['-a', npmDir, path.join(local, 'lib', 'node_modules', 'npm')]);
    fs.symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', path.join(local, 'bin', 'npm'));
    fs.symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', path.join(local, 'bin', 'npx'));
    // node:20-slim's user `node` (uid and gid 1000, home /home/node).
    fs.appendFileSync(path.join(rootfs, 'etc', 'passwd'), 'node:x:1000:1000::/home/node:/bin/sh\n');
    fs.appendFileSync(path.join(rootfs, 'etc', 'group'), 'node:x:1000:\n');
    fs.mkdirSync(path.join(rootfs, 'home', 'node'), { recursive: true });
    fs.chownSync(path.join(rootfs, 'home', 'node'), 1000, 1000);
    // This machine reaches npm's registry through a TLS-inspecting proxy whose CA Node is given in
    // NODE_EXTRA_CA_CERTS; the base carries the same, or the image's npm install is refused.
    const env = [];
    if (extraCa) {
      fs.mkdirSync(path.join(rootfs, path.dirname(extraCa)), { recursive: true });
      fs.copyFileSync(extraCa, path.join(rootfs, extraCa));
      env.push('--env', `NODE_EXTRA_CA_CERTS=${extraCa}`);
    }
    const version = run('chroot', [rootfs, '/usr/local/bin/node', '--version']);
    if (version !== process.version) fail(`node in the base says ${version}, expected ${process.version}.`);

    const container = run('buildah', ['from', 'scratch']);
    try {
      const mount = run('buildah', ['mount', container]);
      run('cp', ['-a', `${rootfs}/.`, mount]);
      run('buildah', ['umount', container]);
      run('buildah', [
        'config',
        '--env',
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        '--env',
        `NODE_VERSION=${process.version.slice(1)}`,
        ...env,
        '--cmd',
        'node',
        container,
      ]);
      run('buildah', ['commit', '--rm', container, tag]);
    } catch (error) {
      spawnSync('buildah', ['rm', container], { stdio: 'ignore' });
      throw error;
    }
    log(`Base image ${tag} built.`);
    return tag;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * better-sqlite3's install asks GitHub for a prebuilt binary; this serves the one this machine's tests
 * use (same Node ABI, glibc and arch as the image), named and packed as prebuild-install expects.
 */
async function binaryMirror(work) {
  const moduleDir = path.join(root, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(fs.readFileSync(path.join(moduleDir, 'package.json'), 'utf8'));
  const lockVersion = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')).packages[
    'node_modules/better-sqlite3'
  ].version;
  if (version !== lockVersion)
    fail(`node_modules has better-sqlite3 ${version}, the lock ${lockVersion}: run npm ci.`);
  const file = `better-sqlite3-v${version}-node-v${process.versions.modules}-linux-x64.tar.gz`;
  const served = path.join(work, 'mirror', `v${version}`);
  fs.mkdirSync(served, { recursive: true });
  run('tar', ['-czf', path.join(served, file), '-C', moduleDir, 'build/Release/better_sqlite3.node']);
  const server = http.createServer((request, response) => {
    const wanted = path.join(work, 'mirror', path.normalize(decodeURIComponent(request.url ?? '/')));
    if (
      !wanted.startsWith(path.join(work, 'mirror')) ||
      !fs.existsSync(wanted) ||
      fs.statSync(wanted).isDirectory()
    ) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/gzip' });
    fs.createReadStream(wanted).pipe(response);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

/** The build context: what .dockerignore lets through of a checkout with a built dist/. */
function stageContext(work) {
  const context = path.join(work, 'context');
  fs.mkdirSync(context);
  for (const file of ['Containerfile', '.dockerignore', 'package.json', 'package-lock.json'])
    fs.copyFileSync(path.join(root, file), path.join(context, file));
  run('cp', ['-a', distDir, path.join(context, 'dist')]);
  return context;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a command and resolves once a line of its stdout matches; the child keeps running. */
function startUntil(command, args, ready, { env, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const begin = performance.now();
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} not ready after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    let isReady = false;
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (isReady || !ready.test(output)) return;
      isReady = true;
      clearTimeout(timer);
      resolve({ child, ms: performance.now() - begin, output: () => output });
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!isReady)
        reject(new Error(`${command} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

/** Stops a process with SIGTERM (SIGKILL after 10 s) and resolves with its exit code. */
function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

async function json(url, init) {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) fail(`${init?.method ?? 'GET'} ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

function imageConfig(image) {
  const info = JSON.parse(run('buildah', ['inspect', '--type', 'image', image]));
  const config = info.Docker?.config ?? {};
  return {
    entrypoint: config.Entrypoint ?? [],
    cmd: config.Cmd ?? [],
    env: config.Env ?? [],
    user: config.User,
    workdir: config.WorkingDir || '/',
    healthcheck: config.Healthcheck?.Test ?? [],
    volumes: Object.keys(config.Volumes ?? {}),
  };
}

/**
 * The image's filesystem, mounted by buildah, as a container runtime would present it: /proc, /dev, and
 * bind mounts for volumes, secrets and files. (`buildah run` does this too, but its own handling of
 * the image's VOLUME sometimes won over a -v for the same path, and it adds ~3 s a command here.)
 */
function mountImage(image, config) {
  const container = run('buildah', ['from', '--pull-never', image]);
  const mounts = [];
  let rootfs;
  const cleanup = () => {
    const stuck = mounts.reverse().filter((target) => spawnSync('umount', ['-l', target]).status !== 0);
    // Removing the container with the machine's /dev still mounted in it is not worth the risk.
    if (stuck.length > 0) process.stderr.write(`Could not unmount ${stuck.join(', ')}; left ${container}.\n`);
    else spawnSync('buildah', ['rm', container], { stdio: 'ignore' });
  };
  try {
    rootfs = run('buildah', ['mount', container]);
    const user = fs
      .readFileSync(path.join(rootfs, 'etc', 'passwd'), 'utf8')
      .split('\n')
      .map((line) => line.split(':'))
      .find(([name]) => name === config.user);
    if (!user) fail(`The image's USER ${config.user} is not in its /etc/passwd.`);
    const [, , uid, gid, , home] = user;
    const bind = (source, target, { readOnly = false, type } = {}) => {
      const where = path.join(rootfs, target);
      if (fs.statSync(source, { throwIfNoEntry: false })?.isDirectory() ?? true)
        fs.mkdirSync(where, { recursive: true });
      else {
        fs.mkdirSync(path.dirname(where), { recursive: true });
        fs.closeSync(fs.openSync(where, 'a'));
      }
      run('mount', type ? ['-t', type, source, where] : ['--bind', source, where]);
      mounts.push(where);
      if (readOnly) run('mount', ['-o', 'remount,bind,ro', where]);
    };
    bind('proc', '/proc', { type: 'proc' });
    bind('/dev', '/dev');
    /** argv running `command` inside, as the image's user, with the image's environment and WORKDIR. */
    const exec = (command, env = []) => [
      'chroot',
      `--userspec=${uid}:${gid}`,
      `--groups=${gid}`,
      rootfs,
      '/usr/bin/env',
      '-i',
      `--chdir=${config.workdir}`,
      `HOME=${home}`,
      ...config.env,
      ...env,
      ...command,
    ];
    return { rootfs, bind, exec, cleanup, uid: Number(uid) };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/**
 * One start of the engine in memory (a fresh signing key): the wall time from spawn to the ready line,
 * and the CPU time the engine process had used by then (from /proc, in clock ticks of 10 ms), which
 * the machine's load barely moves: on an idle machine the wall time comes close to it.
 */
const START_PROBE = `
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const begin = performance.now();
const child = spawn(process.execPath, [process.argv[1], 'serve', '--in-memory', '--port', '0']);
let output = '';
child.stdout.on('data', (chunk) => {
  if (output.includes('is ready')) return;
  output += chunk;
  if (!output.includes('is ready')) return;
  const wall = Math.round(performance.now() - begin);
  const stat = fs.readFileSync('/proc/' + child.pid + '/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  console.log(JSON.stringify({ wall, cpu: (Number(fields[11]) + Number(fields[12])) * 10 }));
  child.kill('SIGTERM');
});
child.on('exit', () => { if (!output.includes('is ready')) { console.error(output); process.exit(1); } });
`;

/**
 * Start-to-ready of the engine inside the image's filesystem against the same build outside it,
 * interleaved (the machine is shared: its load moves both alike). Medians of 3.
 */
function startTimes(image, context) {
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(context, 'node_modules'));
  const samples = { inImage: [], onHost: [] };
  for (let round = 0; round < 3; round++) {
    const [chroot, ...args] = image.exec([
      'node',
      '-e',
      START_PROBE,
      '/opt/idp-sandbox/dist/cli/idp-sandbox.cjs',
    ]);
    samples.inImage.push(JSON.parse(run(chroot, args)));
    const outside = path.join(context, 'dist', 'cli', 'idp-sandbox.cjs');
    samples.onHost.push(JSON.parse(run(process.execPath, ['-e', START_PROBE, outside])));
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const summary = (runs) => ({
    wallMs: median(runs.map((sample) => sample.wall)),
    cpuMs: median(runs.map((sample) => sample.cpu)),
    runs,
  });
  return { inImage: summary(samples.inImage), onHost: summary(samples.onHost) };
}

async function checkImage(work, context) {
  const config = imageConfig(IMAGE);
  if (config.user !== 'node')
    fail(`The image runs as "${config.user}", expected the unprivileged user node.`);
  if (!config.volumes.includes('/data'))
    fail(`The image declares volumes ${config.volumes}, expected /data.`);
  if (config.healthcheck[0] !== 'CMD')
    fail(`The image has no HEALTHCHECK (${JSON.stringify(config.healthcheck)}).`);

  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const adminToken = crypto.randomBytes(24).toString('base64url');
  const secret = path.join(work, 'admin-token');
  fs.writeFileSync(secret, `${adminToken}\n`, { mode: 0o644 });
  const dataDir = path.join(work, 'data');
  fs.mkdirSync(dataDir);

  const { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } = await import('jose');
  let jwksUri;
  let signingKid;
  const image = mountImage(IMAGE, config);
  try {
    // .dockerignore: the build context reaches the image without source maps (the context had them).
    const packed = fs.readdirSync(path.join(image.rootfs, 'opt', 'idp-sandbox', 'dist', 'cli'));
    if (packed.some((file) => file.endsWith('.map')) || !packed.includes('cli-main.cjs.v8cache'))
      fail(`The image's dist/cli holds ${packed.join(', ')}: check .dockerignore.`);
    fs.chownSync(dataDir, image.uid, image.uid); // As Docker makes a named volume from the image's /data.
    image.bind(dataDir, '/data');
    image.bind(secret, '/run/secrets/idp-admin-token', { readOnly: true });
    // The compose example's workspace, so the example is what is checked.
    image.bind(path.join(root, 'examples', 'compose', 'workspace.json'), '/seed/workspace.json', {
      readOnly: true,
    });
    const healthEnv = `IDP_SANDBOX_HEALTH_URL=${issuer}/health`;

    // The image's own ENTRYPOINT and CMD, with a port free on this shared network and the seed.
    const command = [
      ...config.entrypoint,
      ...config.cmd,
      '--port',
      String(port),
      '--seed',
      '/seed/workspace.json',
    ];
    log(`Running the image: ${command.join(' ')}`);
    const [chroot, ...args] = image.exec(command, [
      'IDP_SANDBOX_ADMIN_TOKEN_FILE=/run/secrets/idp-admin-token',
      healthEnv,
    ]);
    const engine = await startUntil(chroot, args, /is ready/);
    timings.freshStartToReady = Math.round(engine.ms);
    log(
      `Ready ${timings.freshStartToReady} ms after the start (a fresh /data: a new database and signing key).`,
    );
    try {
      const healthAnswer = await json(`${issuer}/health`);
      if (healthAnswer.status !== 'ok') fail(`/health answered ${JSON.stringify(healthAnswer)}`);
      log(`/health: ${JSON.stringify(healthAnswer)}`);

      // The HEALTHCHECK exactly as the image declares it, run inside the image.
      const [, ...healthcheck] = config.healthcheck;
      const [probeCommand, ...probeArgs] = image.exec(healthcheck, [healthEnv]);
      run(probeCommand, probeArgs);
      log('HEALTHCHECK command: exit 0');

      const discovery = await json(`${issuer}/.well-known/openid-configuration`);
      if (discovery.issuer !== issuer) fail(`discovery names issuer ${discovery.issuer}, expected ${issuer}`);
      log(`Discovery: issuer ${discovery.issuer}, token endpoint ${discovery.token_endpoint}`);

      const token = await json(discovery.token_endpoint, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from('orders-worker:orders-worker-secret').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials&scope=orders%3Aread',
      });
      jwksUri = discovery.jwks_uri;
      signingKid = decodeProtectedHeader(token.access_token).kid;
      const { payload } = await jwtVerify(
        token.access_token,
        createRemoteJWKSet(new URL(discovery.jwks_uri)),
        {
          issuer,
          audience: 'orders-api',
        },
      );
      log(
        `client_credentials token verified with jose: sub ${payload.sub}, aud ${payload.aud}, scope ${payload.scope}`,
      );

      const users = await json(`${issuer}/admin/api/users.list`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
      if (!users.some((user) => user.username === 'alice'))
        fail(`users.list (mounted admin token) has no seeded alice: ${JSON.stringify(users)}`);
      log('Admin API: the token from the mounted secret file works; the seeded user is there.');

      await exampleApi(issuer, token.access_token);

      for (const file of ['admin-token', 'idp-sandbox.db']) {
        const stat = fs.statSync(path.join(dataDir, file), { throwIfNoEntry: false });
        if (!stat) fail(`The /data volume has no ${file}: ${fs.readdirSync(dataDir).join(', ')}`);
        if (stat.uid !== image.uid)
          fail(`/data/${file} is owned by uid ${stat.uid}: the engine did not run as node.`);
      }
      log(`/data volume: database and admin token written by uid ${image.uid} (node).`);
    } finally {
      // As `docker stop`: SIGTERM to the entrypoint (chroot execs it: the child is node itself).
      const code = await stop(engine.child);
      if (code !== 0 || !/Stopped \(SIGTERM\)/.test(engine.output()))
        fail(`The engine did not stop cleanly on SIGTERM (exit ${code}):\n${engine.output()}`);
      log('SIGTERM: stopped cleanly.');
    }

    // A restart on the same volume: the database and keys are kept, so no key is generated.
    const [again, ...againArgs] = image.exec([...config.entrypoint, ...config.cmd, '--port', String(port)]);
    const restart = await startUntil(again, againArgs, /is ready/);
    timings.restartToReady = Math.round(restart.ms);
    const kept = await json(jwksUri);
    await stop(restart.child);
    if (!kept.keys.some((key) => key.kid === signingKid))
      fail(`The restart did not keep the signing key ${signingKid}: ${JSON.stringify(kept)}`);
    log(`Restart on the same /data: ready in ${timings.restartToReady} ms, signing key kept.`);

    timings.start = startTimes(image, context);
    const { inImage, onHost } = timings.start;
    log(
      `Start to ready, in memory (medians of 3, interleaved): in the image ${inImage.wallMs} ms wall, ${inImage.cpuMs} ms CPU; the same build outside it ${onHost.wallMs} ms wall, ${onHost.cpuMs} ms CPU (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores).`,
    );
  } finally {
    image.cleanup();
  }
}

/** examples/compose/api, the compose example's microservice, run here against the image's engine. */
async function exampleApi(issuer, accessToken) {
  const port = await freePort();
  const api = await startUntil(
    'node',
    [path.join(root, 'examples', 'compose', 'api', 'server.mjs')],
    /listening/,
    {
      env: { ISSUER: issuer, AUDIENCE: 'orders-api', PORT: String(port) },
    },
  );
  try {
    const url = `http://127.0.0.1:${port}/orders`;
    const without = await fetch(url);
    if (without.status !== 401)
      fail(`The example API answered ${without.status} without a token, expected 401.`);
    const orders = await json(url, { headers: { authorization: `Bearer ${accessToken}` } });
    log(`Example API (examples/compose/api): 401 without a token, 200 with it for ${orders.caller}.`);
  } finally {
    await stop(api.child);
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-sandbox-container-'));
let mirror;
try {
  preconditions();
  const base = await timed('baseImage', () => baseImage());
  mirror = await binaryMirror(work);
  const context = stageContext(work);
  log(`buildah build -f Containerfile --build-arg BASE=${base}…`);
  await timed('build', () =>
    runAsync('buildah', [
      'build',
      '--isolation',
      'chroot',
      '--format',
      'docker', // HEALTHCHECK is a Docker-format field; OCI images drop it.
      '--pull-never',
      '--build-arg',
      `BASE=${base}`,
      '--build-arg',
      `SQLITE_BINARY_HOST=${mirror.url}`,
      '-f',
      path.join(context, 'Containerfile'),
      '-t',
      IMAGE,
      context,
    ]),
  );
  mirror.server.close();
  mirror = undefined;
  await timed('run', () => checkImage(work, context));
  const size = run('buildah', ['images', '--format', '{{.Size}}', IMAGE]);
  log(`Image ${IMAGE}: ${size}`);
  log(`Timings (ms): ${JSON.stringify(timings)}`);
  log('Container check passed.');
} catch (error) {
  process.stderr.write(`\ncontainer-check FAILED: ${error.stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  mirror?.server.close();
  if (!flags.keep) spawnSync('buildah', ['rmi', IMAGE], { stdio: 'ignore' });
  fs.rmSync(work, { recursive: true, force: true });
}
