// The scheduler: runs a job's stages in dependency order, one task per partition on the pool.
// A shuffle-map stage's buckets go to the block manager until the stages that read them are
// done; a broadcast stage's rows are gathered on the driver, copied once into shared memory
// and handed to every task above it; a range-partitioned shuffle first samples its keys to
// pick the bounds. A failed task fails the job with the task's own message, stage and partition.
import type { Piscina } from 'piscina';
import type { PhysicalPlan } from '../planner/physical/physical.js';
import { numPartitions, physicalChildren } from '../planner/physical/physical.js';
import type { Stage, StagePlan } from '../planner/physical/stages.js';
import { BlockManager } from '../cache/block-manager.js';
import { type TaskMessage, type TaskMetrics, type TaskOutput, type TaskResult, shuffleKey } from './task.js';
import { type WireBatch, fromWire, toShared, toWire } from './wire.js';
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
}

export class TaskFailedError extends Error {
  override name = 'TaskFailedError';
  constructor(
    message: string,
    readonly stageId: number,
    readonly partition: number,
    readonly causeName: string,
    readonly workerStack: string | undefined,
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
}

/** Sort-key rows each task contributes to the sample that picks range bounds. */
export const RANGE_SAMPLE_PER_TASK = 256;

let nextJobId = 1;

/**
 * Runs the job. `onlyPartitions` restricts the result stage to those partitions (recomputing
 * evicted blocks of a cached dataset); the other partitions of the result come back empty.
 */
export async function runStages(plan: StagePlan, resultOutput: TaskOutput, deps: SchedulerDeps, onlyPartitions: readonly number[] | null = null): Promise<StageRunResult> {
  const jobId = nextJobId++;
  const blocks = new BlockManager(deps.memoryBudgetBytes, deps.tmpDir, jobId);
  const broadcasts = new Map<number, WireBatch[]>();
  let partitions: (readonly WireBatch[])[] = [];
  let files: string[] = [];
  try {
    for (const planned of plan.stages) {
      let stage = planned;
      if (deps.adaptive && stage.parents.length > 0) {
        const a = adaptStage(stage.plan, (id) => blocks.stats(id), deps.adaptive);
        for (const d of a.decisions) deps.onDecision(`stage ${stage.id}: ${d}`);
        for (const id of a.broadcastFrom) {
          const all: WireBatch[] = [];
          for (let b = 0; b < shufflePartitionsOf(stage.plan, id); b++) all.push(...await blocks.bucket(id, b));
          broadcasts.set(id, all.map((w) => toWire(toShared(fromWire(w)), null)));
        }
        if (a.plan !== stage.plan) stage = { ...stage, plan: a.plan, numTasks: numPartitions(a.plan) };
      }
      deps.onStagePlan(stage.id, stage.plan);
      const isResult = stage.id === plan.resultStage;
      let output: TaskOutput = isResult || stage.output.kind !== 'shuffle' ? (isResult ? resultOutput : { kind: 'result' }) : stage.output;
      const started = performance.now();
      const metrics: TaskMetrics[] = [];
      if (output.kind === 'shuffle' && output.partitioning.kind === 'range') {
        // Spark's RangePartitioner: sample the keys of every partition, then pick n - 1 bounds.
        const sampled = await runTasks(jobId, stage, { kind: 'sample', order: output.partitioning.order, rows: RANGE_SAMPLE_PER_TASK }, deps, blocks, broadcasts);
        for (const r of sampled) metrics.push(r.metrics);
        const samples = sampled.flatMap((r) => (r.ok ? r.batches.map(fromWire) : []));
        const bounds = rangeBounds(samples, output.partitioning.order, output.partitioning.n);
        output = { ...output, bounds: toWire(bounds, null) };
      }
      const which = isResult && onlyPartitions ? onlyPartitions.filter((p) => p < stage.numTasks) : null;
      const results = await runTasks(jobId, stage, output, deps, blocks, broadcasts, which);
      for (const r of results) metrics.push(r.metrics);
      const sm = stageMetrics(stage, metrics, performance.now() - started);
      deps.onStage(sm);
      results.forEach((r, i) => {
        const p = which ? which[i]! : i;
        if (!r.ok) {
          throw new TaskFailedError(
            `Job ${jobId} aborted: task for partition ${p} of stage ${stage.id} failed: ${r.error.message}`,
            stage.id, p, r.error.name, r.error.stack,
          );
        }
      });
      // Every task of the stage succeeded: its accumulator updates count (once per task).
      for (const r of results) if (r.ok) deps.onAccumulators(r.accumulators);
      for (const parent of stage.parents) { blocks.dropShuffle(parent); broadcasts.delete(parent); }
      if (isResult && which) {
        partitions = Array.from({ length: stage.numTasks }, () => []);
        results.forEach((r, i) => { partitions[which[i]!] = r.ok ? r.batches : []; });
        files = results.flatMap((r) => (r.ok ? r.files : []));
      } else if (isResult) {
        partitions = results.map((r) => (r.ok ? r.batches : []));
        files = results.flatMap((r) => (r.ok ? r.files : []));
      } else if (stage.output.kind === 'broadcast') {
        // Copied once into shared memory: every task of every worker reads the same bytes.
        broadcasts.set(stage.id, results.flatMap((r) => (r.ok ? r.batches.map((w) => toWire(toShared(fromWire(w)), null)) : [])));
      } else {
        for (const [p, r] of results.entries()) {
          if (r.ok && r.buckets) sm.spillBytes += await blocks.putMapOutput(stage.id, p, r.buckets);
        }
        // A map stage without tasks (its input has no partitions, e.g. an empty Parquet file)
        // still has an output, an empty one, for the stages that read it.
        if (stage.numTasks === 0) await blocks.putMapOutput(stage.id, 0, []);
      }
    }
  } finally {
    await blocks.close();
  }
  return { partitions, files };
}

function runTasks(
  jobId: number, stage: Stage, output: TaskOutput, deps: SchedulerDeps, blocks: BlockManager,
  broadcasts: ReadonlyMap<number, WireBatch[]>, which: readonly number[] | null = null,
): Promise<TaskResult[]> {
  const local = localInputs(stage.plan, deps.local);
  const broadcast: Record<number, WireBatch[]> = {};
  for (const parent of stage.parents) {
    const b = broadcasts.get(parent);
    if (b) broadcast[parent] = b;
  }
  const parts = which ?? Array.from({ length: stage.numTasks }, (_, p) => p);
  return Promise.all(
    parts.map(async (p) => {
      const shuffle: Record<string, WireBatch[]> = {};
      await shuffleInputs(stage.plan, p, blocks, shuffle);
      const msg: TaskMessage = {
        jobId, stageId: stage.id, partition: p, attempt: 0, plan: stage.plan, local, shuffle, broadcast, output,
        memoryBytes: Math.floor(deps.memoryBudgetBytes / deps.parallelism / 2), tmpDir: deps.tmpDir, broadcastVars: deps.broadcastVars,
      };
      return deps.pool.run(msg) as Promise<TaskResult>;
    }),
  );
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

function stageMetrics(stage: Stage, ms: readonly TaskMetrics[], durationMs: number): StageMetrics {
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
  };
}
