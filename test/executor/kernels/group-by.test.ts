// Grouped aggregation against DuckDB, run the way a shuffle runs it: map tasks aggregate
// their batches (with selections), emit partials, hash-partition them on the keys; reduce
// tasks merge their buckets and emit results. Keys of every type, with NULLs, -0.0/0.0, NaN,
// empty vs NULL strings and non-ASCII text; every aggregate function; a fused filter; skewed
// keys; direct-addressing mode switches; more groups than one output batch holds.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { AggFn, Expr } from '../../../src/planner/expr.js';
import { type DataType, type Schema, field } from '../../../src/planner/types.js';
import { resolveExpr } from '../../../src/planner/resolve-expr.js';
import { type Batch, makeBatch, rowsToBatch, batchToRows } from '../../../src/executor/batch.js';
import type { AggSpec } from '../../../src/executor/ops/agg-kernels.js';
import { createGroupedAggregator, GROUP_BATCH_ROWS } from '../../../src/executor/kernels/group-by.js';
import { partitionBatch } from '../../../src/executor/kernels/partition.js';
import { rng } from '../../helpers/rng.js';


const SCHEMA: Schema = [
  field('rid', 'int32', false),
  // keys
  field('gi', 'int32'), field('gl', 'int64'), field('gx', 'float64'), field('gs', 'string'), field('gb', 'boolean'),
  field('gd', 'date'), field('gts', 'timestamp'),
  // values
  field('i', 'int32'), field('l', 'int64'), field('x', 'float64'), field('y', 'float64'), field('s', 'string'),
  field('bo', 'boolean'), field('d', 'date'), field('ts', 'timestamp'), field('nn', 'int32'),
];
const WORDS = ['paid', 'pending', 'é', 'ész', 'Zürich', '日本', '', 'a', 'ab', '😀', 'z', 'Z', '\uFF61'];
const KEY_WORDS = ['', 'é', '日本', 'a', 'ab', 'a\u0000', 'Zürich', '😀'];

function genRows(n: number, seed: number): Record<string, unknown>[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maybe = <T>(p: number, f: () => T): T | null => (r() < p ? null : f());
  return Array.from({ length: n }, (_, k) => ({
    rid: k,
    gi: maybe(0.1, () => Math.floor(r() * 7) - 3),
    gl: maybe(0.1, () => pick([0, -1, 2 ** 40, -(2 ** 45), 9_007_199_254_740_000])),
    gx: maybe(0.1, () => pick([0, -0, NaN, 1.5, -Infinity, 1e300])),
    gs: maybe(0.1, () => pick(KEY_WORDS)),
    gb: maybe(0.2, () => r() < 0.5),
    gd: maybe(0.1, () => 19000 + Math.floor(r() * 5)),
    gts: maybe(0.1, () => 1.7e12 + Math.floor(r() * 4) * 1000),
    i: maybe(0.15, () => Math.floor(r() * 2001) - 1000),
    l: maybe(0.1, () => Math.floor(r() * 2e12) - 1e12),
    x: maybe(0.1, () => (r() < 0.03 ? pick([NaN, -0, 0, Infinity]) : Math.round((r() * 200 - 100) * 100) / 100)),
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
      if (x === -Infinity) return "'-Infinity'::DOUBLE";
      if (Object.is(x, -0)) return "'-0.0'::DOUBLE";
      return `${x}::DOUBLE`;
    }
    case 'string': return `(${(v as string).split('\u0000').map((x) => `'${x.replace(/'/g, "''")}'`).join(' || chr(0) || ')})`;
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
  if (typeof v === 'number' && Object.is(v, -0)) return 0;
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

/** A row's key values as text (NULL, -0.0 = 0.0, NaN, ±Infinity, dates as numbers). */
function keyText(row: Record<string, unknown>, names: readonly string[]): string {
  return JSON.stringify(names.map((n) => {
    const v = norm(row[n]);
    return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
  }));
}

const c = (name: string): Expr => ({ kind: 'col', name });
const lit = (value: number, type: DataType = 'int32'): Expr => ({ kind: 'lit', value, type });

/** [name, fn, arg, DuckDB SQL] */
const AGGS: [string, AggFn, Expr | null, string][] = [
  ['cnt_star', 'count', null, 'count(*)'],
  ['cnt_i', 'count', c('i'), 'count(i)'],
  ['cnt_s', 'count', c('s'), 'count(s)'],
  ['cnt_nn', 'count', c('nn'), 'count(nn)'],
  ['sum_i', 'sum', c('i'), 'sum(i)'],
  ['sum_l', 'sum', c('l'), 'sum(l)'],
  ['sum_x', 'sum', c('x'), 'sum(x)'],
  ['sum_nn', 'sum', c('nn'), 'sum(nn)'],
  ['avg_i', 'avg', c('i'), 'avg(i)'],
  ['avg_y', 'avg', c('y'), 'avg(y)'],
  ['min_i', 'min', c('i'), 'min(i)'],
  ['max_l', 'max', c('l'), 'max(l)'],
  ['min_x', 'min', c('x'), 'min(x)'],
  ['max_x', 'max', c('x'), 'max(x)'],
  ['min_s', 'min', c('s'), 'min(s)'],
  ['max_s', 'max', c('s'), 'max(s)'],
  ['min_bo', 'min', c('bo'), 'min(bo)'],
  ['max_bo', 'max', c('bo'), 'max(bo)'],
  ['min_d', 'min', c('d'), 'min(d)'],
  ['max_ts', 'max', c('ts'), 'max(ts)'],
  ['max_nn', 'max', c('nn'), 'max(nn)'],
  ['cd_i', 'countDistinct', c('i'), 'count(DISTINCT i)'],
  ['cd_x', 'countDistinct', c('x'), 'count(DISTINCT x)'],
  ['cd_y', 'countDistinct', c('y'), 'count(DISTINCT y)'],
  ['cd_s', 'countDistinct', c('s'), 'count(DISTINCT s)'],
  ['cd_bo', 'countDistinct', c('bo'), 'count(DISTINCT bo)'],
  ['cd_d', 'countDistinct', c('d'), 'count(DISTINCT d)'],
  ['cd_nn', 'countDistinct', c('nn'), 'count(DISTINCT nn)'],
  ['sum_expr', 'sum', { kind: 'binary', op: '+', left: { kind: 'binary', op: '*', left: c('i'), right: lit(2) }, right: c('l') }, 'sum(i * 2 + l)'],
  ['max_str_expr', 'max', { kind: 'cast', child: c('i'), to: 'string' }, 'max(i::VARCHAR)'],
  ['cd_expr', 'countDistinct', { kind: 'binary', op: '%', left: c('i'), right: lit(7) }, 'count(DISTINCT i % 7)'],
];

function specs(aggs = AGGS): { specs: AggSpec[]; names: string[] } {
  const out: AggSpec[] = [];
  for (const [, fn, arg] of aggs) {
    const r = resolveExpr({ kind: 'agg', fn, arg }, SCHEMA, 'test');
    const e = r.expr as Extract<Expr, { kind: 'agg' }>;
    out.push({ fn, arg: e.arg, resultType: r.type });
  }
  return { specs: out, names: aggs.map((a) => a[0]) };
}

/** [key name, expression, DuckDB SQL] */
type Key = [string, Expr, string];
const K = (name: string): Key => [name, c(name), name];
const KEY_SETS: Key[][] = [
  [K('gi')], [K('gl')], [K('gx')], [K('gs')], [K('gb')], [K('gd')], [K('gts')],
  [K('gi'), K('gs')], [K('gx'), K('gb'), K('gd')], [K('gs'), K('gl'), K('gts')],
  [['gm', { kind: 'binary', op: '%', left: c('gi'), right: lit(3) }, 'gi % 3']],
  [['gc', { kind: 'coalesce', args: [c('gs'), { kind: 'lit', value: '~', type: 'string' }] }, "coalesce(gs, '~')"], K('gb')],
];

let inst: DuckDBInstance;
let con: DuckDBConnection;
const ROWS = genRows(3000, 11);

async function load(table: string, schema: Schema, rows: readonly Record<string, unknown>[]): Promise<void> {
  await con.run(`CREATE TABLE ${table} (${schema.map((f) => `${f.name} ${DUCK_TYPES[f.type]}`).join(', ')})`);
  for (let s = 0; s < rows.length; s += 1000) {
    const values = rows.slice(s, s + 1000).map((row) => `(${schema.map((f) => sqlLit(row[f.name], f.type)).join(', ')})`);
    await con.run(`INSERT INTO ${table} VALUES ${values.join(',\n')}`);
  }
}

beforeAll(async () => {
  inst = await DuckDBInstance.create(':memory:');
  con = await inst.connect();
  await load('t', SCHEMA, ROWS);
});

afterAll(() => { con?.closeSync(); });

async function oracle(keys: readonly Key[], where: string, aggs = AGGS, table = 't'): Promise<Record<string, unknown>[]> {
  const sel = [...keys.map(([n, , sql]) => `${sql} AS ${n}`), ...aggs.map(([n, , , sql]) => `${sql} AS ${n}`)];
  const r = await con.runAndReadAll(`SELECT ${sel.join(', ')} FROM ${table} WHERE ${where} GROUP BY ${keys.map(([, , sql]) => sql).join(', ')}`);
  return r.getRowObjectsJS() as Record<string, unknown>[];
}

/** Rows → map partitions of batches; every batch carries a selection dropping rid % 5 = 0. */
function mapInputs(rows: readonly Record<string, unknown>[], parts: number, perPart: number, schema = SCHEMA): Batch[][] {
  const out: Batch[][] = [];
  const size = Math.ceil(rows.length / (parts * perPart));
  for (let p = 0; p < parts; p++) {
    const batches: Batch[] = [];
    for (let q = 0; q < perPart; q++) {
      const chunk = rows.slice((p * perPart + q) * size, (p * perPart + q + 1) * size);
      const b = rowsToBatch(schema, chunk);
      const sel = Int32Array.from(chunk.map((r, k) => ((r.rid as number) % 5 === 0 ? -1 : k)).filter((k) => k >= 0));
      batches.push(makeBatch(schema, b.columns, b.length, sel));
    }
    out.push(batches);
  }
  return out;
}

function resolvedKeys(keys: readonly Key[], schema = SCHEMA): Expr[] {
  return keys.map(([, e]) => resolveExpr(e, schema, 'test key').expr);
}

/** Map side → partition partials on the keys → reduce side; the union of the reduce results. */
function shuffleAggregate(keys: readonly Key[], inputs: Batch[][], reducers: number, aggs = AGGS, where: Expr | null = null, schema = SCHEMA): Record<string, unknown>[] {
  const { specs: sp, names } = specs(aggs);
  const keyNames = keys.map(([n]) => n);
  const kexprs = resolvedKeys(keys, schema);
  const buckets: Batch[][] = Array.from({ length: reducers }, () => []);
  for (const batches of inputs) {
    const a = createGroupedAggregator(kexprs, keyNames, sp, schema, names, where);
    for (const b of batches) a.update(b);
    for (const p of a.partial()) {
      expect(p.schema).toEqual(a.partialSchema());
      expect(p.length).toBeLessThanOrEqual(GROUP_BATCH_ROWS);
      partitionBatch(p, keyNames.map((_, j) => j), reducers).forEach((part, r) => buckets[r]!.push(part));
    }
  }
  const out: Record<string, unknown>[] = [];
  for (const parts of buckets) {
    const f = createGroupedAggregator(kexprs, keyNames, sp, schema, names, where);
    for (const p of parts) f.merge(p);
    for (const b of f.result()) {
      expect(b.schema.map((x) => x.name)).toEqual([...keyNames, ...names]);
      out.push(...batchToRows(b));
    }
  }
  return out;
}

function compare(got: Record<string, unknown>[], want: Record<string, unknown>[], keyNames: readonly string[], aggNames: readonly string[]): void {
  const index = (rows: Record<string, unknown>[]) => {
    const m = new Map<string, Record<string, unknown>>();
    for (const r of rows) {
      const k = keyText(r, keyNames);
      expect(m.has(k), `group ${k} appears twice`).toBe(false);
      m.set(k, r);
    }
    return m;
  };
  const g = index(got), w = index(want);
  expect([...g.keys()].sort()).toEqual([...w.keys()].sort());
  const bad: string[] = [];
  for (const [k, wr] of w) {
    const gr = g.get(k)!;
    for (const n of aggNames) if (!same(gr[n], wr[n])) bad.push(`${k} ${n}: got ${String(gr[n])}, DuckDB ${String(wr[n])}`);
  }
  expect(bad).toEqual([]);
}

describe('grouped aggregation against DuckDB (map → partition → reduce)', () => {
  for (const keys of KEY_SETS) {
    const names = keys.map(([n]) => n);
    it(`group by ${names.join(', ')}`, async () => {
      const want = await oracle(keys, 'rid % 5 <> 0');
      const got = shuffleAggregate(keys, mapInputs(ROWS, 3, 2), 3);
      compare(got, want, names, AGGS.map((a) => a[0]));
    });
  }

  it('one task, one batch, no selection, equals DuckDB; the same as the shuffled run', async () => {
    const keys = [K('gs'), K('gi')];
    const want = await oracle(keys, 'true');
    const { specs: sp, names } = specs();
    const a = createGroupedAggregator(resolvedKeys(keys), ['gs', 'gi'], sp, SCHEMA, names);
    a.update(rowsToBatch(SCHEMA, ROWS));
    const single = a.result().flatMap(batchToRows);
    compare(single, want, ['gs', 'gi'], names);
    expect(a.groups()).toBe(want.length);
    const all = ROWS.map((r) => ({ ...r, rid: 1 })); // no row dropped by the selection
    compare(shuffleAggregate(keys, mapInputs(all, 4, 3), 5), single, ['gs', 'gi'], names);
  });

  it('fuses a filter: only rows where it IS TRUE aggregate or create groups', async () => {
    const keys = [K('gi'), K('gb')];
    const where = resolveExpr({ kind: 'binary', op: '>', left: c('i'), right: lit(300) }, SCHEMA, 'test').expr;
    const want = await oracle(keys, 'rid % 5 <> 0 AND i > 300');
    const got = shuffleAggregate(keys, mapInputs(ROWS, 2, 2), 2, AGGS, where);
    compare(got, want, ['gi', 'gb'], AGGS.map((a) => a[0]));
    // Direct-addressed key, slot aggregates only (all in the generated loop).
    const few = AGGS.filter(([, fn]) => fn !== 'countDistinct' && fn !== 'min' && fn !== 'max');
    compare(shuffleAggregate([K('gi')], mapInputs(ROWS, 2, 2), 2, few, where), await oracle([K('gi')], 'rid % 5 <> 0 AND i > 300', few), ['gi'], few.map((a) => a[0]));
  });

  it('skewed keys: one key holds 90% of the rows', async () => {
    const sch: Schema = [field('rid', 'int32', false), field('k', 'int32'), field('ks', 'string'), field('v', 'float64'), field('w', 'int32')];
    const r = rng(5);
    const rows = Array.from({ length: 10_000 }, (_, rid) => {
      const hot = r() < 0.9;
      const k = hot ? 7 : Math.floor(r() * 5000) * 1000; // spread: hash mode
      return { rid, k, ks: hot ? 'hot' : `cold-${k}`, v: Math.round(r() * 1000) / 10, w: Math.floor(r() * 100) };
    });
    await load('skew', sch, rows);
    const aggs: [string, AggFn, Expr | null, string][] = [
      ['n', 'count', null, 'count(*)'], ['sv', 'sum', c('v'), 'sum(v)'], ['mx', 'max', c('v'), 'max(v)'],
      ['cw', 'countDistinct', c('w'), 'count(DISTINCT w)'], ['aw', 'avg', c('w'), 'avg(w)'],
    ];
    const sp = aggs.map(([, fn, arg]) => {
      const res = resolveExpr({ kind: 'agg', fn, arg }, sch, 'test');
      return { fn, arg: (res.expr as Extract<Expr, { kind: 'agg' }>).arg, resultType: res.type };
    });
    for (const key of ['k', 'ks']) {
      const want = (await con.runAndReadAll(`SELECT ${key}, ${aggs.map(([n, , , sql]) => `${sql} AS ${n}`).join(', ')} FROM skew GROUP BY ${key}`)).getRowObjectsJS() as Record<string, unknown>[];
      const inputs = mapInputs(rows.map((x) => ({ ...x, rid: 1 })), 4, 3, sch);
      const buckets: Batch[][] = [[], [], []];
      for (const batches of inputs) {
        const a = createGroupedAggregator([c(key)], [key], sp, sch, aggs.map((x) => x[0]));
        for (const b of batches) a.update(b);
        for (const p of a.partial()) partitionBatch(p, [0], 3).forEach((part, q) => buckets[q]!.push(part));
      }
      const got = buckets.flatMap((parts) => {
        const f = createGroupedAggregator([c(key)], [key], sp, sch, aggs.map((x) => x[0]));
        for (const p of parts) f.merge(p);
        return f.result().flatMap(batchToRows);
      });
      compare(got, want, [key], aggs.map((x) => x[0]));
    }
  });
});

describe('grouped aggregation: shapes and edges', () => {
  const sum = (arg: Expr): AggSpec => ({ fn: 'sum', arg, resultType: 'int64' });
  const cnt: AggSpec = { fn: 'count', arg: null, resultType: 'int64' };
  const KV: Schema = [field('k', 'int32'), field('v', 'int32')];
  const kvBatch = (ks: readonly (number | null)[]) => rowsToBatch(KV, ks.map((k, j) => ({ k, v: j + 1 })));

  /** Reference sums and counts by key (text), from plain JS. */
  function reference(keys: readonly (number | null)[], offset = 0): Map<string, [number, number]> {
    const m = new Map<string, [number, number]>();
    keys.forEach((k, j) => {
      const e = m.get(String(k)) ?? [0, 0];
      e[0] += j + 1 + offset; e[1] += 1;
      m.set(String(k), e);
    });
    return m;
  }

  function asMap(batches: Batch[]): Map<string, [number, number]> {
    return new Map(batches.flatMap(batchToRows).map((r) => [String(r.k), [r.s as number, r.n as number]]));
  }

  it('empty input: no groups, no partial batches, no result rows', () => {
    const { specs: sp, names } = specs();
    const a = createGroupedAggregator([c('gi')], ['gi'], sp, SCHEMA, names);
    a.update(makeBatch(SCHEMA, rowsToBatch(SCHEMA, ROWS.slice(0, 5)).columns, 5, new Int32Array(0)));
    a.update(rowsToBatch(SCHEMA, []));
    expect(a.groups()).toBe(0);
    expect(a.partial()).toEqual([]);
    expect(a.result()).toEqual([]);
    const f = createGroupedAggregator([c('gi')], ['gi'], sp, SCHEMA, names);
    f.merge(rowsToBatch(a.partialSchema(), []));
    expect(f.result()).toEqual([]);
  });

  it('a direct-addressed int32 key grows its range both ways, then switches to hashing', () => {
    const a = createGroupedAggregator([c('k')], ['k'], [sum(c('v')), cnt], KV, ['s', 'n']);
    const r = rng(3);
    const all: (number | null)[] = [];
    const feed = (ks: (number | null)[]) => {
      const base = all.length;
      all.push(...ks);
      // v = position in `all` + 1, so the reference can recompute the sums.
      a.update(rowsToBatch(KV, ks.map((k, j) => ({ k, v: base + j + 1 }))));
    };
    feed(Array.from({ length: 500 }, () => Math.floor(r() * 100)));
    feed(Array.from({ length: 500 }, () => (r() < 0.1 ? null : Math.floor(r() * 400) - 200)));
    feed(Array.from({ length: 500 }, () => Math.floor(r() * 10) + 5000));
    const before = a.memoryBytes();
    feed([2_000_000_000, -2_000_000_000, 3, null, 2_147_483_647, -2_147_483_648]);
    feed(Array.from({ length: 2000 }, () => Math.floor(r() * 1e6) * 1000));
    feed(Array.from({ length: 500 }, () => Math.floor(r() * 100)));
    expect(asMap(a.result())).toEqual(reference(all));
    expect(a.groups()).toBe(new Set(all.map(String)).size);
    expect(a.memoryBytes()).toBeGreaterThan(before);
  });

  it('boolean and date keys (direct) and NULL keys in every mode', () => {
    const sch: Schema = [field('b', 'boolean'), field('d', 'date'), field('v', 'int32')];
    const rows = Array.from({ length: 300 }, (_, j) => ({ b: j % 7 === 0 ? null : j % 2 === 0, d: j % 11 === 0 ? null : 19000 + (j % 13), v: j }));
    for (const key of ['b', 'd']) {
      const a = createGroupedAggregator([c(key)], [key], [sum(c('v')), cnt], sch, ['s', 'n']);
      a.update(rowsToBatch(sch, rows.slice(0, 150)));
      a.update(rowsToBatch(sch, rows.slice(150)));
      const got = new Map(a.result().flatMap(batchToRows).map((x) => [String(norm(x[key])), [x.s, x.n]]));
      const want = new Map<string, [number, number]>();
      for (const row of rows) {
        const k = row[key as 'b' | 'd'] === null ? 'null' : String(key === 'd' ? (row.d as number) * 86_400_000 : row.b);
        const e = want.get(k) ?? [0, 0];
        e[0] += row.v; e[1] += 1;
        want.set(k, e);
      }
      expect(got).toEqual(want);
    }
  });

  it('more groups than one batch holds: partials and results come in batches of <= 65,536 rows', () => {
    const n = 70_000;
    const keys = Array.from({ length: n }, (_, j) => (j * 7919) % n);
    for (const spread of [1, 20_000]) { // direct, then hashed
      const ks = keys.map((k) => k * spread - 5);
      const sch: Schema = [field('k', 'int32'), field('v', 'int32')];
      const b = makeBatch(sch, [
        { type: 'int32', length: n, values: Int32Array.from(ks), offsets: null, valid: null },
        { type: 'int32', length: n, values: Int32Array.from({ length: n }, (_, j) => j % 3), offsets: null, valid: null },
      ], n);
      const a = createGroupedAggregator([c('k')], ['k'], [sum(c('v')), { fn: 'countDistinct', arg: c('v'), resultType: 'int64' }], sch, ['s', 'cd']);
      a.update(b);
      a.update(b);
      const partial = a.partial();
      expect(partial.map((p) => p.length)).toEqual([65_536, n - 65_536]);
      const f = createGroupedAggregator([c('k')], ['k'], [sum(c('v')), { fn: 'countDistinct', arg: c('v'), resultType: 'int64' }], sch, ['s', 'cd']);
      for (const p of partial) f.merge(p);
      const res = f.result();
      expect(res.map((x) => x.length)).toEqual([65_536, n - 65_536]);
      // Every key once; s = 2 * (v of the key's row), cd = 1.
      const pos = new Map(ks.map((k, j) => [k, j]));
      const seen = new Set<number>();
      for (const r of res) {
        const [k, s, cd] = r.columns.map((v) => v.values);
        for (let i = 0; i < r.length; i++) {
          const j = pos.get(k![i]!)!;
          seen.add(j);
          if (s![i] !== 2 * (j % 3) || cd![i] !== 1) throw new Error(`key ${k![i]}: s ${s![i]}, cd ${cd![i]}`);
        }
      }
      expect(seen.size).toBe(n);
    }
  });

  it('countDistinct partials take as many rows per group as its largest set', () => {
    const sch: Schema = [field('k', 'string'), field('a', 'float64'), field('b', 'string')];
    const sp: AggSpec[] = [cnt, { fn: 'countDistinct', arg: c('a'), resultType: 'int64' }, { fn: 'countDistinct', arg: c('b'), resultType: 'int64' }, { fn: 'min', arg: c('b'), resultType: 'string' }];
    const agg = createGroupedAggregator([c('k')], ['k'], sp, sch, ['n', 'da', 'db', 'mb']);
    agg.update(rowsToBatch(sch, [
      { k: 'x', a: 0, b: 'p' }, { k: 'x', a: -0, b: 'q' }, { k: 'x', a: NaN, b: 'p' }, { k: 'x', a: NaN, b: 'r' },
      { k: 'y', a: null, b: null }, { k: 'x', a: 1, b: null }, { k: null, a: 2, b: '' },
    ]));
    const rows = agg.partial().flatMap(batchToRows);
    expect(rows.map((r) => r.k)).toEqual(['x', 'x', 'x', 'y', null]);
    expect(rows.map((r) => r['n#0.count'])).toEqual([5, null, null, 1, 1]);
    expect(rows.map((r) => r['mb#3.min'])).toEqual(['p', null, null, null, '']);
    expect(rows.slice(0, 3).map((r) => r['da#1.distinct'])).toEqual([0, NaN, 1]);
    expect(rows.slice(0, 3).map((r) => r['db#2.distinct'])).toEqual(['p', 'q', 'r']);
    const res = agg.result().flatMap(batchToRows);
    expect(res).toEqual([
      { k: 'x', n: 5, da: 3, db: 3, mb: 'p' }, { k: 'y', n: 1, da: 0, db: 0, mb: null }, { k: null, n: 1, da: 1, db: 1, mb: '' },
    ]);
  });

  it('keeps its own copies of keys: a borrowed batch may be overwritten after update', () => {
    const sch: Schema = [field('s', 'string'), field('v', 'int32')];
    const b = rowsToBatch(sch, [{ s: 'alpha', v: 1 }, { s: 'beta', v: 2 }, { s: 'alpha', v: 3 }]);
    const lent = makeBatch(sch, b.columns, b.length, null, true);
    const a = createGroupedAggregator([c('s')], ['s'], [sum(c('v')), { fn: 'max', arg: c('s'), resultType: 'string' }], sch, ['t', 'm']);
    a.update(lent);
    (b.columns[0]!.values as Uint8Array).fill(0x21);
    expect(a.result().flatMap(batchToRows)).toEqual([{ s: 'alpha', t: 4, m: 'alpha' }, { s: 'beta', t: 2, m: 'beta' }]);
  });

  it('merges a partial with a selection (only live rows count)', () => {
    const a = createGroupedAggregator([c('k')], ['k'], [sum(c('v')), cnt], KV, ['s', 'n']);
    a.update(kvBatch([1, 2, 1, 3]));
    const [p] = a.partial();
    const f = createGroupedAggregator([c('k')], ['k'], [sum(c('v')), cnt], KV, ['s', 'n']);
    f.merge(makeBatch(p!.schema, p!.columns, p!.length, Int32Array.from([0, 2])));
    expect(f.result().flatMap(batchToRows)).toEqual([{ k: 1, s: 4, n: 2 }, { k: 3, s: 4, n: 1 }]);
  });

  it('sums and counts by many keys match a plain-JS reference (hash mode, several batches)', () => {
    const r = rng(9);
    const ks = Array.from({ length: 30_000 }, () => (r() < 0.05 ? null : Math.floor(r() * 5000) * 977));
    const a = createGroupedAggregator([c('k')], ['k'], [sum(c('v')), cnt], KV, ['s', 'n']);
    for (let s = 0; s < ks.length; s += 4096) {
      const part = ks.slice(s, s + 4096);
      a.update(rowsToBatch(KV, part.map((k, j) => ({ k, v: s + j + 1 }))));
    }
    expect(asMap(a.result())).toEqual(reference(ks));
  });

  it('keys may share a name (merge reads partial keys by position)', () => {
    const mk = () => createGroupedAggregator([c('k'), c('v')], ['x', 'x'], [cnt], KV, ['n']);
    const a = mk();
    a.update(kvBatch([1, 1, 2]));
    a.update(kvBatch([1]));
    const f = mk();
    for (const p of a.partial()) f.merge(p);
    const cols = f.result()[0]!.columns.map((v) => Array.from(v.values));
    expect(cols).toEqual([[1, 1, 2], [1, 2, 3], [2, 1, 1]]);
  });

  it('says what is wrong with its arguments and with a foreign partial', () => {
    expect(() => createGroupedAggregator([c('k')], ['k', 'x'], [cnt], KV, ['n'])).toThrow(/1 keys but 2 key names/);
    expect(() => createGroupedAggregator([], [], [cnt], KV, ['n'])).toThrow(/no grouping keys/);
    expect(() => createGroupedAggregator([c('k')], ['k'], [cnt], KV, [])).toThrow(/1 aggregates but 0 output names/);
    expect(() => createGroupedAggregator([c('nope')], ['k'], [cnt], KV, ['n'])).toThrow(/column 'nope' is not in the input/);
    const a = createGroupedAggregator([c('k')], ['k'], [cnt], KV, ['n']);
    expect(() => a.merge(kvBatch([1]))).toThrow(/partial column 1 \('n#0.count'\) is int32, expected int64/);
    expect(() => a.merge(rowsToBatch([field('k', 'int32')], []))).toThrow(/partial batch has 1 columns, expected 2/);
  });
});
