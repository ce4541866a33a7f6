// End to end: a NULL literal given a type by a cast widens the expression it is in, as Spark's
// and DuckDB's CAST(NULL AS BIGINT) does, while an untyped lit(null) takes the other side's
// type. Each case is compared with DuckDB: the column types and the rows. The widening shows in
// values too: coalesce(CAST(NULL AS BIGINT), a) + 2147483647 is exact, where an int32 sum wraps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, abs, coalesce, col, greatest, lit, when, type Dataset } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { duckType, expectSameAsSql, loadRows, type Row, type TypeName } from '../helpers/e2e.js';

const SCHEMA: Readonly<Record<string, TypeName>> = { id: 'int64', a: 'int32', b: 'int64', x: 'float64' };
const A = [2147483647, -2147483648, 0, 1, -1, 7, null, 2147483000, -5];
const ROWS: Row[] = A.map((a, i) => ({ id: i, a, b: i % 4 === 2 ? null : (i - 4) * 3_000_000_000, x: i % 3 === 0 ? null : i / 4 }));

const I64 = () => lit(null).cast('int64');

interface Case {
  readonly name: string;
  readonly ds: (d: Dataset) => Dataset;
  readonly sql: string;
}

const CASES: readonly Case[] = [
  {
    name: 'arithmetic with a typed NULL has the wider type (an untyped NULL takes the column\'s)',
    ds: (d) => d.select(col('id'), I64().minus(col('a')).as('m'), col('a').plus(lit(null).cast('float64')).as('p'),
      lit(null).cast('int32').mul(col('b')).as('t'), col('a').mod(I64()).as('r'), col('a').div(I64()).as('q'),
      lit(null).minus(col('a')).as('u'), col('b').plus(lit(null)).as('v')),
    sql: `SELECT id, CAST(NULL AS BIGINT) - a AS m, a + CAST(NULL AS DOUBLE) AS p, CAST(NULL AS INTEGER) * b AS t,
      a % CAST(NULL AS BIGINT) AS r, a / CAST(NULL AS BIGINT) AS q, NULL - a AS u, b + NULL AS v FROM t`,
  },
  {
    name: 'coalesce, greatest and CASE with a typed NULL compute in int64 (no int32 wrap-around)',
    ds: (d) => d.select(col('id'), coalesce(I64(), col('a')).plus(lit(2147483647)).as('c'),
      greatest(I64(), col('a')).mul(lit(2)).as('g'), when(col('a').gt(0), I64()).otherwise(col('a')).minus(lit(1)).as('w'),
      abs(I64()).as('n')),
    sql: `SELECT id, coalesce(CAST(NULL AS BIGINT), a) + 2147483647 AS c, greatest(CAST(NULL AS BIGINT), a) * 2 AS g,
      CASE WHEN a > 0 THEN CAST(NULL AS BIGINT) ELSE a END - 1 AS w, abs(CAST(NULL AS BIGINT)) AS n FROM t`,
  },
  {
    name: 'a filter on an int64 sum widened by a typed NULL',
    ds: (d) => d.filter(coalesce(I64(), col('a')).plus(lit(2147483647)).gt(lit(2147483647))).select('id', 'a'),
    sql: 'SELECT id, a FROM t WHERE coalesce(CAST(NULL AS BIGINT), a) + 2147483647 > 2147483647',
  },
];

let spark: Session;
let db: Oracle;
let data: Dataset;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2 });
  db = await openOracle();
  await loadRows(db, 't', ROWS, SCHEMA);
  data = spark.createDataset(ROWS, { schema: SCHEMA, partitions: 2 });
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
});

describe('typed NULL literals widen as in Spark (checked against DuckDB)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const ds = c.ds(data);
      const duck = (await db.con.runAndReadAll(c.sql)).columnTypes().map(String);
      const ours = (await ds.schema()).map((f) => duckType(f.type));
      expect(ours, 'column types (as DuckDB names them)').toEqual(duck);
      await expectSameAsSql(ds, db, c.sql);
    });
  }
});
