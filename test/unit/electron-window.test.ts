import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UI_CSP } from '../../main/core/lib/security-headers';
import {
  APP_INDEX_URL,
  isAppPage,
  rendererFileFor,
  serveRendererFile,
} from '../../main/electron/app-protocol';
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

  it('trusts only frames on the app origin (app://idp-sandbox), never a file:// page', () => {
    const trusted = rendererOriginCheck(APP_INDEX_URL);
    expect(trusted('app://idp-sandbox/index.html')).toBe(true);
    expect(trusted('app://idp-sandbox/index.html#/tokens')).toBe(true);
    expect(trusted('app://idp-sandbox.evil/index.html')).toBe(false);
    expect(trusted('app://other/index.html')).toBe(false);
    expect(trusted('file:///opt/app/resources/app.asar/dist/renderer/index.html')).toBe(false);
    expect(trusted('file:///tmp/evil.html')).toBe(false);
    expect(trusted('http://127.0.0.1:9400/ui/')).toBe(false);
    expect(trusted('')).toBe(false);
    // Every file:// page would share one (empty) host: a file:// app page cannot be told apart.
    expect(() => rendererOriginCheck('file:///opt/app/dist/renderer/index.html')).toThrow(
      /origin of its own/,
    );
  });
});

describe('the app:// protocol', () => {
  const rendererDir = path.resolve('/opt/IDP Sandbox/resources/app.asar/dist/renderer');

  it.each([
    ['app://idp-sandbox/index.html', 'index.html'],
    ['app://idp-sandbox/', 'index.html'],
    ['app://idp-sandbox/assets/index-abc.js', 'assets/index-abc.js'],
    ['app://idp-sandbox/assets/a%20b.css', 'assets/a b.css'],
    ['app://idp-sandbox/assets/../icon.png', 'icon.png'],
  ])('serves %s from the renderer folder', (url, file) => {
    expect(rendererFileFor(url, rendererDir)).toBe(path.join(rendererDir, file));
  });

  // The URL parser already folds a literal or %2e%2e `..` into the path (these land inside the folder);
  // an encoded slash only becomes one after decoding, where the folder check refuses it.
  it.each([
    ['app://idp-sandbox/../electron/main.cjs', 'electron/main.cjs'],
    ['app://idp-sandbox/%2e%2e/electron/main.cjs', 'electron/main.cjs'],
  ])('folds %s into the folder', (url, file) => {
    expect(rendererFileFor(url, rendererDir)).toBe(path.join(rendererDir, file));
  });

  it.each([
    'app://idp-sandbox/..%2Felectron%2Fmain.cjs',
    'app://idp-sandbox/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
    'app://idp-sandbox/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    'app://idp-sandbox/index.html%00.png',
    'app://idp-sandbox/%E0%A4%A',
    'app://idp-sandbox.evil/index.html',
    'app://other/index.html',
    'file:///opt/IDP%20Sandbox/resources/app.asar/dist/renderer/index.html',
    'https://idp-sandbox/index.html',
    'not a url',
  ])('refuses %s', (url) => {
    expect(rendererFileFor(url, rendererDir)).toBeNull();
  });

  it('answers files with their type and the UI CSP, and 404 for anything outside the folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-sandbox-renderer-'));
    try {
      fs.mkdirSync(path.join(dir, 'renderer', 'assets'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html>');
      fs.writeFileSync(path.join(dir, 'renderer', 'assets', 'app.js'), 'export {}');
      fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside');
      const renderer = path.join(dir, 'renderer');
      const index = await serveRendererFile(APP_INDEX_URL, renderer);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(index.headers.get('content-security-policy')).toBe(UI_CSP);
      expect(await index.text()).toBe('<!doctype html>');
      const script = await serveRendererFile('app://idp-sandbox/assets/app.js', renderer);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      for (const url of [
        'app://idp-sandbox/..%2Fsecret.txt',
        'app://idp-sandbox/../secret.txt',
        'app://idp-sandbox/assets',
        'app://idp-sandbox/missing.js',
        'app://elsewhere/index.html',
      ]) {
        const response = await serveRendererFile(url, renderer);
        expect(response.status, url).toBe(404);
        expect(await response.text(), url).toBe('Not found');
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells the app page from anything else', () => {
    expect(isAppPage('app://idp-sandbox/index.html#/clients')).toBe(true);
    expect(isAppPage('app://idp-sandbox/assets/x.js')).toBe(false);
    expect(isAppPage('app://idp-sandbox.evil/index.html')).toBe(false);
    expect(isAppPage('file:///opt/app/dist/renderer/index.html')).toBe(false);
    expect(isAppPage('https://idp-sandbox/index.html')).toBe(false);
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
