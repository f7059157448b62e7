import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/engine';

const BIOME = path.join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');

/**
 * The layers inside main/core, lowest first, and what each may import. Mirrors biome.json's overrides;
 * every forbidden pair below is probed, so a rule dropped from the config fails here.
 */
const CORE_LAYERS: Record<string, string[]> = {
  lib: [],
  store: ['lib'],
  tls: ['lib'],
  tokens: ['lib', 'store'],
  provider: ['lib', 'store', 'tokens'],
  protocol: ['lib', 'store', 'tls', 'tokens', 'provider'],
  oauth: ['lib', 'store', 'tls', 'tokens', 'provider', 'protocol'],
  admin: ['lib', 'store', 'tls', 'tokens', 'provider', 'protocol', 'oauth'],
  http: ['lib', 'store', 'tls', 'tokens', 'provider', 'protocol', 'oauth', 'admin'],
};
const FOLDERS = Object.keys(CORE_LAYERS);

interface Diagnostic {
  category: string;
  message: string;
  location: { path: string };
}

/**
 * Throwaway files written inside the tree (the rules are per folder), all linted by one Biome run: the
 * import-cycle rule scans the whole project first, a few seconds each run.
 */
const probes = new Map<string, string>();
let diagnostics: Diagnostic[] = [];

function probe(relativePath: string, source: string): string {
  probes.set(relativePath, source);
  return relativePath;
}
const importing = (specifier: string) =>
  `import { something } from '${specifier}';\nexport const probe = something;\n`;

function findings(relativePath: string): Diagnostic[] {
  return diagnostics.filter((d) => d.location.path === relativePath);
}
function messages(relativePath: string): string {
  return findings(relativePath)
    .map((d) => `${d.category}: ${d.message}`)
    .join('\n');
}

const cases = {
  coreElectron: probe(
    'main/core/__probe_electron__.ts',
    "import { app } from 'electron';\nexport const probe = app;\n",
  ),
  storeElectron: probe(
    'main/core/store/__probe_electron__.ts',
    "import { app } from 'electron';\nexport const probe = app;\n",
  ),
  sharedMain: probe('shared/__probe_main__.ts', importing('../main/core/engine')),
  sharedRenderer: probe('shared/__probe_renderer__.ts', importing('../renderer/src/App')),
  rendererMain: probe('renderer/src/__probe_main__.ts', importing('../../main/core/engine')),
  electronHost: probe(
    'main/electron/__probe_electron__.ts',
    "import { app } from 'electron';\nexport const probe = app;\n",
  ),
  grantEndpoint: probe('main/core/oauth/grants/__probe_parent__.ts', importing('../authorize')),
  grantRoot: probe('main/core/oauth/grants/__probe_root__.ts', importing('../../engine')),
  grantProtocol: probe('main/core/oauth/grants/__probe_protocol__.ts', importing('../../protocol/errors')),
  cycleA: probe(
    'main/core/lib/__probe_cycle_a__.ts',
    "import { b } from './__probe_cycle_b__';\nexport const a = () => b;\n",
  ),
  longFunction: probe(
    'main/core/lib/__probe_long_function__.ts',
    `export function long(): number {\n  let n = 0;\n${'  n += 1;\n'.repeat(120)}  return n;\n}\n`,
  ),
  cycleB: probe(
    'main/core/lib/__probe_cycle_b__.ts',
    "import { a } from './__probe_cycle_a__';\nexport const b = () => a;\n",
  ),
};
const layerProbes = FOLDERS.map((folder) => ({
  folder,
  root: probe(`main/core/${folder}/__probe_root__.ts`, importing('../engine')),
  imports: FOLDERS.filter((other) => other !== folder).map((other) => ({
    other,
    allowed: CORE_LAYERS[folder]?.includes(other) ?? false,
    file: probe(`main/core/${folder}/__probe_${other}__.ts`, importing(`../${other}/anything`)),
  })),
}));

beforeAll(() => {
  for (const [file, source] of probes) fs.writeFileSync(path.join(ROOT, file), source);
  const result = spawnSync(
    process.execPath,
    [BIOME, 'lint', '--colors=off', '--reporter=json', '--max-diagnostics=none', ...probes.keys()],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const report = result.stdout.slice(result.stdout.indexOf('{'));
  diagnostics = (JSON.parse(report) as { diagnostics: Diagnostic[] }).diagnostics;
}, 120_000);

afterAll(() => {
  for (const file of probes.keys()) fs.rmSync(path.join(ROOT, file), { force: true });
});

describe('import-layer lint rules between the processes', () => {
  it('fails when main/core imports electron, in every layer override', () => {
    expect(messages(cases.coreElectron)).toContain('main/core is the engine');
    expect(messages(cases.storeElectron)).toContain('main/core is the engine');
  });

  it('fails when shared/ imports from main/ or renderer/', () => {
    expect(messages(cases.sharedMain)).toContain('shared/ imports nothing from main/ or renderer/');
    expect(messages(cases.sharedRenderer)).toContain('shared/ imports nothing from main/ or renderer/');
  });

  it('fails when renderer/ imports from main/', () => {
    expect(messages(cases.rendererMain)).toContain('renderer/ never imports main/');
  });

  it('allows the desktop host to import electron (the rule is per layer, not global)', () => {
    expect(findings(cases.electronHost)).toEqual([]);
  });
});

describe('layers inside main/core', () => {
  for (const { folder, root, imports } of layerProbes) {
    const forbidden = imports.filter((i) => !i.allowed);
    if (forbidden.length) {
      it(`fails when ${folder}/ imports a layer above it (${forbidden.map((i) => i.other).join(', ')})`, () => {
        for (const { other, file } of forbidden) {
          expect(messages(file), `${folder} -> ${other}`).toContain(`main/core/${folder} is below`);
        }
      });
    }
    it(`fails when ${folder}/ imports the engine's root`, () => {
      expect(messages(root)).toContain('never imports a file of a folder above it');
    });
    const allowed = imports.filter((i) => i.allowed);
    if (allowed.length) {
      it(`allows ${folder}/ to import the layers below it (${allowed.map((i) => i.other).join(', ')})`, () => {
        for (const { other, file } of allowed) expect(findings(file), `${folder} -> ${other}`).toEqual([]);
      });
    }
  }

  it('fails when a grant module imports an endpoint file of oauth/ or the root', () => {
    expect(messages(cases.grantEndpoint)).toContain('main/core/oauth/grants never imports');
    expect(messages(cases.grantRoot)).toContain('main/core/oauth/grants never imports');
  });

  it('lets a grant module import protocol/', () => {
    expect(findings(cases.grantProtocol)).toEqual([]);
  });

  it('fails on an import cycle between two files', () => {
    expect(messages(cases.cycleA)).toContain('lint/suspicious/noImportCycles');
    expect(messages(cases.cycleB)).toContain('lint/suspicious/noImportCycles');
  });

  it('fails on a function of 120 lines or more anywhere in main/', () => {
    expect(messages(cases.longFunction)).toContain('lint/complexity/noExcessiveLinesPerFunction');
  });
});
