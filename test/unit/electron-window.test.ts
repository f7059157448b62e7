import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UI_CSP } from '../../main/core/http/security-headers';
import { rendererOriginCheck } from '../../main/electron/ipc';
import { hardenedWebPreferences, isExternalLinkAllowed } from '../../main/electron/window-options';

describe('Electron window hardening', () => {
  it('uses the security checklist web preferences', () => {
    expect(hardenedWebPreferences('/app/preload.cjs')).toEqual({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      preload: '/app/preload.cjs',
    });
  });

  it.each([
    ['https://example.test/docs', true],
    ['http://127.0.0.1:9400/', true],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['smb://share/x', false],
    ['not a url', false],
  ])('opens %s externally: %s', (url, allowed) => {
    expect(isExternalLinkAllowed(url)).toBe(allowed);
  });

  it('trusts only frames of the app renderer bundle', () => {
    const trusted = rendererOriginCheck('file:///opt/app/resources/app.asar/dist/renderer/index.html');
    expect(trusted('file:///opt/app/resources/app.asar/dist/renderer/index.html')).toBe(true);
    expect(trusted('file:///opt/app/resources/app.asar/dist/renderer/index.html#/tokens')).toBe(true);
    expect(trusted('file:///opt/app/resources/app.asar/dist/electron/main.cjs')).toBe(false);
    expect(trusted('file:///opt/app/resources/app.asar/dist/renderer-evil/index.html')).toBe(false);
    expect(trusted('http://127.0.0.1:9400/ui/')).toBe(false);
    expect(trusted('')).toBe(false);
  });
});

describe('renderer CSP', () => {
  it('index.html carries the same policy as the UI_CSP header (minus what only headers can set)', () => {
    const html = fs.readFileSync(path.resolve(import.meta.dirname, '../../renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    // frame-ancestors is ignored in a meta tag, so only the header carries it.
    const headerWithoutFrameAncestors = UI_CSP.split('; ')
      .filter((d) => !d.startsWith('frame-ancestors'))
      .sort();
    expect(meta?.split('; ').sort()).toEqual(headerWithoutFrameAncestors);
  });
});
