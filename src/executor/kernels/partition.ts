// Splitting a batch into n dense buckets (the map side of an Exchange): count rows per bucket,
// then scatter every column into exact-size typed arrays. Strings take two passes: bytes per
// bucket first, then offsets and bytes. No per-row objects; one scratch array per thread.
// partitionRouted does the same for many batches at once (a shuffle writer's whole output):
// each bucket's columns are allocated once, at their final size, and filled batch by batch.
//
// Hash partitioning sends live row k to bucket floor(hash_k * n / 2^32) (Lemire's reduction:
// the hash's high bits pick the bucket, with no division), hash_k from hashRows.
import type { Schema } from '../../planner/types.js';
import type { Batch, Values, Vec } from '../batch.js';
import { makeBatch, numRows } from '../batch.js';
import { hashRows, hashScratch } from './hash.js';

/** The bucket a row hash goes to, out of n. */
export function bucketOfHash(h: number, n: number): number {
  // floor(h * n / 2^32); exact while h * n < 2^53, i.e. for any n below 2^21.
  return ((h >>> 0) * n * 2.3283064365386963e-10) | 0;
}

let bucketScratch = new Int32Array(0);

function scratchInt32(n: number): Int32Array {
  if (bucketScratch.length < n) bucketScratch = new Int32Array(Math.max(n, bucketScratch.length * 2, 1024));
  return bucketScratch;
}

/** Hash-partitions the live rows of b on the columns keyCols into n dense batches. */
export function partitionBatch(b: Batch, keyCols: readonly number[], n: number): Batch[] {
  checkN(n, 'partitionBatch');
  if (n > 1 << 21) throw new Error(`partitionBatch: at most ${1 << 21} buckets, got ${n}`);
  const rows = numRows(b);
  const bucketOf = scratchInt32(rows).subarray(0, rows);
  if (n === 1) {
    bucketOf.fill(0);
  } else {
    const h = hashRows(b, keyCols, hashScratch(rows));
    for (let k = 0; k < rows; k++) bucketOf[k] = bucketOfHash(h[k]!, n);
  }
  return partitionBatchByIndex(b, bucketOf, n);
}

function checkN(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > 0x7fffffff) throw new Error(`${what}: the bucket count must be a positive integer, got ${n}`);
}

let posScratch = new Int32Array(0);

/**
 * Splits the live rows of b into n dense batches: live row k goes to bucket bucketOf[k]
 * (0 <= bucketOf[k] < n), keeping the rows' order within each bucket.
 */
export function partitionBatchByIndex(b: Batch, bucketOf: Int32Array, n: number): Batch[] {
  checkN(n, 'partitionBatchByIndex');
  const rows = numRows(b);
  if (bucketOf.length < rows) {
    throw new Error(`partitionBatchByIndex: ${bucketOf.length} bucket indexes for ${rows} live rows`);
  }
  // Count, and note each row's position within its bucket.
  const counts = new Int32Array(n);
  if (posScratch.length < rows) posScratch = new Int32Array(Math.max(rows, posScratch.length * 2, 1024));
  const pos = posScratch;
  for (let k = 0; k < rows; k++) {
    const q = bucketOf[k]!;
    if (q >>> 0 >= n) throw new Error(`partitionBatchByIndex: live row ${k} has bucket ${q}, outside [0, ${n})`);
    pos[k] = counts[q]!;
    counts[q]!++;
  }
  const cols: Vec[][] = Array.from({ length: n }, () => []);
  for (const v of b.columns) {
    const parts = scatterVec(v, b.sel, rows, bucketOf, pos, counts, n);
    for (let q = 0; q < n; q++) cols[q]!.push(parts[q]!);
  }
  const out: Batch[] = new Array(n);
  for (let q = 0; q < n; q++) out[q] = makeBatch(b.schema, cols[q]!, counts[q]!);
  return out;
}

function scatterVec(v: Vec, sel: Int32Array | null, rows: number, bucketOf: Int32Array, pos: Int32Array, counts: Int32Array, n: number): Vec[] {
  const valid = scatterValid(v.valid, sel, rows, bucketOf, pos, counts, n);
  if (v.type === 'string') return scatterStrings(v, sel, rows, bucketOf, pos, counts, n, valid);
  let outs: Values[];
  switch (v.type) {
    case 'int32': case 'date': {
      const o = Array.from({ length: n }, (_, q) => new Int32Array(counts[q]!));
      scatterI32(v.values as Int32Array, o, sel, rows, bucketOf, pos);
      outs = o;
      break;
    }
    case 'boolean': {
      const o = Array.from({ length: n }, (_, q) => new Uint8Array(counts[q]!));
      scatterU8(v.values as Uint8Array, o, sel, rows, bucketOf, pos);
      outs = o;
      break;
    }
    default: {
      const o = Array.from({ length: n }, (_, q) => new Float64Array(counts[q]!));
      scatterF64(v.values as Float64Array, o, sel, rows, bucketOf, pos);
      outs = o;
    }
  }
  return outs.map((values, q) => ({ type: v.type, length: counts[q]!, values, offsets: null, valid: valid[q]! }));
}

// One scatter loop per array type keeps each loop's element accesses monomorphic.
function scatterI32(src: Int32Array, outs: Int32Array[], sel: Int32Array | null, rows: number, bucketOf: Int32Array, pos: Int32Array): void {
  if (sel === null) for (let k = 0; k < rows; k++) outs[bucketOf[k]!]![pos[k]!] = src[k]!;
  else for (let k = 0; k < rows; k++) outs[bucketOf[k]!]![pos[k]!] = src[sel[k]!]!;
}

function scatterF64(src: Float64Array, outs: Float64Array[], sel: Int32Array | null, rows: number, bucketOf: Int32Array, pos: Int32Array): void {
  if (sel === null) for (let k = 0; k < rows; k++) outs[bucketOf[k]!]![pos[k]!] = src[k]!;
  else for (let k = 0; k < rows; k++) outs[bucketOf[k]!]![pos[k]!] = src[sel[k]!]!;
}

function scatterU8(src: Uint8Array, outs: Uint8Array[], sel: Int32Array | null, rows: number, bucketOf: Int32Array, pos: Int32Array): void {
  if (sel === null) for (let k = 0; k < rows; k++) outs[bucketOf[k]!]![pos[k]!] = src[k]!;
  else for (let k = 0; k < rows; k++) outs[bucketOf[k]!]![pos[k]!] = src[sel[k]!]!;
}

/** Per-bucket validity arrays (null for a bucket without a NULL). */
function scatterValid(valid: Uint8Array | null, sel: Int32Array | null, rows: number, bucketOf: Int32Array, pos: Int32Array, counts: Int32Array, n: number): (Uint8Array | null)[] {
  if (valid === null) return new Array<null>(n).fill(null);
  const outs = Array.from({ length: n }, (_, q) => new Uint8Array(counts[q]!));
  const nulls = new Int32Array(n);
  for (let k = 0; k < rows; k++) {
    const q = bucketOf[k]!;
    const x = valid[sel === null ? k : sel[k]!]!;
    outs[q]![pos[k]!] = x;
    nulls[q]! += 1 - x;
  }
  return outs.map((o, q) => (nulls[q] === 0 ? null : o));
}

function scatterStrings(v: Vec, sel: Int32Array | null, rows: number, bucketOf: Int32Array, pos: Int32Array, counts: Int32Array, n: number, valid: (Uint8Array | null)[]): Vec[] {
  const o = v.offsets!, d = v.values as Uint8Array;
  // Pass 1: bytes per bucket.
  const bytes = new Float64Array(n);
  for (let k = 0; k < rows; k++) {
    const i = sel === null ? k : sel[k]!;
    bytes[bucketOf[k]!] += o[i + 1]! - o[i]!;
  }
  const datas = Array.from({ length: n }, (_, q) => new Uint8Array(bytes[q]!));
  const offs = Array.from({ length: n }, (_, q) => new Int32Array(counts[q]! + 1));
  const at = new Int32Array(n);
  // Pass 2: rows arrive in order within each bucket, so each bucket's byte cursor only grows.
  for (let k = 0; k < rows; k++) {
    const i = sel === null ? k : sel[k]!;
    const q = bucketOf[k]!;
    const s = o[i]!, e = o[i + 1]!, len = e - s;
    const out = datas[q]!;
    const p = at[q]!;
    if (len < 32) {
      for (let j = 0; j < len; j++) out[p + j] = d[s + j]!;
    } else {
      out.set(d.subarray(s, e), p);
    }
    at[q] = p + len;
    offs[q]![pos[k]! + 1] = p + len;
  }
  return datas.map((values, q) => ({ type: 'string' as const, length: counts[q]!, values, offsets: offs[q]!, valid: valid[q]! }));
}

// ------------------------------------------------------------------ many batches at once

/** A batch and the bucket of each of its live rows (bucketOf[k] for live row k). */
export interface Routed {
  readonly batch: Batch;
  readonly bucketOf: Int32Array;
}

/**
 * The live rows of every routed batch gathered into n dense batches of `schema`: bucket q
 * holds the rows routed to q, in batch order and then row order. Each bucket's column arrays
 * are allocated once, at their final size.
 */
export function partitionRouted(schema: Schema, routed: readonly Routed[], n: number): Batch[] {
  checkN(n, 'partitionRouted');
  const counts = new Int32Array(n);
  for (const { batch, bucketOf } of routed) {
    const rows = numRows(batch);
    if (bucketOf.length < rows) throw new Error(`partitionRouted: ${bucketOf.length} bucket indexes for ${rows} live rows`);
    if (batch.columns.length !== schema.length) throw new Error(`partitionRouted: a batch has ${batch.columns.length} columns, expected ${schema.length}`);
    for (let k = 0; k < rows; k++) {
      const q = bucketOf[k]!;
      if (q >>> 0 >= n) throw new Error(`partitionRouted: live row ${k} has bucket ${q}, outside [0, ${n})`);
      counts[q]!++;
    }
  }
  const at = new Int32Array(n);
  const cols: Vec[][] = Array.from({ length: n }, () => []);
  schema.forEach((f, c) => {
    const valid = routedValid(routed, c, counts, at, n);
    let outs: Vec[];
    if (f.type === 'string') {
      outs = routedStrings(routed, c, counts, at, n, valid);
    } else {
      const values: Values[] = Array.from({ length: n }, (_, q) => allocFor(f.type, counts[q]!));
      at.fill(0);
      for (const { batch, bucketOf } of routed) {
        const v = batch.columns[c]!, rows = numRows(batch);
        switch (f.type) {
          case 'int32': case 'date': routeI32(v.values as Int32Array, values as Int32Array[], batch.sel, rows, bucketOf, at); break;
          case 'boolean': routeU8(v.values as Uint8Array, values as Uint8Array[], batch.sel, rows, bucketOf, at); break;
          default: routeF64(v.values as Float64Array, values as Float64Array[], batch.sel, rows, bucketOf, at);
        }
      }
      outs = values.map((x, q) => ({ type: f.type, length: counts[q]!, values: x, offsets: null, valid: valid[q]! }));
    }
    for (let q = 0; q < n; q++) cols[q]!.push(outs[q]!);
  });
  return cols.map((cs, q) => makeBatch(schema, cs, counts[q]!));
}

function allocFor(type: Schema[number]['type'], n: number): Values {
  switch (type) {
    case 'int32': case 'date': return new Int32Array(n);
    case 'boolean': case 'string': return new Uint8Array(n);
    default: return new Float64Array(n);
  }
}

// One loop per array type keeps each loop's element accesses monomorphic; at[q] is bucket q's
// next row.
function routeI32(src: Int32Array, outs: Int32Array[], sel: Int32Array | null, rows: number, bucketOf: Int32Array, at: Int32Array): void {
  for (let k = 0; k < rows; k++) { const q = bucketOf[k]!; outs[q]![at[q]!++] = src[sel === null ? k : sel[k]!]!; }
}

function routeF64(src: Float64Array, outs: Float64Array[], sel: Int32Array | null, rows: number, bucketOf: Int32Array, at: Int32Array): void {
  for (let k = 0; k < rows; k++) { const q = bucketOf[k]!; outs[q]![at[q]!++] = src[sel === null ? k : sel[k]!]!; }
}

function routeU8(src: Uint8Array, outs: Uint8Array[], sel: Int32Array | null, rows: number, bucketOf: Int32Array, at: Int32Array): void {
  for (let k = 0; k < rows; k++) { const q = bucketOf[k]!; outs[q]![at[q]!++] = src[sel === null ? k : sel[k]!]!; }
}

/** Per-bucket validity of column c (null for a bucket without a NULL). */
function routedValid(routed: readonly Routed[], c: number, counts: Int32Array, at: Int32Array, n: number): (Uint8Array | null)[] {
  if (!routed.some((r) => r.batch.columns[c]!.valid !== null)) return new Array<null>(n).fill(null);
  const outs = Array.from({ length: n }, (_, q) => new Uint8Array(counts[q]!));
  const nulls = new Int32Array(n);
  at.fill(0);
  for (const { batch, bucketOf } of routed) {
    const valid = batch.columns[c]!.valid, sel = batch.sel, rows = numRows(batch);
    for (let k = 0; k < rows; k++) {
      const q = bucketOf[k]!;
      const x = valid === null ? 1 : valid[sel === null ? k : sel[k]!]!;
      outs[q]![at[q]!++] = x;
      nulls[q]! += 1 - x;
    }
  }
  return outs.map((o, q) => (nulls[q] === 0 ? null : o));
}

function routedStrings(routed: readonly Routed[], c: number, counts: Int32Array, at: Int32Array, n: number, valid: (Uint8Array | null)[]): Vec[] {
  // Pass 1: bytes per bucket.
  const bytes = new Float64Array(n);
  for (const { batch, bucketOf } of routed) {
    const o = batch.columns[c]!.offsets!, sel = batch.sel, rows = numRows(batch);
    for (let k = 0; k < rows; k++) {
      const i = sel === null ? k : sel[k]!;
      bytes[bucketOf[k]!] += o[i + 1]! - o[i]!;
    }
  }
  const datas = Array.from({ length: n }, (_, q) => new Uint8Array(bytes[q]!));
  const offs = Array.from({ length: n }, (_, q) => new Int32Array(counts[q]! + 1));
  const pos = new Int32Array(n);
  at.fill(0);
  // Pass 2: offsets and bytes; each bucket's byte cursor only grows.
  for (const { batch, bucketOf } of routed) {
    const v = batch.columns[c]!, o = v.offsets!, d = v.values as Uint8Array, sel = batch.sel, rows = numRows(batch);
    for (let k = 0; k < rows; k++) {
      const i = sel === null ? k : sel[k]!;
      const q = bucketOf[k]!;
      const s = o[i]!, e = o[i + 1]!, len = e - s;
      const out = datas[q]!;
      const p = pos[q]!;
      if (len < 32) {
        for (let j = 0; j < len; j++) out[p + j] = d[s + j]!;
      } else {
        out.set(d.subarray(s, e), p);
      }
      pos[q] = p + len;
      offs[q]![++at[q]!] = p + len;
    }
  }
  return datas.map((values, q) => ({ type: 'string' as const, length: counts[q]!, values, offsets: offs[q]!, valid: valid[q]! }));
}
