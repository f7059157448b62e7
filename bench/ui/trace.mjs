// What a Chrome trace's long tasks on the page's main thread hold (bench/ui/lists.mjs --trace): for
// working on the lists' frames, not part of the benchmark's report.

/** The main thread's tasks over `longMs`, each broken down by the named events within it (inclusive ms). */
export function summariseTrace(events, longMs = 16) {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return '  (no renderer main thread in the trace)';
  const own = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && typeof e.dur === 'number')
    .sort((a, b) => a.ts - b.ts);
  // Outermost tasks only (RunTask and ThreadControllerImpl::RunTask nest).
  const tasks = [];
  for (const e of own) {
    if (e.name !== 'RunTask' && e.name !== 'ThreadControllerImpl::RunTask') continue;
    const outer = tasks.at(-1);
    if (outer && e.ts < outer.ts + outer.dur) continue;
    tasks.push(e);
  }
  const long = tasks.filter((t) => t.dur / 1000 > longMs);
  const inside = (task) =>
    own.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur);
  const KEYS = [
    'FunctionCall',
    'FireAnimationFrame',
    'EventDispatch',
    'TimerFire',
    'RunMicrotasks',
    'v8.run',
    'V8.GC_SCAVENGER',
    'MinorGC',
    'MajorGC',
    'V8.GCScavenger',
    'UpdateLayoutTree',
    'Layout',
    'PrePaint',
    'Paint',
    'Layerize',
    'UpdateLayer',
    'ParseHTML',
    'XHRReadyStateChange',
    'ResourceReceivedData',
    'v8.callFunction',
    'HitTest',
    'ScrollLayer',
    'Commit',
  ];
  const total = {};
  const lines = [];
  for (const task of long) {
    const within = inside(task);
    const sums = {};
    for (const e of within) if (KEYS.includes(e.name)) sums[e.name] = (sums[e.name] ?? 0) + e.dur / 1000;
    for (const [k, v] of Object.entries(sums)) total[k] = (total[k] ?? 0) + v;
    const fns = within
      .filter((e) => e.name === 'FunctionCall' && e.dur > 2000)
      .map(
        (e) =>
          `${e.args?.data?.functionName || '?'}@${(e.args?.data?.url ?? '').split('/').pop()}:${e.args?.data?.lineNumber ?? ''} ${(e.dur / 1000).toFixed(1)}`,
      );
    lines.push(
      `    task ${(task.dur / 1000).toFixed(1)} ms: ${Object.entries(sums)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}${fns.length ? ` | ${fns.slice(0, 4).join('; ')}` : ''}`,
    );
  }
  const busy = tasks.reduce((sum, t) => sum + t.dur / 1000, 0);
  // Thread time (CPU the main thread got), apart from wall time: on a shared machine, the comparable one.
  const cpu = tasks.reduce((sum, t) => sum + (t.tdur ?? t.dur) / 1000, 0);
  const span = tasks.length ? (tasks.at(-1).ts + tasks.at(-1).dur - tasks[0].ts) / 1000 : 0;
  return [
    `  main thread: ${tasks.length} tasks, busy ${busy.toFixed(0)} ms of ${span.toFixed(0)} ms (thread CPU ${cpu.toFixed(0)} ms); ${long.length} over ${longMs} ms`,
    `  in long tasks (inclusive, may nest): ${Object.entries(total)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')}`,
    ...lines
      .sort((a, b) => Number.parseFloat(b.split('task ')[1]) - Number.parseFloat(a.split('task ')[1]))
      .slice(0, 15),
  ].join('\n');
}
