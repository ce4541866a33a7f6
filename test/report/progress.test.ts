// The progress bar: its line as a pure function of the state, when it draws (a terminal, or
// forced), how often (at most every interval), that it clears itself, and that a session whose
// stderr is not a terminal writes nothing.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobInfo } from '../../src/executor/engine.js';
import type { TaskEvent } from '../../src/executor/scheduler.js';
import { emptyMetrics, type TaskResult } from '../../src/executor/task.js';
import { ProgressBar, type ProgressState, renderProgress } from '../../src/report/progress.js';
import { Session } from '../../src/index.js';

const STATE: ProgressState = { stage: 2, stages: 3, sampling: false, done: 5, running: 2, total: 8, rows: 1_234_567, elapsedMs: 3400 };

describe('renderProgress', () => {
  it('shows the stage, a bar, tasks done/running/total, rows and elapsed time', () => {
    const line = renderProgress(STATE, 100);
    expect(line).toMatch(/^\[Stage 2\/3: =+> +\] 5\/8 tasks \(2 running\) · 1\.2M rows · 3\.4 s$/);
    expect(line.length).toBeLessThanOrEqual(99);
  });

  it('fills the bar in proportion to the tasks done', () => {
    const bar = (done: number) => /\[Stage \d\/\d: ([=> ]+)\]/.exec(renderProgress({ ...STATE, done, total: 10 }, 100))![1]!;
    expect(bar(0).startsWith('>')).toBe(true);
    expect(bar(10)).toBe('='.repeat(bar(10).length));
    expect(bar(5).indexOf('>')).toBe(Math.floor(bar(5).length / 2));
  });

  it('never reaches the last column, however narrow the terminal', () => {
    for (const cols of [200, 80, 60, 40, 20, 5]) expect(renderProgress(STATE, cols).length, `${cols} columns`).toBeLessThanOrEqual(cols - 1);
    expect(renderProgress(STATE, 40)).toBe('Stage 2/3: 5/8 tasks · 3.4 s');
  });

  it('marks a range shuffle\'s sampling pass and omits "running" when none run', () => {
    expect(renderProgress({ ...STATE, sampling: true, running: 0 }, 100)).toMatch(/^\[Stage 2\/3 sampling: .*\] 5\/8 tasks · /);
  });
});

class FakeStream {
  readonly writes: { at: number; text: string }[] = [];
  constructor(readonly isTTY: boolean, readonly columns = 100) {}
  write(text: string): boolean { this.writes.push({ at: performance.now(), text }); return true; }
}

const ok: TaskResult = { ok: true, batches: [], buckets: null, files: [], schema: [], metrics: { ...emptyMetrics(), inputRecords: 1000 }, accumulators: {} };
const ev = (kind: 'start' | 'end', stageId: number, partition: number): TaskEvent =>
  (kind === 'start' ? { kind, stageId, partition, attempt: 0, sample: false, of: 4 } : { kind, stageId, partition, attempt: 0, sample: false, of: 4, result: ok });
const ended = (id: number) => ({ id }) as JobInfo;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ProgressBar', () => {
  it('stays quiet unless stderr is a terminal or it is forced on', () => {
    expect(ProgressBar.create('auto', new FakeStream(false))).toBeNull();
    expect(ProgressBar.create(false, new FakeStream(true))).toBeNull();
    expect(ProgressBar.create('auto', new FakeStream(true))).toBeInstanceOf(ProgressBar);
    expect(ProgressBar.create(true, new FakeStream(false))).toBeInstanceOf(ProgressBar);
    expect(() => ProgressBar.create('yes' as never, new FakeStream(true))).toThrow(/progress must be 'auto', true or false/);
  });

  it('redraws one line with \\r at most once per interval, and clears it when the job ends', async () => {
    const out = new FakeStream(true);
    const bar = new ProgressBar(out, { delayMs: 0, intervalMs: 40, workers: 2 });
    bar.jobStarted({ id: 7, stageIds: [1, 2] });
    const t0 = performance.now();
    // Many events, far more often than the bar may redraw.
    for (let i = 0; i < 120; i++) {
      const p = i % 4;
      bar.task(7, ev('start', i < 60 ? 1 : 2, p));
      bar.task(7, ev('end', i < 60 ? 1 : 2, p));
      await sleep(2);
    }
    bar.task(7, ev('start', 2, 0));
    bar.task(7, ev('start', 2, 1));
    bar.task(7, ev('start', 2, 2));
    await sleep(100);
    const elapsed = performance.now() - t0;
    const lines = out.writes.filter((w) => w.text !== '\r\x1b[K');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.length).toBeLessThanOrEqual(Math.ceil(elapsed / 40) + 1);
    for (const w of lines) expect(w.text).toMatch(/^\r\[Stage [12]\/2: [=> ]+\] \d+\/4 tasks.*\x1b\[K$/);
    // Three handed out, two workers: two shown running.
    expect(lines[lines.length - 1]!.text).toContain('(2 running)');
    expect(lines[lines.length - 1]!.text).toContain('[Stage 2/2');
    expect(lines[lines.length - 1]!.text).toContain('120K rows');
    bar.jobEnded(ended(7));
    expect(out.writes[out.writes.length - 1]!.text).toBe('\r\x1b[K');
    const count = out.writes.length;
    await sleep(100);
    expect(out.writes.length).toBe(count);
  });

  it('shows nothing for a job shorter than its delay', async () => {
    const out = new FakeStream(true);
    const bar = new ProgressBar(out, { delayMs: 300, intervalMs: 10 });
    bar.jobStarted({ id: 1, stageIds: [1] });
    bar.task(1, ev('start', 1, 0));
    await sleep(60);
    bar.task(1, ev('end', 1, 0));
    bar.jobEnded(ended(1));
    expect(out.writes).toEqual([]);
  });
});

describe('a session\'s progress bar', () => {
  const restore: (() => void)[] = [];
  afterEach(() => { while (restore.length > 0) restore.pop()!(); });

  function captureStderr(isTTY: boolean): string[] {
    const had = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: isTTY, configurable: true });
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: unknown) => { writes.push(String(chunk)); return true; }) as never);
    restore.push(() => { spy.mockRestore(); if (had) Object.defineProperty(process.stderr, 'isTTY', had); else delete (process.stderr as { isTTY?: boolean }).isTTY; });
    return writes;
  }

  // Each task sleeps (without spinning) so the job outlasts the bar's half-second delay.
  const slowJob = (s: Session) => s.range(0, 4, 1, 2).mapPartitions((rows) => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 900);
    return rows;
  }).count();

  it("writes nothing on stderr by default when stderr is not a terminal", async () => {
    const writes = captureStderr(false);
    const s = await Session.create({ parallelism: 2 });
    try {
      expect(await slowJob(s)).toBe(4);
    } finally {
      await s.stop();
    }
    expect(writes.filter((w) => w.includes('\r') || w.includes('[Stage'))).toEqual([]);
  });

  it('draws and clears the bar on stderr with progress: true', async () => {
    const writes = captureStderr(false);
    const s = await Session.create({ parallelism: 2, progress: true });
    try {
      expect(await slowJob(s)).toBe(4);
    } finally {
      await s.stop();
    }
    const bars = writes.filter((w) => w.startsWith('\r[Stage'));
    expect(bars.length).toBeGreaterThan(0);
    expect(bars[0]).toMatch(/^\r\[Stage 1\/1: .*\] [0-2]\/2 tasks/);
    expect(writes[writes.length - 1]).toBe('\r\x1b[K');
  });
});
