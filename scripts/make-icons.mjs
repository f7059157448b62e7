#!/usr/bin/env node
// Renders the product icon (shared/icon.ts, the one source) into the files that need it as a file:
//   build/icon.png            1024 px, electron-builder's icon for every OS (it makes .icns and .ico)
//   renderer/public/icon.png  256 px, the desktop window's icon (copied into dist/renderer by Vite)
//   renderer/public/favicon.svg  the admin UI's favicon
// Run it after changing shared/icon.ts and commit the outputs. Needs Chromium (CHROME_PATH or
// /usr/bin/chromium), which draws the SVG exactly as browsers will.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundled = await esbuild.build({
  entryPoints: [path.join(root, 'shared', 'icon.ts')],
  bundle: true,
  format: 'esm',
  write: false,
});
const { ICON_SVG } = await import(`data:text/javascript,${encodeURIComponent(bundled.outputFiles[0].text)}`);

fs.writeFileSync(path.join(root, 'renderer', 'public', 'favicon.svg'), `${ICON_SVG}\n`);

const executablePath = [process.env.CHROME_PATH, '/usr/bin/chromium'].find((c) => c && fs.existsSync(c));
if (!executablePath)
  throw new Error('make-icons needs Chromium: apt-get install -y chromium, or set CHROME_PATH.');
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
try {
  for (const [file, size] of [
    ['build/icon.png', 1024],
    ['renderer/public/icon.png', 256],
  ]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${ICON_SVG.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
    );
    await page.screenshot({ path: path.join(root, file), omitBackground: true });
    await page.close();
    process.stdout.write(`${file} (${size}×${size})\n`);
  }
} finally {
  await browser.close();
}
