import { describe, expect, it } from 'vitest';
import { mayMatch, type StatsLike } from '../../src/planner/physical/row-group-pruning.js';
import type { Expr, LitValue, BinaryOp } from '../../src/planner/expr.js';
import { resolveExpr } from '../../src/planner/resolve-expr.js';
import { field, type DataType, type Schema } from '../../src/planner/types.js';

const schema: Schema = [
  field('i', 'int32'), field('l', 'int64'), field('f', 'float64'), field('s', 'string'),
  field('b', 'boolean'), field('d', 'date'), field('t', 'timestamp'),
];

const col = (name: string): Expr => ({ kind: 'col', name });
function lit(value: LitValue, type?: DataType): Expr {
  const t: DataType = type ?? (typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean'
    : typeof value === 'bigint' ? 'int64' : typeof value === 'number' && Number.isInteger(value) && !Object.is(value, -0) ? 'int32' : 'float64');
  return { kind: 'lit', value, type: t };
}
const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
const not = (child: Expr): Expr => ({ kind: 'not', child });
const isNull = (child: Expr, negated = false): Expr => ({ kind: 'isNull', child, negated });
const isIn = (child: Expr, ...values: Expr[]): Expr => ({ kind: 'in', child, values });
/** Resolves like the analyzer does (inserting implicit casts). */
const R = (e: Expr): Expr => resolveExpr(e, schema, 'test').expr;

type Col = { min: unknown; max: unknown; nullCount: number | null };
function stats(numRows: number, columns: Record<string, Col>): StatsLike {
  return { numRows, columns };
}

const base = stats(100, {
  i: { min: 10, max: 20, nullCount: 0 },
  l: { min: 1000, max: 2000, nullCount: 5 },
  f: { min: -1.5, max: 2.5, nullCount: 0 },
  s: { min: 'apple', max: 'melon', nullCount: 0 },
  b: { min: false, max: false, nullCount: 0 },
  d: { min: 19723, max: 19752, nullCount: 0 }, // 2024-01-01 .. 2024-01-30
  t: { min: Date.UTC(2024, 0, 1), max: Date.UTC(2024, 0, 2), nullCount: 0 },
});

const may = (e: Expr, st: StatsLike = base, opts?: Parameters<typeof mayMatch>[3]) => mayMatch(st, [R(e)], schema, opts);

describe('mayMatch: comparisons', () => {
  it('prunes int ranges for every operator, column on either side', () => {
    expect(may(bin('=', col('i'), lit(15)))).toBe(true);
    expect(may(bin('=', col('i'), lit(21)))).toBe(false);
    expect(may(bin('=', col('i'), lit(9)))).toBe(false);
    expect(may(bin('<', col('i'), lit(10)))).toBe(false);
    expect(may(bin('<', col('i'), lit(11)))).toBe(true);
    expect(may(bin('<=', col('i'), lit(10)))).toBe(true);
    expect(may(bin('<=', col('i'), lit(9)))).toBe(false);
    expect(may(bin('>', col('i'), lit(20)))).toBe(false);
    expect(may(bin('>', col('i'), lit(19)))).toBe(true);
    expect(may(bin('>=', col('i'), lit(20)))).toBe(true);
    expect(may(bin('>=', col('i'), lit(21)))).toBe(false);
    expect(may(bin('>', lit(10), col('i')))).toBe(false); // 10 > i  ⇔ i < 10
    expect(may(bin('>=', lit(10), col('i')))).toBe(true);
    expect(may(bin('<', lit(20), col('i')))).toBe(false);
    expect(may(bin('=', lit(25), col('i')))).toBe(false);
  });

  it('prunes != only when every value equals the literal', () => {
    expect(may(bin('!=', col('i'), lit(15)))).toBe(true);
    const one = stats(10, { i: { min: 7, max: 7, nullCount: 0 } });
    expect(may(bin('!=', col('i'), lit(7)), one)).toBe(false);
    expect(may(bin('!=', col('i'), lit(8)), one)).toBe(true);
  });

  it('handles implicit casts: int column vs float/bigint literal, date vs string, date vs timestamp', () => {
    expect(may(bin('>', col('i'), lit(20.5)))).toBe(false);
    expect(may(bin('>', col('i'), lit(19.5)))).toBe(true);
    expect(may(bin('=', col('i'), lit(15n)))).toBe(true);
    expect(may(bin('>', col('i'), lit(20n)))).toBe(false);
    expect(may(bin('>', col('l'), lit(2000.5)))).toBe(false);
    expect(may(bin('>=', col('d'), lit('2024-01-31')))).toBe(false);
    expect(may(bin('>=', col('d'), lit('2024-01-30')))).toBe(true);
    expect(may(bin('<', col('d'), lit('2024-01-01')))).toBe(false);
    expect(may(bin('=', col('d'), lit('2024-02-15')))).toBe(false);
    expect(may(bin('>', col('t'), lit('2024-01-02T00:00:00Z')))).toBe(false);
    expect(may(bin('>=', col('t'), lit('2024-01-02 00:00:00')))).toBe(true);
    expect(may(bin('<', col('t'), lit('2024-01-01')))).toBe(false);
    // date column compared with a timestamp column's type: the date side is cast up
    expect(may(bin('>', col('d'), { kind: 'cast', child: lit('2024-01-31'), to: 'timestamp' }))).toBe(false);
    expect(may(bin('<', col('d'), { kind: 'cast', child: lit('2024-01-01 00:00:01'), to: 'timestamp' }))).toBe(true);
  });

  it('compares strings by UTF-8 byte order', () => {
    expect(may(bin('<', col('s'), lit('apple')))).toBe(false);
    expect(may(bin('=', col('s'), lit('banana')))).toBe(true);
    expect(may(bin('=', col('s'), lit('zebra')))).toBe(false);
    expect(may(bin('>', col('s'), lit('melon')))).toBe(false);
    expect(may(bin('>', col('s'), lit('mel')))).toBe(true);
    expect(may(bin('=', col('s'), lit('Apple')))).toBe(false); // 'A' < 'a'
    // U+FF21 (fullwidth A) sorts below U+1F600 (emoji) in UTF-8, though not in UTF-16.
    const st = stats(5, { s: { min: '\uFF21', max: '\uFF21', nullCount: 0 } });
    expect(may(bin('>', col('s'), lit('\u{1F600}')), st)).toBe(false);
    expect(may(bin('<', col('s'), lit('\u{1F600}')), st)).toBe(true);
    const st2 = stats(5, { s: { min: '\u{1F600}', max: '\u{1F600}', nullCount: 0 } });
    expect(may(bin('<', col('s'), lit('\uFF21')), st2)).toBe(false);
  });

  it('booleans', () => {
    expect(may(bin('=', col('b'), lit(true)))).toBe(false);
    expect(may(bin('=', col('b'), lit(false)))).toBe(true);
  });

  it('comparisons with NULL are never true', () => {
    expect(may(bin('=', col('i'), lit(null, 'int32')))).toBe(false);
    expect(may(bin('!=', col('i'), { kind: 'lit', value: null, type: 'string' }))).toBe(false);
  });
});

describe('mayMatch: nulls and IS NULL', () => {
  it('uses the null count', () => {
    expect(may(isNull(col('i')))).toBe(false);
    expect(may(isNull(col('l')))).toBe(true);
    expect(may(isNull(col('i'), true))).toBe(true);
    const allNull = stats(10, { i: { min: null, max: null, nullCount: 10 } });
    expect(may(isNull(col('i'), true), allNull)).toBe(false);
    expect(may(isNull(col('i')), allNull)).toBe(true);
    // comparisons on an all-null group are never true
    expect(may(bin('=', col('i'), lit(1)), allNull)).toBe(false);
    expect(may(not(bin('=', col('i'), lit(1))), allNull)).toBe(false);
    expect(may(isIn(col('i'), lit(1)), allNull)).toBe(false);
  });

  it('an empty group matches nothing', () => {
    expect(mayMatch(stats(0, {}), [], schema)).toBe(false);
  });
});

describe('mayMatch: IN, AND, OR, NOT', () => {
  it('IN', () => {
    expect(may(isIn(col('i'), lit(1), lit(2), lit(30)))).toBe(false);
    expect(may(isIn(col('i'), lit(1), lit(12)))).toBe(true);
    expect(may(isIn(col('s'), lit('aa'), lit('zz')))).toBe(false);
    expect(may(isIn(col('s'), lit('aa'), lit('kiwi')))).toBe(true);
    expect(may(isIn(col('i'), lit(null, 'int32')))).toBe(false);
    expect(may(isIn(col('d'), lit('2023-12-31'), lit('2024-02-01')))).toBe(false);
    expect(may(isIn(col('d'), lit('2023-12-31'), lit('2024-01-15')))).toBe(true);
    const one = stats(10, { i: { min: 7, max: 7, nullCount: 0 } });
    expect(may(not(isIn(col('i'), lit(7), lit(9))), one)).toBe(false);
    expect(may(not(isIn(col('i'), lit(8))), one)).toBe(true);
  });

  it('AND / OR / NOT compose', () => {
    const out = bin('>', col('i'), lit(100));
    const inside = bin('=', col('i'), lit(15));
    expect(may(bin('and', inside, out))).toBe(false);
    expect(may(bin('or', inside, out))).toBe(true);
    expect(may(bin('or', out, bin('<', col('i'), lit(0))))).toBe(false);
    expect(may(not(out))).toBe(true);
    expect(may(not(bin('<=', col('i'), lit(20))))).toBe(false);   // NOT (i <= 20): all i ≤ 20
    expect(may(not(bin('and', bin('>=', col('i'), lit(10)), bin('<=', col('i'), lit(20)))))).toBe(false);
    expect(may(not(not(out)))).toBe(false);
    // a list of conjuncts: all must be possible
    expect(mayMatch(base, [R(inside), R(out)], schema)).toBe(false);
    expect(mayMatch(base, [R(inside), R(bin('>', col('l'), lit(1500)))], schema)).toBe(true);
  });
});

describe('mayMatch: never prunes wrongly', () => {
  it('missing, null or garbage statistics', () => {
    const none = stats(10, {});
    for (const e of [bin('=', col('i'), lit(1)), isNull(col('i')), isNull(col('i'), true), isIn(col('s'), lit('x'))]) {
      expect(may(e, none)).toBe(true);
    }
    const nulls = stats(10, { i: { min: null, max: null, nullCount: null } });
    expect(may(bin('=', col('i'), lit(1)), nulls)).toBe(true);
    expect(may(isNull(col('i')), nulls)).toBe(true);
    const half = stats(10, { i: { min: 5, max: null, nullCount: 0 } });
    expect(may(bin('>', col('i'), lit(100)), half)).toBe(true);
    const garbage = stats(10, { i: { min: 'x', max: {}, nullCount: 0 } });
    expect(may(bin('>', col('i'), lit(100)), garbage)).toBe(true);
    const nanStats = stats(10, { f: { min: NaN, max: NaN, nullCount: 0 } });
    expect(may(bin('<', col('f'), lit(-100.5)), nanStats)).toBe(true);
  });

  it('expressions it does not understand', () => {
    const arith = bin('>', bin('+', col('i'), lit(1)), lit(100));
    expect(may(arith)).toBe(true);
    expect(may(bin('=', col('i'), col('i')))).toBe(true);
    const unknownCol = bin('=', col('zz'), lit(1));
    expect(mayMatch(base, [unknownCol], schema)).toBe(true);
    // a narrowing cast on the column side (float → int truncates): not monotonic-safe
    const narrow: Expr = bin('=', { kind: 'cast', child: col('f'), to: 'int32' }, lit(100));
    expect(mayMatch(base, [narrow], schema)).toBe(true);
    // a string literal that is not a plain date
    expect(may(bin('=', col('d'), lit('2024-1-5')))).toBe(true);
    expect(may(bin('=', col('d'), lit('2024-02-30')))).toBe(true);
    expect(may(bin('>', col('t'), lit('2024-01-05T00:00:00+02:00')))).toBe(true);
    expect(may({ kind: 'case', branches: [{ when: lit(true), then: lit(false) }], otherwise: null })).toBe(true);
  });

  it('NaN: float columns may hide NaN, which Spark orders above every number', () => {
    // Stats exclude NaN: a group with max 2.5 may still hold NaN > 100 (Spark) ...
    expect(may(bin('>', col('f'), lit(100.5)))).toBe(true);
    expect(may(bin('>=', col('f'), lit(100.5)))).toBe(true);
    expect(may(bin('!=', col('f'), lit(100.5)), stats(3, { f: { min: 100.5, max: 100.5, nullCount: 0 } }))).toBe(true);
    // ... and under IEEE NOT (NaN < x) is true.
    expect(may(not(bin('<', col('f'), lit(100.5))))).toBe(true);
    // Less-than can still prune: NaN < x is false under both.
    expect(may(bin('<', col('f'), lit(-2.5)))).toBe(false);
    expect(may(bin('=', col('f'), lit(100.5)))).toBe(false);
    // NaN literal: unknown
    expect(may(bin('=', col('f'), lit(NaN)))).toBe(true);
    expect(may(bin('<', col('f'), lit(NaN)))).toBe(true);
    // With declared semantics, more can be pruned.
    expect(may(bin('>', col('f'), lit(100.5)), base, { nan: 'ieee' })).toBe(false);
    expect(may(not(bin('>=', col('f'), lit(-10.5))), base, { nan: 'spark' })).toBe(false);
    expect(may(not(bin('>=', col('f'), lit(-10.5))), base, { nan: 'ieee' })).toBe(true);
    expect(may(not(bin('>=', col('f'), lit(-10.5))))).toBe(true);
    // int columns compared as float cannot hold NaN
    expect(may(bin('>', col('i'), lit(100.5)))).toBe(false);
  });

  it('-0.0 equals 0.0', () => {
    const negZero = stats(3, { f: { min: -0, max: -0, nullCount: 0 } });
    expect(may(bin('=', col('f'), lit(0.0, 'float64')), negZero)).toBe(true);
    expect(may(bin('>=', col('f'), lit(0.0, 'float64')), negZero)).toBe(true);
    expect(may(bin('<', col('f'), lit(0.0, 'float64')), negZero)).toBe(false);
    const posZero = stats(3, { f: { min: 0, max: 0, nullCount: 0 } });
    expect(may(bin('=', col('f'), lit(-0)), posZero)).toBe(true);
    expect(may(bin('<=', col('f'), lit(-0)), posZero)).toBe(true);
    expect(may(isIn(col('f'), lit(-0)), posZero)).toBe(true);
  });

  it('truncated string bounds remain bounds (prefix min)', () => {
    const st = stats(3, { s: { min: 'abc', max: 'abd', nullCount: 0 } }); // e.g. values 'abcz', 'abcx'
    expect(may(bin('=', col('s'), lit('abcz')), st)).toBe(true);
    expect(may(bin('>', col('s'), lit('abc')), st)).toBe(true);
  });
});

describe('mayMatch: partition-value statistics', () => {
  it('reads string partition values into the column type', () => {
    const part = stats(1, { d: { min: '2024-01-05', max: '2024-01-05', nullCount: 0 }, i: { min: '7', max: '7', nullCount: 0 } });
    expect(may(bin('=', col('d'), lit('2024-01-05')), part)).toBe(true);
    expect(may(bin('=', col('d'), lit('2024-01-06')), part)).toBe(false);
    expect(may(bin('>', col('i'), lit(7)), part)).toBe(false);
    const nullPart = stats(1, { d: { min: null, max: null, nullCount: 1 } });
    expect(may(bin('=', col('d'), lit('2024-01-06')), nullPart)).toBe(false);
    expect(may(isNull(col('d')), nullPart)).toBe(true);
  });
});

describe('mayMatch on real Parquet row groups (DuckDB as the oracle)', () => {
  it('never prunes a row group that holds a matching row, and does prune some', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { promises: fs } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { readParquetMeta } = await import('../../src/executor/io/parquet-meta.js');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sparrow-prune-'));
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    await con.run(`SET threads = 1`);
    const file = path.join(dir, 'p.parquet');
    // Clustered columns (so ranges differ per group), with nulls, NaN, -0.0 and unicode.
    await con.run(`COPY (SELECT
        CASE WHEN i % 50 = 7 THEN NULL ELSE (i // 10)::INTEGER END AS i,
        CASE WHEN i % 61 = 3 THEN NULL WHEN i % 401 = 0 THEN 'NaN'::DOUBLE WHEN i % 333 = 1 THEN -0.0 ELSE (i - 4000) / 8.0 END AS f,
        CASE WHEN i >= 6000 AND i < 8192 THEN NULL ELSE chr(65 + (i // 400)::INTEGER) || (i % 10)::VARCHAR || CASE WHEN i % 3 = 0 THEN 'é' ELSE '' END END AS s,
        DATE '2024-01-01' + (i // 100)::INTEGER AS d,
        CASE WHEN i % 2 = 0 THEN NULL ELSE i % 4 = 1 END AS b,
        TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i * 60) SECOND AS t
      FROM range(10000) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
    const meta = await readParquetMeta(file);
    expect(meta.rowGroups.length).toBe(5);
    const fschema = meta.schema;
    // Random predicates, built as Expr and as SQL side by side.
    let seed = 12345;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const ops = ['=', '!=', '<', '<=', '>', '>='] as const;
    type P = { e: Expr; sql: string };
    const leaf = (): P => {
      const kind = pick(['i', 'f', 's', 'd', 't', 'b', 'null', 'in', 'flip'] as const);
      const op = pick(ops);
      switch (kind) {
        case 'i': { const v = Math.floor(rnd() * 1100) - 50; return { e: bin(op, col('i'), lit(v)), sql: `i ${op} ${v}` }; }
        case 'f': { const v = pick([0, -0, (Math.floor(rnd() * 1400) - 600) / 2 + 0.5]); return { e: bin(op, col('f'), lit(v, 'float64')), sql: `f ${op} ${Object.is(v, -0) ? '-0.0' : v}::DOUBLE` }; }
        case 's': { const v = String.fromCharCode(65 + Math.floor(rnd() * 27)) + pick(['', '5', '5é', 'zz']); return { e: bin(op, col('s'), lit(v)), sql: `s ${op} '${v}'` }; }
        case 'd': { const day = 1 + Math.floor(rnd() * 28); const m = pick(['01', '02', '03', '04']); const v = `2024-${m}-${String(day).padStart(2, '0')}`; return { e: bin(op, col('d'), lit(v)), sql: `d ${op} DATE '${v}'` }; }
        case 't': { const h = String(Math.floor(rnd() * 24)).padStart(2, '0'); const day = String(1 + Math.floor(rnd() * 8)).padStart(2, '0'); const v = `2024-01-${day} ${h}:30:00`; return { e: bin(op, col('t'), lit(v)), sql: `t ${op} TIMESTAMP '${v}'` }; }
        case 'b': { const v = rnd() < 0.5; return { e: bin(pick(['=', '!='] as const), col('b'), lit(v)), sql: '' }; }
        case 'null': { const c = pick(['i', 'f', 's', 'b']); const neg = rnd() < 0.5; return { e: isNull(col(c), neg), sql: `${c} IS ${neg ? 'NOT ' : ''}NULL` }; }
        case 'in': { const vs = [Math.floor(rnd() * 1000), Math.floor(rnd() * 1000)]; return { e: isIn(col('i'), ...vs.map((v) => lit(v))), sql: `i IN (${vs.join(', ')})` }; }
        case 'flip': { const v = Math.floor(rnd() * 1000); return { e: bin(op, lit(v), col('i')), sql: `${v} ${op} i` }; }
      }
    };
    const fixB = (p: P): P => {
      if (p.sql !== '') return p;
      const e = p.e as Extract<Expr, { kind: 'binary' }>;
      const v = (e.right as Extract<Expr, { kind: 'lit' }>).value;
      return { e: p.e, sql: `b ${e.op} ${v}` };
    };
    const pred = (depth: number): P => {
      const r = rnd();
      if (depth <= 0 || r < 0.5) return fixB(leaf());
      if (r < 0.65) { const c = pred(depth - 1); return { e: not(c.e), sql: `NOT (${c.sql})` }; }
      const a = pred(depth - 1), b = pred(depth - 1);
      const op = r < 0.85 ? 'and' : 'or';
      return { e: bin(op, a.e, b.e), sql: `(${a.sql}) ${op.toUpperCase()} (${b.sql})` };
    };
    let pruned = 0, checked = 0;
    for (let n = 0; n < 150; n++) {
      const p = pred(2);
      const resolved = resolveExpr(p.e, fschema, 'test').expr;
      const res = await con.runAndReadAll(`SELECT (file_row_number // 2048)::INTEGER AS g, count(*)::INTEGER AS n FROM read_parquet('${file}') WHERE ${p.sql} GROUP BY ALL`);
      const hits = new Set((res.getRowObjectsJS() as { g: number }[]).map((r) => r.g));
      for (const g of meta.rowGroups) {
        const may = mayMatch(g, [resolved], fschema);
        checked++;
        if (!may) pruned++;
        if (hits.has(g.index) && !may) throw new Error(`wrongly pruned row group ${g.index} for ${p.sql}`);
      }
    }
    expect(pruned).toBeGreaterThan(checked / 10);
    await fs.rm(dir, { recursive: true, force: true });
  }, 60_000);
});
