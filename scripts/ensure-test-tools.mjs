#!/usr/bin/env node
// Makes sure the programs the tests drive are installed: Chromium for the e2e tests and, with
// --interop, the third-party clients of the interop suite (Apache with mod_auth_openidc, Python's
// PyJWT and authlib, Go with go-oidc and x/oauth2). Where the machine can install them itself (Debian
// or Ubuntu, as root or with passwordless sudo) it does, saying so in one line; elsewhere it says what to
// install and exits non-zero, so no test is skipped silently.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const E2E = ['chromium'];
const INTEROP = [
  'libapache2-mod-auth-openidc',
  'python3-jwt',
  'python3-cryptography',
  'python3-authlib',
  'python3-requests',
  'golang-go',
  'golang-github-coreos-go-oidc-dev',
  'golang-golang-x-oauth2-dev',
];

const wanted = process.argv.includes('--interop') ? [...E2E, ...INTEROP] : E2E;

function installed(pkg) {
  // CHROME_PATH stands in for Debian's chromium (another Chrome or Chromium the user points at).
  if (pkg === 'chromium' && process.env.CHROME_PATH && fs.existsSync(process.env.CHROME_PATH)) return true;
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax, not a template
  const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return query.status === 0 && query.stdout.includes('install ok installed');
}

const hasDpkg = spawnSync('dpkg-query', ['--version']).status === 0;
if (!hasDpkg) {
  // Not Debian: only Chromium can be found without a package manager.
  if (wanted.length === 1 && (process.env.CHROME_PATH || fs.existsSync('/usr/bin/chromium'))) process.exit(0);
  process.stderr.write(
    `The tests need ${wanted.join(', ')} (Debian package names). Install them with your package manager, ` +
      'or point CHROME_PATH at a Chrome/Chromium executable for the e2e tests.\n',
  );
  process.exit(1);
}

const missing = wanted.filter((pkg) => !installed(pkg));
if (missing.length === 0) process.exit(0);

const isRoot = process.getuid?.() === 0;
const sudo = !isRoot && spawnSync('sudo', ['-n', 'true']).status === 0 ? ['sudo', '-n'] : isRoot ? [] : null;
const command = `apt-get install -y ${missing.join(' ')}`;
if (sudo === null || spawnSync('apt-get', ['--version']).status !== 0) {
  process.stderr.write(`The tests need ${missing.join(', ')}. Install them with: sudo ${command}\n`);
  process.exit(1);
}

process.stdout.write(`Installing what the tests need (${command})…\n`);
const run = (args) => {
  const [program, ...rest] = [...sudo, ...args];
  return spawnSync(program, rest, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  }).status;
};
if (run(['apt-get', 'update', '-qq']) !== 0 || run(['apt-get', 'install', '-y', '-qq', ...missing]) !== 0) {
  process.stderr.write(`Could not install ${missing.join(', ')}. Install them with: sudo ${command}\n`);
  process.exit(1);
}
