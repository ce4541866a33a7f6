// Builds join output batches from row indices: output row k takes left row li[k] and right row
// ri[k] (physical positions in the given batches; -1 = that side is missing → NULL, or with
// coalesceKeys the other side's key). Output batches are dense and owned (fresh buffers).
import type { DataType, Schema } from '../../planner/types.js';
import { type Batch, type Values, type Vec, allocValues, makeBatch } from '../batch.js';
import { type JoinSpec, otherKey } from './join-types.js';

/** The output batch of `n` index pairs; `left`/`right` may be null when no pick reads them. */
export function gatherJoinOutput(
  spec: JoinSpec, schema: Schema, left: Batch | null, li: Int32Array, right: Batch | null, ri: Int32Array, n: number,
): Batch {
  const cols: Vec[] = new Array(spec.outputs.length);
  for (let c = 0; c < spec.outputs.length; c++) {
    const o = spec.outputs[c]!;
    const [mine, mi, theirs, ti] = o.side === 'left' ? [left, li, right, ri] : [right, ri, left, li];
    const other = spec.coalesceKeys && theirs !== null ? otherKey(spec, o) : -1;
    if (mine === null) {
      // The side is missing on every row (build rows emitted at the end of an outer join).
      cols[c] = other >= 0 ? gatherPick(theirs!.columns[other]!, ti, null, null, n) : nullVec(schema[c]!.type, n);
    } else {
      cols[c] = other >= 0
        ? gatherPick(mine.columns[o.col]!, mi, theirs!.columns[other]!, ti, n)
        : gatherPick(mine.columns[o.col]!, mi, null, null, n);
    }
  }
  return makeBatch(schema, cols, n);
}

/** A column of n NULLs. */
export function nullVec(type: DataType, n: number): Vec {
  return { type, length: n, values: allocValues(type, type === 'string' ? 0 : n), offsets: type === 'string' ? new Int32Array(n + 1) : null, valid: new Uint8Array(n) };
}

/**
 * Rows idx[0..n) of `a` (-1 → NULL). With `b`: where idx[k] is -1, row bi[k] of `b` instead
 * (b has a's type; -1 in both → NULL).
 */
export function gatherPick(a: Vec, idx: Int32Array, b: Vec | null, bi: Int32Array | null, n: number): Vec {
  const valid = gatherValid(a, idx, b, bi, n);
  if (a.type === 'string') return gatherStrings(a, idx, b, bi, n, valid);
  // One loop per array type keeps each loop's element accesses monomorphic (several times faster).
  let out: Values;
  if (a.values instanceof Float64Array) out = pickF64(a.values, idx, b ? b.values as Float64Array : null, bi, n);
  else if (a.values instanceof Int32Array) out = pickI32(a.values, idx, b ? b.values as Int32Array : null, bi, n);
  else out = pickU8(a.values, idx, b ? b.values as Uint8Array : null, bi, n);
  return { type: a.type, length: n, values: out, offsets: null, valid };
}

function pickF64(av: Float64Array, idx: Int32Array, bv: Float64Array | null, bi: Int32Array | null, n: number): Float64Array {
  const out = new Float64Array(n);
  if (bv === null || bi === null) {
    for (let k = 0; k < n; k++) { const i = idx[k]!; out[k] = i >= 0 ? av[i]! : 0; }
  } else {
    for (let k = 0; k < n; k++) {
      const i = idx[k]!;
      if (i >= 0) out[k] = av[i]!;
      else { const j = bi[k]!; out[k] = j >= 0 ? bv[j]! : 0; }
    }
  }
  return out;
}

function pickI32(av: Int32Array, idx: Int32Array, bv: Int32Array | null, bi: Int32Array | null, n: number): Int32Array {
  const out = new Int32Array(n);
  if (bv === null || bi === null) {
    for (let k = 0; k < n; k++) { const i = idx[k]!; out[k] = i >= 0 ? av[i]! : 0; }
  } else {
    for (let k = 0; k < n; k++) {
      const i = idx[k]!;
      if (i >= 0) out[k] = av[i]!;
      else { const j = bi[k]!; out[k] = j >= 0 ? bv[j]! : 0; }
    }
  }
  return out;
}

function pickU8(av: Uint8Array, idx: Int32Array, bv: Uint8Array | null, bi: Int32Array | null, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (bv === null || bi === null) {
    for (let k = 0; k < n; k++) { const i = idx[k]!; out[k] = i >= 0 ? av[i]! : 0; }
  } else {
    for (let k = 0; k < n; k++) {
      const i = idx[k]!;
      if (i >= 0) out[k] = av[i]!;
      else { const j = bi[k]!; out[k] = j >= 0 ? bv[j]! : 0; }
    }
  }
  return out;
}

/** The validity bytes of a pick, or null when every picked value is valid. */
function gatherValid(a: Vec, idx: Int32Array, b: Vec | null, bi: Int32Array | null, n: number): Uint8Array | null {
  const av = a.valid;
  // Fast check: no validity on a and no missing index → all valid.
  let missing = false;
  for (let k = 0; k < n; k++) if (idx[k]! < 0) { missing = true; break; }
  if (av === null && !missing) return null;
  const out = new Uint8Array(n);
  let anyNull = false;
  const bv = b ? b.valid : null;
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    let v: number;
    if (i >= 0) v = av === null ? 1 : av[i]!;
    else if (b !== null && bi !== null) { const j = bi[k]!; v = j < 0 ? 0 : bv === null ? 1 : bv[j]!; }
    else v = 0;
    out[k] = v;
    if (v === 0) anyNull = true;
  }
  return anyNull ? out : null;
}

function gatherStrings(a: Vec, idx: Int32Array, b: Vec | null, bi: Int32Array | null, n: number, valid: Uint8Array | null): Vec {
  const ao = a.offsets!, ad = a.values as Uint8Array;
  const bo = b ? b.offsets! : ao, bd = b ? (b.values as Uint8Array) : ad;
  const offs = new Int32Array(n + 1);
  let total = 0;
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    if (i >= 0) total += ao[i + 1]! - ao[i]!;
    else if (bi !== null) { const j = bi[k]!; if (j >= 0) total += bo[j + 1]! - bo[j]!; }
    offs[k + 1] = total;
  }
  const data = new Uint8Array(total);
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    let src: Uint8Array, s: number, e: number;
    if (i >= 0) { src = ad; s = ao[i]!; e = ao[i + 1]!; }
    else if (bi !== null && bi[k]! >= 0) { const j = bi[k]!; src = bd; s = bo[j]!; e = bo[j + 1]!; }
    else continue;
    copyBytes(src, s, e, data, offs[k]!);
  }
  return { type: 'string', length: n, values: data, offsets: offs, valid };
}

/** Copies src[s..e) to dst at `at`: a byte loop for short strings, `set` for long ones. */
export function copyBytes(src: Uint8Array, s: number, e: number, dst: Uint8Array, at: number): void {
  const len = e - s;
  if (len <= 16) {
    for (let k = 0; k < len; k++) dst[at + k] = src[s + k]!;
  } else {
    dst.set(src.subarray(s, e), at);
  }
}
