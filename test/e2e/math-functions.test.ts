// End to end: the math functions (exp, log, log10, sqrt, pow, abs, floor, ceil, round, signum,
// greatest, least) in select, withColumn, filter, groupBy keys and aggregates, compared with
// DuckDB on rows with NULLs, negatives, zeros, -0.0, NaN and round's half-way cases, on 5
// partitions and on 1.
//
// Where DuckDB differs from Spark, the SQL spells out Spark's answer (the engine follows Spark):
//   ln/log10 of x <= 0      DuckDB raises an error; Spark gives NULL  → CASE WHEN x <= 0 THEN NULL
//   sqrt of a negative      DuckDB raises an error; Spark gives NaN   → CASE WHEN x < 0 THEN NaN
//   pow(x, NaN)             DuckDB's C pow(1, NaN) is 1; Java's is NaN
//   floor/ceil              DuckDB returns DOUBLE; Spark returns BIGINT, NaN → 0
//   round(double, s)        DuckDB rounds x·10^s (round(1.005, 2) = 1.0); Spark rounds the
//                           shortest decimal text HALF_UP (1.01) → round the DECIMAL of the text
//   sign                    DuckDB returns TINYINT and sign(NaN) = 0; Spark's signum is a DOUBLE, NaN
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Session, col, lit, sum, max, min, avg, count, exp, log, log10, sqrt, pow, abs, floor, ceil, round, signum,
  greatest, least, AnalysisError, type Dataset,
} from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { expectSameAsSql, loadRows, rejection, type Row, type TypeName } from '../helpers/e2e.js';

const N = 400;
const SPECIAL = [2.5, -2.5, 0.5, -0.5, 1.005, 2.675, -1.005, 0.125, 1e10, 1e-7, 0, -3.7, 123.456, 0.015, 1.45, 1234.5, -0.05];

const SCHEMA: Readonly<Record<string, TypeName>> = { id: 'int64', b: 'float64', c: 'float64', i: 'int32', l: 'int64' };

function mathRows(n: number): Row[] {
  const rows: Row[] = [];
  for (let k = 0; k < n; k++) {
    let b: number | null = ((k * 37) % 101 - 50) / 8;
    if (k % 3 === 1) b = SPECIAL[k % SPECIAL.length]!;
    if (k % 23 === 5) b = -0;
    if (k % 31 === 0) b = NaN;
    if (k % 9 === 4) b = null;
    rows.push({
      id: k,
      b,
      c: k % 7 === 3 ? null : ((k * 13) % 17 - 8) / 4,
      i: k % 11 === 5 ? null : ((k * 7) % 19) - 9,
      l: k % 13 === 7 ? null : (((k * 7919) % 2001) - 1000) * 1000003,
    });
  }
  return rows;
}

// Spark's answer, as DuckDB SQL over column or expression `x`.
const sqlLog = (x: string) => `CASE WHEN ${x} <= 0 THEN NULL ELSE ln(${x}) END`;
const sqlSqrt = (x: string) => `CASE WHEN ${x} < 0 THEN 'NaN'::DOUBLE ELSE sqrt(${x}) END`;
const sqlPow = (x: string, y: string) => `CASE WHEN ${x} IS NULL THEN NULL WHEN ${y} = 0 THEN 1.0 WHEN isnan(${y}) THEN 'NaN'::DOUBLE ELSE pow(${x}, ${y}) END`;
const sqlFloor = (x: string, f = 'floor') => `CASE WHEN isnan(${x}) THEN 0 ELSE CAST(${f}(${x}) AS BIGINT) END`;
const sqlRound = (x: string, s: number) =>
  `CASE WHEN isnan(${x}) THEN ${x} ELSE CAST(round(CAST(CAST(${x} AS VARCHAR) AS DECIMAL(38, 18)), ${s}) AS DOUBLE) END`;
const sqlSignum = (x: string) => `CASE WHEN isnan(${x}) THEN ${x} ELSE CAST(sign(${x}) AS DOUBLE) END`;

interface Case {
  readonly name: string;
  readonly ds: (d: Dataset) => Dataset;
  readonly sql: string;
}

const CASES: readonly Case[] = [
  {
    name: 'select: exp, log, log(base, x), log10, sqrt, signum',
    ds: (d) => d.select(col('id'), exp('b').as('e'), log('b').as('ln'), log(2, col('b')).as('l2'), log10('b').as('l10'),
      sqrt('b').as('sq'), signum('b').as('sg'), exp('i').as('ei'), sqrt(col('l')).as('sl')),
    sql: `SELECT id, exp(b) AS e, ${sqlLog('b')} AS ln, CASE WHEN b <= 0 THEN NULL ELSE ln(b) / ln(2) END AS l2,
      CASE WHEN b <= 0 THEN NULL ELSE log10(b) END AS l10, ${sqlSqrt('b')} AS sq, ${sqlSignum('b')} AS sg,
      exp(i) AS ei, ${sqlSqrt('l')} AS sl FROM {t}`,
  },
  {
    name: 'select: pow with columns and literals on either side',
    ds: (d) => d.select(col('id'), pow('b', 'c').as('p'), pow(col('i'), 2).as('p2'), pow(2, col('c')).as('p3'), pow('c', col('i')).as('p4')),
    sql: `SELECT id, ${sqlPow('b', 'c')} AS p, pow(i, 2) AS p2, pow(2, c) AS p3, ${sqlPow('c', 'i')} AS p4 FROM {t}`,
  },
  {
    name: 'select: abs keeps the type (int32, int64, double)',
    ds: (d) => d.select(col('id'), abs('b').as('ab'), abs('i').as('ai'), abs('l').as('al')),
    sql: 'SELECT id, abs(b) AS ab, abs(i) AS ai, abs(l) AS al FROM {t}',
  },
  {
    name: 'select: floor and ceil return int64 (NaN → 0)',
    ds: (d) => d.select(col('id'), floor('b').as('fb'), ceil('b').as('cb'), floor('i').as('fi'), ceil(col('c').mul(3)).as('cc')),
    sql: `SELECT id, ${sqlFloor('b')} AS fb, ${sqlFloor('b', 'ceil')} AS cb, CAST(i AS BIGINT) AS fi, ${sqlFloor('(c * 3)', 'ceil')} AS cc FROM {t}`,
  },
  {
    name: 'select: round HALF_UP at scales 0, 2, -1 on doubles and integers',
    ds: (d) => d.select(col('id'), round('b').as('r0'), round('b', 2).as('r2'), round('b', -1).as('rm'), round('i', -1).as('ri'),
      round('l', -4).as('rl'), round('i', 2).as('ri2')),
    sql: `SELECT id, ${sqlRound('b', 0)} AS r0, ${sqlRound('b', 2)} AS r2, ${sqlRound('b', -1)} AS rm, round(i, -1) AS ri,
      round(l, -4) AS rl, i AS ri2 FROM {t}`,
  },
  {
    name: 'select: greatest and least skip NULLs, NaN is the largest double, types widen',
    ds: (d) => d.select(col('id'), greatest('b', 'c', 'i').as('g'), least('b', 'c').as('le'), greatest('i', 'l').as('gi'),
      least(col('i'), lit(0)).as('li'), greatest('c', lit(null)).as('gn')),
    sql: `SELECT id, greatest(b, c, i) AS g, least(b, c) AS le, greatest(i, l) AS gi, least(i, 0) AS li, greatest(c, NULL) AS gn FROM {t}`,
  },
  {
    name: 'withColumn: nested calls (a sigmoid, rounding a log, sqrt of a pow)',
    ds: (d) => d.withColumn('sig', lit(1).div(lit(1).plus(exp(col('c').mul(col('i')).negate()))))
      .withColumn('rl', round(log(abs('b')), 3))
      .withColumn('h', sqrt(pow('c', 2).plus(pow(col('i'), 2))))
      .select('id', 'sig', 'rl', 'h'),
    sql: `SELECT id, 1 / (1 + exp(-(c * i))) AS sig, ${sqlRound(sqlLog('abs(b)'), 3)} AS rl, sqrt(pow(c, 2) + pow(i, 2)) AS h FROM {t}`,
  },
  {
    name: 'filter: sqrt(b) > 1 (NaN rows: NaN is the largest, so they pass)',
    ds: (d) => d.filter(sqrt('b').gt(1)).select('id', 'b'),
    sql: `SELECT id, b FROM {t} WHERE ${sqlSqrt('b')} > 1`,
  },
  {
    name: 'filter: log(b) IS NULL, floor(b) = i, greatest(i, l) >= 3',
    ds: (d) => d.filter(log('b').isNull().or(floor('b').eq(col('i')))).filter(greatest('i', 'l').gte(3)).select('id'),
    sql: `SELECT id FROM {t} WHERE (${sqlLog('b')} IS NULL OR ${sqlFloor('b')} = i) AND greatest(i, l) >= 3`,
  },
  {
    name: 'agg: sums and extremes of math expressions (also fused with a filter)',
    ds: (d) => d.filter(col('c').gt(-1.5)).agg(sum(exp('c')).as('se'), max(floor(col('c').mul(2.5))).as('mf'),
      sum(round(col('c').div(3), 2)).as('sr'), avg(abs('i')).as('aa'), min(least('i', 'l')).as('ml'), count(log('c')).as('nl')),
    sql: `SELECT sum(exp(c)) AS se, max(${sqlFloor('(c * 2.5)')}) AS mf, sum(${sqlRound('(c / 3)', 2)}) AS sr, avg(abs(i)) AS aa,
      min(least(i, l)) AS ml, count(${sqlLog('c')}) AS nl FROM {t} WHERE c > -1.5`,
  },
  {
    name: 'groupBy a math key, aggregate a math value',
    ds: (d) => d.groupBy(floor(col('c')).as('fc')).agg(sum(pow('c', 2)).as('s2'), count('*').as('n')),
    sql: `SELECT ${sqlFloor('c')} AS fc, sum(pow(c, 2)) AS s2, count(*) AS n FROM {t} GROUP BY fc`,
  },
  {
    name: 'constant calls fold (and NULL arguments give NULL)',
    ds: (d) => d.select(col('id'), exp(lit(0)).as('one'), round(lit(2.675), 2).as('r'), log(lit(-1)).as('ln'), sqrt(lit(null)).as('sn'),
      greatest(lit(1), lit(null), lit(3)).as('g'), pow(lit(2), lit(10)).as('p')),
    sql: `SELECT id, 1.0 AS one, 2.68 AS r, CAST(NULL AS DOUBLE) AS ln, CAST(NULL AS DOUBLE) AS sn, 3 AS g, 1024.0 AS p FROM {t}`,
  },
];

let spark: Session;
let db: Oracle;
const inputs = new Map<string, Dataset>();
const INPUTS = ['5 partitions', '1 partition'] as const;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2 });
  db = await openOracle();
  const rows = mathRows(N);
  await loadRows(db, 't', rows, SCHEMA);
  inputs.set('5 partitions', spark.createDataset(rows, { schema: SCHEMA, partitions: 5 }));
  inputs.set('1 partition', spark.createDataset(rows, { schema: SCHEMA, partitions: 1 }));
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
});

describe.each(INPUTS)('math functions on %s', (name) => {
  for (const c of CASES) {
    it(c.name, async () => {
      await expectSameAsSql(c.ds(inputs.get(name)!), db, c.sql.replaceAll('{t}', 't'));
    });
  }
});

describe('math functions: Spark semantics and errors', () => {
  it('round is HALF_UP on the decimal text: 1.005 → 1.01, -2.5 → -3, 0.015 → 0.02 (DuckDB says 1.0, -3, 0.01)', async () => {
    const d = spark.createDataset([{ x: 1.005 }, { x: -2.5 }, { x: 0.015 }, { x: 2.675 }, { x: -0.4 }, { x: 1e300 }], { schema: { x: 'float64' } });
    const got = await d.select(round('x', 2).as('r2'), round('x').as('r0')).collect();
    expect(got.map((r) => r['r2'])).toEqual([1.01, -2.5, 0.02, 2.68, -0.4, 1e300]);
    expect(got.map((r) => r['r0'])).toEqual([1, -3, 0, 3, 0, 1e300]);
    expect(Object.is(got[4]!['r0'], -0)).toBe(false); // BigDecimal has no -0: round(-0.4) is 0.0
  });

  it('pow follows Java (pow(1, NaN) is NaN, pow(NaN, 0) is 1) and floor/ceil saturate like toLong', async () => {
    const d = spark.createDataset([{ x: 1, y: NaN }, { x: NaN, y: 0 }, { x: 1e300, y: 1 }], { schema: { x: 'float64', y: 'float64' } });
    const got = await d.select(pow('x', 'y').as('p'), floor(col('x').mul(1e10)).as('f'), ceil(col('x').negate().mul(1e10)).as('c')).collect();
    expect(got.map((r) => r['p'])).toEqual([NaN, 1, 1e300]);
    expect(got.map((r) => r['f'])).toEqual([1e10, 0, 9223372036854775807]);
    expect(got.map((r) => r['c'])).toEqual([-1e10, 0, -9223372036854775807]);
  });

  it('a non-numeric argument, a wrong argument count and a string greatest are analysis errors', async () => {
    const d = spark.createDataset([{ s: 'a', x: 1.5 }]);
    const e1 = await rejection(d.select(exp('s')).collect());
    expect(e1).toBeInstanceOf(AnalysisError);
    expect(e1.message).toMatch(/in exp\(s\): exp\(\) needs numeric arguments \(string\)/);
    const e2 = await rejection(d.select(greatest('x')).collect());
    expect(e2.message).toMatch(/greatest\(\) takes at least 2 arguments, got 1/);
    const e3 = await rejection(d.select(least('s', 's')).collect());
    expect(e3.message).toMatch(/least\(\) compares numbers, dates or timestamps/);
    expect(() => round('x', 1.5)).toThrow(/scale must be an integer/);
  });

  it('greatest/least of dates and timestamps, with NULLs', async () => {
    const day = (k: number) => new Date(Date.UTC(2024, 0, 1 + k));
    const rows: Row[] = Array.from({ length: 60 }, (_, k) => ({
      id: k, d1: k % 7 === 3 ? null : day((k * 11) % 40), d2: k % 5 === 1 ? null : day((k * 3) % 40),
      t: k % 6 === 2 ? null : new Date(Date.UTC(2024, 0, 1, k % 24, (k * 17) % 60)),
    }));
    const schema: Record<string, TypeName> = { id: 'int64', d1: 'date', d2: 'date', t: 'timestamp' };
    await loadRows(db, 'dt', rows, schema);
    const d = spark.createDataset(rows, { schema, partitions: 3 });
    await expectSameAsSql(d.select(col('id'), greatest('d1', 'd2').as('g'), least('d1', 'd2').as('l'), greatest('t', 'd1').as('gt')), db,
      'SELECT id, greatest(d1, d2) AS g, least(d1, d2) AS l, greatest(t, d1) AS gt FROM dt');
  });

  it('the column name of an unnamed call is its SQL text', async () => {
    const d = spark.createDataset([{ x: 4 }], { schema: { x: 'float64' } });
    expect(await d.select(sqrt('x'), round('x', 1), log(10, 'x')).columns()).toEqual(['sqrt(x)', 'round(x, 1)', 'log(10.0, x)']);
  });
});
