// Pure functions, no electron import: the protocol's rules can be asserted by unit tests.
import fs from 'node:fs';
import path from 'node:path';
import { UI_CSP } from '../core';

/**
 * The renderer is served from app://idp-sandbox/ rather than file://, so the page has an origin of its
 * own: 'self' in its CSP covers the renderer's files only, never the rest of the disk, and the
 * grantFileProtocolExtraPrivileges fuse can be off (electron-builder.yml).
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'idp-sandbox';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Registered before the app is ready: a standard, secure scheme, like https for the page inside it. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
} as const;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Whether `url` is on the app's own origin (app://idp-sandbox). */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return parsed?.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
}

/** Whether `url` is the app's page (any route: the renderer routes by hash). */
export function isAppPage(url: string): boolean {
  return isAppUrl(url) && parse(url)?.pathname === '/index.html';
}

/**
 * The file inside `rendererDir` an app:// URL names, or null: another scheme or host, a path that
 * would leave the folder (`..`, encoded or not), a NUL, or an undecodable escape.
 */
export function rendererFileFor(url: string, rendererDir: string): string | null {
  if (!isAppUrl(url)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parse(url)?.pathname ?? '');
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`);
  return file.startsWith(`${root}${path.sep}`) ? file : null;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * The answer to an app:// request: the named file of the renderer folder with its type and the UI's
 * CSP, or 404 for anything else (another host, a path leaving the folder, a folder, a missing file).
 */
export async function serveRendererFile(url: string, rendererDir: string): Promise<Response> {
  const file = rendererFileFor(url, rendererDir);
  if (!file) return notFound();
  try {
    const body = await fs.promises.readFile(file);
    return new Response(body, {
      status: 200,
      headers: {
        'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-security-policy': UI_CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
    });
  } catch {
    return notFound();
  }
}
