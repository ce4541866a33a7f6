// Row hashing and batch partitioning: equal keys (NULL, ±0.0, every NaN, strings as bytes)
// hash alike and land in the same bucket, nothing is lost or duplicated, buckets are dense
// and keep the rows' order, and hashes are fixed constants (the same in every process).
import { describe, it, expect } from 'vitest';
import { type Schema, field } from '../../../src/planner/types.js';
import { type Batch, makeBatch, rowsToBatch, batchToRows, compact } from '../../../src/executor/batch.js';
import { hashRows } from '../../../src/executor/kernels/hash.js';
import { partitionBatch, partitionBatchByIndex, bucketOfHash } from '../../../src/executor/kernels/partition.js';
import { rng } from '../../helpers/rng.js';

const SCHEMA: Schema = [
  field('id', 'int32', false), field('i', 'int32'), field('l', 'int64'), field('x', 'float64'), field('s', 'string'),
  field('b', 'boolean'), field('d', 'date'), field('ts', 'timestamp'),
];


const WORDS = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'é', 'Zürich', '日本語', '😀', 'a\u0000', 'paid', 'pending'];

function genRows(n: number, seed: number): Record<string, unknown>[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maybe = <T>(f: () => T): T | null => (r() < 0.15 ? null : f());
  return Array.from({ length: n }, (_, id) => ({
    id,
    i: maybe(() => Math.floor(r() * 50) - 25),
    l: maybe(() => pick([0, 1, -1, 2 ** 40, -(2 ** 52), 123456789012])),
    x: maybe(() => pick([0, -0, NaN, 1.5, -1.5, Infinity, -Infinity, 1e-300])),
    s: maybe(() => pick(WORDS)),
    b: maybe(() => r() < 0.5),
    d: maybe(() => 19000 + Math.floor(r() * 30)),
    ts: maybe(() => 1.7e12 + Math.floor(r() * 20) * 1000),
  }));
}

/** A normalised text of a row's key values (NULL, -0 = 0, NaN = NaN). */
function keyText(row: Record<string, unknown>, cols: readonly string[]): string {
  return JSON.stringify(cols.map((c) => {
    const v = row[c];
    if (v instanceof Date) return v.getTime();
    if (typeof v === 'number') return Object.is(v, -0) ? 0 : Number.isFinite(v) ? v : String(v);
    return v;
  }));
}

/** A float64 column whose NaNs have assorted payloads (as arithmetic or files may produce). */
function withNaNPayloads(b: Batch, col: number): Batch {
  const v = b.columns[col]!;
  const values = Float64Array.from(v.values as Float64Array);
  const words = new Uint32Array(values.buffer);
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!) && i % 3 > 0) {
      words[2 * i] = i % 3 === 1 ? 1 : 0xdeadbeef; // low word (little-endian)
      words[2 * i + 1] = i % 2 === 0 ? 0x7ff80000 : 0xfff00001;
    }
  }
  const cols = b.columns.map((c, j) => (j === col ? { ...c, values } : c));
  return makeBatch(b.schema, cols, b.length, b.sel);
}

describe('hashRows', () => {
  it('is a fixed function of the values (same in every worker and process)', () => {
    const b = rowsToBatch(SCHEMA, [
      { id: 0, i: 7, l: 7, x: 7, s: 'seven', b: true, d: 7, ts: 7 },
      { id: 1, i: null, l: null, x: null, s: null, b: null, d: null, ts: null },
      { id: 2, i: -1, l: 2 ** 40, x: -0, s: '', b: false, d: 0, ts: 0 },
    ]);
    const all = [1, 2, 3, 4, 5, 6, 7];
    expect(Array.from(hashRows(b, all))).toEqual([3154072517, 389342527, 1533430381]);
    expect(Array.from(hashRows(b, [4]))).toEqual([4294309865, 2975884340, 3511253799]);
    expect(Array.from(hashRows(b, [1]))).toEqual([241752123, 2975884340, 1398487324]);
  });

  it('hashes -0.0 like 0.0, every NaN alike and NULLs alike, per live row', () => {
    const rows = [{ x: 0 }, { x: -0 }, { x: NaN }, { x: NaN }, { x: null }, { x: null }, { x: 1 }];
    const sch: Schema = [field('x', 'float64')];
    const b = withNaNPayloads(rowsToBatch(sch, rows), 0);
    expect(Number.isNaN(b.columns[0]!.values[3]!)).toBe(true);
    const h = hashRows(b, [0]);
    expect(h[0]).toBe(h[1]);
    expect(h[2]).toBe(h[3]);
    expect(h[4]).toBe(h[5]);
    expect(new Set([h[0], h[2], h[4], h[6]]).size).toBe(4);
    // A selection: one hash per live row, in live-row order.
    const sel = makeBatch(sch, b.columns, b.length, Int32Array.from([6, 1, 4]));
    expect(Array.from(hashRows(sel, [0]))).toEqual([h[6], h[1], h[4]]);
    // A caller's buffer is reused when long enough.
    const out = new Uint32Array(10);
    const got = hashRows(sel, [0], out);
    expect(got.buffer).toBe(out.buffer);
    expect(got.length).toBe(3);
  });

  it('strings hash their bytes: the same text hashes alike wherever it sits', () => {
    const sch: Schema = [field('s', 'string')];
    const a = rowsToBatch(sch, WORDS.map((s) => ({ s })));
    const b = rowsToBatch(sch, [...WORDS].reverse().map((s) => ({ s })));
    const ha = hashRows(a, [0]), hb = hashRows(b, [0]);
    WORDS.forEach((_, i) => expect(ha[i]).toBe(hb[WORDS.length - 1 - i]));
    expect(new Set(ha).size).toBe(WORDS.length); // '' vs 'a\0' vs 'a' all differ
    const withNull = hashRows(rowsToBatch(sch, [{ s: null }, { s: '' }]), [0]);
    expect(withNull[0]).not.toBe(withNull[1]);
  });

  it('spreads sequential integers evenly over buckets', () => {
    const n = 80_000, buckets = 8;
    const b = makeBatch([field('k', 'int32')], [{ type: 'int32', length: n, values: Int32Array.from({ length: n }, (_, i) => i), offsets: null, valid: null }], n);
    const h = hashRows(b, [0]);
    const counts = new Array(buckets).fill(0);
    for (const x of h) counts[bucketOfHash(x, buckets)]++;
    for (const c of counts) expect(Math.abs(c - n / buckets)).toBeLessThan(n / buckets * 0.05);
  });

  it('names a missing key column', () => {
    expect(() => hashRows(rowsToBatch(SCHEMA, []), [9])).toThrow(/key column 9 is out of range/);
  });
});

describe('partitionBatch', () => {
  const rows = genRows(3000, 7);
  const base = withNaNPayloads(rowsToBatch(SCHEMA, rows), 3);
  const sel = Int32Array.from(rows.map((r, k) => ((r.id as number) % 4 === 0 ? -1 : k)).filter((k) => k >= 0));
  const selected = makeBatch(SCHEMA, base.columns, base.length, sel);
  const live = batchToRows(selected);

  const keySets: [string, number[]][] = [
    ['i', [1]], ['l', [2]], ['x', [3]], ['s', [4]], ['b', [5]], ['d', [6]], ['ts', [7]], ['s,x,i', [4, 3, 1]], ['all', [1, 2, 3, 4, 5, 6, 7]],
  ];
  for (const [name, cols] of keySets) {
    it(`on ${name}: every row once, equal keys in one bucket, dense buckets in row order`, () => {
      const n = 7;
      const parts = partitionBatch(selected, cols, n);
      expect(parts.length).toBe(n);
      const keyNames = cols.map((c) => SCHEMA[c]!.name);
      const bucketOfKey = new Map<string, number>();
      const seen: number[] = [];
      parts.forEach((p, q) => {
        expect(p.sel).toBeNull();
        expect(p.schema).toBe(SCHEMA);
        for (const c of p.columns) expect(c.length).toBe(p.length);
        const got = batchToRows(p);
        const ids = got.map((r) => r.id as number);
        expect(ids).toEqual([...ids].sort((a, b) => a - b)); // order kept
        for (const r of got) {
          const k = keyText(r, keyNames);
          if (bucketOfKey.has(k)) expect(bucketOfKey.get(k)).toBe(q);
          bucketOfKey.set(k, q);
          seen.push(r.id as number);
        }
      });
      expect(seen.sort((a, b) => a - b)).toEqual(live.map((r) => r.id));
      // Rows come out intact (values, NULLs, strings).
      const byId = new Map(parts.flatMap((p) => batchToRows(p)).map((r) => [r.id, r]));
      for (const r of live) expect(byId.get(r.id)).toEqual(r);
      // Several buckets are used.
      expect(parts.filter((p) => p.length > 0).length).toBeGreaterThan(1);
    });
  }

  it('an all-valid bucket has no validity array; a dense batch partitions like its selection', () => {
    const sch: Schema = [field('k', 'int32'), field('v', 'string')];
    const b = rowsToBatch(sch, [{ k: 1, v: 'x' }, { k: 2, v: null }, { k: 3, v: 'z' }, { k: 2, v: null }]);
    const parts = partitionBatch(b, [0], 3);
    for (const p of parts) {
      const hasNull = batchToRows(p).some((r) => r.v === null);
      expect(p.columns[1]!.valid === null).toBe(!hasNull);
    }
    const viaSel = partitionBatch(makeBatch(sch, b.columns, b.length, Int32Array.from([0, 1, 2, 3])), [0], 3);
    expect(viaSel.map(batchToRows)).toEqual(parts.map(batchToRows));
    expect(partitionBatch(compact(b), [0], 1).map(batchToRows)).toEqual([batchToRows(b)]);
  });

  it('empty input gives n empty batches', () => {
    const parts = partitionBatch(rowsToBatch(SCHEMA, []), [1], 4);
    expect(parts.map((p) => p.length)).toEqual([0, 0, 0, 0]);
    expect(parts[0]!.columns[4]!.offsets!.length).toBe(1);
  });

  it('rejects a bad bucket count', () => {
    expect(() => partitionBatch(rowsToBatch(SCHEMA, []), [1], 0)).toThrow(/positive integer, got 0/);
  });
});

describe('partitionBatchByIndex', () => {
  it('puts live row k into bucket bucketOf[k], keeping order', () => {
    const sch: Schema = [field('k', 'int32'), field('s', 'string'), field('f', 'float64')];
    const rows = Array.from({ length: 20 }, (_, k) => ({ k, s: k % 3 === 0 ? null : 'v'.repeat(k % 5) + (k > 15 ? 'x'.repeat(40) : ''), f: k / 2 }));
    const b = rowsToBatch(sch, rows);
    const sel = Int32Array.from([1, 3, 4, 8, 9, 15, 16, 19]);
    const bucketOf = Int32Array.from([2, 0, 2, 1, 0, 2, 2, 0]);
    const parts = partitionBatchByIndex(makeBatch(sch, b.columns, b.length, sel), bucketOf, 3);
    const want = [0, 1, 2].map((q) => Array.from(sel).filter((_, k) => bucketOf[k] === q).map((i) => rows[i]));
    expect(parts.map(batchToRows)).toEqual(want);
  });

  it('names a bucket out of range and too short an index', () => {
    const b = rowsToBatch([field('k', 'int32')], [{ k: 1 }, { k: 2 }]);
    expect(() => partitionBatchByIndex(b, Int32Array.from([0, 3]), 3)).toThrow(/live row 1 has bucket 3, outside \[0, 3\)/);
    expect(() => partitionBatchByIndex(b, Int32Array.from([0]), 3)).toThrow(/1 bucket indexes for 2 live rows/);
  });
});
