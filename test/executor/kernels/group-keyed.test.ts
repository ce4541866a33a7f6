// The keyed group table (one int32/date/boolean key addressed directly, group-table.ts), the
// fused merge loop, and the recycling of table memory between aggregations of one thread
// (group-buffers.ts): results against plain-JS references, the key order a keyed table emits,
// ranges at the ends of int32, and the guard against using an aggregator whose memory was
// reclaimed.
import { describe, it, expect } from 'vitest';
import type { Expr } from '../../../src/planner/expr.js';
import { type Schema, field } from '../../../src/planner/types.js';
import { type Batch, makeBatch, rowsToBatch, batchToRows } from '../../../src/executor/batch.js';
import type { AggSpec } from '../../../src/executor/ops/agg-kernels.js';
import { createGroupedAggregator } from '../../../src/executor/kernels/group-by.js';
import { recycledBytes } from '../../../src/executor/kernels/group-buffers.js';
import { rng } from '../../helpers/rng.js';

const c = (name: string): Expr => ({ kind: 'col', name });
const KV: Schema = [field('k', 'int32'), field('v', 'int32')];
const AGGS: AggSpec[] = [
  { fn: 'sum', arg: c('v'), resultType: 'int64' }, { fn: 'count', arg: null, resultType: 'int64' },
  { fn: 'min', arg: c('v'), resultType: 'int32' }, { fn: 'max', arg: c('v'), resultType: 'int32' },
  { fn: 'avg', arg: c('v'), resultType: 'float64' },
];
const NAMES = ['s', 'n', 'lo', 'hi', 'a'];
const agg = () => createGroupedAggregator([c('k')], ['k'], AGGS, KV, NAMES);

type Row = { k: number | null; v: number | null };

/** sum, count(*), min, max, avg of v by k, from plain JS (NULL v skipped). */
function reference(rows: readonly Row[]): Map<string, unknown[]> {
  const m = new Map<string, { s: number; n: number; c: number; lo: number; hi: number }>();
  for (const { k, v } of rows) {
    const e = m.get(String(k)) ?? { s: 0, n: 0, c: 0, lo: Infinity, hi: -Infinity };
    e.n++;
    if (v !== null) { e.s += v; e.c++; e.lo = Math.min(e.lo, v); e.hi = Math.max(e.hi, v); }
    m.set(String(k), e);
  }
  return new Map([...m].map(([k, e]) => [k, e.c === 0 ? [null, e.n, null, null, null] : [e.s, e.n, e.lo, e.hi, e.s / e.c]]));
}

function asMap(batches: Batch[]): Map<string, unknown[]> {
  return new Map(batches.flatMap(batchToRows).map((r) => [String(r.k), NAMES.map((n) => r[n])]));
}

const batchOf = (rows: readonly Row[]) => rowsToBatch(KV, rows as Record<string, unknown>[]);

describe('keyed group table', () => {
  it('emits groups in key order, NULL first, and merges partials with NULL cells', () => {
    const rows: Row[] = [
      { k: 7, v: 1 }, { k: null, v: 2 }, { k: 3, v: null }, { k: 7, v: -4 }, { k: 5, v: 9 }, { k: 3, v: null }, { k: null, v: null },
    ];
    const a = agg();
    a.update(batchOf(rows));
    expect(a.result().flatMap(batchToRows).map((r) => r.k)).toEqual([null, 3, 5, 7]);
    // Two map tasks, one final: group 3 has only NULL values (NULL min/max/sum cells).
    const m1 = agg(), m2 = agg(), f = agg();
    m1.update(batchOf(rows.slice(0, 4)));
    m2.update(batchOf(rows.slice(4)));
    for (const p of [...m1.partial(), ...m2.partial()]) f.merge(p);
    expect(asMap(f.result())).toEqual(reference(rows));
  });

  it('widens its range both ways over many batches and matches a reference', () => {
    const r = rng(21);
    const a = agg();
    const all: Row[] = [];
    for (let j = 0; j < 12; j++) {
      // Each batch drifts further out on one side or the other; 5% NULL keys, 5% NULL values.
      const base = (j % 2 === 0 ? 1 : -1) * j * 3000;
      const rows = Array.from({ length: 2000 }, (): Row => ({
        k: r() < 0.05 ? null : base + Math.floor(r() * 2000), v: r() < 0.05 ? null : Math.floor(r() * 100) - 50,
      }));
      all.push(...rows);
      a.update(batchOf(rows));
    }
    const res = a.result();
    expect(asMap(res)).toEqual(reference(all));
    const keys = res.flatMap(batchToRows).map((x) => x.k as number | null);
    expect(keys).toEqual([...keys].sort((x, y) => (x === null ? -1 : y === null ? 1 : x - y))); // still keyed: key order
  });

  it('handles keys at the ends of int32 and moves to hashing when the range is too sparse', () => {
    const MIN = -2147483648, MAX = 2147483647;
    const low: Row[] = [{ k: MIN, v: 1 }, { k: MIN + 1, v: 2 }, { k: MIN, v: 3 }];
    const high: Row[] = [{ k: MAX, v: 4 }, { k: MAX - 2, v: 5 }];
    for (const parts of [[low], [high], [low, high], [high, low], [[...low, ...high]]]) {
      const a = agg();
      for (const p of parts) a.update(batchOf(p));
      expect(asMap(a.result())).toEqual(reference(parts.flat()));
    }
    // A sparse second batch: the groups so far move into a hash table, then new ones follow
    // in order of first appearance.
    const a = agg();
    a.update(batchOf([{ k: 10, v: 1 }, { k: 2, v: 1 }, { k: null, v: 1 }]));
    a.update(batchOf([{ k: 50_000_000, v: 1 }, { k: -7, v: 1 }, { k: 2, v: 5 }]));
    expect(a.result().flatMap(batchToRows).map((x) => [x.k, x.s])).toEqual([[null, 1], [2, 6], [10, 1], [50_000_000, 1], [-7, 1]]);
  });

  it('boolean and date keys with a fused filter', () => {
    const sch: Schema = [field('b', 'boolean'), field('d', 'date'), field('v', 'int32')];
    const rows = Array.from({ length: 500 }, (_, j) => ({ b: j % 5 === 0 ? null : j % 3 === 0, d: j % 7 === 0 ? null : 20000 + (j % 11), v: j }));
    const where: Expr = { kind: 'binary', op: '>', left: c('v'), right: { kind: 'lit', value: 100, type: 'int32' } };
    for (const key of ['b', 'd'] as const) {
      const a = createGroupedAggregator([c(key)], [key], [{ fn: 'sum', arg: c('v'), resultType: 'int64' }], sch, ['s'], where);
      a.update(rowsToBatch(sch, rows.slice(0, 200)));
      a.update(rowsToBatch(sch, rows.slice(200)));
      const want = new Map<string, number>();
      for (const x of rows) if (x.v > 100) want.set(String(key === 'd' && x.d !== null ? x.d * 86_400_000 : x[key]), (want.get(String(key === 'd' && x.d !== null ? x.d * 86_400_000 : x[key])) ?? 0) + x.v);
      const got = new Map(a.result().flatMap(batchToRows).map((x) => [String(x[key] instanceof Date ? (x[key] as Date).getTime() : x[key]), x.s]));
      expect(got).toEqual(want);
    }
  });
});

describe('recycled table memory', () => {
  const big = (seed: number, keys: number): Row[] => {
    const r = rng(seed);
    return Array.from({ length: 40_000 }, () => ({ k: Math.floor(r() * keys), v: Math.floor(r() * 1000) }));
  };

  it('a later aggregation reuses a finished one\'s memory and still starts from zero', () => {
    const first = big(1, 30_000), second = big(2, 30_000);
    const a = agg();
    a.update(batchOf(first));
    const partial = a.partial();
    expect(partial.reduce((s, p) => s + p.length, 0)).toBe(reference(first).size);
    const b = agg();
    b.update(batchOf(second)); // takes a's arrays (30,000 keys x 7 slots: over the recycling minimum)
    expect(asMap(b.result())).toEqual(reference(second));
    expect(() => a.result()).toThrow(/result after the aggregator's output was built and its memory went to another aggregation/);
    expect(() => a.update(batchOf(first))).toThrow(/update after/);
    expect(recycledBytes()).toBeLessThanOrEqual(32 << 20);
    // The partial taken before is a copy: merging it still gives the first input's groups.
    const f = agg();
    for (const p of partial) f.merge(p);
    expect(asMap(f.result())).toEqual(reference(first));
  });

  it('an aggregator updated again after partial() keeps its memory', () => {
    const first = big(5, 30_000), second = big(6, 30_000).map((x) => ({ k: x.k! + 30_000, v: x.v }));
    const a = agg();
    a.update(batchOf(first));
    a.partial();
    a.update(batchOf(second)); // widens its range: takes memory, and must not reclaim its own arrays
    const b = agg();
    b.update(batchOf(big(7, 30_000)));
    expect(asMap(a.result())).toEqual(reference([...first, ...second]));
  });

  it('hash tables recycle too (keys too sparse to be keyed)', () => {
    const spread = (rows: Row[]) => rows.map((x) => ({ k: x.k! * 100_003, v: x.v }));
    const first = spread(big(3, 20_000)), second = spread(big(4, 20_000));
    const a = agg();
    a.update(batchOf(first));
    expect(asMap(a.result())).toEqual(reference(first));
    const b = agg();
    b.update(makeBatch(KV, batchOf(second).columns, second.length));
    expect(asMap(b.result())).toEqual(reference(second));
  });
});
