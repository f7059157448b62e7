// The list pages alone (Tokens, Activity: opening, filter changes, scrolling), for working on them:
// the full `npm run bench -- --ui` adds the timeline, the live load and throughput (minutes more).
//   node bench/ui/lists.mjs [--quick] [--trace DIR] [--pages tokens,activity] [--dist DIR]
// --trace records a Chrome trace (devtools.timeline) of each page's scroll into DIR, for
// chrome://tracing or the Performance panel, and a CPU profile (.cpuprofile), and prints what the
// longest main-thread tasks held.
// Needs a build (dist/), as the full benchmark does. Writes nothing else.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser, removeSnapshot, snapshotBuild } from './procs.mjs';
import { LIST_PAGES, measureListPage, openSession, prepareStore, uiConfig } from './run-ui.mjs';
import { summariseTrace } from './trace.mjs';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    trace: { type: 'string' },
    pages: { type: 'string', default: 'tokens,activity' },
    // Another build's dist/ (a copy of the tree built before a change), for a before/after pair.
    dist: { type: 'string' },
  },
});
const log = (line) => console.log(line);
const config = uiConfig(flags.quick);
await snapshotBuild(flags.dist && path.resolve(flags.dist));
const store = await prepareStore(config, log);
const browser = await launchBrowser();
try {
  const session = await openSession(store, browser, log);
  try {
    for (const name of flags.pages.split(',')) {
      const spec = LIST_PAGES[name];
      if (!spec) throw new Error(`--pages: no list page "${name}" (tokens, activity)`);
      let tracing = null;
      const onScroll = flags.trace
        ? {
            async start() {
              tracing = await session.page.context().newCDPSession(session.page);
              await startTrace(tracing);
              await tracing.send('Profiler.enable');
              await tracing.send('Profiler.setSamplingInterval', { interval: 200 });
              await tracing.send('Profiler.start');
            },
            async stop() {
              const { profile } = await tracing.send('Profiler.stop');
              const events = await stopTrace(tracing);
              fs.mkdirSync(flags.trace, { recursive: true });
              fs.writeFileSync(path.join(flags.trace, `${name}-scroll.cpuprofile`), JSON.stringify(profile));
              const file = path.join(flags.trace, `${name}-scroll.json`);
              fs.writeFileSync(file, JSON.stringify({ traceEvents: events }));
              log(`  trace: ${file}\n${summariseTrace(events)}`);
            },
          }
        : undefined;
      await measureListPage(session, spec, config, log, onScroll);
      if (flags.trace)
        await session.page.screenshot({ path: path.join(flags.trace, `${name}-after-scroll.png`) });
    }
  } finally {
    await session.close();
  }
} finally {
  await browser.browser.close();
  removeSnapshot();
  fs.rmSync(store.work, { recursive: true, force: true });
}

async function startTrace(cdp) {
  await cdp.send('Tracing.start', {
    traceConfig: {
      recordMode: 'recordAsMuchAsPossible',
      includedCategories: [
        'devtools.timeline',
        'disabled-by-default-devtools.timeline',
        'disabled-by-default-devtools.timeline.frame',
        'v8.execute',
        'blink',
        'toplevel',
      ],
    },
    transferMode: 'ReturnAsStream',
  });
}

async function stopTrace(cdp) {
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await done;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const parsed = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}
