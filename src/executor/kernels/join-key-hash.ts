// Join key hashing and equality, kept apart so the hash table can switch to kernels/hash.ts.
//
// Semantics (DESIGN §3): keys equal as SQL values, with -0.0 = 0.0 and NaN = NaN (Spark
// normalises both before hashing and comparing), strings by bytes. NULLs are never hashed:
// callers skip rows whose key has a NULL. The hash of a value depends only on its type and
// value (doubles: an integral value in int32 range hashes like that int; other doubles by
// their bits; every NaN alike), so both sides of a join agree.
import type { Vec } from '../batch.js';

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const NAN_HASH = 0x7ff80000;

/** murmur3's fmix32 of an int32. */
export function hashInt(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Hash of a double with -0.0 = 0.0 and all NaNs equal. */
export function hashDouble(x: number): number {
  const i = x | 0;
  if (i === x) return hashInt(i); // also -0.0 → 0
  if (x !== x) return hashInt(NAN_HASH);
  F64[0] = x;
  return hashInt(U32[0]! ^ hashInt(U32[1]!));
}

/** FNV-1a over the bytes, finished with fmix32. */
export function hashBytes(d: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5 | 0;
  for (let k = s; k < e; k++) h = Math.imul(h ^ d[k]!, 16777619);
  return hashInt(h ^ (e - s));
}

/** Folds the hash of one more key column into a running row hash. */
export function combineHash(h: number, k: number): number {
  const x = Math.imul(h ^ k, 0x9e3779b1);
  return (x << 13) | (x >>> 19);
}

/**
 * Hashes the key columns of rows rows[0..n) (or 0..n-1 when `rows` is null) into hashes[k];
 * nulls[k] = 1 when any key of that row is NULL (its hash is then meaningless).
 */
export function hashKeyRows(cols: readonly Vec[], rows: Int32Array | null, n: number, hashes: Int32Array, nulls: Uint8Array): void {
  nulls.fill(0, 0, n);
  for (let c = 0; c < cols.length; c++) {
    const v = cols[c]!;
    const first = c === 0;
    const valid = v.valid;
    if (valid !== null) for (let k = 0; k < n; k++) if (valid[rows ? rows[k]! : k] === 0) nulls[k] = 1;
    switch (v.type) {
      case 'int32': case 'date': case 'boolean': {
        const a = v.values;
        for (let k = 0; k < n; k++) {
          const hk = hashInt(a[rows ? rows[k]! : k]!);
          hashes[k] = first ? hk : combineHash(hashes[k]!, hk);
        }
        break;
      }
      case 'int64': case 'float64': case 'timestamp': {
        const a = v.values as Float64Array;
        for (let k = 0; k < n; k++) {
          const hk = hashDouble(a[rows ? rows[k]! : k]!);
          hashes[k] = first ? hk : combineHash(hashes[k]!, hk);
        }
        break;
      }
      case 'string': {
        const d = v.values as Uint8Array, o = v.offsets!;
        for (let k = 0; k < n; k++) {
          const r = rows ? rows[k]! : k;
          const hk = hashBytes(d, o[r]!, o[r + 1]!);
          hashes[k] = first ? hk : combineHash(hashes[k]!, hk);
        }
        break;
      }
    }
  }
}

/** Key equality of row i of `a` and row j of `b` (no NULLs; same types per column). */
export function keysEqual(a: readonly Vec[], i: number, b: readonly Vec[], j: number): boolean {
  for (let c = 0; c < a.length; c++) {
    const x = a[c]!, y = b[c]!;
    switch (x.type) {
      case 'int32': case 'date': case 'boolean':
        if (x.values[i] !== y.values[j]) return false;
        break;
      case 'int64': case 'float64': case 'timestamp': {
        const p = x.values[i]!, q = y.values[j]!;
        if (p !== q && (p === p || q === q)) return false;
        break;
      }
      case 'string': {
        const xo = x.offsets!, yo = y.offsets!;
        const s = xo[i]!, e = xo[i + 1]!, t = yo[j]!;
        const len = e - s;
        if (len !== yo[j + 1]! - t) return false;
        const xd = x.values as Uint8Array, yd = y.values as Uint8Array;
        for (let k = 0; k < len; k++) if (xd[s + k] !== yd[t + k]) return false;
        break;
      }
    }
  }
  return true;
}
