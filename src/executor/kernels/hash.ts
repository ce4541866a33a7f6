// Row hashing for hash partitioning and hash tables: murmur3's 32-bit block mixing over each
// key value, fmix32 to finish. Deterministic everywhere (fixed seeds, no per-process state),
// so every worker sends a key to the same bucket.
//
// Per value (all within one column type; different types need not agree):
//   NULL                          a fixed tag (all NULLs of a column hash alike)
//   int32, date                   the 32-bit value
//   boolean                       0 / 1
//   int64, float64, timestamp     the float64's bits, after -0.0 → 0.0 and any NaN → one NaN
//   string                        its UTF-8 bytes, 4 at a time (little-endian), then its length
// A row's hash mixes its key values in order and finishes with fmix32(h ^ keyCount).
//
// The mixing functions are exported for the hash tables (group-by), which use another seed
// so a table over one shuffle partition — whose rows share their partitioning hash modulo n —
// still spreads over all its slots.
import type { Batch, Vec } from '../batch.js';
import { numRows } from '../batch.js';

/** The seed of partitioning hashes (hashRows). */
export const PARTITION_SEED = 42;

const C1 = 0xcc9e2d51 | 0;
const C2 = 0x1b873593 | 0;
/** What a NULL mixes in. */
const NULL_TAG = 0x5bd1e995 | 0;
/** The bits of the one NaN every NaN hashes as (0x7ff8000000000000). */
const NAN_HI = 0x7ff80000;

/** One murmur3 block: mixes the 32-bit `k` into the running hash `h`. */
export function mix(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's finalizer: every input bit affects every output bit (a bijection on 32 bits). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export function mixNull(h: number): number {
  return mix(h, NULL_TAG);
}

const F64 = new Float64Array(1);
const W32 = new Int32Array(F64.buffer);
// Word order of a float64 in memory (little-endian on every platform Node runs on, but check).
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

/** Mixes a double's bits; -0.0 and 0.0 (and every NaN) mix alike. */
export function mixF64(h: number, x: number): number {
  if (x === 0) return mix(mix(h, 0), 0);
  if (x !== x) return mix(mix(h, 0), NAN_HI);
  F64[0] = x;
  return mix(mix(h, W32[LO]!), W32[HI]!);
}

/** Mixes bytes d[s..e) (4 at a time, little-endian) and then their count. */
export function mixBytes(h: number, d: Uint8Array, s: number, e: number): number {
  const len = e - s;
  const end4 = s + (len & ~3);
  let p = s;
  for (; p < end4; p += 4) h = mix(h, d[p]! | (d[p + 1]! << 8) | (d[p + 2]! << 16) | (d[p + 3]! << 24));
  if (p < e) {
    let k = d[p]!;
    if (p + 1 < e) k |= d[p + 1]! << 8;
    if (p + 2 < e) k |= d[p + 2]! << 16;
    h = mix(h, k);
  }
  return mix(h, len);
}

/** The finishing step of a row hash over `keys` key values. */
export function finishHash(h: number, keys: number): number {
  return fmix32(h ^ keys);
}

let scratch = new Uint32Array(0);

/** A per-thread scratch array of at least n entries (valid until the next call). */
export function hashScratch(n: number): Uint32Array {
  if (scratch.length < n) scratch = new Uint32Array(Math.max(n, scratch.length * 2, 1024));
  return scratch;
}

/**
 * One 32-bit hash per live row (k = 0..numRows(b)-1) over the columns `keyCols`. `out`, when
 * given and long enough, is filled and a view of its first numRows(b) entries returned.
 */
export function hashRows(b: Batch, keyCols: readonly number[], out?: Uint32Array, seed = PARTITION_SEED): Uint32Array {
  const n = numRows(b);
  const h = out !== undefined && out.length >= n ? out.subarray(0, n) : new Uint32Array(n);
  if (keyCols.length === 0) h.fill(seed >>> 0);
  for (let j = 0; j < keyCols.length; j++) {
    const c = keyCols[j]!;
    const v = b.columns[c];
    if (v === undefined) throw new Error(`hashRows: key column ${c} is out of range (the batch has ${b.columns.length} columns)`);
    // The first column starts from the seed (no fill pass); the last one finishes the hash.
    mixColumn(h, v, b.sel, n, j === 0 ? seed | 0 : null, j === keyCols.length - 1 ? keyCols.length : -1);
  }
  if (keyCols.length === 0) for (let k = 0; k < n; k++) h[k] = fmix32(h[k]!);
  return h;
}

/**
 * Mixes column v's live values into h: h[k] = mix(seed ?? h[k], value), then finished with
 * finishHash(…, last) when last >= 0. One loop per physical type.
 */
function mixColumn(h: Uint32Array, v: Vec, sel: Int32Array | null, n: number, seed: number | null, last: number): void {
  switch (v.type) {
    case 'int32': case 'date': case 'boolean':
      if (v.valid === null && sel === null) {
        const x = v.values as Int32Array | Uint8Array;
        if (seed !== null && last >= 0) for (let k = 0; k < n; k++) h[k] = fmix32(mix(seed, x[k]!) ^ last);
        else if (seed !== null) for (let k = 0; k < n; k++) h[k] = mix(seed, x[k]!);
        else if (last >= 0) for (let k = 0; k < n; k++) h[k] = fmix32(mix(h[k]!, x[k]!) ^ last);
        else for (let k = 0; k < n; k++) h[k] = mix(h[k]!, x[k]!);
      } else {
        mixInts(h, v, sel, n, seed, last);
      }
      return;
    case 'int64': case 'float64': case 'timestamp':
      mixDoubles(h, v, sel, n, seed, last);
      return;
    case 'string':
      mixStrings(h, v, sel, n, seed, last);
      return;
  }
}

function mixInts(h: Uint32Array, v: Vec, sel: Int32Array | null, n: number, seed: number | null, last: number): void {
  const x = v.values as Int32Array | Uint8Array, valid = v.valid;
  for (let k = 0; k < n; k++) {
    const i = sel === null ? k : sel[k]!;
    const h0 = seed === null ? h[k]! : seed;
    const h1 = valid !== null && valid[i] === 0 ? mixNull(h0) : mix(h0, x[i]!);
    h[k] = last >= 0 ? fmix32(h1 ^ last) : h1;
  }
}

function mixDoubles(h: Uint32Array, v: Vec, sel: Int32Array | null, n: number, seed: number | null, last: number): void {
  const x = v.values as Float64Array, valid = v.valid;
  for (let k = 0; k < n; k++) {
    const i = sel === null ? k : sel[k]!;
    const h0 = seed === null ? h[k]! : seed;
    const h1 = valid !== null && valid[i] === 0 ? mixNull(h0) : mixF64(h0, x[i]!);
    h[k] = last >= 0 ? fmix32(h1 ^ last) : h1;
  }
}

function mixStrings(h: Uint32Array, v: Vec, sel: Int32Array | null, n: number, seed: number | null, last: number): void {
  const d = v.values as Uint8Array, o = v.offsets!, valid = v.valid;
  for (let k = 0; k < n; k++) {
    const i = sel === null ? k : sel[k]!;
    const h0 = seed === null ? h[k]! : seed;
    const h1 = valid !== null && valid[i] === 0 ? mixNull(h0) : mixBytes(h0, d, o[i]!, o[i + 1]!);
    h[k] = last >= 0 ? fmix32(h1 ^ last) : h1;
  }
}
