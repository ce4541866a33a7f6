// The progress bar: one line on stderr while a job runs on a terminal, Spark-style,
//   [Stage 2/3: =========>           ] 5/8 tasks (2 running) · 1.2M rows · 3.4 s
// redrawn at most 10 times a second with a carriage return and cleared when the job ends. Jobs
// shorter than half a second never show it. Quiet when stderr is not a terminal (unless forced
// with `progress: true`) or when switched off with `progress: false`.
import type { JobInfo, JobListener } from '../executor/engine.js';
import type { StageMetrics, TaskEvent } from '../executor/scheduler.js';
import { formatCount, formatDuration } from './format.js';

/** 'auto': only when stderr is a terminal; true: always; false: never. */
export type ProgressMode = 'auto' | boolean;

/** What the bar draws: the stage running now and the job's totals so far. */
export interface ProgressState {
  /** Position of the current stage in the job (1-based) and the job's stage count. */
  readonly stage: number;
  readonly stages: number;
  /** The current stage is sampling sort keys for range bounds (a pass before its real one). */
  readonly sampling: boolean;
  readonly done: number;
  readonly running: number;
  readonly total: number;
  /** Rows read by the job's finished tasks. */
  readonly rows: number;
  readonly elapsedMs: number;
}

/** The bar as one line of at most `columns - 1` characters (so the terminal never wraps it). */
export function renderProgress(s: ProgressState, columns = 80): string {
  const head = `[Stage ${s.stage}/${s.stages}${s.sampling ? ' sampling' : ''}: `;
  const tail = `] ${s.done}/${s.total} tasks${s.running > 0 ? ` (${s.running} running)` : ''} · ${formatCount(s.rows)} rows · ${formatDuration(s.elapsedMs)}`;
  const room = columns - 1 - head.length - tail.length;
  if (room < 10) {
    const short = `Stage ${s.stage}/${s.stages}: ${s.done}/${s.total} tasks · ${formatDuration(s.elapsedMs)}`;
    return short.slice(0, Math.max(0, columns - 1));
  }
  const width = Math.min(room, 40);
  const filled = s.total > 0 ? Math.min(width, Math.floor((s.done / s.total) * width)) : 0;
  const bar = filled >= width ? '='.repeat(width) : '='.repeat(filled) + '>' + ' '.repeat(width - filled - 1);
  return head + bar + tail;
}

export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string): unknown;
}

export interface ProgressOptions {
  /** A job is shown once it has run this long (default 500 ms). */
  readonly delayMs?: number;
  /** Redraw period (default 100 ms: at most 10 redraws a second). */
  readonly intervalMs?: number;
  /** Worker threads: no more tasks than this are shown as running. */
  readonly workers?: number;
}

interface JobState {
  readonly started: number;
  readonly stageIds: readonly number[];
  stageId: number;
  sampling: boolean;
  total: number;
  done: number;
  running: number;
  rows: number;
}

export class ProgressBar implements JobListener {
  private readonly jobs = new Map<number, JobState>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private drawn = '';
  private readonly delayMs: number;
  private readonly intervalMs: number;
  private readonly workers: number;

  /** The bar for a session, or null when it should stay quiet. */
  static create(mode: ProgressMode, stream: ProgressStream, options: ProgressOptions = {}): ProgressBar | null {
    if (mode === false || (mode === 'auto' && !stream.isTTY)) return null;
    if (mode !== true && mode !== 'auto') throw new Error(`progress must be 'auto', true or false, got ${JSON.stringify(mode)}`);
    return new ProgressBar(stream, options);
  }

  constructor(private readonly stream: ProgressStream, options: ProgressOptions = {}) {
    this.delayMs = options.delayMs ?? 500;
    this.intervalMs = options.intervalMs ?? 100;
    this.workers = options.workers ?? Infinity;
  }

  jobStarted(job: { readonly id: number; readonly stageIds: readonly number[] }): void {
    this.jobs.set(job.id, { started: performance.now(), stageIds: job.stageIds, stageId: job.stageIds[0] ?? 0, sampling: false, total: 0, done: 0, running: 0, rows: 0 });
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), this.intervalMs);
      this.timer.unref();
    }
  }

  task(jobId: number, e: TaskEvent): void {
    const j = this.jobs.get(jobId);
    if (!j) return;
    if (e.stageId !== j.stageId || e.sample !== j.sampling) {
      // A new pass: the next stage, or a range shuffle's real pass after its sampling pass.
      Object.assign(j, { stageId: e.stageId, sampling: e.sample, total: e.of, done: 0, running: 0 });
    }
    j.total = e.of;
    if (e.kind === 'start') j.running++;
    else {
      j.running = Math.max(0, j.running - 1);
      j.done++;
      j.rows += e.result.metrics.inputRecords;
    }
  }

  stageDone(_jobId: number, _m: StageMetrics): void {
    // The next task event moves the bar to the next stage.
  }

  jobEnded(job: JobInfo): void {
    this.jobs.delete(job.id);
    if (this.jobs.size > 0) return;
    if (this.timer) { clearInterval(this.timer); this.timer = null; }
    if (this.drawn) { this.stream.write('\r\x1b[K'); this.drawn = ''; }
  }

  /** The state of the most recently started job still running, if it has run long enough to be shown. */
  private current(): ProgressState | null {
    const entries = [...this.jobs.values()];
    const j = entries[entries.length - 1];
    if (!j) return null;
    const elapsedMs = performance.now() - j.started;
    if (elapsedMs < this.delayMs) return null;
    const at = j.stageIds.indexOf(j.stageId);
    // Tasks handed to the pool wait there for a free worker: one per worker runs.
    return { stage: at + 1, stages: j.stageIds.length, sampling: j.sampling, done: j.done, running: Math.min(j.running, this.workers), total: j.total, rows: j.rows, elapsedMs };
  }

  private draw(): void {
    const s = this.current();
    if (!s) return;
    const line = renderProgress(s, this.stream.columns ?? 80);
    if (line === this.drawn) return;
    this.stream.write(`\r${line}\x1b[K`);
    this.drawn = line;
  }
}
