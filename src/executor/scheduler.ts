// The scheduler: runs a job's stages in dependency order, one task per partition on the pool.
// A shuffle-map stage's buckets go to the block manager until the stages that read them are
// done; a broadcast stage's rows are gathered on the driver, copied once into shared memory
// and handed to every task above it; a range-partitioned shuffle first samples its keys to
// pick the bounds. Each stage's tasks run as a task set (retry.ts): a failed attempt is retried
// up to maxTaskFailures, stragglers may be speculated, and only each partition's winning attempt
// counts. A partition that fails maxTaskFailures times fails the job with its own message, stage,
// partition and attempt count. Lost map outputs are recomputed by rerunning the map tasks that
// wrote them (shuffle-recovery.ts), so a shuffle is kept while a stage that could need such a
// rerun may still run. Fault injection (faults.ts) is applied here.
import type { Piscina } from 'piscina';
import type { PhysicalPlan } from '../planner/physical/physical.js';
import { numPartitions, physicalChildren } from '../planner/physical/physical.js';
import type { Stage, StagePlan } from '../planner/physical/stages.js';
import { BlockManager } from '../cache/block-manager.js';
import type { FaultInjector, JobFaults } from './faults.js';
import { type AttemptCounts, type TaskSetOutcome, type TaskSetSpec, runTaskSet } from './retry.js';
import type { SpeculationOptions } from './speculation.js';
import { ShuffleRecovery } from './shuffle-recovery.js';
import { commitTaskAttempt, removeTaskAttempts } from './io/task-commit.js';
import { type TaskMessage, type TaskMetrics, type TaskOutput, type TaskResult, shuffleKey } from './task.js';
import { type WireBatch, fromWire, toShared, toWire } from './wire.js';
import type { Batch } from './batch.js';
import { rangeBounds } from './range-bounds.js';
import { coalescedPartitions } from './partition-map.js';
import { type AdaptiveOptions, adaptStage } from '../planner/physical/adaptive.js';

export interface StageMetrics {
  id: number;
  name: string;
  tasks: number;
  durationMs: number;
  inputRecords: number;
  outputRecords: number;
  outputBytes: number;
  shuffleWriteBytes: number;
  shuffleReadBytes: number;
  spillBytes: number;
  peakMemoryBytes: number;
  droppedMalformed: number;
  corruptRecords: number;
  /** Task attempts that threw or whose worker thread died. */
  failedTasks: number;
  /** Attempts launched because an earlier attempt of their partition failed. */
  retriedTasks: number;
  /** Speculative attempts launched for stragglers. */
  speculativeTasks: number;
  /** Attempts killed because another attempt of their partition succeeded first. */
  killedTasks: number;
  /** Map tasks of this stage rerun after the stage finished, to recompute lost shuffle output. */
  recomputedTasks: number;
  /** Times this stage's tasks found parent shuffle output lost (each led to a rerun of the map tasks). */
  fetchFailures: number;
}

/** Spark's spark.task.maxFailures: a partition's attempts that may fail before the job fails. */
export const DEFAULT_MAX_TASK_FAILURES = 4;

export class TaskFailedError extends Error {
  override name = 'TaskFailedError';
  constructor(
    message: string,
    readonly stageId: number,
    readonly partition: number,
    readonly causeName: string,
    readonly workerStack: string | undefined,
    /** Attempts of the partition that failed (maxTaskFailures when retries ran out). */
    readonly attempts: number = 1,
  ) {
    super(message);
  }
}

export interface StageRunResult {
  /** Result stage only: each partition's batches, in partition order. */
  readonly partitions: readonly (readonly WireBatch[])[];
  readonly files: readonly string[];
}

export interface SchedulerDeps {
  readonly pool: Piscina;
  readonly local: ReadonlyMap<number, readonly (readonly WireBatch[])[]>;
  readonly memoryBudgetBytes: number;
  readonly parallelism: number;
  readonly tmpDir: string;
  /** Called as each stage finishes (also for the stage that failed). */
  readonly onStage: (m: StageMetrics) => void;
  /** Adaptive execution settings; null switches it off. */
  readonly adaptive: AdaptiveOptions | null;
  /** Called with each adaptive decision, and with each stage's plan as it ran. */
  readonly onDecision: (text: string) => void;
  readonly onStagePlan: (stageId: number, plan: PhysicalPlan) => void;
  /** Broadcast variables to ship (shared memory). */
  readonly broadcastVars: Readonly<Record<number, Uint8Array>>;
  /** Called with each successful task's accumulator updates. */
  readonly onAccumulators: (deltas: Readonly<Record<number, number>>) => void;
  /** Optional listener: each task as it is handed to the pool and as it comes back (progress bar, job timeline). */
  readonly onTask?: (e: TaskEvent) => void;
  /** Attempts of one partition that may fail before the job fails (default 4). */
  readonly maxTaskFailures?: number;
  /** Speculative execution settings; null or absent switches it off. */
  readonly speculation?: SpeculationOptions | null;
  /** Fault injection (tests); null or absent for none. */
  readonly faults?: FaultInjector | null;
}

/**
 * A task handed to the pool ('start': it may still wait for a free worker) or back from it
 * ('end', with its result). `of` is the number of tasks in the same pass over the stage;
 * `sample` marks the pass that samples sort keys for range bounds.
 */
export type TaskEvent = { readonly stageId: number; readonly partition: number; readonly attempt: number; readonly sample: boolean; readonly of: number }
  & ({ readonly kind: 'start' } | { readonly kind: 'end'; readonly result: TaskResult });

/** Sort-key rows each task contributes to the sample that picks range bounds. */
export const RANGE_SAMPLE_PER_TASK = 256;

let nextJobId = 1;

/** What one job's stages share while it runs. */
interface JobContext {
  readonly jobId: number;
  readonly deps: SchedulerDeps;
  readonly blocks: BlockManager;
  readonly broadcasts: Map<number, WireBatch[]>;
  readonly faults: JobFaults | null;
  readonly recovery: ShuffleRecovery;
}

/** A finished shuffle-map stage as it ran (adapted plan, range bounds): what reruns its map tasks. */
interface MapStageRun {
  readonly stage: Stage;
  readonly output: TaskOutput;
  readonly metrics: StageMetrics;
}

/**
 * Runs the job. `onlyPartitions` restricts the result stage to those partitions (recomputing
 * evicted blocks of a cached dataset); the other partitions of the result come back empty.
 */
export async function runStages(plan: StagePlan, resultOutput: TaskOutput, deps: SchedulerDeps, onlyPartitions: readonly number[] | null = null): Promise<StageRunResult> {
  const jobId = nextJobId++;
  const blocks = new BlockManager(deps.memoryBudgetBytes, deps.tmpDir, jobId);
  const broadcasts = new Map<number, WireBatch[]>();
  const mapStages = new Map<number, MapStageRun>();
  // Lineage: a lost map output is recomputed by its map task, from the stage as it ran.
  const recovery = new ShuffleRecovery(async (stageId, maps) => {
    const ran = mapStages.get(stageId);
    if (!ran) throw new Error(`internal: map outputs ${maps.join(', ')} of shuffle ${stageId} are lost and no finished stage wrote them`);
    const real = maps.filter((m) => m < ran.stage.numTasks);
    // The empty output a map stage without tasks stands for needs no task.
    for (const m of maps) if (m >= ran.stage.numTasks) await blocks.putMapOutput(stageId, m, []);
    if (real.length === 0) return;
    const set = await runTaskSet(taskSetSpec(ctx, ran.stage, ran.output, real, false, () => {}));
    addCounts(ran.metrics, set.counts);
    if (set.failure) throw taskFailed(jobId, ran.stage.id, set.failure, deps);
    // Accumulator updates of reruns are not applied: the first run's already counted.
    for (const [p, w] of set.winners) ran.metrics.spillBytes += await blocks.putMapOutput(stageId, p, w.result.buckets ?? []);
    ran.metrics.recomputedTasks += real.length;
  });
  const ctx: JobContext = { jobId, deps, blocks, broadcasts, faults: deps.faults?.forJob() ?? null, recovery };
  const lastUse = lastUses(plan);
  const injected = new Set<number>();
  let partitions: (readonly WireBatch[])[] = [];
  let files: string[] = [];
  try {
    for (const [index, planned] of plan.stages.entries()) {
      let stage = planned;
      let fetchFailures = 0;
      const onFetchFailed = (): void => { fetchFailures++; };
      // Injected block loss: map outputs of the shuffles this stage reads vanish before it reads them.
      for (const parent of stage.parents) {
        const ran = mapStages.get(parent);
        if (!ctx.faults || !ran || injected.has(parent)) continue;
        injected.add(parent);
        for (let m = 0; m < ran.stage.numTasks; m++) if (ctx.faults.losesBlock(parent, m)) blocks.dropMapOutput(parent, m);
      }
      if (deps.adaptive && stage.parents.length > 0) {
        const a = adaptStage(stage.plan, (id) => blocks.stats(id), deps.adaptive);
        for (const d of a.decisions) deps.onDecision(`stage ${stage.id}: ${d}`);
        for (const id of a.broadcastFrom) {
          const n = shufflePartitionsOf(stage.plan, id);
          const all = await recovery.read(async () => {
            const got: WireBatch[] = [];
            for (let b = 0; b < n; b++) got.push(...await blocks.bucket(id, b));
            return got;
          }, onFetchFailed);
          broadcasts.set(id, all.map((w) => toWire(toShared(fromWire(w)), null)));
        }
        if (a.plan !== stage.plan) stage = { ...stage, plan: a.plan, numTasks: numPartitions(a.plan) };
      }
      deps.onStagePlan(stage.id, stage.plan);
      const isResult = stage.id === plan.resultStage;
      let output: TaskOutput = isResult || stage.output.kind !== 'shuffle' ? (isResult ? resultOutput : { kind: 'result' }) : stage.output;
      const started = performance.now();
      const metrics: TaskMetrics[] = [];
      const counts: AttemptCounts = { failed: 0, retried: 0, speculative: 0, killed: 0 };
      const all = Array.from({ length: stage.numTasks }, (_, p) => p);
      let failure: TaskSetOutcome['failure'] = null;
      if (output.kind === 'shuffle' && output.partitioning.kind === 'range') {
        // Spark's RangePartitioner: sample the keys of every partition, then pick n - 1 bounds.
        const sampled = await runTaskSet(taskSetSpec(ctx, stage, { kind: 'sample', order: output.partitioning.order, rows: RANGE_SAMPLE_PER_TASK }, all, true, onFetchFailed));
        addCounts(counts, sampled.counts);
        failure = sampled.failure;
        const samples: Batch[] = [];
        for (const p of all) {
          const w = sampled.winners.get(p);
          if (!w) continue;
          // The sampling pass reads the stage's input a second time: its time and memory count,
          // its row counts would double the stage's (input, malformed and corrupt records).
          metrics.push({ ...w.result.metrics, inputRecords: 0, outputRecords: 0, outputBytes: 0, droppedMalformed: 0, corruptRecords: 0 });
          for (const b of w.result.batches) samples.push(fromWire(b));
        }
        if (!failure) output = { ...output, bounds: toWire(rangeBounds(samples, output.partitioning.order, output.partitioning.n), null) };
      }
      const which = isResult && onlyPartitions ? onlyPartitions.filter((p) => p < stage.numTasks) : null;
      const parts = which ?? all;
      let winners: TaskSetOutcome['winners'] = new Map();
      if (!failure) {
        const set = await runTaskSet(taskSetSpec(ctx, stage, output, parts, true, onFetchFailed));
        addCounts(counts, set.counts);
        winners = set.winners;
        failure = set.failure;
      }
      for (const p of parts) { const w = winners.get(p); if (w) metrics.push(w.result.metrics); }
      const sm = stageMetrics(stage, metrics, performance.now() - started, counts, fetchFailures);
      deps.onStage(sm);
      if (failure) throw taskFailed(jobId, stage.id, failure, deps);
      const results = parts.map((p) => winners.get(p)!);
      // Every partition succeeded: the winning attempts' accumulator updates count, once per task.
      for (const w of results) deps.onAccumulators(w.result.accumulators);
      if (isResult) {
        if (output.kind === 'write') {
          // Task commit: only each partition's winning attempt's files move into the job directory.
          files = [];
          for (const [i, w] of results.entries()) files.push(...await commitTaskAttempt(output.jobDir, parts[i]!, w.attempt, w.result.files));
          await removeTaskAttempts(output.jobDir);
        } else {
          files = results.flatMap((w) => w.result.files);
        }
        if (which) {
          partitions = Array.from({ length: stage.numTasks }, () => []);
          results.forEach((w, i) => { partitions[which[i]!] = w.result.batches; });
        } else {
          partitions = results.map((w) => w.result.batches);
        }
      } else if (stage.output.kind === 'broadcast') {
        // Copied once into shared memory: every task of every worker reads the same bytes.
        broadcasts.set(stage.id, results.flatMap((w) => w.result.batches.map((b) => toWire(toShared(fromWire(b)), null))));
      } else {
        for (const [p, w] of results.entries()) {
          if (w.result.buckets) sm.spillBytes += await blocks.putMapOutput(stage.id, p, w.result.buckets);
        }
        // A map stage without tasks (its input has no partitions, e.g. an empty Parquet file)
        // still has an output, an empty one, for the stages that read it.
        if (stage.numTasks === 0) await blocks.putMapOutput(stage.id, 0, []);
        mapStages.set(stage.id, { stage, output, metrics: sm });
      }
      for (const [id, last] of lastUse) {
        if (last === index) { blocks.dropShuffle(id); broadcasts.delete(id); mapStages.delete(id); }
      }
    }
  } finally {
    await blocks.close();
  }
  return { partitions, files };
}

/**
 * For each stage, the index (in run order) of the last stage that may need its output: a stage
 * that reads it, or a stage reading a shuffle computed from it (whose lost map outputs would be
 * recomputed from this one).
 */
function lastUses(plan: StagePlan): Map<number, number> {
  const byId = new Map(plan.stages.map((s) => [s.id, s]));
  const last = new Map<number, number>();
  const use = (id: number, at: number): void => { last.set(id, Math.max(last.get(id) ?? -1, at)); };
  plan.stages.forEach((reader, at) => {
    for (const parent of reader.parents) {
      use(parent, at);
      const p = byId.get(parent);
      if (p && p.output.kind === 'shuffle') for (const grand of p.parents) use(grand, at);
    }
  });
  return last;
}

/** One pass of a stage's tasks: messages built on the driver with their inputs, faults injected, attempts reported. */
function taskSetSpec(ctx: JobContext, stage: Stage, output: TaskOutput, partitions: readonly number[], firstRun: boolean, onFetchFailed: () => void): TaskSetSpec {
  const { deps, blocks, jobId } = ctx;
  const local = localInputs(stage.plan, deps.local);
  const broadcast: Record<number, WireBatch[]> = {};
  for (const parent of stage.parents) {
    const b = ctx.broadcasts.get(parent);
    if (b) broadcast[parent] = b;
  }
  const sample = output.kind === 'sample';
  const onTask = deps.onTask;
  return {
    partitions, pool: deps.pool, slots: deps.parallelism,
    maxTaskFailures: deps.maxTaskFailures ?? DEFAULT_MAX_TASK_FAILURES,
    // Reruns for lost blocks are not speculated: they are few, and their stage's timings are gone.
    speculation: firstRun ? deps.speculation ?? null : null,
    prepare: async (a) => {
      const shuffle = await ctx.recovery.read(async () => {
        const got: Record<string, WireBatch[]> = {};
        await shuffleInputs(stage.plan, a.partition, blocks, got);
        return got;
      }, onFetchFailed);
      const fault = ctx.faults?.taskFault(stage.id, a.partition, a.attempt, a.failures) ?? null;
      return {
        jobId, stageId: stage.id, partition: a.partition, attempt: a.attempt, plan: stage.plan, local, shuffle, broadcast, output,
        memoryBytes: Math.floor(deps.memoryBudgetBytes / deps.parallelism / 2), tmpDir: deps.tmpDir, broadcastVars: deps.broadcastVars,
        ...(fault ? { fault } : {}),
      } satisfies TaskMessage;
    },
    ...(onTask ? { onAttempt: (a, e) => onTask({ stageId: stage.id, partition: a.partition, attempt: a.attempt, sample, of: partitions.length, ...e }) } : {}),
  };
}

function taskFailed(jobId: number, stageId: number, f: NonNullable<TaskSetOutcome['failure']>, deps: SchedulerDeps): TaskFailedError {
  const max = deps.maxTaskFailures ?? DEFAULT_MAX_TASK_FAILURES;
  const times = f.attempts === 1 ? 'once' : `${f.attempts} times`;
  return new TaskFailedError(
    `Job ${jobId} aborted: task for partition ${f.partition} of stage ${stageId} failed ${times} (maxTaskFailures = ${max}); most recent failure: ${f.error.message}`,
    stageId, f.partition, f.error.name, f.error.stack, f.attempts,
  );
}

function addCounts(into: AttemptCounts | StageMetrics, c: AttemptCounts): void {
  if ('failedTasks' in into) {
    into.failedTasks += c.failed; into.retriedTasks += c.retried; into.speculativeTasks += c.speculative; into.killedTasks += c.killed;
  } else {
    into.failed += c.failed; into.retried += c.retried; into.speculative += c.speculative; into.killed += c.killed;
  }
}

/**
 * The shuffle buckets task `partition` reads: each ShuffleRead it reaches gets the bucket of the
 * partition number it sees there, mapped exactly as run-plan.ts maps partitions: below a Union
 * the number within the union's child (the second of two single-partition children runs as
 * task 1 but reads bucket 0); below a coalesce every input partition the task merges; below a
 * broadcast join the streamed side only.
 */
async function shuffleInputs(p: PhysicalPlan, partition: number, blocks: BlockManager, out: Record<string, WireBatch[]>): Promise<void> {
  switch (p.kind) {
    case 'ShuffleRead': {
      const spec = p.reads?.[partition];
      if (!spec) { out[shuffleKey(p.stageId, partition)] = await blocks.bucket(p.stageId, partition); return; }
      const all: WireBatch[] = [];
      for (const b of spec.buckets) all.push(...await blocks.bucket(p.stageId, b, spec.maps));
      out[shuffleKey(p.stageId, partition)] = all;
      return;
    }
    case 'Union': {
      let at = partition;
      for (const child of p.inputs) {
        const n = numPartitions(child);
        if (at < n) { await shuffleInputs(child, at, blocks, out); return; }
        at -= n;
      }
      return;
    }
    case 'CoalescePartitions':
      for (const q of coalescedPartitions(numPartitions(p.input), p.n, partition)) await shuffleInputs(p.input, q, blocks, out);
      return;
    case 'BroadcastHashJoin':
      await shuffleInputs(p.buildSide === 'right' ? p.left : p.right, partition, blocks, out);
      return;
    default:
      for (const c of physicalChildren(p)) await shuffleInputs(c, partition, blocks, out);
  }
}

/** The bucket count of the shuffle `stageId` as the stage reads it (before adaptation). */
function shufflePartitionsOf(p: PhysicalPlan, stageId: number): number {
  if (p.kind === 'ShuffleRead' && p.stageId === stageId) return p.partitions;
  for (const c of physicalChildren(p)) {
    const n = shufflePartitionsOf(c, stageId);
    if (n > 0) return n;
  }
  return 0;
}

function localInputs(p: PhysicalPlan, store: ReadonlyMap<number, readonly (readonly WireBatch[])[]>): Record<number, readonly (readonly WireBatch[])[]> {
  const out: Record<number, readonly (readonly WireBatch[])[]> = {};
  const walk = (n: PhysicalPlan): void => {
    if (n.kind === 'LocalTableScan') {
      const data = store.get(n.id);
      if (!data) throw new Error(`internal: local relation ${n.id} is not registered with the session`);
      out[n.id] = data;
    }
    physicalChildren(n).forEach(walk);
  };
  walk(p);
  return out;
}

function stageName(p: PhysicalPlan): string {
  const names: string[] = [];
  const walk = (n: PhysicalPlan): void => { physicalChildren(n).forEach(walk); names.push(n.kind); };
  walk(p);
  return names.join(' → ');
}

function stageMetrics(stage: Stage, ms: readonly TaskMetrics[], durationMs: number, c: AttemptCounts, fetchFailures: number): StageMetrics {
  const sum = (f: (m: TaskMetrics) => number) => ms.reduce((s, m) => s + f(m), 0);
  return {
    id: stage.id,
    name: stageName(stage.plan),
    tasks: stage.numTasks,
    durationMs,
    inputRecords: sum((m) => m.inputRecords),
    outputRecords: sum((m) => m.outputRecords),
    outputBytes: sum((m) => m.outputBytes),
    shuffleWriteBytes: sum((m) => m.shuffleWriteBytes),
    shuffleReadBytes: sum((m) => m.shuffleReadBytes),
    spillBytes: sum((m) => m.spillBytes),
    peakMemoryBytes: ms.reduce((s, m) => Math.max(s, m.peakMemoryBytes), 0),
    droppedMalformed: sum((m) => m.droppedMalformed),
    corruptRecords: sum((m) => m.corruptRecords),
    failedTasks: c.failed,
    retriedTasks: c.retried,
    speculativeTasks: c.speculative,
    killedTasks: c.killed,
    recomputedTasks: 0,
    fetchFailures,
  };
}
