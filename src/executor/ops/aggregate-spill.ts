// The final side of a grouped aggregation when its groups outgrow the task's memory share:
// hybrid hash aggregation. While the groups fit, partial states are merged in one table, as
// usual. Once the task is over budget, the table's states are written out to BUCKETS spill
// files, split by a few bits of the key hash, and merging starts again with an empty table;
// at the end whatever is in memory is spilled alike, and each bucket is merged and finished
// on its own, so only one bucket's groups are held at a time. A bucket that is still too big
// is split again on the next bits of the hash (up to MAX_DEPTH levels, then merged anyway).
//
// The rows reached this task through a hash Exchange on the same keys, which picked the task
// from the hash's HIGH bits (partition.ts); the buckets here use the LOW bits, which those
// rows do not share. Merging is associative, so states can be spilled and merged in any order.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Schema } from '../../planner/types.js';
import { type Batch, numRows } from '../batch.js';
import type { GroupedAggregator } from '../kernels/group-by.js';
import { hashRows, hashScratch } from '../kernels/hash.js';
import { partitionBatchByIndex } from '../kernels/partition.js';
import { RunReader, RunWriter, type RunFile } from '../kernels/sort-spill.js';
import type { MemoryConsumer } from '../task-memory.js';
import type { TaskEnv } from './env.js';

const BITS = 3;
const BUCKETS = 1 << BITS;
const MAX_DEPTH = 4;

export class SpillingFinalAggregator {
  private agg: GroupedAggregator;
  private readonly schema: Schema;
  private readonly keyCols: number[];
  private readonly groups: MemoryConsumer;
  private writers: RunWriter[] | null = null;
  private dir: string | null = null;
  /** Bytes written to spill files (reported in the task's spillBytes). */
  spilledBytes = 0;

  constructor(private readonly create: () => GroupedAggregator, keyCount: number, private readonly env: TaskEnv) {
    this.agg = create();
    this.schema = this.agg.partialSchema();
    this.keyCols = Array.from({ length: keyCount }, (_, i) => i);
    this.groups = env.memory.consumer('HashAggregate (final)');
  }

  /** Folds a batch of partial states; spills the table when the task is over budget. */
  async merge(b: Batch): Promise<void> {
    this.agg.merge(b);
    this.groups.set(this.agg.memoryBytes());
    if (this.groups.overBudget() && this.agg.groups() > 1) await this.spillTable();
  }

  /** The final rows: straight from the table if nothing was spilled, else bucket by bucket. */
  async *result(): AsyncGenerator<Batch> {
    if (this.writers === null) {
      try { yield* this.agg.result(); } finally { this.groups.release(); }
      return;
    }
    await this.spillTable();
    const runs = await Promise.all(this.writers.map((w) => w.close()));
    this.writers = null;
    try {
      for (const run of runs) yield* this.finishRun(run, 1);
    } finally {
      this.groups.release();
      await fs.rm(this.dir!, { recursive: true, force: true });
    }
  }

  /** Merges one spilled bucket (splitting it again if it does not fit) and yields its result. */
  private async *finishRun(run: RunFile, depth: number): AsyncGenerator<Batch> {
    if (run.rows === 0) return;
    const agg = this.create();
    const reader = await RunReader.open(run, this.schema);
    let split: RunWriter[] | null = null;
    try {
      for (let b = await reader.next(); b !== null; b = await reader.next()) {
        if (split !== null) { await this.writeSplit(split, b, depth); continue; }
        agg.merge(b);
        this.groups.set(agg.memoryBytes());
        if (this.groups.overBudget() && depth < MAX_DEPTH && agg.groups() > 1) {
          split = await this.openWriters(`d${depth}`);
          for (const s of agg.partial()) await this.writeSplit(split, s, depth);
          this.groups.set(0);
        }
      }
    } finally {
      await reader.close();
      await fs.rm(run.path, { force: true });
    }
    if (split === null) { yield* agg.result(); return; }
    const runs = await Promise.all(split.map((w) => w.close()));
    for (const r of runs) yield* this.finishRun(r, depth + 1);
  }

  private async spillTable(): Promise<void> {
    if (this.writers === null) this.writers = await this.openWriters('d0');
    for (const s of this.agg.partial()) await this.writeSplit(this.writers, s, 0);
    this.agg = this.create();
    this.groups.set(0);
  }

  private async openWriters(tag: string): Promise<RunWriter[]> {
    if (this.dir === null) {
      await fs.mkdir(this.env.msg.tmpDir, { recursive: true }); // nothing may have spilled before
      this.dir = await fs.mkdtemp(path.join(this.env.msg.tmpDir, 'sparrow-agg-'));
    }
    const stamp = `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    return Promise.all(Array.from({ length: BUCKETS }, (_, i) => RunWriter.create(path.join(this.dir!, `${stamp}-${i}.run`), this.schema)));
  }

  /** Splits b's rows over the writers by hash bits [BITS*depth, BITS*(depth+1)). */
  private async writeSplit(writers: RunWriter[], b: Batch, depth: number): Promise<void> {
    const n = numRows(b);
    if (n === 0) return;
    const h = hashRows(b, this.keyCols, hashScratch(n));
    const bucketOf = new Int32Array(n);
    const shift = BITS * depth;
    for (let k = 0; k < n; k++) bucketOf[k] = (h[k]! >>> shift) & (BUCKETS - 1);
    const parts = partitionBatchByIndex(b, bucketOf, BUCKETS);
    for (let i = 0; i < BUCKETS; i++) {
      const part = parts[i]!;
      if (numRows(part) === 0) continue;
      const before = writers[i]!.bytesWritten;
      await writers[i]!.write(part);
      this.spilledBytes += writers[i]!.bytesWritten - before;
    }
  }
}
