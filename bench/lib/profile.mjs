// Reads a V8 .cpuprofile (node --cpu-prof) and tells where the engine's main thread spent its time,
// naming the engine's own functions by their source file (through the bundle's source map).
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';

/** Microseconds on the monotonic clock V8's profiler and process.hrtime share (CLOCK_MONOTONIC on Linux). */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

const sourceMaps = new Map();
function sourceMapFor(url) {
  if (!url.startsWith('file://')) return null;
  if (!sourceMaps.has(url)) {
    const file = `${new URL(url).pathname}.map`;
    sourceMaps.set(
      url,
      fs.existsSync(file) ? new SourceMap(JSON.parse(fs.readFileSync(file, 'utf8'))) : null,
    );
  }
  return sourceMaps.get(url);
}

/** `name file:line`, with the engine's bundle mapped back to main/… and shared/… */
function frameOf(node) {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  const map = url && sourceMapFor(url);
  if (map && lineNumber >= 0) {
    const entry = map.findEntry(lineNumber, columnNumber);
    if (entry?.originalSource) {
      const source = entry.originalSource.replace(/^.*?((main|shared)\/)/, '$1');
      if (!source.includes('node_modules'))
        return { name: `${name} ${source}:${entry.originalLine + 1}`, source };
      // A package bundled into the CLI (better-sqlite3's JavaScript among them): named by its own file.
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1];
      if (pkg) {
        const line = `${path.basename(source)}:${entry.originalLine + 1}`;
        return { name: `${name} ${pkg}/${line}`, source: `node_modules/${pkg}` };
      }
    }
  }
  if (!url) return { name, source: '' };
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  const short = pkg ? `${pkg}/${path.basename(url)}` : url.replace(/^node:/, '');
  return { name: `${name} ${short}:${lineNumber + 1}`, source: pkg ? `node_modules/${pkg}` : url };
}

/** A coarse bucket for a sample, from its stack (leaf first). */
function category(stack) {
  const [leaf] = stack;
  if (leaf.name === '(idle)') return 'idle (nothing to do)';
  if (leaf.name === '(garbage collector)') return 'garbage collection';
  const has = (test) => stack.some((f) => test(f.source, f.name));
  if (/crypto\/(random|hash)/.test(leaf.source)) return 'hashing and random values (node:crypto)';
  if (has((s) => /crypto\/(webcrypto|util|rsa|ec|sig|keys)/.test(s) || s.includes('node_modules/jose')))
    return 'signing (jose → WebCrypto; includes waiting for the CPU while the thread pool signs)';
  if (
    leaf.source.startsWith('main/core/store') ||
    leaf.source.includes('better-sqlite3') ||
    has((s) => s.includes('better-sqlite3'))
  )
    return 'SQLite: statements (prepare + run) and row mapping in main/core/store';
  if (leaf.source.startsWith('main/') || leaf.source.startsWith('shared/'))
    return 'engine code (oauth/, tokens/, http/ hooks)';
  if (leaf.source.includes('node_modules/zod')) return 'zod validation';
  if (
    /^(writev|writeLatin1String|writeUtf8String|writeBuffer) /.test(`${leaf.name} `) ||
    /fastify|find-my-way|light-my-request|avvio|_http|net|stream|http_parser|node_modules\/cookie/.test(
      leaf.source,
    )
  )
    return 'HTTP: parsing, Fastify, cookies, CORS, socket writes';
  return 'other (V8, Node internals, JSON)';
}

/**
 * Self and inclusive time per function, the top `limit` of each, and time per category, over the samples
 * taken inside `windows` ([startµs, endµs] pairs: when the engine was under load) or over all samples.
 * With `requests` (answered in those windows) it also gives the main thread's time per request.
 */
export function summariseProfile(file, { limit = 25, windows = [], requests = 0 } = {}) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const frames = new Map(profile.nodes.map((node) => [node.id, frameOf(node)]));
  const inWindow = (t) => !windows.length || windows.some(([from, to]) => t >= from && t <= to);
  const selfById = new Map();
  let total = 0;
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (!inWindow(t)) return;
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    selfById.set(id, (selfById.get(id) ?? 0) + dt);
  });
  const self = new Map();
  const inclusive = new Map();
  const categories = new Map();
  let idle = 0;
  for (const [id, dt] of selfById) {
    const stack = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) stack.push(frames.get(cur));
    const bucket = category(stack);
    if (bucket.startsWith('idle')) idle += dt;
    categories.set(bucket, (categories.get(bucket) ?? 0) + dt);
    self.set(stack[0].name, (self.get(stack[0].name) ?? 0) + dt);
    const seen = new Set();
    for (const frame of stack) {
      if (seen.has(frame.name)) continue;
      seen.add(frame.name);
      inclusive.set(frame.name, (inclusive.get(frame.name) ?? 0) + dt);
    }
  }
  const share = (dt) => `${((100 * dt) / total).toFixed(1).padStart(5)}%`;
  const top = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, dt]) => `${share(dt)}  ${name}`)
      .join('\n');
  const busy = total - idle;
  const head =
    `${(total / 1e6).toFixed(1)} s sampled${windows.length ? ' under load' : ''}, main thread busy ` +
    `${((100 * busy) / total).toFixed(0)}%` +
    (requests ? `, ${(busy / requests).toFixed(0)} µs of main-thread time per answered request` : '');
  return (
    `${head}\nby category:\n${top(categories, 10)}\n\nself time:\n${top(self, limit)}\n\n` +
    `inclusive time (engine code only):\n${top(
      new Map([...inclusive].filter(([name]) => / (main|shared)\//.test(name))),
      limit,
    )}`
  );
}
