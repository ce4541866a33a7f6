// Memory readings for the peer comparison. All contenders share one process, so what can be
// told apart is what a step adds:
//   - resident set size (RSS) of the whole process: JS heaps of every thread, ArrayBuffers,
//     DuckDB's allocations, wasm memory; read from process.memoryUsage().rss
//   - the peak RSS during a step: on Linux the kernel's high-water mark (VmHWM in
//     /proc/self/status), reset before the step by writing 5 to /proc/self/clear_refs, so it
//     sees every thread, including allocations freed before the step ends. Elsewhere the RSS
//     is sampled every 5 ms instead (which misses peaks inside synchronous code).
//   - the main thread's ArrayBuffers and JS heap (process.memoryUsage()), after a full GC.
// A step that reuses memory already resident (freed by an earlier step but kept by the
// allocator) shows less than it used: these are lower bounds.
import { readFileSync, writeFileSync } from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

export interface MemSample {
  readonly rss: number;
  readonly arrayBuffers: number;
  readonly heapUsed: number;
}

let gcFn: (() => void) | null = null;
try {
  v8.setFlagsFromString('--expose-gc');
  gcFn = vm.runInNewContext('gc') as () => void;
} catch {
  gcFn = null;
}

/**
 * Full GCs of the main thread's heap (so one contender's garbage is not collected during the
 * next one's run). V8 frees dead ArrayBuffers' memory in a sweep that finishes after gc()
 * returns; a second gc() after a pause completes the first one's sweep.
 */
export async function collectGarbage(): Promise<void> {
  if (gcFn === null) return;
  gcFn();
  await new Promise((resolve) => setTimeout(resolve, 10));
  gcFn();
}

export function sample(): MemSample {
  const m = process.memoryUsage();
  return { rss: m.rss, arrayBuffers: m.arrayBuffers, heapUsed: m.heapUsed };
}

const canResetPeak = (() => {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return readHwm() !== null;
  } catch {
    return false;
  }
})();

function readHwm(): number | null {
  const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : null;
}

/** How the peak is measured here, for the report. */
export const PEAK_METHOD = canResetPeak ? 'VmHWM (kernel high-water mark, reset per step)' : 'RSS sampled every 5 ms';

/** Runs `f`; returns its value, the samples before and after, and the peak RSS while it ran. */
export async function measured<T>(f: () => Promise<T>): Promise<{ value: T; before: MemSample; after: MemSample; peakRss: number }> {
  await collectGarbage();
  const before = sample();
  let peak = before.rss;
  let timer: NodeJS.Timeout | null = null;
  if (canResetPeak) writeFileSync('/proc/self/clear_refs', '5');
  else timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 5);
  try {
    const value = await f();
    if (canResetPeak) peak = readHwm() ?? peak;
    await collectGarbage();
    const after = sample();
    return { value, before, after, peakRss: Math.max(peak, after.rss) };
  } finally {
    if (timer) clearInterval(timer);
  }
}

export const mb = (bytes: number): number => Math.round(bytes / 1048576);
