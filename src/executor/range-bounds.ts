// Range partitioning (orderBy's shuffle), as Spark's RangePartitioner: every map task first
// returns a sample of its sort keys; the driver sorts the samples and picks n - 1 bounds at
// even quantiles; then each row goes to the partition of the first bound it does not pass.
// Equal keys always land in the same partition, so sorting each partition gives a total order.
import type { Expr } from '../planner/expr.js';
import { type Batch, concatBatches, gatherVec, makeBatch, numRows } from './batch.js';
import { sortIndices, type SortKey } from './kernels/sort.js';

/** The sort keys of `order` as SortKey specs over columns k0, k1, ... of a key batch. */
export function keySpecs(order: readonly Expr[]): SortKey[] {
  return order.map((e, col) => {
    if (e.kind !== 'sortKey') throw new Error('internal: range partitioning needs sort keys');
    return { col, ascending: e.ascending, nullsFirst: e.nullsFirst };
  });
}

/** n - 1 bounds (as a key batch) from the sampled keys of every map task. */
export function rangeBounds(samples: readonly Batch[], order: readonly Expr[], n: number): Batch {
  const nonEmpty = samples.filter((b) => numRows(b) > 0);
  if (nonEmpty.length === 0) return samples[0] ?? makeBatch([], [], 0);
  const all = concatBatches(nonEmpty[0]!.schema, nonEmpty);
  const idx = sortIndices(all, keySpecs(order));
  const picks: number[] = [];
  for (let i = 1; i < n; i++) picks.push(idx[Math.min(idx.length - 1, Math.floor((idx.length * i) / n))]!);
  const sel = Int32Array.from(picks);
  return makeBatch(all.schema, all.columns.map((c) => gatherVec(c, sel)), sel.length);
}

/**
 * The partition of each live row of `keys` (key columns only, same layout as `bounds`): the
 * number of bounds that sort before it. Bounds and rows are sorted together, bounds first
 * among equals, and counted off in order.
 */
export function rangeBucketOf(keys: Batch, bounds: Batch, order: readonly Expr[]): Int32Array {
  const rows = numRows(keys);
  const out = new Int32Array(rows);
  if (bounds.length === 0 || rows === 0) return out;
  const both = concatBatches(keys.schema, [bounds, keys]);
  const idx = sortIndices(both, keySpecs(order));
  let passed = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    if (i < bounds.length) passed++;
    else out[i - bounds.length] = passed;
  }
  return out;
}
