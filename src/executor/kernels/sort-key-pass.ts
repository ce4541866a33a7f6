// One stable pass of a multi-key sort: reorders a permutation of row positions by ONE key
// column, keeping the existing order among equal keys. sort.ts runs one pass per key, last
// key first (LSD over keys), which yields the lexicographic order over all keys.
//
//   int32, date, boolean                LSD radix sort of 32-bit keys (11-bit digits, passes
//                                       whose digit is the same for every row are skipped)
//   int64, float64, timestamp           LSD radix sort of the double's order-preserving 64-bit
//                                       image: -0.0 → 0.0 and every NaN → one NaN above +Inf
//   string                              merge sort; 6 bytes after the prefix every string shares,
//                                       as a double, decide most comparisons, the bytes the rest
// Descending flips the radix keys (or negates the string comparison), which keeps ties stable.
// NULLs are split off first (stably) and placed before or after the non-NULL rows.
//
// The radix buffers come from a per-thread scratch arena (fresh memory is slow to touch on
// these machines: a 5M-row float sort spends ~40% of its time on first touch otherwise).
// Buffers up to scratchKeep elements stay allocated between sorts; releaseSortScratch()
// drops them. Results never alias the arena.
import type { Vec } from '../batch.js';
import { cmpBytes } from '../codegen/strings.js';
import type { SortKey } from './sort-compare.js';

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** Largest scratch (elements per array) kept between sorts: 5 arrays × 4 bytes × 2M = 40 MB. */
let scratchKeep = 1 << 21;

let scratchU = [new Uint32Array(0), new Uint32Array(0), new Uint32Array(0), new Uint32Array(0)];
let scratchP = new Int32Array(0);

/** Scratch arrays of at least n elements: four Uint32Arrays and one Int32Array. */
function scratch(n: number): { u: Uint32Array[]; p: Int32Array } {
  if (n > scratchKeep) {
    return { u: [new Uint32Array(n), new Uint32Array(n), new Uint32Array(n), new Uint32Array(n)], p: new Int32Array(n) };
  }
  if (scratchP.length < n) {
    const cap = Math.min(scratchKeep, Math.max(n, scratchP.length * 2, 4096));
    scratchU = [new Uint32Array(cap), new Uint32Array(cap), new Uint32Array(cap), new Uint32Array(cap)];
    scratchP = new Int32Array(cap);
  }
  return { u: scratchU, p: scratchP };
}

/** Frees the sort scratch arena (it regrows on the next sort). */
export function releaseSortScratch(): void {
  scratchU = [new Uint32Array(0), new Uint32Array(0), new Uint32Array(0), new Uint32Array(0)];
  scratchP = new Int32Array(0);
}

/**
 * Sets how many elements per scratch array stay allocated between sorts (5 arrays of 4 bytes
 * each). Sorting more rows than this allocates fresh buffers for that sort: 5M floats took
 * ~350 ms with kept scratch and 320–980 ms with fresh memory on a 2-vCPU VM.
 */
export function setSortScratchLimit(elements: number): void {
  scratchKeep = Math.max(0, Math.floor(elements));
  if (scratchP.length > scratchKeep) releaseSortScratch();
}

/** Returns `perm` (length n) reordered stably by column v (may reuse perm's buffer). */
export function sortByKey(perm: Int32Array, n: number, v: Vec, key: SortKey): Int32Array {
  let live = perm, m = n;
  let nulls: Int32Array | null = null, nn = 0;
  if (v.valid !== null) {
    const valid = v.valid;
    live = new Int32Array(n);
    nulls = new Int32Array(n);
    m = 0;
    for (let k = 0; k < n; k++) {
      const r = perm[k]!;
      if (valid[r] === 0) nulls[nn++] = r; else live[m++] = r;
    }
    if (nn === 0) { live = perm; m = n; nulls = null; }
  }
  let sorted: Int32Array;
  switch (v.type) {
    case 'int32': case 'date': sorted = sortInt32(live, m, v.values as Int32Array, key.ascending); break;
    case 'boolean': sorted = sortBool(live, m, v.values as Uint8Array, key.ascending); break;
    case 'int64': case 'float64': case 'timestamp': sorted = sortFloat64(live, m, v.values as Float64Array, key.ascending); break;
    case 'string': sorted = sortStrings(live, m, v, key.ascending); break;
  }
  if (nulls === null) return sorted;
  const out = new Int32Array(n);
  if (key.nullsFirst) { out.set(nulls.subarray(0, nn), 0); out.set(sorted.subarray(0, m), nn); } else { out.set(sorted.subarray(0, m), 0); out.set(nulls.subarray(0, nn), m); }
  return out;
}

// ------------------------------------------------------------------ radix sorts

function sortInt32(perm: Int32Array, n: number, values: Int32Array, asc: boolean): Int32Array {
  const sc = scratch(n);
  const keys = sc.u[0]!;
  const flip = asc ? 0x80000000 : 0x7fffffff; // asc: x + 2^31; desc: 2^32 - 1 - (x + 2^31)
  for (let k = 0; k < n; k++) keys[k] = values[perm[k]!]! ^ flip;
  return radix32(keys, perm, n, sc.u[1]!, sc.p);
}

function sortBool(perm: Int32Array, n: number, values: Uint8Array, asc: boolean): Int32Array {
  // Counting sort with two buckets.
  const out = new Int32Array(n);
  const first = asc ? 0 : 1;
  let count = 0;
  for (let k = 0; k < n; k++) if (values[perm[k]!] === first) count++;
  let a = 0, b = count;
  for (let k = 0; k < n; k++) {
    const r = perm[k]!;
    if (values[r] === first) out[a++] = r; else out[b++] = r;
  }
  return out;
}

function sortFloat64(perm: Int32Array, n: number, values: Float64Array, asc: boolean): Int32Array {
  const sc = scratch(n);
  const hi = sc.u[0]!, lo = sc.u[1]!;
  const flip = asc ? 0 : 0xffffffff;
  for (let k = 0; k < n; k++) {
    const x = values[perm[k]!]!;
    let h: number, l: number;
    if (x !== x) { h = 0xfff80000; l = 0; } // NaN above +Infinity (0x7ff00000 → 0xfff00000)
    else {
      F64[0] = x + 0; // -0.0 → 0.0
      h = U32[1]!; l = U32[0]!;
      if (h >= 0x80000000) { h = ~h; l = ~l; } else h = h | 0x80000000;
    }
    hi[k] = h ^ flip; lo[k] = l ^ flip;
  }
  return radix64(hi, lo, perm, n, sc.u[2]!, sc.u[3]!, sc.p);
}

const BITS = [0, 11, 22] as const;
const WIDTH = [11, 11, 10] as const;

/**
 * Stable LSD radix sort of perm[0..n) by keys[0..n); k2/p2 are scratch of at least n. The
 * result is left in `perm` (returned).
 */
function radix32(keys: Uint32Array, perm: Int32Array, n: number, k2: Uint32Array, p2: Int32Array): Int32Array {
  if (n < 2) return perm;
  const hist = histograms(keys, n);
  let k1: Uint32Array = keys, p1: Int32Array = perm;
  for (let d = 0; d < 3; d++) {
    const counts = hist[d]!;
    if (trivial(counts, n)) continue;
    const shift = BITS[d]!, mask = (1 << WIDTH[d]!) - 1;
    prefixSums(counts);
    for (let k = 0; k < n; k++) {
      const key = k1[k]!;
      const at = counts[(key >>> shift) & mask]!++;
      k2[at] = key; p2[at] = p1[k]!;
    }
    const tk = k1; k1 = k2; k2 = tk;
    const tp = p1; p1 = p2; p2 = tp;
  }
  if (p1 !== perm) perm.set(p1.subarray(0, n));
  return perm;
}

function radix64(hi: Uint32Array, lo: Uint32Array, perm: Int32Array, n: number, h2: Uint32Array, l2: Uint32Array, p2: Int32Array): Int32Array {
  if (n < 2) return perm;
  const hLo = histograms(lo, n), hHi = histograms(hi, n);
  let h1: Uint32Array = hi, l1: Uint32Array = lo, p1: Int32Array = perm;
  for (let d = 0; d < 3; d++) {
    const counts = hLo[d]!;
    if (trivial(counts, n)) continue;
    const shift = BITS[d]!, mask = (1 << WIDTH[d]!) - 1;
    prefixSums(counts);
    for (let k = 0; k < n; k++) {
      const key = l1[k]!;
      const at = counts[(key >>> shift) & mask]!++;
      l2[at] = key; h2[at] = h1[k]!; p2[at] = p1[k]!;
    }
    let t = l1; l1 = l2; l2 = t;
    t = h1; h1 = h2; h2 = t;
    const tp = p1; p1 = p2; p2 = tp;
  }
  for (let d = 0; d < 3; d++) {
    const counts = hHi[d]!;
    if (trivial(counts, n)) continue;
    const shift = BITS[d]!, mask = (1 << WIDTH[d]!) - 1;
    prefixSums(counts);
    for (let k = 0; k < n; k++) {
      const key = h1[k]!;
      const at = counts[(key >>> shift) & mask]!++;
      h2[at] = key; p2[at] = p1[k]!;
    }
    const t = h1; h1 = h2; h2 = t;
    const tp = p1; p1 = p2; p2 = tp;
  }
  if (p1 !== perm) perm.set(p1.subarray(0, n));
  return perm;
}

/** Counts of each of the three digits of every key, in one scan. */
function histograms(keys: Uint32Array, n: number): Int32Array[] {
  const c0 = new Int32Array(2048), c1 = new Int32Array(2048), c2 = new Int32Array(1024);
  for (let k = 0; k < n; k++) {
    const x = keys[k]!;
    c0[x & 2047]!++;
    c1[(x >>> 11) & 2047]!++;
    c2[x >>> 22]!++;
  }
  return [c0, c1, c2];
}

/** True when one bucket holds every key (the pass would not move anything). */
function trivial(counts: Int32Array, n: number): boolean {
  for (let b = 0; b < counts.length; b++) {
    const c = counts[b]!;
    if (c !== 0) return c === n;
  }
  return true;
}

/** Counts → start positions, in place. */
function prefixSums(counts: Int32Array): void {
  let sum = 0;
  for (let b = 0; b < counts.length; b++) { const c = counts[b]!; counts[b] = sum; sum += c; }
}

// ------------------------------------------------------------------ strings

function sortStrings(perm: Int32Array, n: number, v: Vec, asc: boolean): Int32Array {
  const d = v.values as Uint8Array, o = v.offsets!;
  // Bytes every string shares at the front ('customer#...') decide nothing: skip them.
  const cp = commonPrefix(perm, n, d, o);
  // The next 6 bytes as a number, per position in perm (moved along with it).
  const pre = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const r = perm[k]!;
    const s = o[r]! + cp, e = o[r + 1]!;
    let x = 0;
    for (let b = 0; b < 6; b++) x = x * 256 + (s + b < e ? d[s + b]! : 0);
    pre[k] = asc ? x : -x;
  }
  const sign = asc ? 1 : -1;
  let p1: Int32Array = perm, q1: Float64Array = pre;
  let p2: Int32Array = new Int32Array(n), q2: Float64Array = new Float64Array(n);
  // Insertion sort of runs of 16, then bottom-up merges.
  const RUN = 16;
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(n, lo + RUN);
    for (let i = lo + 1; i < hi; i++) {
      const r = p1[i]!, x = q1[i]!;
      let j = i - 1;
      while (j >= lo && strCmp(q1[j]!, p1[j]!, x, r, d, o, sign, cp) > 0) { p1[j + 1] = p1[j]!; q1[j + 1] = q1[j]!; j--; }
      p1[j + 1] = r; q1[j + 1] = x;
    }
  }
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(n, lo + width), hi = Math.min(n, lo + 2 * width);
      let a = lo, b = mid, at = lo;
      while (a < mid && b < hi) {
        // Take from the right run only when strictly smaller: stable.
        if (strCmp(q1[b]!, p1[b]!, q1[a]!, p1[a]!, d, o, sign, cp) < 0) { p2[at] = p1[b]!; q2[at++] = q1[b++]!; }
        else { p2[at] = p1[a]!; q2[at++] = q1[a++]!; }
      }
      while (a < mid) { p2[at] = p1[a]!; q2[at++] = q1[a++]!; }
      while (b < hi) { p2[at] = p1[b]!; q2[at++] = q1[b++]!; }
    }
    const tp = p1; p1 = p2; p2 = tp;
    const tq = q1; q1 = q2; q2 = tq;
  }
  return p1;
}

/** Compares strings at rows r and s given their signed prefixes x and y (the first cp bytes are shared). */
function strCmp(x: number, r: number, y: number, s: number, d: Uint8Array, o: Int32Array, sign: number, cp: number): number {
  if (x !== y) return x < y ? -1 : 1;
  return sign * cmpBytes(d, o[r]! + cp, o[r + 1]!, d, o[s]! + cp, o[s + 1]!);
}

/** Length of the byte prefix all strings at perm[0..n) share. */
function commonPrefix(perm: Int32Array, n: number, d: Uint8Array, o: Int32Array): number {
  if (n === 0) return 0;
  const r0 = perm[0]!, s0 = o[r0]!;
  let cp = o[r0 + 1]! - s0;
  for (let k = 1; k < n && cp > 0; k++) {
    const r = perm[k]!, s = o[r]!;
    const len = Math.min(cp, o[r + 1]! - s);
    let j = 0;
    while (j < len && d[s + j] === d[s0 + j]) j++;
    cp = j;
  }
  return cp;
}
