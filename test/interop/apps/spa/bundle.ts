import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { RecipeFile } from '../../../../shared/recipes/types';
import { ROOT, tempDir } from '../../../helpers/engine';

/**
 * Bundles a recipe's browser app (its files saved side by side, as the user would) the way Vite builds
 * it for production, with this checkout's node_modules standing in for the user's `npm install`.
 */
export async function bundleRecipe(files: RecipeFile[], entry: string): Promise<string> {
  const dir = tempDir('idp-sandbox-recipe-');
  try {
    for (const file of files) fs.writeFileSync(path.join(dir, file.name), file.content);
    const result = await build({
      entryPoints: [path.join(dir, entry)],
      bundle: true,
      write: false,
      format: 'iife',
      jsx: 'automatic',
      target: 'es2022',
      nodePaths: [path.join(ROOT, 'node_modules')],
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'silent',
    });
    const [output] = result.outputFiles;
    if (!output) throw new Error(`esbuild produced nothing for ${entry}`);
    return output.text;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
