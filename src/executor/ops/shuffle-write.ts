// The map side of an Exchange: a task's output rows split into buckets, one per reduce
// partition — by the hash of the keys, by range bounds, round-robin, or all into one.
import type { Expr } from '../../planner/expr.js';
import type { Partitioning } from '../../planner/physical/physical.js';
import type { Schema } from '../../planner/types.js';
import { type Batch, concatBatches, makeBatch, numRows, own } from '../batch.js';
import { compileExpr } from '../codegen/compile-expr.js';
import { hashRows, hashScratch } from '../kernels/hash.js';
import { bucketOfHash, partitionBatchByIndex, partitionRouted, type Routed } from '../kernels/partition.js';
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
  /** Single partitioning: the batches as they came. */
  private readonly whole: Batch[] = [];
  /** Other partitionings: each batch with the bucket of each of its live rows. */
  private readonly routed: Routed[] = [];
  /**
   * Borrowed batches (a reader's reused buffers, valid until the next pull) are split into
   * their buckets as they come instead: keeping them would mean copying them whole first, and
   * that copy was 12–15% of a Parquet scan's shuffle-map stage.
   */
  private readonly pieces: Batch[][];
  private readonly n: number;
  private next = 0;
  private readonly bounds: Batch | null;

  /**
   * Rows are split by their own batches' schema: a partial aggregate's output (group keys and
   * state columns) is not the plan node's final schema. Batches are kept until finish(), which
   * builds every bucket once at its final size (no per-batch pieces to concatenate).
   */
  constructor(private readonly partitioning: Partitioning, bounds: WireBatch | undefined) {
    this.n = partitioning.kind === 'single' ? 1 : partitioning.n;
    this.bounds = bounds ? fromWire(bounds) : null;
    this.pieces = Array.from({ length: this.n }, () => []);
  }

  private route(b: Batch, bucketOf: Int32Array): void {
    if (!b.borrowed) { this.routed.push({ batch: b, bucketOf }); return; }
    const parts = partitionBatchByIndex(b, bucketOf, this.n);
    for (let q = 0; q < this.n; q++) if (parts[q]!.length > 0) this.pieces[q]!.push(parts[q]!);
  }

  add(b: Batch): void {
    const rows = numRows(b);
    if (rows === 0) return;
    const p = this.partitioning;
    switch (p.kind) {
      case 'single': case 'unknown':
        this.whole.push(b.borrowed ? own(b) : b);
        return;
      case 'roundRobin': {
        // Rows dealt out in turn, continuing where the previous batch stopped.
        const bucketOf = new Int32Array(rows);
        for (let k = 0; k < rows; k++) bucketOf[k] = (this.next + k) % this.n;
        this.next = (this.next + rows) % this.n;
        this.route(b, bucketOf);
        return;
      }
      case 'hash': {
        const keys = keyBatch(b, p.keys, b.schema);
        const h = hashRows(keys, keys.columns.map((_, i) => i), hashScratch(rows));
        const bucketOf = new Int32Array(rows), n = this.n;
        for (let k = 0; k < rows; k++) bucketOf[k] = bucketOfHash(h[k]!, n);
        this.route(b, bucketOf);
        return;
      }
      case 'range': {
        if (!this.bounds) throw new Error('internal: range partitioning without bounds');
        this.route(b, rangeBucketOf(keyBatch(b, p.order, b.schema), this.bounds, p.order));
        return;
      }
    }
  }

  /** Each bucket's dense batches: one for the kept batches, plus the pieces of borrowed ones. */
  finish(): Batch[][] {
    const out: Batch[][] = this.pieces.map((ps) => ps.slice());
    if (this.routed.length > 0) {
      const parts = partitionRouted(this.routed[0]!.batch.schema, this.routed, this.n);
      this.routed.length = 0;
      parts.forEach((b, q) => { if (b.length > 0) out[q]!.unshift(b); });
    } else if (this.whole.length > 0) {
      out[0] = [concatBatches(this.whole[0]!.schema, this.whole)];
    }
    for (const ps of this.pieces) ps.length = 0;
    return out;
  }
}
