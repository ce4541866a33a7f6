// End to end: whole-dataset aggregates (sum, count, count('*'), avg, min, max, countDistinct)
// with NULLs, on empty inputs (count 0, the others NULL), on 1 and 7 partitions, and one larger
// job (200k orders in 4 Parquet files) — each compared with DuckDB SQL over the same data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Session, col, lit, sum, count, avg, mean, min, max, countDistinct, type Dataset } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { expectSameAsSql, loadRows, sqlPath, sqlResult, tempDir } from '../helpers/e2e.js';
import { MIXED_SCHEMA, mixedRows } from '../helpers/e2e-data.js';
import { generateOrders } from '../../examples/orders-data.js';

const N = 800;
const rows = mixedRows(N);
const schema = MIXED_SCHEMA as Record<string, string>;

let spark: Session;
let db: Oracle;
let root: string;
const inputs = new Map<string, Dataset>();

const INPUTS = [
  { name: '7 partitions', table: 't' },
  { name: '1 partition', table: 't' },
  { name: 'empty (a filter removed every row)', table: 'e' },
  { name: 'no rows at all (createDataset([]))', table: 'e' },
] as const;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2 });
  db = await openOracle();
  root = await tempDir('agg');
  await loadRows(db, 't', rows, MIXED_SCHEMA);
  await db.con.run('CREATE VIEW e AS SELECT * FROM t WHERE id < 0');
  inputs.set('7 partitions', spark.createDataset(rows, { schema, partitions: 7 }));
  inputs.set('1 partition', spark.createDataset(rows, { schema, partitions: 1 }));
  inputs.set('empty (a filter removed every row)', spark.createDataset(rows, { schema, partitions: 3 }).filter(col('id').lt(0)));
  inputs.set('no rows at all (createDataset([]))', spark.createDataset([], { schema }));
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

interface Case {
  readonly name: string;
  readonly ds: (d: Dataset) => Dataset;
  readonly sql: string;
}

const CASES: readonly Case[] = [
  {
    name: 'every aggregate on int64 (NULLs skipped)',
    ds: (d) => d.agg(sum('a').as('s'), count('a').as('c'), count('*').as('n'), avg('a').as('av'), min('a').as('mn'), max('a').as('mx'), countDistinct('a').as('cd')),
    sql: 'SELECT sum(a) AS s, count(a) AS c, count(*) AS n, avg(a) AS av, min(a) AS mn, max(a) AS mx, count(DISTINCT a) AS cd FROM {t}',
  },
  {
    name: 'every aggregate on int32',
    ds: (d) => d.agg(sum('q').as('s'), count('q').as('c'), avg('q').as('av'), min('q').as('mn'), max('q').as('mx'), countDistinct('q').as('cd')),
    sql: 'SELECT sum(q) AS s, count(q) AS c, avg(q) AS av, min(q) AS mn, max(q) AS mx, count(DISTINCT q) AS cd FROM {t}',
  },
  {
    name: 'every aggregate on double (-0.0 and 0.0 are one distinct value)',
    ds: (d) => d.agg(sum('b').as('s'), count('b').as('c'), mean('b').as('av'), min('b').as('mn'), max('b').as('mx'), countDistinct('b').as('cd')),
    sql: 'SELECT sum(b) AS s, count(b) AS c, avg(b) AS av, min(b) AS mn, max(b) AS mx, count(DISTINCT b) AS cd FROM {t}',
  },
  {
    name: 'min, max, countDistinct on strings (UTF-8 byte order)',
    ds: (d) => d.agg(min('s').as('mn'), max('s').as('mx'), countDistinct('s').as('cd'), count('s').as('c')),
    sql: 'SELECT min(s) AS mn, max(s) AS mx, count(DISTINCT s) AS cd, count(s) AS c FROM {t}',
  },
  {
    name: 'min, max, countDistinct on booleans and dates',
    ds: (d) => d.agg(min('flag').as('fmn'), max('flag').as('fmx'), countDistinct('flag').as('fcd'), min('d').as('dmn'), max('d').as('dmx'), countDistinct('d').as('dcd')),
    sql: 'SELECT min(flag) AS fmn, max(flag) AS fmx, count(DISTINCT flag) AS fcd, min(d) AS dmn, max(d) AS dmx, count(DISTINCT d) AS dcd FROM {t}',
  },
  {
    name: 'aggregates over expressions',
    ds: (d) => d.agg(sum(col('a').mul(col('b'))).as('ab'), max(col('a').plus(col('q'))).as('mx'), count(col('b').div(col('a'))).as('c')),
    sql: 'SELECT sum(a * b) AS ab, max(a + q) AS mx, count(CASE WHEN a = 0 THEN NULL ELSE b / a END) AS c FROM {t}',
  },
  {
    name: 'aggregates after a filter',
    ds: (d) => d.filter(col('s').isNotNull().and(col('a').gt(-5))).agg(count('*').as('n'), sum('b').as('s'), countDistinct('s').as('cd')),
    sql: 'SELECT count(*) AS n, sum(b) AS s, count(DISTINCT s) AS cd FROM {t} WHERE s IS NOT NULL AND a > -5',
  },
  {
    name: 'aggregates of a column that is NULL in every remaining row',
    ds: (d) => d.filter(col('a').isNull()).agg(sum('a').as('s'), count('a').as('c'), avg('a').as('av'), min('a').as('mn'), countDistinct('a').as('cd'), count('*').as('n')),
    sql: 'SELECT sum(a) AS s, count(a) AS c, avg(a) AS av, min(a) AS mn, count(DISTINCT a) AS cd, count(*) AS n FROM {t} WHERE a IS NULL',
  },
  {
    name: 'default output names',
    ds: (d) => d.agg(sum('a'), count('*'), count('a'), countDistinct('s')),
    sql: 'SELECT sum(a) AS "sum(a)", count(*) AS "count(*)", count(a) AS "count(a)", count(DISTINCT s) AS "count(DISTINCT s)" FROM {t}',
  },
  {
    name: 'aggregate of a literal, then arithmetic on the result',
    ds: (d) => d.agg(sum(lit(1)).as('ones'), count('*').as('n')).withColumn('same', col('ones').eq(col('n'))),
    sql: 'SELECT sum(1) AS ones, count(*) AS n, sum(1) = count(*) AS same FROM {t}',
  },
  {
    name: 'aggregate over a union',
    ds: (d) => d.union(d.filter(col('a').gt(0))).agg(count('*').as('n'), sum('a').as('s'), countDistinct('id').as('ids')),
    sql: 'SELECT count(*) AS n, sum(a) AS s, count(DISTINCT id) AS ids FROM (SELECT * FROM {t} UNION ALL SELECT * FROM {t} WHERE a > 0)',
  },
];

describe.each(INPUTS)('on $name', ({ name, table }) => {
  for (const c of CASES) {
    it(c.name, async () => {
      const got = await expectSameAsSql(c.ds(inputs.get(name)!), db, c.sql.replaceAll('{t}', table));
      expect(got.length).toBe(1);
    });
  }

  it('a union of aggregates (each reads its own shuffle)', async () => {
    const d = inputs.get(name)!;
    const other = spark.createDataset(rows.slice(0, 40), { schema, partitions: 3 });
    await expectSameAsSql(
      d.agg(sum('a').as('s'), count('*').as('n'))
        .union(d.filter(col('a').gt(1)).agg(sum('a').as('s'), count('*').as('n')))
        .union(other.select('a', 'q'))
        .union(d.agg(max('id').as('s'), count('b').as('n'))),
      db,
      `SELECT sum(a) AS s, count(*) AS n FROM ${table}
       UNION ALL SELECT sum(a), count(*) FROM ${table} WHERE a > 1
       UNION ALL SELECT a, q FROM t WHERE id < 40
       UNION ALL SELECT max(id), count(b) FROM ${table}`,
    );
  });

  it('count() equals SELECT count(*)', async () => {
    const [e] = (await sqlResult(db, `SELECT count(*) AS n FROM ${table}`)).rows;
    expect(await inputs.get(name)!.count()).toBe(e!['n']);
    const [f] = (await sqlResult(db, `SELECT count(*) AS n FROM ${table} WHERE b IS NULL`)).rows;
    expect(await inputs.get(name)!.filter(col('b').isNull()).count()).toBe(f!['n']);
  });
});

describe('empty input semantics', () => {
  it('count is 0 and every other aggregate NULL', async () => {
    const got = await inputs.get('empty (a filter removed every row)')!
      .agg(count('*').as('n'), count('a').as('c'), countDistinct('s').as('cd'), sum('a').as('s'), avg('b').as('av'), min('s').as('mn'), max('d').as('mx'))
      .collect();
    expect(got).toEqual([{ n: 0, c: 0, cd: 0, s: null, av: null, mn: null, mx: null }]);
  });
});

describe('NaN and infinities (Spark and DuckDB agree: NaN = NaN, NaN above every number)', () => {
  const vals = [1.5, NaN, -Infinity, null, Infinity, 0, NaN, -2, -0];
  const data = vals.map((x, i) => ({ id: i, x }));
  const nanSchema = { id: 'int64', x: 'float64' };
  let many: Dataset;
  let one: Dataset;
  beforeAll(async () => {
    await loadRows(db, 'nan', data, { id: 'int64', x: 'float64' });
    many = spark.createDataset(data, { schema: nanSchema, partitions: 4 });
    one = spark.createDataset(data, { schema: nanSchema, partitions: 1 });
  });

  it('aggregates', async () => {
    for (const d of [many, one]) {
      await expectSameAsSql(
        d.agg(max('x').as('mx'), min('x').as('mn'), countDistinct('x').as('cd'), count('x').as('c'), sum('x').as('s')),
        db, 'SELECT max(x) AS mx, min(x) AS mn, count(DISTINCT x) AS cd, count(x) AS c, sum(x) AS s FROM nan',
      );
      await expectSameAsSql(
        d.filter(col('x').neq(lit(NaN))).agg(max('x').as('mx'), sum('x').as('s'), avg('x').as('av')),
        db, "SELECT max(x) AS mx, sum(x) AS s, avg(x) AS av FROM nan WHERE x <> 'NaN'::DOUBLE",
      );
    }
  });

  const FILTERS: [string, () => ReturnType<typeof col>, string][] = [
    ['x = NaN', () => col('x').eq(lit(NaN)), "x = 'NaN'::DOUBLE"],
    ['x > 1e300', () => col('x').gt(1e300), 'x > 1e300'],
    ['x < 0', () => col('x').lt(0), 'x < 0'],
    ['x >= Infinity', () => col('x').gte(lit(Infinity)), "x >= 'inf'::DOUBLE"],
    ['x != 0', () => col('x').neq(0), 'x <> 0'],
    ['x isIn(NaN, -2)', () => col('x').isIn(lit(NaN), -2), "x IN ('NaN'::DOUBLE, -2)"],
  ];
  for (const [name, cond, sql] of FILTERS) {
    it(`filter ${name}`, async () => {
      await expectSameAsSql(many.filter(cond()), db, `SELECT * FROM nan WHERE ${sql}`);
    });
  }
});

describe('200k orders in 4 Parquet files', () => {
  it('filter, computed column and every aggregate match DuckDB', async () => {
    const dir = path.join(root, 'orders');
    await generateOrders(dir, { rows: 200_000, files: 4, users: 5_000, products: 500, seed: 11, rowGroupSize: 25_000 });
    const orders = spark.read.parquet(dir);
    const from = `read_parquet(${sqlPath(path.join(dir, '*.parquet'))})`;

    expect(await orders.count()).toBe(200_000);

    const paid = orders
      .filter(col('status').eq('paid').and(col('amount').gt(100)))
      .withColumn('revenue', col('amount').mul(col('quantity')));
    await expectSameAsSql(
      paid.agg(
        count('*').as('orders'), countDistinct('user_id').as('buyers'), sum('revenue').as('revenue'), avg('amount').as('avg_amount'),
        min('order_date').as('first_day'), max('order_date').as('last_day'), max('amount').as('top'), countDistinct('product_id').as('products'),
      ),
      db,
      `SELECT count(*) AS orders, count(DISTINCT user_id) AS buyers, sum(amount * quantity) AS revenue, avg(amount) AS avg_amount,
              min(order_date) AS first_day, max(order_date) AS last_day, max(amount) AS top, count(DISTINCT product_id) AS products
       FROM ${from} WHERE status = 'paid' AND amount > 100`,
    );

    // NULL amounts: counted by count('*'), skipped by count(amount) and sum.
    await expectSameAsSql(
      orders.agg(count('*').as('n'), count('amount').as('with_amount'), sum('amount').as('total'), countDistinct('status').as('statuses')),
      db,
      `SELECT count(*) AS n, count(amount) AS with_amount, sum(amount) AS total, count(DISTINCT status) AS statuses FROM ${from}`,
    );

    // A selective filter on a date and a projection: compare every surviving row.
    await expectSameAsSql(
      orders.filter(col('order_date').eq(new Date(Date.UTC(2024, 0, 3))).and(col('quantity').eq(5)).and(col('user_id').lt(300)))
        .select('order_id', 'user_id', 'amount', 'status'),
      db,
      `SELECT order_id, user_id, amount, status FROM ${from} WHERE order_date = DATE '2024-01-03' AND quantity = 5 AND user_id < 300`,
    );
  });
});
