#!/usr/bin/env node
// What the Tokens page costs at idle, with and without countdowns in view that change every second:
// the same 300 tokens, first seconds old and seconds from expiry, then (the provider clock moved 2 h)
// hours old, whose texts change once a minute. Renderer CPU from /proc over each window. A script.
//   node bench/experiments/idle-ticks.mjs [--seconds 20]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ADMIN_TOKEN } from '../lib/procs.mjs';
import { cpuWindow, launchBrowser, signIn, snapshotBuild, startEngineWithUi } from '../ui/procs.mjs';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
const seconds = Number(values.seconds);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'idle-ticks-'));
const seedFile = path.join(work, 'seed.json');
fs.writeFileSync(
  seedFile,
  JSON.stringify({
    clients: [
      {
        client_id: 'svc',
        client_secret: 'svc-secret-0123456789abcdefghij',
        grant_types: ['client_credentials'],
      },
    ],
  }),
);
await snapshotBuild();
const engine = await startEngineWithUi({ seedFile, dataDir: path.join(work, 'data') });
const admin = async (method, input) => {
  const response = await fetch(`${engine.issuer}/admin/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  if (!response.ok) throw new Error(`${method}: ${response.status} ${await response.text()}`);
  return response.json();
};
const { browser, context } = await launchBrowser();
try {
  // TTLs of 100–400 s: rows "in 1 min 40 s"… seconds old, so their Issued texts count seconds.
  for (let i = 0; i < 300; i++)
    await admin('tokens.mint', { client_id: 'svc', kind: 'access', ttl: 100 + i });
  const page = await context.newPage();
  await signIn(page, engine, 'tokens');
  await page.getByTestId('tokens-scroll').waitFor();
  await sleep(3000);
  let cpu = cpuWindow(engine.pid);
  await sleep(seconds * 1000);
  const ticking = cpu.stop();
  console.log(
    `texts changing every second in view: renderer ${ticking.renderer.toFixed(2)}% CPU over ${seconds} s`,
  );

  // Two hours on: every text in view counts hours and minutes (and every token is expired).
  await admin('settings.update', { clock_offset_seconds: 7200 });
  await sleep(3000);
  cpu = cpuWindow(engine.pid);
  await sleep(seconds * 1000);
  const calm = cpu.stop();
  console.log(
    `texts changing once a minute at most: renderer ${calm.renderer.toFixed(2)}% CPU over ${seconds} s`,
  );

  // What the renderer does meanwhile, by Chromium's own counters.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () =>
    Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await metrics();
  await sleep(seconds * 1000);
  const after = await metrics();
  const delta = (name) => (after[name] ?? 0) - (before[name] ?? 0);
  console.log(
    `  over ${seconds} s: task ${(delta('TaskDuration') * 1000).toFixed(0)} ms, script ${(delta('ScriptDuration') * 1000).toFixed(0)} ms, layouts ${delta('LayoutCount')}, style recalcs ${delta('RecalcStyleCount')}`,
  );

  const running = await page.evaluate(() =>
    document
      .getAnimations()
      .map((a) => `${a.animationName ?? a.constructor.name} on ${a.effect?.target?.className ?? '?'}`),
  );
  console.log(`  animations running: ${running.length ? running.join('; ') : 'none'}`);

  // The same tab on an empty page: headless Chromium's own floor.
  await page.goto('about:blank');
  await sleep(3000);
  cpu = cpuWindow(engine.pid);
  await sleep(seconds * 1000);
  const blank = cpu.stop();
  console.log(`an empty page (about:blank): renderer ${blank.renderer.toFixed(2)}% CPU over ${seconds} s`);
} finally {
  await browser.close();
  await engine.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
