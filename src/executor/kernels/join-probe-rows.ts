// Join output in the stream batch's own row positions, for the joins where every stream row
// gives at most one output row: inner and stream-side outer joins over a table with unique
// keys (a dimension table keyed on its surrogate key), and stream-side semi / anti joins.
//
// The stream side's columns pass through untouched (no copy); each build-side column is
// gathered into an array as long as the stream batch, at the stream rows' own positions; the
// output's selection vector lists the rows that survive. Compared with materializing index
// pairs and gathering every column (join-gather.ts) this skips the pair lists and the copies
// of every stream column — the bulk of a fact-to-dimension join.
//
//   keep 'matched'    inner join, semi join: rows with a match
//   keep 'unmatched'  anti join: rows without one (NULL keys included)
//   keep 'all'        stream-side outer join: every row, build columns NULL where unmatched
//
// `heads[k]` is the k-th live stream row's match (build row + 1), 0 for none, as
// JoinHashTable.lookup writes it. The placed columns and the selection vector live in
// buffers the prober reuses for every batch (fresh allocations page-fault, and on this kind
// of machine that costs more than the gather itself: 2.5M int32s placed in 43 ms into a new
// array, 7 ms into a reused one), so the output is always borrowed: valid until the next
// batch is pulled, owned (copied) by whoever keeps it longer.
import type { Schema } from '../../planner/types.js';
import { type Batch, type Vec, makeBatch } from '../batch.js';
import type { JoinSide, JoinSpec } from './join-types.js';
import { copyBytes } from './join-gather.js';

export type KeepRows = 'matched' | 'unmatched' | 'all';

/** How many of the n live rows the output keeps, `matched` of them having a match. */
export function keptRows(matched: number, n: number, keep: KeepRows): number {
  return keep === 'all' ? n : keep === 'matched' ? matched : n - matched;
}

/** Reusable buffers of one prober: per output column, and the selection vector. */
export class PlaceScratch {
  private readonly cols: ColumnScratch[] = [];
  private sel = new Int32Array(0);

  column(c: number): ColumnScratch {
    let s = this.cols[c];
    if (!s) { s = new ColumnScratch(); this.cols[c] = s; }
    return s;
  }

  selection(n: number): Int32Array {
    if (this.sel.length < n) this.sel = new Int32Array(grow(this.sel.length, n));
    return this.sel.subarray(0, n);
  }
}

class ColumnScratch {
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private u8 = new Uint8Array(0);
  private validBuf = new Uint8Array(0);
  private offs = new Int32Array(0);
  private data = new Uint8Array(0);

  float64(n: number): Float64Array { if (this.f64.length < n) this.f64 = new Float64Array(grow(this.f64.length, n)); return this.f64.subarray(0, n); }
  int32(n: number): Int32Array { if (this.i32.length < n) this.i32 = new Int32Array(grow(this.i32.length, n)); return this.i32.subarray(0, n); }
  uint8(n: number): Uint8Array { if (this.u8.length < n) this.u8 = new Uint8Array(grow(this.u8.length, n)); return this.u8.subarray(0, n); }
  valid(n: number): Uint8Array { if (this.validBuf.length < n) this.validBuf = new Uint8Array(grow(this.validBuf.length, n)); return this.validBuf.subarray(0, n); }
  offsets(n: number): Int32Array { if (this.offs.length < n) this.offs = new Int32Array(grow(this.offs.length, n)); return this.offs.subarray(0, n); }
  bytes(n: number): Uint8Array { if (this.data.length < n) this.data = new Uint8Array(grow(this.data.length, n)); return this.data.subarray(0, n); }
}

const grow = (have: number, need: number): number => Math.max(need, Math.floor(have * 1.5));

/**
 * The output batch (borrowed: it views `scratch`). `kept` is keptRows(matched, n, keep); `build`
 * is the table's batch (unused by semi / anti joins, whose outputs are all stream columns);
 * `allMatched`: every live row has a match (placed columns need no NULL for a miss).
 */
export function streamOrderOutput(
  spec: JoinSpec, schema: Schema, buildSide: JoinSide, build: Batch, stream: Batch,
  heads: Int32Array, n: number, keep: KeepRows, kept: number, allMatched: boolean, scratch: PlaceScratch,
): Batch {
  const rows = stream.sel, L = stream.length;
  let sel: Int32Array | null;
  if (kept === n) sel = rows;
  else {
    sel = scratch.selection(kept);
    const want = keep === 'matched';
    let m = 0;
    for (let k = 0; k < n; k++) if ((heads[k] !== 0) === want) sel[m++] = rows === null ? k : rows[k]!;
  }
  const cols: Vec[] = new Array(spec.outputs.length);
  for (let c = 0; c < spec.outputs.length; c++) {
    const o = spec.outputs[c]!;
    cols[c] = o.side !== buildSide ? stream.columns[o.col]! : placeBuildColumn(build.columns[o.col]!, heads, rows, n, L, scratch.column(c), allMatched);
  }
  return makeBatch(schema, cols, L, sel, true);
}

/**
 * Build column `v` placed at the stream rows' positions: out[p] = v[heads[k] - 1] for live row
 * k at position p; NULL where heads[k] is 0. Positions that are not live stay unset.
 */
export function placeBuildColumn(v: Vec, heads: Int32Array, rows: Int32Array | null, n: number, L: number, s: ColumnScratch, allMatched: boolean): Vec {
  const valid = allMatched && v.valid === null ? null : placeValid(v.valid, heads, rows, n, s.valid(L));
  if (v.type === 'string') return placeStrings(v, heads, rows, n, L, valid, s);
  let values: Vec['values'];
  // One loop per array type keeps each loop's element accesses monomorphic.
  if (v.values instanceof Float64Array) values = placeF64(v.values, heads, rows, n, s.float64(L), allMatched);
  else if (v.values instanceof Int32Array) values = placeI32(v.values, heads, rows, n, s.int32(L), allMatched);
  else values = placeU8(v.values, heads, rows, n, s.uint8(L));
  return { type: v.type, length: L, values, offsets: null, valid };
}

function placeF64(src: Float64Array, heads: Int32Array, rows: Int32Array | null, n: number, out: Float64Array, allMatched: boolean): Float64Array {
  if (rows === null && allMatched) {
    for (let k = 0; k < n; k++) out[k] = src[heads[k]! - 1]!;
  } else if (rows === null) {
    for (let k = 0; k < n; k++) { const h = heads[k]!; if (h !== 0) out[k] = src[h - 1]!; }
  } else {
    for (let k = 0; k < n; k++) { const h = heads[k]!; if (h !== 0) out[rows[k]!] = src[h - 1]!; }
  }
  return out;
}

function placeI32(src: Int32Array, heads: Int32Array, rows: Int32Array | null, n: number, out: Int32Array, allMatched: boolean): Int32Array {
  if (rows === null && allMatched) {
    for (let k = 0; k < n; k++) out[k] = src[heads[k]! - 1]!;
  } else if (rows === null) {
    for (let k = 0; k < n; k++) { const h = heads[k]!; if (h !== 0) out[k] = src[h - 1]!; }
  } else {
    for (let k = 0; k < n; k++) { const h = heads[k]!; if (h !== 0) out[rows[k]!] = src[h - 1]!; }
  }
  return out;
}

function placeU8(src: Uint8Array, heads: Int32Array, rows: Int32Array | null, n: number, out: Uint8Array): Uint8Array {
  for (let k = 0; k < n; k++) { const h = heads[k]!; if (h !== 0) out[rows === null ? k : rows[k]!] = src[h - 1]!; }
  return out;
}

/** Validity of a placed column, or null when every live row is matched with a valid value. */
function placeValid(src: Uint8Array | null, heads: Int32Array, rows: Int32Array | null, n: number, out: Uint8Array): Uint8Array | null {
  let missing = false;
  for (let k = 0; k < n; k++) if (heads[k] === 0) { missing = true; break; }
  if (src === null && !missing) return null;
  let anyNull = false;
  for (let k = 0; k < n; k++) {
    const h = heads[k]!;
    const ok = h === 0 ? 0 : src === null ? 1 : src[h - 1]!;
    out[rows === null ? k : rows[k]!] = ok;
    if (ok === 0) anyNull = true;
  }
  return anyNull ? out : null;
}

function placeStrings(v: Vec, heads: Int32Array, rows: Int32Array | null, n: number, L: number, valid: Uint8Array | null, s: ColumnScratch): Vec {
  const so = v.offsets!, sd = v.values as Uint8Array;
  const offs = s.offsets(L + 1);
  offs[0] = 0;
  let total = 0, next = 0;
  for (let k = 0; k < n; k++) {
    const p = rows === null ? k : rows[k]!;
    for (; next < p; next++) offs[next + 1] = total; // positions that are not live: empty
    const h = heads[k]!;
    if (h !== 0) total += so[h]! - so[h - 1]!;
    offs[p + 1] = total;
    next = p + 1;
  }
  for (; next < L; next++) offs[next + 1] = total;
  const data = s.bytes(total);
  for (let k = 0; k < n; k++) {
    const h = heads[k]!;
    if (h === 0) continue;
    const p = rows === null ? k : rows[k]!;
    copyBytes(sd, so[h - 1]!, so[h]!, data, offs[p]!);
  }
  return { type: 'string', length: L, values: data, offsets: offs, valid };
}
