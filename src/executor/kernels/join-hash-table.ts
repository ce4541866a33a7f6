// The build side of a hash join: the build rows as one dense batch, and an open-addressing
// hash table over their keys. Read-only once built, so several probes can share it (a
// broadcast join keeps one table per worker); per-probe state lives in HashJoinProber.
//
// Layout (typed arrays only; no Map, no per-row objects):
//   slots     one entry per distinct key, linear probing, capacity a power of two >= 2× the
//             keyed rows. Each entry is (key or hash, head) interleaved in one array so a
//             probe touches one cache line:
//               'i32'      Int32Array  [key, head]    one int32/date/boolean key column
//               'f64'      Float64Array [key, head]   one int64/float64/timestamp key column
//                                                     (stored -0.0 → 0.0; NaN matches NaN)
//               'general'  Int32Array  [hash, head]   strings, several keys: equal hashes are
//                                                     confirmed by comparing the head row's keys
//   head      first build row + 1 of the key's chain; 0 = empty slot
//   next      per build row: the next row + 1 with the same key; 0 = end of chain
//   'dense'    Int32Array  [head] per key value   one integral key whose values span a range of
//                                                     at most 2× the keyed rows (surrogate keys):
//                                                     direct addressing, no hashing or probing
// Chains list rows in ascending build order (rows are inserted last to first at the head).
// Rows with a NULL in any key are kept in `batch` (outer and anti joins emit them) but never
// inserted, so they never match.
//
//   const t = JoinHashTable.build(batches, keyCols, schema);
//   t.lookup(probe, probeKeyCols, rows, n, heads, scratch)   // heads[k] = chain head + 1 or 0
import type { Schema } from '../../planner/types.js';
import { type Batch, type Vec, concatBatches, emptyBatch, numRows, own, batchBytes } from '../batch.js';
import { hashInt, hashDouble, hashKeyRows, keysEqual } from './join-key-hash.js';

export type KeyKind = 'i32' | 'f64' | 'general' | 'dense';

/** Scratch a prober lends to lookup (grown on demand). */
export interface LookupScratch {
  hashes: Int32Array;
  nulls: Uint8Array;
}

export function newLookupScratch(): LookupScratch {
  return { hashes: new Int32Array(1024), nulls: new Uint8Array(1024) };
}

export class JoinHashTable {
  /** Every build row, dense and owned (including rows whose key has a NULL). */
  readonly batch: Batch;
  readonly schema: Schema;
  readonly keyCols: readonly number[];
  readonly kind: KeyKind;
  /** Rows in `batch`. */
  readonly rows: number;
  /** Rows inserted (no NULL key). */
  readonly keyedRows: number;
  /** Distinct keys. */
  readonly distinctKeys: number;
  readonly mask: number;
  readonly slotsI: Int32Array | null;
  readonly slotsF: Float64Array | null;
  /** 'dense': head per key value - base. */
  readonly direct: Int32Array | null;
  readonly base: number;
  readonly next: Int32Array;

  private constructor(batch: Batch, keyCols: readonly number[], kind: KeyKind, keyedRows: number, distinct: number,
    mask: number, slotsI: Int32Array | null, slotsF: Float64Array | null, direct: Int32Array | null, base: number, next: Int32Array) {
    this.batch = batch; this.schema = batch.schema; this.keyCols = keyCols; this.kind = kind;
    this.rows = batch.length; this.keyedRows = keyedRows; this.distinctKeys = distinct; this.mask = mask;
    this.slotsI = slotsI; this.slotsF = slotsF; this.direct = direct; this.base = base; this.next = next;
  }

  /** Builds the table over the live rows of `batches` (copied when borrowed or selected). */
  static build(batches: readonly Batch[], keyCols: readonly number[], schema: Schema): JoinHashTable {
    if (keyCols.length === 0) throw new Error('join hash table: at least one key column is needed');
    for (const c of keyCols) {
      if (!schema[c]) throw new Error(`join hash table: key column ${c} is out of range (the build side has ${schema.length} columns)`);
    }
    const parts = batches.filter((b) => numRows(b) > 0);
    const batch = parts.length === 0 ? emptyBatch(schema) : parts.length === 1 ? own(parts[0]!) : concatBatches(schema, parts);
    const n = batch.length;
    const keys = keyCols.map((c) => batch.columns[c]!);
    const kind = keyKind(keys);
    const nulls = new Uint8Array(n);
    let keyed = n;
    for (const v of keys) {
      const valid = v.valid;
      if (valid === null) continue;
      for (let r = 0; r < n; r++) if (valid[r] === 0 && nulls[r] === 0) { nulls[r] = 1; keyed--; }
    }
    const next = new Int32Array(n);
    let distinct = 0;
    const range = kind === 'general' || keyed === 0 ? null : integralRange(keys[0]!.values, nulls, n);
    if (range !== null && range.max - range.min < Math.max(2 * keyed, 1024)) {
      const direct = new Int32Array(range.max - range.min + 1);
      distinct = insertDense(keys[0]!.values, nulls, n, direct, kind === 'i32' ? range.min | 0 : range.min, next);
      return new JoinHashTable(batch, keyCols, 'dense', keyed, distinct, 0, null, null, direct, range.min, next);
    }
    let cap = 16;
    while (cap < keyed * 2) cap *= 2;
    const mask = cap - 1;
    let slotsI: Int32Array | null = null, slotsF: Float64Array | null = null;
    if (kind === 'i32') {
      slotsI = new Int32Array(cap * 2);
      distinct = insertI32(keys[0]!.values, nulls, n, slotsI, mask, next);
    } else if (kind === 'f64') {
      slotsF = new Float64Array(cap * 2);
      distinct = insertF64(keys[0]!.values as Float64Array, nulls, n, slotsF, mask, next);
    } else {
      slotsI = new Int32Array(cap * 2);
      const hashes = new Int32Array(n);
      hashKeyRows(keys, null, n, hashes, new Uint8Array(n));
      distinct = insertGeneral(keys, hashes, nulls, n, slotsI, mask, next);
    }
    return new JoinHashTable(batch, keyCols, kind, keyed, distinct, mask, slotsI, slotsF, null, 0, next);
  }

  /** Bytes held: the build rows plus the table arrays. */
  memoryBytes(): number {
    return batchBytes(this.batch) + this.next.byteLength + (this.slotsI ? this.slotsI.byteLength : 0) +
      (this.slotsF ? this.slotsF.byteLength : 0) + (this.direct ? this.direct.byteLength : 0);
  }

  /** Calls f(head + 1) for the chain of every distinct key. */
  forEachChain(f: (head: number) => void): void {
    if (this.direct !== null) {
      const d = this.direct;
      for (let s = 0; s < d.length; s++) if (d[s] !== 0) f(d[s]!);
      return;
    }
    const slots = this.slotsI ?? this.slotsF!;
    for (let s = 1; s < slots.length; s += 2) if (slots[s] !== 0) f(slots[s]!);
  }

  /**
   * For rows rows[0..n) of `probe` (0..n-1 when null), heads[k] = first matching build row + 1,
   * or 0 when nothing matches (or the probe key has a NULL). Walk a chain with `next`.
   * Returns how many of the n rows have a match (counted in the same loop: callers that need
   * it would otherwise scan the heads again).
   */
  lookup(probe: Batch, probeKeyCols: readonly number[], rows: Int32Array | null, n: number, heads: Int32Array, scratch: LookupScratch): number {
    const keys = probeKeyCols.map((c) => probe.columns[c]!);
    if (this.keyedRows === 0) { heads.fill(0, 0, n); return 0; }
    if (this.kind === 'dense') {
      if (keys[0]!.values instanceof Float64Array) return lookupDenseF64(keys[0]!, rows, n, heads, this.direct!, this.base);
      return lookupDenseI32(keys[0]!, rows, n, heads, this.direct!, this.base);
    }
    if (this.kind === 'i32') return lookupI32(keys[0]!, rows, n, heads, this.slotsI!, this.mask);
    if (this.kind === 'f64') return lookupF64(keys[0]!, rows, n, heads, this.slotsF!, this.mask);
    if (scratch.hashes.length < n) { scratch.hashes = new Int32Array(n); scratch.nulls = new Uint8Array(n); }
    hashKeyRows(keys, rows, n, scratch.hashes, scratch.nulls);
    const buildKeys = this.keyCols.map((c) => this.batch.columns[c]!);
    return lookupGeneral(buildKeys, keys, rows, n, scratch.hashes, scratch.nulls, heads, this.slotsI!, this.mask);
  }
}

function keyKind(keys: readonly Vec[]): KeyKind {
  if (keys.length !== 1) return 'general';
  switch (keys[0]!.type) {
    case 'int32': case 'date': case 'boolean': return 'i32';
    case 'int64': case 'float64': case 'timestamp': return 'f64';
    case 'string': return 'general';
  }
}

/** min/max of the non-null keys when all are integral (finite, no fraction), else null. */
function integralRange(keys: ArrayLike<number>, nulls: Uint8Array, n: number): { min: number; max: number } | null {
  let min = Infinity, max = -Infinity;
  for (let r = 0; r < n; r++) {
    if (nulls[r] === 1) continue;
    const x = keys[r]!;
    if (x !== Math.floor(x)) return null; // fraction, NaN, ±Infinity
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return min <= max && max - min < 2 ** 30 ? { min: min + 0, max: max + 0 } : null;
}

// Inserting rows last to first at the chain head leaves every chain in ascending row order.

function insertDense(keys: ArrayLike<number>, nulls: Uint8Array, n: number, direct: Int32Array, base: number, next: Int32Array): number {
  let distinct = 0;
  for (let r = n - 1; r >= 0; r--) {
    if (nulls[r] === 1) continue;
    const d = keys[r]! - base;
    const h = direct[d]!;
    if (h === 0) distinct++;
    else next[r] = h;
    direct[d] = r + 1;
  }
  return distinct;
}

function insertI32(keys: ArrayLike<number>, nulls: Uint8Array, n: number, slots: Int32Array, mask: number, next: Int32Array): number {
  let distinct = 0;
  for (let r = n - 1; r >= 0; r--) {
    if (nulls[r] === 1) continue;
    const x = keys[r]!;
    let s = hashInt(x) & mask;
    for (;;) {
      const h = slots[2 * s + 1]!;
      if (h === 0) { slots[2 * s] = x; distinct++; break; }
      if (slots[2 * s] === x) { next[r] = h; break; }
      s = (s + 1) & mask;
    }
    slots[2 * s + 1] = r + 1;
  }
  return distinct;
}

function insertF64(keys: Float64Array, nulls: Uint8Array, n: number, slots: Float64Array, mask: number, next: Int32Array): number {
  let distinct = 0;
  for (let r = n - 1; r >= 0; r--) {
    if (nulls[r] === 1) continue;
    const x = keys[r]! + 0; // -0.0 → 0.0
    let s = hashDouble(x) & mask;
    for (;;) {
      const h = slots[2 * s + 1]!;
      if (h === 0) { slots[2 * s] = x; distinct++; break; }
      const y = slots[2 * s]!;
      if (y === x || (x !== x && y !== y)) { next[r] = h; break; }
      s = (s + 1) & mask;
    }
    slots[2 * s + 1] = r + 1;
  }
  return distinct;
}

function insertGeneral(keys: readonly Vec[], hashes: Int32Array, nulls: Uint8Array, n: number, slots: Int32Array, mask: number, next: Int32Array): number {
  let distinct = 0;
  for (let r = n - 1; r >= 0; r--) {
    if (nulls[r] === 1) continue;
    const hv = hashes[r]!;
    let s = hv & mask;
    for (;;) {
      const h = slots[2 * s + 1]!;
      if (h === 0) { slots[2 * s] = hv; distinct++; break; }
      if (slots[2 * s] === hv && keysEqual(keys, h - 1, keys, r)) { next[r] = h; break; }
      s = (s + 1) & mask;
    }
    slots[2 * s + 1] = r + 1;
  }
  return distinct;
}

function lookupDenseI32(key: Vec, rows: Int32Array | null, n: number, heads: Int32Array, direct: Int32Array, base: number): number {
  // int32 arithmetic throughout (a double `base` or index makes this loop several times slower).
  const a = key.values as Int32Array, valid = key.valid, range = direct.length;
  base |= 0;
  let m = 0;
  for (let k = 0; k < n; k++) {
    const r = rows === null ? k : rows[k]!;
    const d = a[r]! - base;
    const h = d >= 0 && d < range && (valid === null || valid[r] === 1) ? direct[d]! : 0;
    heads[k] = h;
    if (h !== 0) m++;
  }
  return m;
}

function lookupDenseF64(key: Vec, rows: Int32Array | null, n: number, heads: Int32Array, direct: Int32Array, base: number): number {
  const a = key.values as Float64Array, valid = key.valid, range = direct.length;
  let m = 0;
  for (let k = 0; k < n; k++) {
    const r = rows === null ? k : rows[k]!;
    const d = a[r]! - base;
    // NaN and out-of-range fail the bounds test; a fraction fails the integer test.
    const h = d >= 0 && d < range && (d | 0) === d && (valid === null || valid[r] === 1) ? direct[d]! : 0;
    heads[k] = h;
    if (h !== 0) m++;
  }
  return m;
}

function lookupI32(key: Vec, rows: Int32Array | null, n: number, heads: Int32Array, slots: Int32Array, mask: number): number {
  const a = key.values, valid = key.valid;
  let m = 0;
  for (let k = 0; k < n; k++) {
    const r = rows === null ? k : rows[k]!;
    if (valid !== null && valid[r] === 0) { heads[k] = 0; continue; }
    const x = a[r]!;
    let s = hashInt(x) & mask;
    let h: number;
    for (;;) {
      h = slots[2 * s + 1]!;
      if (h === 0 || slots[2 * s] === x) break;
      s = (s + 1) & mask;
    }
    heads[k] = h;
    if (h !== 0) m++;
  }
  return m;
}

function lookupF64(key: Vec, rows: Int32Array | null, n: number, heads: Int32Array, slots: Float64Array, mask: number): number {
  const a = key.values as Float64Array, valid = key.valid;
  let m = 0;
  for (let k = 0; k < n; k++) {
    const r = rows === null ? k : rows[k]!;
    if (valid !== null && valid[r] === 0) { heads[k] = 0; continue; }
    const x = a[r]!;
    let s = hashDouble(x) & mask;
    let h: number;
    for (;;) {
      h = slots[2 * s + 1]!;
      if (h === 0) break;
      const y = slots[2 * s]!;
      if (y === x || (x !== x && y !== y)) break;
      s = (s + 1) & mask;
    }
    heads[k] = h;
    if (h !== 0) m++;
  }
  return m;
}

function lookupGeneral(buildKeys: readonly Vec[], keys: readonly Vec[], rows: Int32Array | null, n: number,
  hashes: Int32Array, nulls: Uint8Array, heads: Int32Array, slots: Int32Array, mask: number): number {
  let m = 0;
  for (let k = 0; k < n; k++) {
    if (nulls[k] === 1) { heads[k] = 0; continue; }
    const r = rows === null ? k : rows[k]!;
    const hv = hashes[k]!;
    let s = hv & mask;
    let h: number;
    for (;;) {
      h = slots[2 * s + 1]!;
      if (h === 0 || (slots[2 * s] === hv && keysEqual(buildKeys, h - 1, keys, r))) break;
      s = (s + 1) & mask;
    }
    heads[k] = h;
    if (h !== 0) m++;
  }
  return m;
}
