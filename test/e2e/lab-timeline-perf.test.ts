/**
 * The timeline with 20,000 tokens (two of the pages it loads, each of 10,000): every bar is laid out
 * once and drawn on the one canvas, and the draw and frame times are measured in the browser (performance.now around each
 * draw, requestAnimationFrame intervals while zooming and scrolling, and while tokens are issued from
 * outside). The figures are written to lab-timeline-perf.json next to the screenshots; only counts
 * and what the page asked the engine are asserted, never a time. Its most, 100,000 tokens, is what
 * `npm run bench -- --ui` measures: minting that many here took 2.5–4 minutes of the suite.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR } from './chromium';
import { admin, createWebClient, screenshot, startUi, type UiSession } from './ui-helpers';

/** The live phase's tokens, on top of the first load's. */
const LIVE = 20;
const TOTAL = 20_000 - LIVE;
const CONCURRENCY = 200;

let ui: UiSession;
let page: Page;
let canvas: Locator;

beforeAll(async () => {
  ui = await startUi('users');
  page = ui.page;
  canvas = page.getByTestId('timeline-canvas');
});
afterAll(async () => {
  await ui?.close();
});

const poll = <T>(fn: () => T | Promise<T>, timeout = 10_000) => expect.poll(fn, { timeout });

/**
 * A varied mix: access tokens (mostly reference: signing each would take long), ID and
 * refresh tokens, users and machines, 1 min – 2 h.
 */
function mintInput(i: number): Record<string, unknown> {
  const user = ['alice', 'bob', undefined][i % 3];
  const kind = !user ? 'access' : (['access', 'access', 'id', 'refresh'] as const)[i % 4];
  return {
    client_id: user ? 'web' : 'svc',
    ...(user ? { username: user } : {}),
    kind,
    ...(kind === 'access' ? { format: i % 5 === 0 ? 'jwt' : 'reference' } : {}),
    ttl: 60 + ((i * 7919) % 7200),
  };
}

interface Measured {
  draws: number[];
  frames: number[];
}

/**
 * In the page: a scripted interaction of `steps` frames — each frame either a Ctrl + wheel zoom over the
 * plot or a scroll of the rows — collecting the draw time the canvas reports after each one and every
 * requestAnimationFrame interval meanwhile. A string: this side is type-checked without the DOM library.
 */
function interaction(kind: 'zoom' | 'scroll', steps: number, ctrlKey = true): string {
  return `(async () => {
    const canvas = document.querySelector('[data-testid="timeline-canvas"]');
    const scroller = canvas.parentElement.parentElement;
    const rect = canvas.getBoundingClientRect();
    const frames = [];
    const draws = [];
    let last = performance.now();
    let running = true;
    const loop = (t) => { frames.push(t - last); last = t; if (running) requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
    const nextFrames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    for (let i = 0; i < ${steps}; i++) {
      const before = canvas.dataset.draws;
      if (${JSON.stringify(kind)} === 'zoom') {
        scroller.dispatchEvent(new WheelEvent('wheel', {
          deltaY: i % 4 < 2 ? -120 : 120, ctrlKey: ${ctrlKey}, bubbles: true, cancelable: true,
          clientX: rect.left + rect.width * 0.7, clientY: rect.top + rect.height / 2,
        }));
      } else {
        scroller.scrollTop += 1200;
      }
      await nextFrames();
      if (canvas.dataset.draws !== before) draws.push(Number(canvas.dataset.drawMs));
    }
    running = false;
    return { draws, frames: frames.slice(1) };
  })()`;
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    count: values.length,
    median: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

describe('Lab: timeline with 20,000 tokens', () => {
  it('lays out and draws every bar, applies live tokens without reloading, and measures frame times', async () => {
    await admin(ui.engine, 'users.create', { username: 'alice' });
    await admin(ui.engine, 'users.create', { username: 'bob' });
    await createWebClient(ui.engine, { scope: 'openid profile email offline_access' });
    await admin(ui.engine, 'clients.create', {
      client_id: 'svc',
      client_secret: 'svc-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
    });

    // Minted in this process (the engine runs here): faster than the admin HTTP API.
    const mintStarted = Date.now();
    for (let i = 0; i < TOTAL; i += CONCURRENCY) {
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, TOTAL - i) }, (_, j) =>
          ui.engine.call('tokens.mint', mintInput(i + j)),
        ),
      );
    }
    const mintSeconds = (Date.now() - mintStarted) / 1000;
    // A third of them revoked: a revocation mark each.
    const revoked = await admin<{ revoked: number }>(ui.engine, 'tokens.revokeUser', { username: 'bob' });
    expect(revoked.revoked).toBeGreaterThan(TOTAL / 4);

    const loadStarted = Date.now();
    await page.evaluate("window.location.hash = '#/lab/timeline'");
    await poll(() => canvas.getAttribute('data-bar-count'), 120_000).toBe(String(TOTAL));
    const loadMs = Date.now() - loadStarted;
    const layoutMs = Number(await canvas.getAttribute('data-layout-ms'));
    await poll(() => canvas.getAttribute('data-mark-count')).toBe(String(revoked.revoked));

    // Comfortable rows (the default), zoomed with the plain wheel over the bars, as the UI bench does.
    const comfortableZoom = (await page.evaluate(interaction('zoom', 120, false))) as Measured;
    expect(comfortableZoom.draws.length).toBeGreaterThan(60);
    expect(await canvas.getAttribute('data-bar-count')).toBe(String(TOTAL));

    // All rows on screen at once, over the whole time range: every bar is drawn.
    await page.getByText('All rows', { exact: true }).click();
    await page.getByText('Fit all', { exact: true }).click();
    await poll(() => canvas.getAttribute('data-drawn')).toBe(String(TOTAL));
    await screenshot(page, 'lab-timeline-100k');

    const zoom = (await page.evaluate(interaction('zoom', 120))) as Measured;
    expect(zoom.draws.length).toBeGreaterThan(60);
    // Zoomed in and out around one point: still the whole set is laid out.
    expect(await canvas.getAttribute('data-bar-count')).toBe(String(TOTAL));

    await page.getByText('Comfortable', { exact: true }).click();
    await poll(() => canvas.getAttribute('data-row-height')).toBe('22.000');
    const scroll = (await page.evaluate(interaction('scroll', 60))) as Measured;
    expect(scroll.draws.length).toBeGreaterThan(30);

    // Live: tokens issued from outside while the timeline is open, applied without reloading the
    // first load (every tokens.list call the page makes is recorded); frames meanwhile.
    const calls: Array<Record<string, unknown>> = [];
    const record = (request: Request) => {
      if (request.url().includes('/admin/api/tokens.list')) calls.push(request.postDataJSON() ?? {});
    };
    page.on('request', record);
    await page.evaluate(
      '(() => { window.__labFrames = []; window.__labStop = false; let last = performance.now(); const loop = (t) => { window.__labFrames.push(t - last); last = t; if (!window.__labStop) requestAnimationFrame(loop); }; requestAnimationFrame(loop); })()',
    );
    const liveStarted = Date.now();
    for (let i = 0; i < LIVE; i++) await admin(ui.engine, 'tokens.mint', mintInput(i));
    await poll(() => canvas.getAttribute('data-bar-count'), 30_000).toBe(String(TOTAL + LIVE));
    const liveMs = Date.now() - liveStarted;
    const liveFrames = (await page.evaluate(
      '(() => { window.__labStop = true; return window.__labFrames.slice(1); })()',
    )) as number[];
    page.off('request', record);
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.sort, JSON.stringify(call)).toBe('issued_asc');
      expect(typeof call.cursor, JSON.stringify(call)).toBe('string');
    }

    const fps = (frames: number[]) => {
      const s = stats(frames);
      return { ...s, fps_median: Math.round(1000 / s.median), fps_p5: Math.round(1000 / s.p95) };
    };
    const report = {
      tokens: TOTAL,
      revocation_marks: revoked.revoked,
      mint_seconds: mintSeconds,
      timeline_load_ms: loadMs,
      layout_ms: layoutMs,
      comfortable_wheel_zoom: {
        draw_ms: stats(comfortableZoom.draws),
        frame_ms: fps(comfortableZoom.frames),
      },
      all_rows_zoom: { draw_ms: stats(zoom.draws), frame_ms: fps(zoom.frames) },
      comfortable_scroll: { draw_ms: stats(scroll.draws), frame_ms: fps(scroll.frames) },
      live_tokens_issued: {
        tokens: LIVE,
        until_shown_ms: liveMs,
        tokens_list_calls: calls.length,
        frame_ms: stats(liveFrames),
      },
      measured_with:
        'performance.now() around each canvas draw, requestAnimationFrame intervals during 120 scripted wheel zooms over the bars (comfortable 22 px rows), 120 scripted Ctrl+wheel zooms with all rows on screen, 60 scripted scrolls (22 px rows), and while 20 tokens are issued from outside (each fetched after the newest held by cursor, then laid out); headless Chromium, software rendering',
    };
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    fs.writeFileSync(
      path.join(ARTIFACTS_DIR, 'lab-timeline-perf.json'),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    console.log(`timeline with ${TOTAL} tokens: ${JSON.stringify(report, null, 2)}`);
  }, 900_000);
});
