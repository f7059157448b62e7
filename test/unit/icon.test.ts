import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ICON_SVG } from '../../shared/icon';
import { ROOT } from '../helpers/engine';

/** Width and height from a PNG's IHDR chunk (bytes 16-23). */
function pngSize(file: string): { width: number; height: number } {
  const bytes = fs.readFileSync(path.join(ROOT, file));
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('the product icon: one source (shared/icon.ts), rendered by scripts/make-icons.mjs', () => {
  it('the admin UI favicon is the source SVG (run node scripts/make-icons.mjs after changing it)', () => {
    expect(fs.readFileSync(path.join(ROOT, 'renderer', 'public', 'favicon.svg'), 'utf8').trim()).toBe(
      ICON_SVG,
    );
  });

  it('electron-builder gets a 1024 px icon for every OS, the window a 256 px one', () => {
    expect(pngSize('build/icon.png')).toEqual({ width: 1024, height: 1024 });
    expect(pngSize('renderer/public/icon.png')).toEqual({ width: 256, height: 256 });
  });
});
