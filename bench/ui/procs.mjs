// The engine with its browser UI, headless Chromium signed in to it, and CPU time read from /proc.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ADMIN_TOKEN, ROOT, spawnNode } from '../lib/procs.mjs';

/**
 * The run's copy of the built CLI and UI: the CLI serves the UI from `../renderer` beside its bundle,
 * so both are copied, side by side, when the run starts; a rebuild of dist/ during the run (tests build
 * on demand) then cannot change what is measured. Under node_modules/ so the bundle's external packages
 * resolve as from dist/.
 */
// One copy per run: several people run this benchmark on the same tree at once.
const SNAPSHOT = path.join(ROOT, 'node_modules', '.cache', `idp-sandbox-bench-ui-${process.pid}`);
const CLI = path.join(SNAPSHOT, 'cli', 'idp-sandbox.cjs');

/** Removes this run's copy of the build. */
export function removeSnapshot() {
  fs.rmSync(SNAPSHOT, { recursive: true, force: true });
}

export async function snapshotBuild(dist = path.join(ROOT, 'dist')) {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.rmSync(SNAPSHOT, { recursive: true, force: true });
      for (const part of ['cli', 'renderer']) {
        fs.cpSync(path.join(dist, part), path.join(SNAPSHOT, part), { recursive: true });
      }
      if (!fs.existsSync(CLI) || !fs.existsSync(path.join(SNAPSHOT, 'renderer', 'index.html')))
        throw new Error('the build is incomplete');
      // A build that started meanwhile may have removed some of the files: take them all again.
      if (!fs.existsSync(path.join(dist, 'renderer', 'index.html')))
        throw new Error('dist/ changed while copied');
      return fs.statSync(path.join(dist, 'renderer', 'index.html')).mtime;
    } catch (error) {
      // A build in progress removes dist/ for a few seconds; anything longer means there is no build.
      if (attempt >= 60)
        throw new Error(
          `dist/cli and dist/renderer are needed: run \`npm run build\` first (${error.message})`,
        );
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** Starts the snapshot CLI on `dataDir` with the browser UI; resolves with its issuer, UI URL and pid. */
export function startEngineWithUi({ seedFile, dataDir, timeoutMs = 120_000 }) {
  return spawnNode([CLI, 'serve', '--port', '0', '--seed', seedFile, '--data-dir', dataDir, '--ui'], {
    env: { IDP_SANDBOX_ADMIN_TOKEN: ADMIN_TOKEN },
    timeoutMs,
    ready: (line) => {
      const issuer = /^\s*Issuer:\s+(\S+)/.exec(line)?.[1];
      if (issuer) return { issuer };
      const uiUrl = /^\s*Admin UI:\s+(\S+)/.exec(line)?.[1];
      if (uiUrl) return { uiUrl };
      return line.startsWith('Press Ctrl+C') ? { ready: true } : null;
    },
  });
}

/** CHROME_PATH, else Debian's /usr/bin/chromium (as the e2e tests find it). */
function findChromium() {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium'].filter(Boolean);
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found)
    throw new Error(
      `The UI benchmark needs Chromium: "sudo apt-get install -y chromium", or point CHROME_PATH at one. Looked for: ${candidates.join(', ')}.`,
    );
  return found;
}

/** Headless Chromium with the e2e tests' switches, and a 1400×900 context. */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.setDefaultTimeout(15_000);
  return { browser, context };
}

/** Signs `page` in through the printed URL (the token lands in the tab's sessionStorage) and shows `route`. */
export async function signIn(page, engine, route) {
  await page.goto(engine.uiUrl, { timeout: 30_000 });
  await page.goto(`${engine.issuer}/ui/#/${route}`, { timeout: 30_000 });
  await page
    .getByTestId('issuer')
    .filter({ hasText: engine.issuer })
    .waitFor({ timeout: 30_000 })
    .catch((error) => {
      throw new Error(`the UI did not show its issuer after signing in (${error.message.split('\n')[0]})`);
    });
}

// ---------------------------------------------------------------- CPU from /proc

const CLOCK_TICKS = 100;

function readStat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces or parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** A process's command line as one string (Chromium rewrites its children's into one, spaces and all). */
export function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Every descendant of `root` (pid), found through /proc. */
export function descendants(root) {
  const children = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(name);
    if (!stat) continue;
    if (!children.has(stat.ppid)) children.set(stat.ppid, []);
    children.get(stat.ppid).push(Number(name));
  }
  const found = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Chromium's processes under this one, by role: renderer, or the rest (browser, GPU, network, …). */
function chromiumProcesses(excludePids) {
  const groups = { renderer: [], browserOther: [] };
  for (const pid of descendants(process.pid)) {
    if (excludePids.includes(pid)) continue;
    const args = cmdline(pid);
    if (!/chrom/i.test(args)) continue;
    const type = /--type=(\S+)/.exec(args)?.[1];
    (type === 'renderer' ? groups.renderer : groups.browserOther).push(pid);
  }
  return groups;
}

/**
 * Starts a CPU window over the engine's process and Chromium's; `stop()` gives each group's CPU as a
 * percentage of one core over the window. Processes that start or end inside the window count for the
 * part they were seen in (renderers are found again at the end).
 */
export function cpuWindow(enginePid) {
  const started = performance.now();
  const ticks = (pids) => pids.map((pid) => [pid, readStat(pid)?.ticks ?? null]);
  const before = {
    engine: readStat(enginePid)?.ticks ?? 0,
    ...Object.fromEntries(
      Object.entries(chromiumProcesses([enginePid])).map(([k, pids]) => [k, ticks(pids)]),
    ),
  };
  return {
    stop() {
      const seconds = (performance.now() - started) / 1000;
      const pct = (t) => (t / CLOCK_TICKS / seconds) * 100;
      const now = chromiumProcesses([enginePid]);
      const group = (name) => {
        const was = new Map(before[name]);
        let sum = 0;
        for (const pid of now[name]) {
          const t = readStat(pid)?.ticks;
          if (t !== undefined) sum += t - (was.get(pid) ?? 0);
        }
        return pct(sum);
      };
      return {
        seconds,
        engine: pct((readStat(enginePid)?.ticks ?? before.engine) - before.engine),
        renderer: group('renderer'),
        browserOther: group('browserOther'),
        renderers: now.renderer.length,
      };
    },
  };
}
