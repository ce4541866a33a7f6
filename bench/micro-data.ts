// Seeded inputs for the micro-benchmarks (bench/micro.ts): batches in the engine's columnar
// layout (src/executor/batch.ts), built straight from typed arrays, the same on every run.
import { type Schema, field } from '../src/planner/types.js';
import { type Batch, type Vec, makeBatch } from '../src/executor/batch.js';

/** mulberry32: a small seeded generator of uniform doubles in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int32Vec = (values: Int32Array): Vec => ({ type: 'int32', length: values.length, values, offsets: null, valid: null });
export const float64Vec = (values: Float64Array): Vec => ({ type: 'float64', length: values.length, values, offsets: null, valid: null });

/** `n` int32 keys uniform in [0, distinct), from `seed`. */
export function intKeys(n: number, distinct: number, seed: number): Int32Array {
  const r = rng(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * distinct);
  return out;
}

/** `n` int32 keys spread over the whole int32 range (no dense layout possible), `distinct` of them. */
export function sparseIntKeys(n: number, distinct: number, seed: number): Int32Array {
  const k = intKeys(n, distinct, seed);
  for (let i = 0; i < n; i++) k[i] = Math.imul(k[i]! + 1, 0x9e3779b1);
  return k;
}

/** `n` doubles with two decimals in [0, 100). */
export function amounts(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 10000) / 100;
  return out;
}

/** `n` ASCII strings 'user-<k>' with k uniform in [0, distinct), as a Utf8 column. */
export function stringVec(n: number, distinct: number, seed: number): Vec {
  const keys = intKeys(n, distinct, seed);
  const enc = new TextEncoder();
  const words = Array.from({ length: Math.min(distinct, n) }, (_, k) => enc.encode(`user-${k.toString(36).padStart(4, '0')}`));
  let bytes = 0;
  for (let i = 0; i < n; i++) bytes += words[keys[i]! % words.length]!.length;
  const values = new Uint8Array(bytes);
  const offsets = new Int32Array(n + 1);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const w = words[keys[i]! % words.length]!;
    values.set(w, p);
    p += w.length;
    offsets[i + 1] = p;
  }
  return { type: 'string', length: n, values, offsets, valid: null };
}

/** Splits whole columns into batches of at most `rows` rows (views, no copy). */
export function toBatches(schema: Schema, cols: readonly Vec[], rows: number): Batch[] {
  const n = cols[0]!.length;
  const out: Batch[] = [];
  for (let s = 0; s < n; s += rows) {
    const e = Math.min(n, s + rows);
    out.push(makeBatch(schema, cols.map((c) => sliceColumn(c, s, e)), e - s));
  }
  return out;
}

function sliceColumn(c: Vec, s: number, e: number): Vec {
  if (c.offsets === null) return { ...c, length: e - s, values: c.values.subarray(s, e), valid: c.valid?.subarray(s, e) ?? null };
  // A Utf8 slice rebased to start at byte 0, as batches in the engine are.
  const base = c.offsets[s]!;
  const offsets = c.offsets.slice(s, e + 1);
  for (let i = 0; i < offsets.length; i++) offsets[i] = offsets[i]! - base;
  return { ...c, length: e - s, values: c.values.subarray(base, c.offsets[e]!), offsets, valid: c.valid?.subarray(s, e) ?? null };
}

/** The fact-like schema most cases use: an int32 key, a double, a string. */
export const FACT_SCHEMA: Schema = [field('k', 'int32', false), field('v', 'float64', false), field('s', 'string', false)];
