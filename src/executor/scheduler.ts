// The scheduler: runs a job's stages in dependency order, one task per partition on the pool,
// keeps shuffle output in the block manager for the stages that read it, and records metrics.
// A failed task fails the job with the task's own message, its stage and partition.
import type { Piscina } from 'piscina';
import type { PhysicalPlan } from '../planner/physical/physical.js';
import { numPartitions, physicalChildren } from '../planner/physical/physical.js';
import type { Stage, StagePlan } from '../planner/physical/stages.js';
import { BlockManager } from '../cache/block-manager.js';
import type { TaskMessage, TaskMetrics, TaskOutput, TaskResult } from './task.js';
import type { WireBatch } from './wire.js';

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
  /** Called as each stage finishes (also for the stage that failed). */
  readonly onStage: (m: StageMetrics) => void;
}

let nextJobId = 1;

export async function runStages(plan: StagePlan, resultOutput: TaskOutput, deps: SchedulerDeps): Promise<StageRunResult> {
  const jobId = nextJobId++;
  const blocks = new BlockManager();
  let partitions: (readonly WireBatch[])[] = [];
  let files: string[] = [];
  for (const stage of plan.stages) {
      const isResult = stage.id === plan.resultStage;
      const output: TaskOutput = isResult ? resultOutput : (stage.output.kind === 'shuffle' ? stage.output : resultOutput);
      const local = localInputs(stage.plan, deps.local);
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: stage.numTasks }, (_, p) => {
          const shuffle: Record<number, WireBatch[]> = {};
          for (const parent of stage.parents) shuffle[parent] = [];
          shuffleInputs(stage.plan, p, blocks, shuffle);
          const msg: TaskMessage = { jobId, stageId: stage.id, partition: p, attempt: 0, plan: stage.plan, local, shuffle, output };
          return deps.pool.run(msg) as Promise<TaskResult>;
        }),
      );
      const sm = stageMetrics(stage, results.map((r) => r.metrics), performance.now() - started);
      deps.onStage(sm);
      results.forEach((r, p) => {
        if (!r.ok) {
          throw new TaskFailedError(
            `Job ${jobId} aborted: task for partition ${p} of stage ${stage.id} failed: ${r.error.message}`,
            stage.id, p, r.error.name, r.error.stack,
          );
        }
      });
      for (const parent of stage.parents) blocks.dropShuffle(parent);
      if (isResult) {
        partitions = results.map((r) => (r.ok ? r.batches : []));
        files = results.flatMap((r) => (r.ok ? r.files : []));
      } else {
        results.forEach((r, p) => { if (r.ok && r.buckets) blocks.putMapOutput(stage.id, p, r.buckets); });
        // A map stage without tasks (its input has no partitions, e.g. an empty Parquet file)
        // still has an output, an empty one, for the stages that read it.
        if (stage.numTasks === 0) blocks.putMapOutput(stage.id, 0, []);
      }
    }
  return { partitions, files };
}

/**
 * The shuffle buckets task `partition` reads: each ShuffleRead it reaches gets the bucket of the
 * partition number it sees there. Below a Union that is the number within the union's child
 * (as run-plan.ts maps it), not the task's own: the second of two single-partition children
 * runs as task 1 but reads bucket 0.
 */
function shuffleInputs(p: PhysicalPlan, partition: number, blocks: BlockManager, out: Record<number, WireBatch[]>): void {
  if (p.kind === 'ShuffleRead') {
    out[p.stageId] = blocks.bucket(p.stageId, partition);
    return;
  }
  if (p.kind === 'Union') {
    let at = partition;
    for (const child of p.inputs) {
      const n = numPartitions(child);
      if (at < n) { shuffleInputs(child, at, blocks, out); return; }
      at -= n;
    }
    return;
  }
  for (const c of physicalChildren(p)) shuffleInputs(c, partition, blocks, out);
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
    spillBytes: 0,
    peakMemoryBytes: ms.reduce((s, m) => Math.max(s, m.peakMemoryBytes), 0),
    droppedMalformed: sum((m) => m.droppedMalformed),
    corruptRecords: sum((m) => m.corruptRecords),
  };
}
