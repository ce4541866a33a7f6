// The k-way merge under mergeSortedRuns and the external sort: a binary heap of sources, each
// positioned in its current sorted batch. Sources hand in their batches one at a time, so the
// same merger serves in-memory runs and runs streamed back from disk (sync or async callers):
//
//   const m = new KWayMerger(schema, keys, k, 65536);
//   for (;;) {
//     const s = m.step();
//     if (s === null) break;                                  // all sources done, all emitted
//     if (typeof s === 'number') m.setSource(s, nextBatchOf(s) /* null = source finished */);
//     else emit(s);                                           // an output batch (fresh buffers)
//   }
//
// Every source starts out asking for its first batch (step() returns its index) unless the
// caller set it beforehand. Ties go to the lower source index, so merging consecutive runs of
// a stable sort stays stable. Output rows are copied when a batch is emitted; the merger keeps
// references to the source batches they come from until then (a source batch must stay valid
// until the next output batch is emitted).
import type { Schema } from '../../planner/types.js';
import { type Batch, type Vec, compact, makeBatch, numRows } from '../batch.js';
import { copyBytes } from './join-gather.js';
import { type SortKey, compareRows } from './sort-compare.js';

export class KWayMerger {
  private readonly schema: Schema;
  private readonly keys: readonly SortKey[];
  private readonly batchRows: number;
  private readonly batches: (Batch | null)[];
  private readonly pos: Int32Array;
  private readonly len: Int32Array;
  /** Index of each source's current batch in `outBatches`. */
  private readonly slot: Int32Array;
  private readonly heap: Int32Array;
  private heapSize = 0;
  private readonly needs: number[] = [];
  private readonly waiting: Uint8Array;
  private outBatches: Batch[] = [];
  private readonly outSrc: Int32Array;
  private readonly outRow: Int32Array;
  private outN = 0;

  constructor(schema: Schema, keys: readonly SortKey[], sources: number, batchRows: number) {
    this.schema = schema;
    this.keys = keys;
    this.batchRows = Math.max(1, batchRows);
    this.batches = new Array<Batch | null>(sources).fill(null);
    this.pos = new Int32Array(sources);
    this.len = new Int32Array(sources);
    this.slot = new Int32Array(sources);
    this.heap = new Int32Array(sources);
    this.waiting = new Uint8Array(sources).fill(1);
    for (let i = sources - 1; i >= 0; i--) this.needs.push(i);
    this.outSrc = new Int32Array(this.batchRows);
    this.outRow = new Int32Array(this.batchRows);
  }

  /** Gives source i its next batch (sorted; null = the source has no more). */
  setSource(i: number, b: Batch | null): void {
    if (this.waiting[i] !== 1) throw new Error(`merge: source ${i} was given a batch it did not ask for`);
    this.waiting[i] = 0;
    const at = this.needs.indexOf(i);
    if (at >= 0) this.needs.splice(at, 1);
    if (b === null) return;
    if (numRows(b) === 0) { this.waiting[i] = 1; this.needs.push(i); return; }
    const d = compact(b);
    this.batches[i] = d;
    this.pos[i] = 0;
    this.len[i] = d.length;
    this.slot[i] = this.outBatches.push(d) - 1;
    this.heap[this.heapSize] = i;
    this.siftUp(this.heapSize++);
  }

  /** Advances the merge: an output batch, a source index that needs its next batch, or null when done. */
  step(): Batch | number | null {
    if (this.needs.length > 0) return this.needs[this.needs.length - 1]!;
    const heap = this.heap, pos = this.pos, len = this.len, outSrc = this.outSrc, outRow = this.outRow, cap = this.batchRows;
    let n = this.outN;
    while (this.heapSize > 0) {
      if (n === cap) { this.outN = n; return this.flush(); }
      const s = heap[0]!;
      outSrc[n] = this.slot[s]!; outRow[n] = pos[s]!; n++;
      if (++pos[s]! === len[s]!) {
        // Used up: drop it from the heap and ask for its next batch before going on.
        this.batches[s] = null;
        heap[0] = heap[--this.heapSize]!;
        if (this.heapSize > 0) this.siftDown(0);
        this.waiting[s] = 1;
        this.needs.push(s);
        this.outN = n;
        return s;
      }
      this.siftDown(0);
    }
    this.outN = n;
    return n > 0 ? this.flush() : null;
  }

  private less(a: number, b: number): boolean {
    const c = compareRows(this.batches[a]!, this.pos[a]!, this.batches[b]!, this.pos[b]!, this.keys);
    return c < 0 || (c === 0 && a < b);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[p]!)) break;
      const t = heap[i]!; heap[i] = heap[p]!; heap[p] = t;
      i = p;
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap, size = this.heapSize;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      let c = l;
      if (l + 1 < size && this.less(heap[l + 1]!, heap[l]!)) c = l + 1;
      if (!this.less(heap[c]!, heap[i]!)) return;
      const t = heap[i]!; heap[i] = heap[c]!; heap[c] = t;
      i = c;
    }
  }

  /** Copies the pending output rows into a fresh batch; keeps only the live source batches. */
  private flush(): Batch {
    const n = this.outN;
    const cols = this.schema.map((_, c) => gatherMany(this.outBatches.map((b) => b.columns[c]!), this.outSrc, this.outRow, n));
    const out = makeBatch(this.schema, cols, n);
    this.outN = 0;
    this.outBatches = [];
    for (let i = 0; i < this.batches.length; i++) {
      const b = this.batches[i];
      if (b) this.slot[i] = this.outBatches.push(b) - 1;
    }
    return out;
  }
}

/** Output row k = row row[k] of vecs[src[k]] (all of one type). */
export function gatherMany(vecs: readonly Vec[], src: Int32Array, row: Int32Array, n: number): Vec {
  const type = vecs[0]!.type;
  let valid: Uint8Array | null = null;
  if (vecs.some((v) => v.valid !== null)) {
    const vs = vecs.map((v) => v.valid);
    valid = new Uint8Array(n);
    let anyNull = false;
    for (let k = 0; k < n; k++) {
      const va = vs[src[k]!];
      const x = va === null ? 1 : va![row[k]!]!;
      valid[k] = x;
      if (x === 0) anyNull = true;
    }
    if (!anyNull) valid = null;
  }
  if (type === 'string') {
    const os = vecs.map((v) => v.offsets!), ds = vecs.map((v) => v.values as Uint8Array);
    const offs = new Int32Array(n + 1);
    let total = 0;
    for (let k = 0; k < n; k++) { const o = os[src[k]!]!, r = row[k]!; total += o[r + 1]! - o[r]!; offs[k + 1] = total; }
    const data = new Uint8Array(total);
    for (let k = 0; k < n; k++) {
      const s = src[k]!, o = os[s]!, r = row[k]!;
      copyBytes(ds[s]!, o[r]!, o[r + 1]!, data, offs[k]!);
    }
    return { type, length: n, values: data, offsets: offs, valid };
  }
  const first = vecs[0]!.values;
  let values;
  if (first instanceof Float64Array) values = manyF64(vecs.map((v) => v.values as Float64Array), src, row, n);
  else if (first instanceof Int32Array) values = manyI32(vecs.map((v) => v.values as Int32Array), src, row, n);
  else values = manyU8(vecs.map((v) => v.values as Uint8Array), src, row, n);
  return { type, length: n, values, offsets: null, valid };
}

function manyF64(arrs: Float64Array[], src: Int32Array, row: Int32Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = arrs[src[k]!]![row[k]!]!;
  return out;
}

function manyI32(arrs: Int32Array[], src: Int32Array, row: Int32Array, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[k] = arrs[src[k]!]![row[k]!]!;
  return out;
}

function manyU8(arrs: Uint8Array[], src: Int32Array, row: Int32Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[k] = arrs[src[k]!]![row[k]!]!;
  return out;
}
