import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/engine';

const BIOME = path.join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
const probes: string[] = [];

/** Writes a throwaway file inside the tree (the layer rules are per folder) and lints just that file. */
function lintProbe(relativePath: string, source: string) {
  const file = path.join(ROOT, relativePath);
  probes.push(file);
  fs.writeFileSync(file, source);
  const result = spawnSync(process.execPath, [BIOME, 'lint', '--colors=off', file], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

afterEach(() => {
  for (const file of probes.splice(0)) fs.rmSync(file, { force: true });
});

describe('import-layer lint rules', () => {
  it('fails when main/core imports electron', () => {
    const result = lintProbe(
      'main/core/__layer_probe__.ts',
      "import { app } from 'electron';\nexport const probe = app;\n",
    );
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('noRestrictedImports');
    expect(result.output).toContain('main/core is the engine');
  });

  it('fails when shared/ imports from main/', () => {
    const result = lintProbe(
      'shared/__layer_probe__.ts',
      "import { createEngine } from '../main/core/engine';\nexport const probe = createEngine;\n",
    );
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('shared/ imports nothing from main/ or renderer/');
  });

  it('fails when shared/ imports from renderer/', () => {
    const result = lintProbe(
      'shared/__layer_probe__.ts',
      "import { App } from '../renderer/src/App';\nexport const probe = App;\n",
    );
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('shared/ imports nothing from main/ or renderer/');
  });

  it('fails when renderer/ imports from main/', () => {
    const result = lintProbe(
      'renderer/src/__layer_probe__.ts',
      "import { createEngine } from '../../main/core/engine';\nexport const probe = createEngine;\n",
    );
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('renderer/ never imports main/');
  });

  it('allows the desktop host to import electron (the rule is per layer, not global)', () => {
    const result = lintProbe(
      'main/electron/__layer_probe__.ts',
      "import { app } from 'electron';\nexport const probe = app;\n",
    );
    expect(result.output).not.toContain('noRestrictedImports');
    expect(result.status).toBe(0);
  });
});
