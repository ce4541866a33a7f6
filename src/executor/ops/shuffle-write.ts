// The map side of an Exchange: a task's output rows split into buckets, one per reduce
// partition — by the hash of the keys, by range bounds, round-robin, or all into one.
import type { Expr } from '../../planner/expr.js';
import type { Partitioning } from '../../planner/physical/physical.js';
import type { Schema } from '../../planner/types.js';
import { type Batch, concatBatches, makeBatch, numRows } from '../batch.js';
import { compileExpr } from '../codegen/compile-expr.js';
import { hashRows } from '../kernels/hash.js';
import { bucketOfHash, partitionBatchByIndex } from '../kernels/partition.js';
import { rangeBucketOf } from '../range-bounds.js';
import { fromWire, type WireBatch } from '../wire.js';

/** The key columns of `b` for `exprs` (sort keys are unwrapped), as a batch with b's selection. */
export function keyBatch(b: Batch, exprs: readonly Expr[], input: Schema): Batch {
  const keys = exprs.map((e) => (e.kind === 'sortKey' ? e.child : e));
  const cols = keys.map((e) => compileExpr(e, input)(b));
  const schema: Schema = cols.map((c, i) => ({ name: `k${i}`, type: c.type, nullable: true }));
  return makeBatch(schema, cols, b.length, b.sel);
}

export class ShuffleWriter {
  private readonly buckets: Batch[][];
  private readonly n: number;
  private next = 0;
  private readonly bounds: Batch | null;

  /**
   * Rows are split by their own batches' schema: a partial aggregate's output (group keys and
   * state columns) is not the plan node's final schema.
   */
  constructor(private readonly partitioning: Partitioning, bounds: WireBatch | undefined) {
    this.n = partitioning.kind === 'single' ? 1 : partitioning.n;
    this.buckets = Array.from({ length: this.n }, () => []);
    this.bounds = bounds ? fromWire(bounds) : null;
  }

  add(b: Batch): void {
    const rows = numRows(b);
    if (rows === 0) return;
    const p = this.partitioning;
    switch (p.kind) {
      case 'single': case 'unknown':
        this.buckets[0]!.push(b);
        return;
      case 'roundRobin': {
        // Rows dealt out in turn, continuing where the previous batch stopped.
        const bucketOf = new Int32Array(rows);
        for (let k = 0; k < rows; k++) bucketOf[k] = (this.next + k) % this.n;
        this.next = (this.next + rows) % this.n;
        this.spread(b, bucketOf);
        return;
      }
      case 'hash': {
        const keys = keyBatch(b, p.keys, b.schema);
        const h = hashRows(keys, keys.columns.map((_, i) => i));
        const bucketOf = new Int32Array(rows);
        for (let k = 0; k < rows; k++) bucketOf[k] = bucketOfHash(h[k]!, this.n);
        this.spread(b, bucketOf);
        return;
      }
      case 'range': {
        if (!this.bounds) throw new Error('internal: range partitioning without bounds');
        this.spread(b, rangeBucketOf(keyBatch(b, p.order, b.schema), this.bounds, p.order));
        return;
      }
    }
  }

  private spread(b: Batch, bucketOf: Int32Array): void {
    const parts = partitionBatchByIndex(b, bucketOf, this.n);
    parts.forEach((part, i) => { if (part.length > 0) this.buckets[i]!.push(part); });
  }

  /** Each bucket as one dense batch (or none when empty). */
  finish(): Batch[][] {
    return this.buckets.map((bs) => (bs.length === 0 ? [] : [concatBatches(bs[0]!.schema, bs)]));
  }
}
