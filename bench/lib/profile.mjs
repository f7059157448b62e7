// Reads a V8 .cpuprofile (node --cpu-prof) and lists where the main thread spent its time.
import fs from 'node:fs';

function frameName(node) {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? url.split('/').slice(-2).join('/') : '';
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

/** Microseconds on the monotonic clock V8's profiler and process.hrtime share (CLOCK_MONOTONIC on Linux). */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Self and inclusive time per function, the top `limit` of each, over the samples taken inside `windows`
 * ([startµs, endµs] pairs: when the engine was under load) or over all samples when none are given.
 * With `requests` (answered in those windows) it also gives the main thread's CPU time per request.
 */
export function summariseProfile(file, { limit = 25, windows = [], requests = 0 } = {}) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfById = new Map();
  const inWindow = (t) => !windows.length || windows.some(([from, to]) => t >= from && t <= to);
  let total = 0;
  let idle = 0;
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (!inWindow(t)) return;
    total += dt;
    if (byId.get(id).callFrame.functionName === '(idle)') idle += dt;
    selfById.set(id, (selfById.get(id) ?? 0) + dt);
  });
  const self = new Map();
  const inclusive = new Map();
  for (const [id, dt] of selfById) {
    const name = frameName(byId.get(id));
    self.set(name, (self.get(name) ?? 0) + dt);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = frameName(byId.get(cur));
      if (seen.has(frame)) continue;
      seen.add(frame);
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + dt);
    }
  }
  const top = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, dt]) => `${((100 * dt) / total).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  const busy = total - idle;
  const head =
    `${(total / 1e6).toFixed(1)} s sampled${windows.length ? ' under load' : ''}, main thread busy ` +
    `${((100 * busy) / total).toFixed(0)}%` +
    (requests ? `, ${(busy / requests).toFixed(0)} µs of main-thread time per answered request` : '');
  return `${head}\nself time:\n${top(self)}\n\ninclusive time:\n${top(inclusive)}`;
}
