// The messages between the scheduler (driver) and a worker: plain data plus Arrow buffers.
import type { Expr } from '../planner/expr.js';
import type { PhysicalPlan, Partitioning } from '../planner/physical/physical.js';
import type { Schema } from '../planner/types.js';
import type { WireBatch } from './wire.js';
import type { InjectedFault } from './faults.js';

export type TaskOutput =
  /** Return the partition's rows to the driver. */
  | { readonly kind: 'result' }
  /** Partition the rows into buckets for a shuffle (range partitioning comes with its bounds). */
  | { readonly kind: 'shuffle'; readonly partitioning: Partitioning; readonly bounds?: WireBatch }
  /** Return a sample of the sort keys (for range partitioning's bounds). */
  | { readonly kind: 'sample'; readonly order: readonly Expr[]; readonly rows: number }
  /** Write the rows as part files under the job's temporary directory. */
  | { readonly kind: 'write'; readonly format: 'parquet' | 'csv' | 'json'; readonly jobDir: string;
      readonly partitionBy: readonly string[]; readonly options: Readonly<Record<string, unknown>> };

export interface TaskMessage {
  readonly jobId: number;
  readonly stageId: number;
  readonly partition: number;
  readonly attempt: number;
  readonly plan: PhysicalPlan;
  /** LocalTableScan data by relation id: every partition's batches (shared memory, no copy). */
  readonly local: Readonly<Record<number, readonly (readonly WireBatch[])[]>>;
  /**
   * The shuffle buckets this task reads, by `${stageId}/${reducePartition}` (a task reads
   * several partitions of one shuffle below a coalesce).
   */
  readonly shuffle: Readonly<Record<string, readonly WireBatch[]>>;
  /** Broadcast sides by the id of the stage that computed them (shared memory, no copy). */
  readonly broadcast: Readonly<Record<number, readonly WireBatch[]>>;
  readonly output: TaskOutput;
  /** Serialized broadcast variables by id (shared memory; decoded once per worker). */
  readonly broadcastVars: Readonly<Record<number, Uint8Array>>;
  /** This task's share of the memory budget: sorts and hash tables spill or fail past it. */
  readonly memoryBytes: number;
  /** Where a task may spill (sorted runs). */
  readonly tmpDir: string;
  /** Fault injection (faults.ts): throw at the end of the task, or exit the worker thread mid-task. */
  readonly fault?: InjectedFault;
}

export function shuffleKey(stageId: number, partition: number): string {
  return `${stageId}/${partition}`;
}

export interface TaskMetrics {
  /** Rows read from files, memory or shuffles by this task's leaves. */
  inputRecords: number;
  outputRecords: number;
  outputBytes: number;
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
  droppedMalformed: number;
  corruptRecords: number;
  peakMemoryBytes: number;
  /** Bytes sorts and joins wrote to disk because they outgrew their memory share. */
  spillBytes: number;
  durationMs: number;
}

export function emptyMetrics(): TaskMetrics {
  return {
    inputRecords: 0, outputRecords: 0, outputBytes: 0, shuffleReadBytes: 0, shuffleWriteBytes: 0,
    droppedMalformed: 0, corruptRecords: 0, peakMemoryBytes: 0, spillBytes: 0, durationMs: 0,
  };
}

export interface TaskError {
  readonly message: string;
  readonly name: string;
  readonly stack: string | undefined;
}

export type TaskResult =
  | { readonly ok: true; readonly batches: readonly WireBatch[]; readonly buckets: readonly (readonly WireBatch[])[] | null;
      readonly files: readonly string[]; readonly schema: Schema; readonly metrics: TaskMetrics;
      /** Accumulator updates of this task, by accumulator id (applied only for successful tasks). */
      readonly accumulators: Readonly<Record<number, number>> }
  | { readonly ok: false; readonly error: TaskError; readonly metrics: TaskMetrics };
