// The hand-written contender: the four peer queries as single-threaded loops over typed
// arrays, written for these queries (int32 keys, no NULLs). Group-by keys and join keys go
// through IntMap (direct addressing for dense key ranges, open addressing otherwise). A join
// followed by a group-by on a build-side column resolves each build key to its group once,
// at build time, so the probe loop does one lookup and one add per fact row.
import { IntMap, intRange } from './int-map.js';

/** Groups (in no particular order): key, sum of v, rows. */
export interface Groups {
  readonly keys: Int32Array;
  readonly sums: Float64Array;
  readonly counts: Float64Array;
}

/** SELECT sum(v * 2 + 1) FROM fact WHERE k100 % 7 = 3 */
export function filterComputeSum(k100: Int32Array, v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < k100.length; i++) if (k100[i]! % 7 === 3) s += v[i]! * 2 + 1;
  return s;
}

/** SELECT k, sum(v), count(*) FROM fact GROUP BY k */
export function groupSumCount(k: Int32Array, v: Float64Array, forceHash = false): Groups {
  const n = k.length;
  const [min, max] = intRange(k);
  const span = max - min + 1;
  if (!forceHash && n > 0 && span <= Math.max(2 * n, 1024)) {
    // Direct addressing: one accumulator per value of the key's range.
    const sums = new Float64Array(span), counts = new Float64Array(span);
    for (let i = 0; i < n; i++) {
      const j = k[i]! - min;
      sums[j] += v[i]!;
      counts[j]++;
    }
    const g = new GroupArrays(0);
    for (let j = 0; j < span; j++) if (counts[j]! > 0) { const id = g.add(j + min); g.sums[id] = sums[j]!; g.counts[id] = counts[j]!; }
    return g.finish();
  }
  const ids = IntMap.forRange(min, max, Math.min(n, span, 1 << 16), true); // grows as keys come
  const g = new GroupArrays(Math.min(n, span, 1 << 16));
  for (let i = 0; i < n; i++) {
    const key = k[i]!;
    let id = ids.get(key);
    if (id < 0) { id = g.add(key); ids.set(key, id); }
    g.sums[id] += v[i]!;
    g.counts[id]++;
  }
  return g.finish();
}

/** SELECT seg, sum(v) FROM fact JOIN dim USING (key) GROUP BY seg (dim keys unique). */
export function joinGroupSum(factKey: Int32Array, v: Float64Array, dimKey: Int32Array, dimSeg: Int32Array, forceHash = false): Groups {
  // Build: each dim key → the id of its row's seg group.
  const m = dimKey.length;
  const [kmin, kmax] = intRange(dimKey);
  const [smin, smax] = intRange(dimSeg);
  const groupOfKey = IntMap.forRange(kmin, kmax, m, forceHash);
  const segIds = IntMap.forRange(smin, smax, Math.min(m, smax - smin + 1), forceHash);
  const g = new GroupArrays(Math.min(m, smax - smin + 1, 1 << 16));
  for (let r = 0; r < m; r++) {
    const key = dimKey[r]!;
    if (groupOfKey.get(key) >= 0) throw new Error(`joinGroupSum: build key ${key} appears twice; this loop assumes unique dimension keys`);
    const seg = dimSeg[r]!;
    let id = segIds.get(seg);
    if (id < 0) { id = g.add(seg); segIds.set(seg, id); }
    groupOfKey.set(key, id);
  }
  // Probe and aggregate. A group counts a row only when some fact row matched it.
  const sums = g.sums, counts = g.counts;
  const direct = groupOfKey.directSlots();
  if (direct !== null) {
    // Direct addressing: the group of key x is direct[x - kmin] (-1: no such key).
    const span = direct.length;
    for (let i = 0; i < factKey.length; i++) {
      const j = factKey[i]! - kmin;
      if (j >= 0 && j < span) {
        const id = direct[j]!;
        if (id >= 0) { sums[id] += v[i]!; counts[id]++; }
      }
    }
  } else {
    for (let i = 0; i < factKey.length; i++) {
      const id = groupOfKey.get(factKey[i]!);
      if (id >= 0) { sums[id] += v[i]!; counts[id]++; }
    }
  }
  return g.finish(true);
}

/** Group keys and accumulators, grown as groups appear. */
class GroupArrays {
  keys: Int32Array;
  sums: Float64Array;
  counts: Float64Array;
  size = 0;

  constructor(capacity: number) {
    const c = Math.max(16, capacity);
    this.keys = new Int32Array(c);
    this.sums = new Float64Array(c);
    this.counts = new Float64Array(c);
  }

  /** A new group for `key`; its id. */
  add(key: number): number {
    if (this.size === this.keys.length) {
      const c = this.keys.length * 2;
      const k = new Int32Array(c); k.set(this.keys); this.keys = k;
      const s = new Float64Array(c); s.set(this.sums); this.sums = s;
      const n = new Float64Array(c); n.set(this.counts); this.counts = n;
    }
    this.keys[this.size] = key;
    return this.size++;
  }

  /** The groups; with `matchedOnly`, those with at least one row (an inner join's output). */
  finish(matchedOnly = false): Groups {
    let n = this.size;
    if (!matchedOnly) return { keys: this.keys.subarray(0, n), sums: this.sums.subarray(0, n), counts: this.counts.subarray(0, n) };
    let w = 0;
    for (let i = 0; i < n; i++) {
      if (this.counts[i] === 0) continue;
      this.keys[w] = this.keys[i]!; this.sums[w] = this.sums[i]!; this.counts[w] = this.counts[i]!;
      w++;
    }
    n = w;
    return { keys: this.keys.subarray(0, n), sums: this.sums.subarray(0, n), counts: this.counts.subarray(0, n) };
  }
}
