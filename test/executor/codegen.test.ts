// The expression compiler: results against DuckDB on generated data (nulls, NaN, -0.0,
// non-ASCII strings), with and without a selection vector; then the Spark-specific corners
// DuckDB does not share (division by zero, int wrap-around, casts, NaN ordering) by hand.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { BinaryOp, Expr, LitValue } from '../../src/planner/expr.js';
import { type DataType, type Schema, field } from '../../src/planner/types.js';
import { resolveExpr } from '../../src/planner/resolve-expr.js';
import { type Batch, type Vec, makeBatch, rowsToBatch, vecGet } from '../../src/executor/batch.js';
import { compileExpr } from '../../src/executor/codegen/compile-expr.js';
import { compileFilter } from '../../src/executor/codegen/compile-filter.js';
import { kernelCacheStats } from '../../src/executor/codegen/cache.js';
import { formatDouble, cmpBytes } from '../../src/executor/codegen/strings.js';
import { rng } from '../helpers/rng.js';

// ---------------------------------------------------------------- a tiny expression DSL

const c = (name: string): Expr => ({ kind: 'col', name });
const L = (value: LitValue, type?: DataType): Expr => ({
  kind: 'lit', value,
  type: type ?? (typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean'
    : typeof value === 'number' && Number.isInteger(value) && !Object.is(value, -0) ? 'int32' : 'float64'),
});
const bin = (op: BinaryOp) => (l: Expr, r: Expr): Expr => ({ kind: 'binary', op, left: l, right: r });
const [add, sub, mul, div, mod] = (['+', '-', '*', '/', '%'] as const).map(bin);
const [eq, ne, lt, le, gt, ge] = (['=', '!=', '<', '<=', '>', '>='] as const).map(bin);
const and = bin('and'), or = bin('or');
const not = (e: Expr): Expr => ({ kind: 'not', child: e });
const neg = (e: Expr): Expr => ({ kind: 'neg', child: e });
const isNull = (e: Expr, negated = false): Expr => ({ kind: 'isNull', child: e, negated });
const isIn = (e: Expr, ...values: Expr[]): Expr => ({ kind: 'in', child: e, values });
const cast = (e: Expr, to: DataType): Expr => ({ kind: 'cast', child: e, to });
const when = (branches: [Expr, Expr][], otherwise: Expr | null = null): Expr =>
  ({ kind: 'case', branches: branches.map(([w, t]) => ({ when: w, then: t })), otherwise });
const coalesce = (...args: Expr[]): Expr => ({ kind: 'coalesce', args });

// ---------------------------------------------------------------- generated data


const SCHEMA: Schema = [
  field('rid', 'int32', false), field('i', 'int32'), field('j', 'int32'), field('l', 'int64'),
  field('x', 'float64'), field('y', 'float64'), field('s', 'string'), field('t', 'string'),
  field('bo', 'boolean'), field('d', 'date'), field('ts', 'timestamp'),
];
const WORDS = ['paid', 'pending', 'é', 'ész', 'Zürich', '日本', '', 'a', 'ab', '😀', 'z', 'Z', "it's"];
const SPECIAL_X = [NaN, -0, 0, 1.5, Infinity, -Infinity, 100];

function genRows(n: number): Record<string, unknown>[] {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maybe = <T>(p: number, f: () => T): T | null => (r() < p ? null : f());
  const rows: Record<string, unknown>[] = [];
  for (let k = 0; k < n; k++) {
    rows.push({
      rid: k,
      i: maybe(0.15, () => Math.floor(r() * 101) - 50),
      j: maybe(0.1, () => Math.floor(r() * 11) - 5),
      l: maybe(0.1, () => Math.floor(r() * 2_000_001) - 1_000_000),
      x: maybe(0.1, () => (r() < 0.3 ? pick(SPECIAL_X) : Math.round((r() * 200 - 100) * 100) / 100)),
      y: r() < 0.1 ? 0 : Math.round((r() * 20 - 10) * 1000) / 1000,
      s: maybe(0.15, () => pick(WORDS)),
      t: pick(WORDS),
      bo: maybe(0.2, () => r() < 0.5),
      d: maybe(0.1, () => 18000 + Math.floor(r() * 2500)),
      ts: maybe(0.1, () => 1.5e12 + Math.floor(r() * 3e11)),
    });
  }
  return rows;
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
    case 'string': return `'${(v as string).replace(/'/g, "''")}'`;
    case 'date': return `DATE '${new Date((v as number) * 86_400_000).toISOString().slice(0, 10)}'`;
    case 'timestamp': return `TIMESTAMP '${new Date(v as number).toISOString().replace('T', ' ').replace('Z', '')}'`;
    default: return String(v);
  }
}

const DUCK_TYPES: Record<DataType, string> = {
  int32: 'INTEGER', int64: 'BIGINT', float64: 'DOUBLE', string: 'VARCHAR', boolean: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMP',
};

/** Normalises a value for comparison: bigint → number, Date → epoch ms. */
function norm(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  if (v && typeof v === 'object' && 'micros' in (v as object)) return Number((v as { micros: bigint }).micros) / 1000;
  if (v && typeof v === 'object' && 'days' in (v as object)) return (v as { days: number }).days * 86_400_000;
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

function vecValues(v: Vec, rows: readonly number[]): unknown[] {
  return rows.map((i) => vecGet(v, i));
}

// ---------------------------------------------------------------- DuckDB oracle

const N = 3000;
let con: DuckDBConnection;
let inst: DuckDBInstance;
const ROWS = genRows(N);
const BATCH = rowsToBatch(SCHEMA, ROWS);
const SEL = Int32Array.from({ length: N }, (_, k) => k).filter((k) => k % 3 !== 1);
const SEL_BATCH = makeBatch(SCHEMA, BATCH.columns, N, SEL);

beforeAll(async () => {
  inst = await DuckDBInstance.create(':memory:');
  con = await inst.connect();
  await con.run(`CREATE TABLE t (${SCHEMA.map((f) => `${f.name} ${DUCK_TYPES[f.type]}`).join(', ')})`);
  for (let s = 0; s < N; s += 500) {
    const values = ROWS.slice(s, s + 500).map((row) => `(${SCHEMA.map((f) => sqlLit(row[f.name], f.type)).join(', ')})`);
    await con.run(`INSERT INTO t VALUES ${values.join(',\n')}`);
  }
});

afterAll(() => {
  con?.closeSync();
});

async function oracle(sql: string): Promise<unknown[]> {
  const r = await con.runAndReadAll(`SELECT ${sql} AS r FROM t ORDER BY rid`);
  return r.getRowObjectsJS().map((row) => row.r);
}

function evalExpr(e: Expr, b: Batch = BATCH): { values: unknown[]; type: DataType; vec: Vec } {
  const r = resolveExpr(e, SCHEMA, 'test');
  const vec = compileExpr(r.expr, SCHEMA)(b);
  expect(vec.length).toBe(b.length);
  expect(vec.type).toBe(r.type);
  const rows = b.sel ? [...b.sel] : [...Array(b.length).keys()];
  return { values: vecValues(vec, rows), type: r.type, vec };
}

async function checkAgainstDuckDB(e: Expr, sql: string): Promise<void> {
  const want = await oracle(sql);
  const dense = evalExpr(e).values;
  const selected = evalExpr(e, SEL_BATCH).values;
  const bad: string[] = [];
  for (let k = 0; k < N && bad.length < 5; k++) {
    if (!same(dense[k], want[k])) bad.push(`row ${k}: got ${String(dense[k])}, DuckDB ${String(want[k])} (${JSON.stringify(ROWS[k])})`);
  }
  [...SEL].forEach((row, k) => {
    if (bad.length < 5 && !same(selected[k], want[row])) bad.push(`selected row ${row}: got ${String(selected[k])}, DuckDB ${String(want[row])}`);
  });
  expect(bad, `${sql}\n${bad.join('\n')}`).toEqual([]);
  // The filter agrees with the expression: rows where it IS TRUE.
  if (evalExpr(e).type === 'boolean') {
    const r = resolveExpr(e, SCHEMA, 'test');
    const f = compileFilter(r.expr, SCHEMA);
    const expected = [...Array(N).keys()].filter((k) => want[k] === true);
    const got = f(BATCH);
    expect(got === null ? [...Array(N).keys()] : [...got]).toEqual(expected);
    const gotSel = f(SEL_BATCH);
    expect(gotSel === null ? [...SEL] : [...gotSel]).toEqual(expected.filter((k) => k % 3 !== 1));
  }
}

// Spark semantics written in DuckDB SQL where the engines differ (x/0 and x%0 are NULL in Spark).
const sparkDiv = (a: string, b: string) => `CASE WHEN ${b} = 0 THEN NULL ELSE (${a})::DOUBLE / (${b}) END`;
const sparkMod = (a: string, b: string) => `CASE WHEN ${b} = 0 THEN NULL ELSE (${a}) % (${b}) END`;

const CASES: [string, Expr, string][] = [
  ['int32 +', add(c('i'), c('j')), 'i + j'],
  ['int32 -', sub(c('i'), c('j')), 'i - j'],
  ['int32 *', mul(c('i'), c('j')), 'i * j'],
  ['int32 % (by 0 → NULL)', mod(c('i'), c('j')), sparkMod('i', 'j')],
  ['int / int is float division, /0 → NULL', div(c('i'), c('j')), sparkDiv('i', 'j')],
  ['int64 arithmetic', add(mul(c('l'), L(3)), c('i')), 'l * 3 + i'],
  ['int64 %', mod(c('l'), c('j')), sparkMod('l', 'j')],
  ['float64 + - *', sub(mul(add(c('x'), c('y')), c('y')), c('x')), '(x + y) * y - x'],
  ['float64 /', div(c('x'), c('y')), sparkDiv('x', 'y')],
  ['float64 %', mod(c('x'), c('y')), sparkMod('x', 'y')],
  ['mixed int + float', add(c('i'), c('x')), 'i + x'],
  ['neg', add(neg(c('i')), neg(c('x'))), '(-i) + (-x)'],
  ['float = (NaN = NaN, -0 = 0)', eq(c('x'), c('y')), 'x = y'],
  ['float = self', eq(c('x'), c('x')), 'x = x'],
  ['float !=', ne(c('x'), L(0)), 'x != 0'],
  ['float < (NaN largest)', lt(c('x'), c('y')), 'x < y'],
  ['float <=', le(c('y'), c('x')), 'y <= x'],
  ['float > literal', gt(c('x'), L(1.5)), 'x > 1.5'],
  ['float >= literal NaN', ge(c('x'), L(NaN)), "x >= 'NaN'::DOUBLE"],
  ['int <= int', le(c('i'), c('j')), 'i <= j'],
  ['int64 > int32', gt(c('l'), c('i')), 'l > i'],
  ['string = string', eq(c('s'), c('t')), 's = t'],
  ['string != literal', ne(c('s'), L('é')), "s != 'é'"],
  ['string < string (UTF-8 bytes)', lt(c('s'), c('t')), 's < t'],
  ['string >= literal', ge(c('s'), L('pending')), "s >= 'pending'"],
  ['string = long literal', eq(c('t'), L('a fairly long literal string')), "t = 'a fairly long literal string'"],
  ['string = empty literal', eq(c('s'), L('')), "s = ''"],
  ['boolean =', eq(c('bo'), L(true)), 'bo = true'],
  ['boolean <', lt(c('bo'), gt(c('i'), L(0))), 'bo < (i > 0)'],
  ['date < literal', lt(c('d'), L('2020-06-01')), "d < DATE '2020-06-01'"],
  ['timestamp >= literal', ge(c('ts'), L('2000-01-01')), "ts >= TIMESTAMP '2000-01-01'"],
  ['date vs timestamp', lt(c('d'), c('ts')), 'd::TIMESTAMP < ts'],
  ['AND (3-valued)', and(gt(c('i'), L(0)), eq(c('s'), L('paid'))), "i > 0 AND s = 'paid'"],
  ['OR (3-valued)', or(gt(c('x'), L(0)), c('bo')), 'x > 0 OR bo'],
  ['NOT', not(c('bo')), 'NOT bo'],
  ['nested logic', or(and(c('bo'), isNull(c('s'))), not(lt(c('i'), c('j')))), '(bo AND s IS NULL) OR NOT (i < j)'],
  ['IS NULL', isNull(c('i')), 'i IS NULL'],
  ['IS NOT NULL', isNull(c('s'), true), 's IS NOT NULL'],
  ['IN with NULL', isIn(c('i'), L(1), L(2), L(3), L(null, 'int32')), 'i IN (1, 2, 3, NULL)'],
  ['IN (set path)', isIn(c('i'), ...[1, 3, 5, 7, 9, 11, 13, 15].map((v) => L(v))), 'i IN (1, 3, 5, 7, 9, 11, 13, 15)'],
  ['IN float with NaN', isIn(c('x'), L(NaN), L(1.5), L(0)), "x IN ('NaN'::DOUBLE, 1.5, 0.0)"],
  ['IN float set path', isIn(c('x'), ...[NaN, 1.5, -0, 100, 2, 3, 4].map((v) => L(v, 'float64'))), "x IN ('NaN'::DOUBLE, 1.5, 0.0, 100, 2, 3, 4)"],
  ['IN strings', isIn(c('s'), L('é'), L('paid'), L('')), "s IN ('é', 'paid', '')"],
  ['IN non-literal', isIn(c('i'), c('j'), L(3)), 'i IN (j, 3)'],
  ['CASE strings', when([[gt(c('i'), L(0)), c('s')], [c('bo'), c('t')]], L('none')), "CASE WHEN i > 0 THEN s WHEN bo THEN t ELSE 'none' END"],
  ['CASE without ELSE', when([[gt(c('x'), L(0)), c('x')]]), 'CASE WHEN x > 0 THEN x END'],
  ['CASE numeric widening', when([[c('bo'), c('i')]], c('l')), 'CASE WHEN bo THEN i ELSE l END'],
  ['coalesce strings', coalesce(c('s'), c('t')), 'coalesce(s, t)'],
  ['coalesce ints', coalesce(c('i'), c('j'), L(0)), 'coalesce(i, j, 0)'],
  ['cast int → double', cast(c('i'), 'float64'), 'i::DOUBLE'],
  ['cast int64 → int32', cast(c('l'), 'int32'), 'l::INTEGER'],
  ['cast int → string', cast(c('i'), 'string'), 'i::VARCHAR'],
  ['cast boolean → int', cast(c('bo'), 'int32'), 'bo::INTEGER'],
  ['cast boolean → string', cast(c('bo'), 'string'), 'bo::VARCHAR'],
  ['cast int → boolean', cast(c('i'), 'boolean'), 'i::BOOLEAN'],
  ['cast date → string', cast(c('d'), 'string'), 'd::VARCHAR'],
  ['cast date → timestamp', cast(c('d'), 'timestamp'), 'd::TIMESTAMP'],
  ['cast timestamp → date', cast(c('ts'), 'date'), 'ts::DATE'],
  ['cast timestamp → string', cast(c('ts'), 'string'), "strftime(ts, '%Y-%m-%d %H:%M:%S') || CASE WHEN epoch_ms(ts) % 1000 = 0 THEN '' ELSE rtrim('.' || lpad((epoch_ms(ts) % 1000)::VARCHAR, 3, '0'), '0') END"],
  ['cast string → string compare', eq(cast(c('i'), 'string'), c('t')), 'i::VARCHAR = t'],
  ['literal-only subtree folds', add(c('i'), add(L(2), L(3))), 'i + 5'],
];

describe('compileExpr against DuckDB', () => {
  for (const [name, e, sql] of CASES) {
    it(name, async () => { await checkAgainstDuckDB(e, sql); });
  }
});

// ---------------------------------------------------------------- Spark corners by hand

function evalRows(schema: Schema, rows: Record<string, unknown>[], e: Expr): unknown[] {
  const b = rowsToBatch(schema, rows);
  const r = resolveExpr(e, schema, 'test');
  const v = compileExpr(r.expr, schema)(b);
  return [...Array(b.length).keys()].map((i) => norm(vecGet(v, i)));
}

const S1 = (name: string, type: DataType): Schema => [field(name, type)];
const one = (name: string, type: DataType, values: unknown[], e: Expr) =>
  evalRows(S1(name, type), values.map((v) => ({ [name]: v })), e);

describe('Spark semantics by hand', () => {
  it('int32 arithmetic wraps like Java ints', () => {
    expect(one('a', 'int32', [2147483647, -2147483648, 65536], add(c('a'), L(1)))).toEqual([-2147483648, -2147483647, 65537]);
    expect(one('a', 'int32', [65536, 2147483647], mul(c('a'), L(65536)))).toEqual([0, -65536]);
    expect(one('a', 'int32', [-2147483648, 5], neg(c('a')))).toEqual([-2147483648, -5]);
    expect(one('a', 'int32', [-2147483648, -7], mod(c('a'), L(-1)))).toEqual([0, 0]);
    expect(one('a', 'int32', [-7, 7], mod(c('a'), L(3)))).toEqual([-1, 1]);
  });

  it('division and remainder by zero are NULL; float64 / is IEEE otherwise', () => {
    expect(one('a', 'float64', [1, -0, 0, NaN], div(L(1), c('a')))).toEqual([1, null, null, NaN]);
    expect(one('a', 'float64', [0.5, 0], mod(L(3.5), c('a')))).toEqual([0, null]);
    expect(one('a', 'int64', [4, -4], mod(c('a'), L(2, 'int64')))).toEqual([0, 0]);
    expect(Object.is(one('a', 'int64', [-4], mod(c('a'), L(2, 'int64')))[0], 0)).toBe(true);
  });

  it('NaN is equal to itself and larger than everything; -0.0 = 0.0', () => {
    const r = evalRows([field('a', 'float64'), field('b', 'float64')],
      [{ a: NaN, b: NaN }, { a: NaN, b: Infinity }, { a: -0, b: 0 }, { a: 1, b: NaN }],
      and(and(ge(c('a'), c('b')), not(lt(c('a'), c('b')))), not(gt(c('b'), c('a')))));
    expect(r).toEqual([true, true, true, false]);
    expect(one('a', 'float64', [-0, 0, NaN], eq(c('a'), L(0)))).toEqual([true, true, false]);
    expect(one('a', 'float64', [NaN, 1], gt(c('a'), L(Infinity, 'float64')))).toEqual([true, false]);
  });

  it('three-valued logic', () => {
    const sch: Schema = [field('a', 'boolean'), field('b', 'boolean')];
    const rows = [null, true, false].flatMap((a) => [null, true, false].map((b) => ({ a, b })));
    expect(evalRows(sch, rows, and(c('a'), c('b')))).toEqual([null, null, false, null, true, false, false, false, false]);
    expect(evalRows(sch, rows, or(c('a'), c('b')))).toEqual([null, true, null, true, true, true, null, true, false]);
    expect(evalRows(sch, rows, not(c('a')))).toEqual([null, null, null, false, false, false, true, true, true]);
    const f = compileFilter(and(c('a'), not(c('b'))), sch);
    expect([...f(rowsToBatch(sch, rows))!]).toEqual([5]);
    const g = compileFilter(not(or(c('a'), c('b'))), sch);
    expect([...g(rowsToBatch(sch, rows))!]).toEqual([8]);
  });

  it('casts double → integral truncate toward zero, saturate, NaN → 0', () => {
    const xs = [1.9, -1.9, NaN, 1e10, -1e10, Infinity, 2147483647.5];
    expect(one('a', 'float64', xs, cast(c('a'), 'int32'))).toEqual([1, -1, 0, 2147483647, -2147483648, 2147483647, 2147483647]);
    expect(one('a', 'float64', [1e30, -1e30, 3.99, NaN], cast(c('a'), 'int64'))).toEqual([9223372036854775807, -9223372036854775807, 3, 0]);
    expect(one('a', 'int64', [4294967297, 2147483648, -1], cast(c('a'), 'int32'))).toEqual([1, -2147483648, -1]);
    expect(one('a', 'float64', [0, -0, NaN, 2], cast(c('a'), 'boolean'))).toEqual([false, false, true, true]);
  });

  it('casts numbers to strings like Spark (Java Double.toString layout)', () => {
    const xs = [1, 1.5, 1e7, 1234567, 0.001, 0.0001, -0, NaN, Infinity, -Infinity, 1.5e10, 123.456, 1e21, -2.5e-7, 100];
    expect(one('a', 'float64', xs, cast(c('a'), 'string'))).toEqual([
      '1.0', '1.5', '1.0E7', '1234567.0', '0.001', '1.0E-4', '-0.0', 'NaN', 'Infinity', '-Infinity',
      '1.5E10', '123.456', '1.0E21', '-2.5E-7', '100.0',
    ]);
    expect(one('a', 'int64', [0, -42, 9007199254740991], cast(c('a'), 'string'))).toEqual(['0', '-42', '9007199254740991']);
    expect(formatDouble(0.1 + 0.2)).toBe('0.30000000000000004');
  });

  it('casts strings to numbers (trimmed; unparseable → NULL)', () => {
    const ss = [' 42 ', '3.9', '-3.9', '1e3', '', 'abc', '2147483648', '+5', '-0', '\t7\n', '.5', '1.', null];
    expect(one('a', 'string', ss, cast(c('a'), 'int32'))).toEqual([42, 3, -3, null, null, null, null, 5, 0, 7, 0, 1, null]);
    expect(one('a', 'string', ['2147483648', '-9007199254740991', '1.5e3'], cast(c('a'), 'int64'))).toEqual([2147483648, -9007199254740991, null]);
    const ds = ['1.5', ' 2 ', '1e3', 'NaN', 'inf', '-Infinity', '1.5d', 'abc', '', '.5', '-.5e-1', '0x10'];
    expect(one('a', 'string', ds, cast(c('a'), 'float64'))).toEqual([1.5, 2, 1000, NaN, Infinity, -Infinity, 1.5, null, null, 0.5, -0.05, null]);
    const bs = ['yes', 'T', ' false ', 'maybe', '0', 'Y', 'no', ''];
    expect(one('a', 'string', bs, cast(c('a'), 'boolean'))).toEqual([true, true, false, null, false, true, false, null]);
  });

  it('casts strings to dates and timestamps (UTC)', () => {
    const day = (s: string) => Date.parse(s + 'T00:00:00Z');
    const ds = ['2024-02-29', '2023-02-29', '2024-1-5', '2024-01-01T10:00', '2024', '2024-13-01', ' 2024-03-04 ', 'x', '2024-03'];
    expect(one('a', 'string', ds, cast(c('a'), 'date'))).toEqual([
      day('2024-02-29'), null, day('2024-01-05'), day('2024-01-01'), day('2024-01-01'), null, day('2024-03-04'), null, day('2024-03-01'),
    ]);
    const ts = ['2024-01-01 10:00:00', '2024-01-01T10:00:00.5Z', '2024-01-01 10:00:00+02:00', '2024-01-01', 'x', '2024-01-01 25:00:00', '2024-01-01 10:00:00.123456'];
    expect(one('a', 'string', ts, cast(c('a'), 'timestamp'))).toEqual([
      Date.parse('2024-01-01T10:00:00Z'), Date.parse('2024-01-01T10:00:00.500Z'), Date.parse('2024-01-01T08:00:00Z'),
      Date.parse('2024-01-01T00:00:00Z'), null, null, Date.parse('2024-01-01T10:00:00.123Z'),
    ]);
  });

  it('formats dates and timestamps; timestamp ↔ int64 counts seconds', () => {
    expect(one('a', 'date', [-1, 0, 19782, -719528], cast(c('a'), 'string'))).toEqual(['1969-12-31', '1970-01-01', '2024-02-29', '0000-01-01']);
    expect(one('a', 'timestamp', [0, 1500, -1, 1704103200120], cast(c('a'), 'string'))).toEqual([
      '1970-01-01 00:00:00', '1970-01-01 00:00:01.5', '1969-12-31 23:59:59.999', '2024-01-01 10:00:00.12',
    ]);
    expect(one('a', 'timestamp', [1500, -1500], cast(c('a'), 'int64'))).toEqual([1, -2]);
    expect(one('a', 'int64', [2], cast(c('a'), 'timestamp'))).toEqual([2000]);
    expect(one('a', 'timestamp', [-1], cast(c('a'), 'date'))).toEqual([-86_400_000]);
  });

  it('string comparison is by unsigned UTF-8 bytes (not UTF-16 units)', () => {
    // U+FF61 (EF BD A1) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16.
    const r = evalRows([field('a', 'string'), field('b', 'string')], [{ a: '\uFF61', b: '😀' }, { a: 'ab', b: 'a' }, { a: '', b: 'a' }], lt(c('a'), c('b')));
    expect(r).toEqual([true, false, true]);
    const enc = new TextEncoder();
    const a = enc.encode('xé'), b = enc.encode('xz');
    expect(cmpBytes(a, 0, a.length, b, 0, b.length)).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------- outputs, selection, caching

describe('compiled output layout', () => {
  it('a bare (or aliased) column reference returns the input Vec itself', () => {
    expect(compileExpr(c('s'), SCHEMA)(BATCH)).toBe(BATCH.columns[6]);
    expect(compileExpr({ kind: 'alias', child: c('x'), name: 'y2' }, SCHEMA)(SEL_BATCH)).toBe(BATCH.columns[4]);
  });

  it('string outputs over a selection keep well-formed offsets for dead rows', () => {
    const e = resolveExpr(coalesce(c('s'), L('-')), SCHEMA, 't').expr;
    const v = compileExpr(e, SCHEMA)(SEL_BATCH);
    expect(v.offsets!.length).toBe(N + 1);
    for (let i = 0; i < N; i++) expect(v.offsets![i + 1]!).toBeGreaterThanOrEqual(v.offsets![i]!);
    expect(v.offsets![N]).toBe(v.values.length);
  });

  it('the validity array is dropped when no live row is NULL', () => {
    const e = resolveExpr(coalesce(c('i'), L(0)), SCHEMA, 't').expr;
    expect(compileExpr(e, SCHEMA)(BATCH).valid).toBeNull();
    const f = resolveExpr(add(c('i'), L(1)), SCHEMA, 't').expr;
    expect(compileExpr(f, SCHEMA)(BATCH).valid).not.toBeNull();
  });

  it('columns with and without a validity array give the same results (specialised kernels)', () => {
    const sch: Schema = [field('a', 'float64'), field('b', 'string')];
    const plain = rowsToBatch(sch, [{ a: 1, b: 'x' }, { a: 2, b: 'yy' }, { a: NaN, b: 'é' }]);
    const withValid = makeBatch(sch, plain.columns.map((v) => ({ ...v, valid: new Uint8Array(v.length).fill(1) })), plain.length);
    const e = when([[gt(c('a'), L(1.5)), c('b')]], L('small'));
    const r = resolveExpr(e, sch, 't').expr;
    const f = compileExpr(r, sch);
    const before = kernelCacheStats().misses;
    const out1 = f(plain), out2 = f(withValid);
    expect(kernelCacheStats().misses - before).toBe(2);
    expect([0, 1, 2].map((i) => vecGet(out1, i))).toEqual(['small', 'yy', 'é']);
    expect([0, 1, 2].map((i) => vecGet(out2, i))).toEqual(['small', 'yy', 'é']);
    f(plain);
    compileExpr(r, sch)(plain); // a second compile of the same tree reuses the cached kernel
    expect(kernelCacheStats().misses - before).toBe(2);
  });
});

describe('compileFilter', () => {
  const sch: Schema = [field('a', 'int32'), field('s', 'string')];
  const b = rowsToBatch(sch, [{ a: 1, s: 'paid' }, { a: null, s: 'paid' }, { a: 3, s: null }, { a: 4, s: 'paid' }]);

  it('keeps rows where the predicate IS TRUE (NULL drops)', () => {
    const p = resolveExpr(and(gt(c('a'), L(0)), eq(c('s'), L('paid'))), sch, 't').expr;
    expect([...compileFilter(p, sch)(b)!]).toEqual([0, 3]);
    const sel = makeBatch(sch, b.columns, b.length, Int32Array.from([1, 2, 3]));
    expect([...compileFilter(p, sch)(sel)!]).toEqual([3]);
  });

  it('returns null when every physical row survives and there was no selection, else the selection itself', () => {
    const p = resolveExpr(gt(coalesce(c('a'), L(5)), L(0)), sch, 't').expr;
    expect(compileFilter(p, sch)(b)).toBeNull();
    const sel = Int32Array.from([0, 2]);
    expect(compileFilter(p, sch)(makeBatch(sch, b.columns, b.length, sel))).toBe(sel);
  });

  it('handles constant predicates', () => {
    expect(compileFilter(L(true), sch)(b)).toBeNull();
    expect(compileFilter(L(false), sch)(b)!.length).toBe(0);
    expect(compileFilter(L(null, 'boolean'), sch)(b)!.length).toBe(0);
    expect(compileFilter(lt(L(1), L(2)), sch)(b)).toBeNull();
  });

  it('rejects unknown columns with a message naming them', () => {
    expect(() => compileFilter(gt(c('nope'), L(0)), sch)).toThrow(/column 'nope' is not in the input \(a, s\)/);
  });
});

// Opt-in micro-benchmark: SPARROW_BENCH=1 npx vitest run test/executor/codegen.test.ts
describe.skipIf(!process.env.SPARROW_BENCH)('micro-benchmark', () => {
  it('filter amount > 50 AND status = paid, then amount * quantity * 0.97 over 5M rows', () => {
    const n = 5_000_000;
    const sch: Schema = [field('amount', 'float64'), field('status', 'string'), field('quantity', 'int32')];
    const r = rng(7);
    const amount = new Float64Array(n), qty = new Int32Array(n), offs = new Int32Array(n + 1);
    const words = ['paid', 'pending', 'failed', 'refunded'].map((w) => new TextEncoder().encode(w));
    const data = new Uint8Array(n * 8);
    let pos = 0;
    for (let i = 0; i < n; i++) {
      amount[i] = r() * 100; qty[i] = 1 + Math.floor(r() * 10);
      const w = words[Math.floor(r() * 4)]!; data.set(w, pos); pos += w.length; offs[i + 1] = pos;
    }
    const cols: Vec[] = [
      { type: 'float64', length: n, values: amount, offsets: null, valid: null },
      { type: 'string', length: n, values: data.subarray(0, pos), offsets: offs, valid: null },
      { type: 'int32', length: n, values: qty, offsets: null, valid: null },
    ];
    const batches: Batch[] = [];
    for (let s = 0; s < n; s += 65536) {
      const e = Math.min(n, s + 65536);
      batches.push(makeBatch(sch, [
        { ...cols[0]!, length: e - s, values: amount.subarray(s, e) },
        { ...cols[1]!, length: e - s, values: data, offsets: offs.subarray(s, e + 1) },
        { ...cols[2]!, length: e - s, values: qty.subarray(s, e) }], e - s));
    }
    const pred = resolveExpr(and(gt(c('amount'), L(50)), eq(c('status'), L('paid'))), sch, 'b').expr;
    const proj = resolveExpr(mul(mul(c('amount'), c('quantity')), L(0.97)), sch, 'b').expr;
    const f = compileFilter(pred, sch), p = compileExpr(proj, sch);
    // The same work written by hand, for scale.
    const hand = (b: Batch): Float64Array => {
      const a = b.columns[0]!.values as Float64Array, o = b.columns[1]!.offsets!, d = b.columns[1]!.values as Uint8Array;
      const q = b.columns[2]!.values as Int32Array;
      const sel = new Int32Array(b.length);
      let m = 0;
      for (let i = 0; i < b.length; i++) {
        const s = o[i]!;
        if ((a[i]! > 50 || a[i] !== a[i]) && o[i + 1]! - s === 4 && d[s] === 112 && d[s + 1] === 97 && d[s + 2] === 105 && d[s + 3] === 100) sel[m++] = i;
      }
      const out = new Float64Array(b.length);
      for (let k = 0; k < m; k++) { const i = sel[k]!; out[i] = a[i]! * q[i]! * 0.97; }
      return out;
    };
    const time = (run: () => void): string => {
      const times: number[] = [];
      for (let rep = 0; rep < 9; rep++) {
        const t0 = performance.now();
        run();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      return `min ${times[0]!.toFixed(1)} ms, median ${times[4]!.toFixed(1)} ms`;
    };
    const gen = time(() => { for (const b of batches) p(makeBatch(sch, b.columns, b.length, f(b))); });
    const byHand = time(() => { for (const b of batches) hand(b); });
    console.log(`5M rows in 64k batches, filter + project: generated ${gen}; hand-written ${byHand}`);
  });
});
