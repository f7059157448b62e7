import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runToEnd } from './run';

/** Debian's Python, which has the distribution's modules (a pyenv or venv python3 on PATH would not). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

const PYTHON_MODULES = ['jwt', 'cryptography', 'authlib', 'requests'];
const PYTHON_PACKAGES = 'python3-jwt python3-cryptography python3-authlib python3-requests';

/** Debian's go-oidc (v2) and its dependencies live in this GOPATH, so the build needs no network. */
const DEBIAN_GOPATH = '/usr/share/gocode';
const GO_PACKAGES = 'golang-go golang-github-coreos-go-oidc-dev';

/** Fails with how to install them when the Python verifiers' modules are missing. */
export function checkPythonModules(): void {
  const missing = `The Python verifiers need ${DEBIAN_PYTHON} with the modules ${PYTHON_MODULES.join(', ')}: apt-get install -y ${PYTHON_PACKAGES}`;
  if (!fs.existsSync(DEBIAN_PYTHON)) throw new Error(missing);
  try {
    execFileSync(DEBIAN_PYTHON, ['-c', `import ${PYTHON_MODULES.join(', ')}`], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`${missing}\n${(error as { stderr?: Buffer }).stderr?.toString() ?? String(error)}`);
  }
}

/** Fails with how to install them when Go or Debian's go-oidc are missing. */
export function checkGoOidc(): void {
  const missing = `The Go verifier needs Go and coreos/go-oidc from Debian: apt-get install -y ${GO_PACKAGES}`;
  try {
    execFileSync('go', ['version'], { stdio: 'pipe' });
  } catch {
    throw new Error(missing);
  }
  if (!fs.existsSync(path.join(DEBIAN_GOPATH, 'src/github.com/coreos/go-oidc/oidc.go')))
    throw new Error(missing);
}

/**
 * Builds the rendered main.go as the recipe says, offline: GOPATH mode against Debian's packages. The
 * build cache is kept across runs so a second run builds in a second or two.
 */
export async function buildGoProgram(dir: string, mainFile: string): Promise<string> {
  const binary = path.join(dir, 'verifier');
  await runToEnd('go', ['build', '-o', binary, path.join(dir, mainFile)], {
    GO111MODULE: 'off',
    GOPATH: DEBIAN_GOPATH,
    GOPROXY: 'off',
    GOFLAGS: '',
    GOCACHE: process.env.GOCACHE ?? path.join(os.tmpdir(), 'idp-sandbox-go-build'),
  });
  return binary;
}
