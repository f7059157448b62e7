/**
 * The timeline with 10,000 tokens: every bar is laid out and drawn on the one canvas, and the draw
 * and frame times are measured in the browser (performance.now around each draw, requestAnimationFrame
 * intervals while zooming and scrolling). The figures are written to lab-timeline-perf.json next to
 * the screenshots; only the counts are asserted, never a time.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR } from './chromium';
import { admin, createWebClient, screenshot, startUi, type UiSession } from './ui-helpers';

const TOTAL = 10_000;
const CONCURRENCY = 50;

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

/** A varied mix: access tokens in both formats, ID and refresh tokens, users and machines, 1 min – 2 h. */
function mintInput(i: number): Record<string, unknown> {
  const user = ['alice', 'bob', undefined][i % 3];
  const kind = !user ? 'access' : (['access', 'access', 'id', 'refresh'] as const)[i % 4];
  return {
    client_id: user ? 'web' : 'svc',
    ...(user ? { username: user } : {}),
    kind,
    ...(kind === 'access' ? { format: i % 5 === 0 ? 'reference' : 'jwt' } : {}),
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
function interaction(kind: 'zoom' | 'scroll', steps: number): string {
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
          deltaY: i % 4 < 2 ? -120 : 120, ctrlKey: true, bubbles: true, cancelable: true,
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

describe('Lab: timeline with 10,000 tokens', () => {
  it('lays out and draws every bar, and measures draw and frame times', async () => {
    await admin(ui.engine, 'users.create', { username: 'alice' });
    await admin(ui.engine, 'users.create', { username: 'bob' });
    await createWebClient(ui.engine, { scope: 'openid profile email offline_access' });
    await admin(ui.engine, 'clients.create', {
      client_id: 'svc',
      client_secret: 'svc-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
    });

    const mintStarted = Date.now();
    for (let i = 0; i < TOTAL; i += CONCURRENCY) {
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, TOTAL - i) }, (_, j) =>
          admin(ui.engine, 'tokens.mint', mintInput(i + j)),
        ),
      );
    }
    const mintSeconds = (Date.now() - mintStarted) / 1000;
    // A third of them revoked: a revocation mark each.
    const revoked = await admin<{ revoked: number }>(ui.engine, 'tokens.revokeUser', { username: 'bob' });
    expect(revoked.revoked).toBeGreaterThan(3000);

    const loadStarted = Date.now();
    await page.evaluate("window.location.hash = '#/lab/timeline'");
    await poll(() => canvas.getAttribute('data-bar-count'), 60_000).toBe(String(TOTAL));
    const loadMs = Date.now() - loadStarted;
    await poll(() => canvas.getAttribute('data-mark-count')).toBe(String(revoked.revoked));

    // All rows on screen at once, over the whole time range: every bar is drawn.
    await page.getByText('All rows', { exact: true }).click();
    await page.getByText('Fit all', { exact: true }).click();
    await poll(() => canvas.getAttribute('data-drawn')).toBe(String(TOTAL));
    await screenshot(page, 'lab-timeline-10k');

    const zoom = (await page.evaluate(interaction('zoom', 60))) as Measured;
    expect(zoom.draws.length).toBeGreaterThan(30);
    // Zoomed in and out around one point: still the whole set is laid out.
    expect(await canvas.getAttribute('data-bar-count')).toBe(String(TOTAL));

    await page.getByText('Comfortable', { exact: true }).click();
    await poll(() => canvas.getAttribute('data-row-height')).toBe('22.000');
    const scroll = (await page.evaluate(interaction('scroll', 60))) as Measured;
    expect(scroll.draws.length).toBeGreaterThan(30);

    // Live at 10,000: tokens issued from outside while the timeline is open; frames meanwhile.
    await page.evaluate(
      '(() => { window.__labFrames = []; window.__labStop = false; let last = performance.now(); const loop = (t) => { window.__labFrames.push(t - last); last = t; if (!window.__labStop) requestAnimationFrame(loop); }; requestAnimationFrame(loop); })()',
    );
    const liveStarted = Date.now();
    for (let i = 0; i < 20; i++) await admin(ui.engine, 'tokens.mint', mintInput(i));
    await poll(() => page.getByTestId('timeline-summary').textContent(), 30_000).toContain(
      `of ${TOTAL + 20}`,
    );
    const liveMs = Date.now() - liveStarted;
    const liveFrames = (await page.evaluate(
      '(() => { window.__labStop = true; return window.__labFrames.slice(1); })()',
    )) as number[];
    expect(await canvas.getAttribute('data-bar-count')).toBe(String(TOTAL));

    const report = {
      tokens: TOTAL,
      revocation_marks: revoked.revoked,
      mint_seconds: mintSeconds,
      timeline_load_ms: loadMs,
      all_rows_zoom: { draw_ms: stats(zoom.draws), frame_ms: stats(zoom.frames) },
      comfortable_scroll: { draw_ms: stats(scroll.draws), frame_ms: stats(scroll.frames) },
      live_20_tokens_issued: { until_shown_ms: liveMs, frame_ms: stats(liveFrames) },
      measured_with:
        'performance.now() around each canvas draw, requestAnimationFrame intervals during 60 scripted Ctrl+wheel zooms (all 10,000 rows on screen) and 60 scripted scrolls (22 px rows), and while 20 tokens are issued from outside (each refetch of the newest 10,000 + layout); headless Chromium, software rendering',
    };
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    fs.writeFileSync(
      path.join(ARTIFACTS_DIR, 'lab-timeline-perf.json'),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    console.log(`timeline with ${TOTAL} tokens: ${JSON.stringify(report, null, 2)}`);
  }, 300_000);
});
