// Whole-dataset aggregation: partitions → partial → merge → result, against DuckDB on the same
// live rows (generated data with nulls, NaN, ±0.0, ±Infinity, non-ASCII strings).
// DuckDB agrees with Spark on what is tested here: NaN is the largest double for min/max,
// count(DISTINCT) treats -0.0 = 0.0 and NaN as one value. (Where they differ elsewhere —
// x/0 is NULL in Spark, Infinity/NaN in DuckDB — the SQL is written out Spark's way.)
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { AggFn, Expr } from '../../src/planner/expr.js';
import { type DataType, type Schema, field } from '../../src/planner/types.js';
import { resolveExpr } from '../../src/planner/resolve-expr.js';
import { type Batch, makeBatch, rowsToBatch, batchToRows, concatBatches } from '../../src/executor/batch.js';
import { createGlobalAggregator, type AggSpec } from '../../src/executor/ops/agg-kernels.js';
import { rng } from '../helpers/rng.js';


const SCHEMA: Schema = [
  field('rid', 'int32', false), field('i', 'int32'), field('l', 'int64'), field('x', 'float64'),
  field('y', 'float64'), field('s', 'string'), field('bo', 'boolean'), field('d', 'date'),
  field('ts', 'timestamp'), field('nn', 'int32'),
];
const WORDS = ['paid', 'pending', 'é', 'ész', 'Zürich', '日本', '', 'a', 'ab', '😀', 'z', 'Z', '\uFF61'];

function genRows(n: number, seed: number): Record<string, unknown>[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maybe = <T>(p: number, f: () => T): T | null => (r() < p ? null : f());
  return Array.from({ length: n }, (_, k) => ({
    rid: k,
    i: maybe(0.15, () => Math.floor(r() * 2001) - 1000),
    l: maybe(0.1, () => Math.floor(r() * 2e12) - 1e12),
    x: maybe(0.1, () => (r() < 0.02 ? pick([NaN, -0, 0, Infinity]) : Math.round((r() * 200 - 100) * 100) / 100)),
    y: maybe(0.1, () => (r() < 0.05 ? pick([-0, 0]) : Math.round((r() * 20 - 10) * 1000) / 1000)),
    s: maybe(0.15, () => pick(WORDS)),
    bo: maybe(0.2, () => r() < 0.5),
    d: maybe(0.1, () => 18000 + Math.floor(r() * 2500)),
    ts: maybe(0.1, () => 1.5e12 + Math.floor(r() * 3e11)),
    nn: null,
  }));
}

function sqlLit(v: unknown, type: DataType): string {
  if (v === null || v === undefined) return 'NULL';
  switch (type) {
    case 'float64': {
      const x = v as number;
      if (x !== x) return "'NaN'::DOUBLE";
      if (x === Infinity) return "'Infinity'::DOUBLE";
      if (Object.is(x, -0)) return "'-0.0'::DOUBLE";
      return `${x}::DOUBLE`;
    }
    case 'string': return `'${(v as string).replace(/'/g, "''")}'`;
    case 'date': return `DATE '${new Date((v as number) * 86_400_000).toISOString().slice(0, 10)}'`;
    case 'timestamp': return `TIMESTAMP '${new Date(v as number).toISOString().replace('T', ' ').replace('Z', '')}'`;
    default: return String(v);
  }
}

const DUCK_TYPES: Record<DataType, string> = {
  int32: 'INTEGER', int64: 'BIGINT', float64: 'DOUBLE', string: 'VARCHAR', boolean: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMP',
};

function norm(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  return v;
}

function same(a: unknown, b: unknown): boolean {
  a = norm(a); b = norm(b);
  if (typeof a === 'number' && typeof b === 'number') {
    if (a !== a) return b !== b;
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}

const c = (name: string): Expr => ({ kind: 'col', name });

/** [name, fn, arg, DuckDB SQL] */
const AGGS: [string, AggFn, Expr | null, string][] = [
  ['cnt_star', 'count', null, 'count(*)'],
  ['cnt_i', 'count', c('i'), 'count(i)'],
  ['cnt_s', 'count', c('s'), 'count(s)'],
  ['cnt_nn', 'count', c('nn'), 'count(nn)'],
  ['sum_i', 'sum', c('i'), 'sum(i)'],
  ['sum_l', 'sum', c('l'), 'sum(l)'],
  ['sum_x', 'sum', c('x'), 'sum(x)'],
  ['sum_y', 'sum', c('y'), 'sum(y)'],
  ['sum_nn', 'sum', c('nn'), 'sum(nn)'],
  ['avg_i', 'avg', c('i'), 'avg(i)'],
  ['avg_y', 'avg', c('y'), 'avg(y)'],
  ['avg_nn', 'avg', c('nn'), 'avg(nn)'],
  ['min_i', 'min', c('i'), 'min(i)'],
  ['max_i', 'max', c('i'), 'max(i)'],
  ['min_l', 'min', c('l'), 'min(l)'],
  ['max_l', 'max', c('l'), 'max(l)'],
  ['min_x', 'min', c('x'), 'min(x)'],
  ['max_x', 'max', c('x'), 'max(x)'],
  ['min_y', 'min', c('y'), 'min(y)'],
  ['max_y', 'max', c('y'), 'max(y)'],
  ['min_s', 'min', c('s'), 'min(s)'],
  ['max_s', 'max', c('s'), 'max(s)'],
  ['min_bo', 'min', c('bo'), 'min(bo)'],
  ['max_bo', 'max', c('bo'), 'max(bo)'],
  ['min_d', 'min', c('d'), 'min(d)'],
  ['max_ts', 'max', c('ts'), 'max(ts)'],
  ['min_nn', 'min', c('nn'), 'min(nn)'],
  ['cd_i', 'countDistinct', c('i'), 'count(DISTINCT i)'],
  ['cd_x', 'countDistinct', c('x'), 'count(DISTINCT x)'],
  ['cd_y', 'countDistinct', c('y'), 'count(DISTINCT y)'],
  ['cd_s', 'countDistinct', c('s'), 'count(DISTINCT s)'],
  ['cd_bo', 'countDistinct', c('bo'), 'count(DISTINCT bo)'],
  ['cd_d', 'countDistinct', c('d'), 'count(DISTINCT d)'],
  ['cd_nn', 'countDistinct', c('nn'), 'count(DISTINCT nn)'],
  ['sum_expr', 'sum', { kind: 'binary', op: '+', left: { kind: 'binary', op: '*', left: c('i'), right: { kind: 'lit', value: 2, type: 'int32' } }, right: c('l') }, 'sum(i * 2 + l)'],
  ['avg_expr', 'avg', { kind: 'binary', op: '/', left: c('x'), right: c('y') }, 'avg(CASE WHEN y = 0 THEN NULL ELSE x / y END)'],
  ['max_str_expr', 'max', { kind: 'cast', child: c('i'), to: 'string' }, 'max(i::VARCHAR)'],
  ['min_str_coalesce', 'min', { kind: 'coalesce', args: [c('s'), { kind: 'lit', value: '~', type: 'string' }] }, "min(coalesce(s, '~'))"],
  ['cd_expr', 'countDistinct', { kind: 'binary', op: '%', left: c('i'), right: { kind: 'lit', value: 7, type: 'int32' } }, 'count(DISTINCT i % 7)'],
  ['cnt_cond', 'count', { kind: 'case', branches: [{ when: { kind: 'binary', op: '>', left: c('x'), right: { kind: 'lit', value: 0, type: 'int32' } }, then: c('i') }], otherwise: null }, 'count(CASE WHEN x > 0 THEN i END)'],
];

function specs(): { specs: AggSpec[]; names: string[] } {
  const out: AggSpec[] = [];
  for (const [, fn, arg] of AGGS) {
    const r = resolveExpr({ kind: 'agg', fn, arg }, SCHEMA, 'test');
    const e = r.expr as Extract<Expr, { kind: 'agg' }>;
    out.push({ fn, arg: e.arg, resultType: r.type });
  }
  return { specs: out, names: AGGS.map((a) => a[0]) };
}

let inst: DuckDBInstance;
let con: DuckDBConnection;
const ROWS = genRows(4000, 99);

beforeAll(async () => {
  inst = await DuckDBInstance.create(':memory:');
  con = await inst.connect();
  await con.run(`CREATE TABLE t (${SCHEMA.map((f) => `${f.name} ${DUCK_TYPES[f.type]}`).join(', ')})`);
  for (let s = 0; s < ROWS.length; s += 500) {
    const values = ROWS.slice(s, s + 500).map((row) => `(${SCHEMA.map((f) => sqlLit(row[f.name], f.type)).join(', ')})`);
    await con.run(`INSERT INTO t VALUES ${values.join(',\n')}`);
  }
});

afterAll(() => { con?.closeSync(); });

async function oracle(where: string): Promise<Record<string, unknown>> {
  const r = await con.runAndReadAll(`SELECT ${AGGS.map(([n, , , sql]) => `${sql} AS ${n}`).join(', ')} FROM t WHERE ${where}`);
  return r.getRowObjectsJS()[0]!;
}

/** Rows → partitions of batches; every batch carries a selection dropping rid % 5 = 0. */
function partitions(rows: Record<string, unknown>[], parts: number, perPart: number): Batch[][] {
  const out: Batch[][] = [];
  const size = Math.ceil(rows.length / (parts * perPart));
  for (let p = 0; p < parts; p++) {
    const batches: Batch[] = [];
    for (let q = 0; q < perPart; q++) {
      const chunk = rows.slice((p * perPart + q) * size, (p * perPart + q + 1) * size);
      const b = rowsToBatch(SCHEMA, chunk);
      const sel = Int32Array.from(chunk.map((r, k) => ((r.rid as number) % 5 === 0 ? -1 : k)).filter((k) => k >= 0));
      batches.push(makeBatch(SCHEMA, b.columns, b.length, sel));
    }
    out.push(batches);
  }
  return out;
}

function runDistributed(parts: Batch[][]): { result: Record<string, unknown>; partials: Batch[] } {
  const { specs: sp, names } = specs();
  const partials = parts.map((batches) => {
    const a = createGlobalAggregator(sp, SCHEMA, names);
    for (const b of batches) a.update(b);
    const p = a.partial();
    expect(p.schema).toEqual(a.partialSchema());
    return p;
  });
  const final = createGlobalAggregator(sp, SCHEMA, names);
  for (const p of partials) final.merge(p);
  const res = final.result();
  expect(res.length).toBe(1);
  expect(res.schema.map((f) => f.name)).toEqual(names);
  return { result: batchToRows(res)[0]!, partials };
}

function compare(got: Record<string, unknown>, want: Record<string, unknown>): void {
  const bad = AGGS.map(([n]) => n).filter((n) => !same(got[n], want[n])).map((n) => `${n}: got ${String(got[n])}, DuckDB ${String(want[n])}`);
  expect(bad).toEqual([]);
}

describe('global aggregation against DuckDB', () => {
  it('partitions → partials → merge → result', async () => {
    const want = await oracle('rid % 5 <> 0');
    const { result } = runDistributed(partitions(ROWS, 3, 2));
    compare(result, want);
  });

  it('one partition, one batch, no selection', async () => {
    const want = await oracle('true');
    const { specs: sp, names } = specs();
    const a = createGlobalAggregator(sp, SCHEMA, names);
    a.update(rowsToBatch(SCHEMA, ROWS));
    compare(batchToRows(a.result())[0]!, want);
  });

  it('concatenated partials merge like separate ones (NULL cells contribute nothing)', async () => {
    const want = await oracle('rid % 5 <> 0');
    const { partials } = runDistributed(partitions(ROWS, 4, 1));
    const { specs: sp, names } = specs();
    const a = createGlobalAggregator(sp, SCHEMA, names);
    const all = concatBatches(partials[0]!.schema, partials);
    expect(all.length).toBeGreaterThan(4); // distinct values make partials multi-row
    a.merge(all);
    compare(batchToRows(a.result())[0]!, want);
    // A partial with a selection: only live rows count.
    const b = createGlobalAggregator(sp, SCHEMA, names);
    b.merge(makeBatch(all.schema, all.columns, all.length, Int32Array.from([])));
    expect(batchToRows(b.result())[0]!.cnt_star).toBe(0);
  });

  it('empty input: count 0, everything else NULL', async () => {
    const want = await oracle('false');
    const { specs: sp, names } = specs();
    const a = createGlobalAggregator(sp, SCHEMA, names);
    a.update(makeBatch(SCHEMA, rowsToBatch(SCHEMA, ROWS.slice(0, 10)).columns, 10, new Int32Array(0)));
    const p = a.partial();
    expect(p.length).toBe(1);
    const final = createGlobalAggregator(sp, SCHEMA, names);
    final.merge(p);
    compare(batchToRows(final.result())[0]!, want);
    compare(batchToRows(createGlobalAggregator(sp, SCHEMA, names).result())[0]!, want);
  });

  it('partials keep the state one row deep and distinct values one per row', () => {
    const sch: Schema = [field('v', 'float64'), field('s', 'string')];
    const sp: AggSpec[] = [
      { fn: 'sum', arg: c('v'), resultType: 'float64' },
      { fn: 'countDistinct', arg: c('v'), resultType: 'int64' },
      { fn: 'min', arg: c('s'), resultType: 'string' },
    ];
    const a = createGlobalAggregator(sp, sch, ['s', 'cd', 'm']);
    a.update(rowsToBatch(sch, [{ v: 1, s: 'b' }, { v: -0, s: 'é' }, { v: 0, s: null }, { v: NaN, s: 'a' }, { v: NaN, s: 'a' }, { v: null, s: 'c' }]));
    expect(a.partialSchema().map((f) => `${f.name}:${f.type}`)).toEqual([
      's#0.sum:float64', 's#0.count:int64', 'cd#1.distinct:float64', 'm#2.min:string',
    ]);
    const rows = batchToRows(a.partial());
    expect(rows.length).toBe(3); // {1, 0, NaN}
    expect(rows.map((r) => r['s#0.count'])).toEqual([5, null, null]);
    expect(rows.map((r) => r['m#2.min'])).toEqual(['a', null, null]);
    expect(new Set(rows.map((r) => r['cd#1.distinct']))).toEqual(new Set([1, 0, NaN]));
    const res = batchToRows(a.result())[0]!;
    expect(res.s).toBeNaN();
    expect(res.cd).toBe(3);
  });

  it('min/max follow Spark NaN order; strings by UTF-8 bytes', () => {
    const sch: Schema = [field('v', 'float64'), field('s', 'string')];
    const sp: AggSpec[] = [
      { fn: 'min', arg: c('v'), resultType: 'float64' }, { fn: 'max', arg: c('v'), resultType: 'float64' },
      { fn: 'min', arg: c('s'), resultType: 'string' }, { fn: 'max', arg: c('s'), resultType: 'string' },
    ];
    const names = ['mn', 'mx', 'smn', 'smx'];
    const a = createGlobalAggregator(sp, sch, names);
    a.update(rowsToBatch(sch, [{ v: NaN, s: '😀' }, { v: 3, s: '\uFF61' }, { v: -Infinity, s: 'z' }]));
    expect(batchToRows(a.result())[0]).toEqual({ mn: -Infinity, mx: NaN, smn: 'z', smx: '😀' });
    const b = createGlobalAggregator(sp, sch, names);
    b.update(rowsToBatch(sch, [{ v: NaN, s: null }, { v: NaN, s: null }]));
    const r = batchToRows(b.result())[0]!;
    expect(r.mn).toBeNaN();
    expect(r.smn).toBeNull();
  });

  it('rejects a partial of the wrong shape with a clear message', () => {
    const a = createGlobalAggregator([{ fn: 'count', arg: null, resultType: 'int64' }], SCHEMA, ['n']);
    expect(() => a.merge(rowsToBatch([field('a', 'int64'), field('b', 'int64')], []))).toThrow(/partial batch has 2 columns, expected 1/);
  });
});
