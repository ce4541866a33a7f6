// One pass over a stage's partitions (Spark's TaskSetManager): every partition runs until one
// attempt of it succeeds. An attempt that throws, or whose worker thread dies (process.exit,
// an uncaught error, ERR_WORKER_OUT_OF_MEMORY — piscina replaces the thread), is retried as a
// new attempt; the partition's `maxTaskFailures`-th failure stops the pass, and the caller fails
// the job with that attempt's error. An error that another attempt would meet again (a malformed
// record under FAILFAST: the same bytes parse the same way) stops the pass at once, where Spark
// would retry it: the job fails in the time of one attempt, with the same message. With speculation on (speculation.ts), a straggler gets a
// second attempt; the first to succeed wins and the others are killed (their worker is
// terminated and replaced). Only winners' results are returned, so only they count: their
// output, metrics and accumulator updates.
//
// At most `slots` attempts are out at once (the pool's threads), so an attempt's running time
// is measured from when it was handed to a free worker. A retry goes to the front of the queue;
// which thread runs it is piscina's choice: "fresh" means a new attempt number and a new message
// built from the driver's blocks, on whichever worker is free — a new thread when the old one died.
import type { Piscina } from 'piscina';
import { type TaskError, type TaskMessage, type TaskResult, emptyMetrics } from './task.js';
import { type SpeculationOptions, speculatable } from './speculation.js';

export interface AttemptInfo {
  readonly partition: number;
  /** 0, 1, 2 … per partition, speculative attempts included. */
  readonly attempt: number;
  readonly speculative: boolean;
  /** Failed attempts of this partition before this one. */
  readonly failures: number;
}

export type TaskSuccess = Extract<TaskResult, { ok: true }>;

/** Errors (by name) that every attempt of the task would meet: not retried. */
const DETERMINISTIC_ERRORS: ReadonlySet<string> = new Set(['MalformedRecordError']);

export interface AttemptCounts {
  /** Attempts that threw or whose worker died. */
  failed: number;
  /** Attempts launched because an earlier one failed. */
  retried: number;
  /** Speculative attempts launched. */
  speculative: number;
  /** Attempts killed because another attempt of their partition succeeded first. */
  killed: number;
}

export interface TaskSetSpec {
  readonly partitions: readonly number[];
  readonly pool: Piscina;
  /** Attempts out at once. */
  readonly slots: number;
  readonly maxTaskFailures: number;
  readonly speculation: SpeculationOptions | null;
  /** Builds an attempt's message on the driver; a rejection fails the whole pass (after in-flight attempts end). */
  readonly prepare: (a: AttemptInfo) => Promise<TaskMessage>;
  /** Each attempt as it is handed to the pool and as it ends (killed attempts end with a 'TaskKilled' error). */
  readonly onAttempt?: (a: AttemptInfo, e: { readonly kind: 'start' } | { readonly kind: 'end'; readonly result: TaskResult }) => void;
}

export interface TaskSetOutcome {
  /** The winning attempt of every partition that succeeded. */
  readonly winners: ReadonlyMap<number, { readonly attempt: number; readonly result: TaskSuccess }>;
  /** The partition that failed `maxTaskFailures` times, with its most recent error; null when none did. */
  readonly failure: { readonly partition: number; readonly attempts: number; readonly error: TaskError } | null;
  readonly counts: AttemptCounts;
}

interface Running {
  readonly info: AttemptInfo;
  readonly controller: AbortController;
  startedAt: number;
}

export function runTaskSet(spec: TaskSetSpec): Promise<TaskSetOutcome> {
  return new TaskSetRun(spec).run();
}

class TaskSetRun {
  private readonly queue: { partition: number; speculative: boolean }[] = [];
  private readonly running = new Map<number, Running[]>();
  private readonly nextAttempt = new Map<number, number>();
  private readonly failures = new Map<number, number>();
  private readonly speculated = new Set<number>();
  private readonly winners = new Map<number, { attempt: number; result: TaskSuccess }>();
  private readonly succeededMs: number[] = [];
  private readonly counts: AttemptCounts = { failed: 0, retried: 0, speculative: 0, killed: 0 };
  private failure: TaskSetOutcome['failure'] = null;
  private fatal: { error: unknown } | null = null;
  private inFlight = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private settle: (() => void) | null = null;

  constructor(private readonly spec: TaskSetSpec) {}

  run(): Promise<TaskSetOutcome> {
    for (const partition of this.spec.partitions) this.queue.push({ partition, speculative: false });
    return new Promise<TaskSetOutcome>((resolve, reject) => {
      this.settle = () => {
        if (this.timer) clearInterval(this.timer);
        if (this.fatal) reject(this.fatal.error);
        else resolve({ winners: this.winners, failure: this.failure, counts: this.counts });
      };
      const s = this.spec.speculation;
      if (s && this.spec.partitions.length > 1) {
        this.timer = setInterval(() => this.speculate(s), s.intervalMs);
        this.timer.unref?.();
      }
      this.pump();
      this.checkDone();
    });
  }

  private get stopped(): boolean {
    return this.failure !== null || this.fatal !== null;
  }

  private pump(): void {
    while (!this.stopped && this.inFlight < this.spec.slots && this.queue.length > 0) {
      const next = this.queue.shift()!;
      if (this.winners.has(next.partition)) continue;
      this.launch(next.partition, next.speculative);
    }
  }

  private launch(partition: number, speculative: boolean): void {
    const attempt = this.nextAttempt.get(partition) ?? 0;
    this.nextAttempt.set(partition, attempt + 1);
    const failures = this.failures.get(partition) ?? 0;
    if (speculative) this.counts.speculative++;
    else if (failures > 0) this.counts.retried++;
    const r: Running = { info: { partition, attempt, speculative, failures }, controller: new AbortController(), startedAt: performance.now() };
    let list = this.running.get(partition);
    if (!list) { list = []; this.running.set(partition, list); }
    list.push(r);
    this.inFlight++;
    void this.execute(r).then((result) => {
      list.splice(list.indexOf(r), 1);
      if (list.length === 0) this.running.delete(partition);
      this.inFlight--;
      if (result) this.record(r, result);
      this.pump();
      this.checkDone();
    });
  }

  /** Runs one attempt; null when it was killed or its message could not be built. */
  private async execute(r: Running): Promise<TaskResult | null> {
    let msg: TaskMessage;
    try {
      msg = await this.spec.prepare(r.info);
    } catch (error) {
      if (!this.fatal) this.fatal = { error };
      return null;
    }
    if (r.controller.signal.aborted) return null;
    r.startedAt = performance.now();
    this.spec.onAttempt?.(r.info, { kind: 'start' });
    let result: TaskResult;
    try {
      result = await (this.spec.pool.run(msg, { signal: r.controller.signal }) as Promise<TaskResult>);
    } catch (err) {
      if (r.controller.signal.aborted) {
        this.spec.onAttempt?.(r.info, { kind: 'end', result: { ok: false, error: KILLED, metrics: emptyMetrics() } });
        return null;
      }
      result = { ok: false, error: poolError(err), metrics: emptyMetrics() };
    }
    this.spec.onAttempt?.(r.info, { kind: 'end', result });
    return result;
  }

  private record(r: Running, result: TaskResult): void {
    const p = r.info.partition;
    if (this.winners.has(p)) return; // a loser that ended before it could be killed
    if (result.ok) {
      this.winners.set(p, { attempt: r.info.attempt, result });
      this.succeededMs.push(performance.now() - r.startedAt);
      for (const other of this.running.get(p) ?? []) this.kill(other);
      if (this.winners.size === this.spec.partitions.length) for (const list of this.running.values()) list.forEach((x) => this.kill(x));
      return;
    }
    this.counts.failed++;
    const failures = (this.failures.get(p) ?? 0) + 1;
    this.failures.set(p, failures);
    if (failures >= this.spec.maxTaskFailures || DETERMINISTIC_ERRORS.has(result.error.name)) {
      if (!this.failure) this.failure = { partition: p, attempts: failures, error: result.error };
      this.queue.length = 0;
      return;
    }
    // Another attempt of this partition still running (a speculative one) carries on alone.
    if (!this.running.has(p) && !this.queue.some((q) => q.partition === p)) this.queue.unshift({ partition: p, speculative: false });
  }

  private kill(r: Running): void {
    if (r.controller.signal.aborted) return;
    this.counts.killed++;
    r.controller.abort(new Error(`attempt ${r.info.attempt} of partition ${r.info.partition} killed: another attempt succeeded first`));
  }

  private speculate(o: SpeculationOptions): void {
    if (this.stopped) return;
    const now = performance.now();
    const eligible: { partition: number; runningMs: number }[] = [];
    for (const [partition, list] of this.running) {
      if (list.length !== 1 || this.speculated.has(partition) || this.winners.has(partition)) continue;
      eligible.push({ partition, runningMs: now - list[0]!.startedAt });
    }
    const chosen = speculatable(o, this.spec.partitions.length, this.succeededMs, eligible);
    for (const partition of chosen) {
      this.speculated.add(partition);
      this.queue.push({ partition, speculative: true });
    }
    if (chosen.length > 0) this.pump();
  }

  private checkDone(): void {
    if (this.inFlight > 0 || !this.settle) return;
    if (this.stopped || this.queue.length === 0 || this.winners.size === this.spec.partitions.length) {
      const settle = this.settle;
      this.settle = null;
      settle();
    }
  }
}

const KILLED: TaskError = { name: 'TaskKilled', message: 'killed: another attempt of the same partition succeeded first', stack: undefined };

/** A rejection from the pool: the worker thread died under the task (or the message could not be sent). */
function poolError(err: unknown): TaskError {
  const e = err as Error & { code?: string };
  const message = e?.message ?? String(err);
  const died = e?.code === 'ERR_WORKER_OUT_OF_MEMORY' || /worker exited|terminated/i.test(message);
  return { name: e?.name ?? 'Error', message: died ? `the worker thread running the task died: ${message}` : message, stack: e?.stack };
}
