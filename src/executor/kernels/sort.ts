// In-memory sorting of a batch (DESIGN §3 order: NaN greatest, -0.0 = 0.0, strings by UTF-8
// bytes, NULL placement per key).
//
//   sortIndices(b, keys)      stable permutation of the live rows, as PHYSICAL positions of b
//                             (feed them straight to a gather over b's columns)
//   sortBatch(b, keys)        the live rows in order, as a fresh dense batch
//   mergeSortedRuns(runs, k)  k-way merge of batches each already sorted by `keys` → one batch;
//                             equal keys keep run order (stable when runs are consecutive)
//
// sortIndices sorts by one key at a time, last key first, each pass stable (sort-key-pass.ts):
// radix for numbers, dates and booleans, merge sort with byte prefixes for strings.
import { type Batch, makeBatch, numRows, emptyBatch, concatBatches } from '../batch.js';
import { gatherPick } from './join-gather.js';
import type { SortKey } from './sort-compare.js';
import { sortByKey } from './sort-key-pass.js';
import { KWayMerger } from './sort-merge.js';

export type { SortKey } from './sort-compare.js';
export { sortKey } from './sort-compare.js';
export { releaseSortScratch, setSortScratchLimit } from './sort-key-pass.js';

/** A stable permutation of the live rows of `b` by `keys` (physical row positions). */
export function sortIndices(b: Batch, keys: readonly SortKey[]): Int32Array {
  checkKeys(b, keys);
  const n = numRows(b);
  let perm: Int32Array;
  if (b.sel !== null) perm = b.sel.slice();
  else { perm = new Int32Array(n); for (let k = 0; k < n; k++) perm[k] = k; }
  for (let k = keys.length - 1; k >= 0; k--) {
    const key = keys[k]!;
    perm = sortByKey(perm, n, b.columns[key.col]!, key);
  }
  return perm;
}

/** The live rows of `b` sorted by `keys`, as a dense batch with fresh buffers. */
export function sortBatch(b: Batch, keys: readonly SortKey[]): Batch {
  return gatherBatch(b, sortIndices(b, keys));
}

/** Rows idx[0..] of `b` (physical positions) as a dense batch with fresh buffers. */
export function gatherBatch(b: Batch, idx: Int32Array): Batch {
  const n = idx.length;
  return makeBatch(b.schema, b.columns.map((c) => gatherPick(c, idx, null, null, n)), n);
}

/** Merges batches that are each sorted by `keys` into one sorted batch. */
export function mergeSortedRuns(runs: readonly Batch[], keys: readonly SortKey[]): Batch {
  if (runs.length === 0) throw new Error('mergeSortedRuns: no runs given (the schema is unknown)');
  const schema = runs[0]!.schema;
  for (const r of runs) checkKeys(r, keys);
  const total = runs.reduce((s, r) => s + numRows(r), 0);
  if (total === 0) return emptyBatch(schema);
  const merger = new KWayMerger(schema, keys, runs.length, Math.max(1, total));
  runs.forEach((r, i) => merger.setSource(i, r));
  const out: Batch[] = [];
  for (;;) {
    const step = merger.step();
    if (step === null) break;
    if (typeof step === 'number') merger.setSource(step, null); // a run is used up: no more batches
    else out.push(step);
  }
  return out.length === 1 ? out[0]! : concatBatches(schema, out);
}

function checkKeys(b: Batch, keys: readonly SortKey[]): void {
  for (const k of keys) {
    if (!b.columns[k.col]) throw new Error(`sort: key column ${k.col} is out of range (the batch has ${b.columns.length} columns)`);
  }
}
