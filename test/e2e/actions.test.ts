// End to end: the actions — collect, count, take, first, show, toArrow, explain — on many
// partitions, one partition and empty inputs, checked against DuckDB and Spark's behaviour.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Session, col, lit, sum, count, type Dataset } from '../../src/index.js';
import { openOracle, expectSameRows, type Oracle } from '../helpers/oracle.js';
import { expectSameAsSql, loadRows, sqlPath, sqlResult, tempDir, type Row } from '../helpers/e2e.js';
import { MIXED_SCHEMA, mixedRows } from '../helpers/e2e-data.js';

const N = 300;
const rows = mixedRows(N);
const schema = MIXED_SCHEMA as Record<string, string>;

let spark: Session;
let db: Oracle;
let root: string;
let many: Dataset;
let one: Dataset;
let empty: Dataset;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2 });
  db = await openOracle();
  root = await tempDir('actions');
  await loadRows(db, 't', rows, MIXED_SCHEMA);
  await db.con.run(`COPY (SELECT * FROM t) TO ${sqlPath(path.join(root, 't.parquet'))} (FORMAT parquet)`);
  many = spark.createDataset(rows, { schema, partitions: 7 });
  one = spark.createDataset(rows, { schema, partitions: 1 });
  empty = many.filter(col('a').gt(1000));
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

describe('collect', () => {
  it('returns every row, in partition order, as plain values', async () => {
    expect(await many.collect()).toEqual(rows);
    expect(await one.collect()).toEqual(rows);
    expect(await empty.collect()).toEqual([]);
  });

  it('matches DuckDB after a filter and a projection', async () => {
    await expectSameAsSql(many.filter(col('flag')).select('id', 's'), db, 'SELECT id, s FROM t WHERE flag');
  });
});

describe('count', () => {
  it('counts rows on many, one and no partitions', async () => {
    expect(await many.count()).toBe(N);
    expect(await one.count()).toBe(N);
    expect(await empty.count()).toBe(0);
    expect(await spark.range(0, 1001, 1, 7).count()).toBe(1001);
    expect(await spark.read.parquet(path.join(root, 't.parquet')).count()).toBe(N);
  });

  it('counts after filter, limit and union as DuckDB does', async () => {
    const [e] = (await sqlResult(db, 'SELECT count(*) AS n FROM t WHERE s IS NULL OR a < 0')).rows;
    expect(await many.filter(col('s').isNull().or(col('a').lt(0))).count()).toBe(e!['n']);
    expect(await many.limit(17).count()).toBe(17);
    expect(await many.union(one).count()).toBe(2 * N);
    expect(await many.union(empty).count()).toBe(N);
  });
});

describe('take and first', () => {
  it('take(n) returns the first n rows in partition order', async () => {
    for (const n of [0, 1, 5, 50, 77]) {
      expect(await many.take(n), `take(${n}) on 7 partitions`).toEqual(rows.slice(0, n));
      expect(await one.take(n), `take(${n}) on 1 partition`).toEqual(rows.slice(0, n));
    }
    expect(await many.take(N + 5)).toEqual(rows);
    expect(await empty.take(3)).toEqual([]);
    expect(await spark.range(0, 100, 1, 7).take(12)).toEqual(Array.from({ length: 12 }, (_, i) => ({ id: i })));
  });

  it('take after a filter returns matching rows only', async () => {
    const got = (await many.filter(col('a').gt(10)).take(9)) as Row[];
    expect(got).toEqual(rows.filter((r) => r['a'] !== null && (r['a'] as number) > 10).slice(0, 9));
  });

  it('first() is the first row, or undefined when there is none', async () => {
    expect(await many.first()).toEqual(rows[0]);
    expect(await one.filter(col('id').gte(250)).first()).toEqual(rows[250]);
    expect(await empty.first()).toBeUndefined();
    expect(await spark.range(5, 5).first()).toBeUndefined();
  });
});

describe('show', () => {
  const small = () => spark.createDataset([
    { id: 1, name: 'Zoë', score: 2, ok: true },
    { id: 2, name: null, score: null, ok: null },
    { id: 30, name: 'a very long name that gets truncated', score: -0.25, ok: false },
  ], { schema: { id: 'int64', name: 'string', score: 'float64', ok: 'boolean' }, partitions: 1 });

  it('returns a Spark-style table: header, right-aligned cells, NULL, 20-char truncation', async () => {
    const text = await small().show(20, { print: false });
    expect(text).toBe([
      '+---+--------------------+-----+-----+',
      '| id|                name|score|   ok|',
      '+---+--------------------+-----+-----+',
      '|  1|                 Zoë|  2.0| true|',
      '|  2|                NULL| NULL| NULL|',
      '| 30|a very long name ...|-0.25|false|',
      '+---+--------------------+-----+-----+',
    ].join('\n'));
  });

  it('truncate: false shows whole values', async () => {
    const text = await small().show(20, { print: false, truncate: false });
    expect(text).toContain('|a very long name that gets truncated|');
  });

  it('show(n) says when rows were left out', async () => {
    const text = await one.select('id').show(2, { print: false });
    expect(text).toBe(['+---+', '| id|', '+---+', '|  0|', '|  1|', '+---+', 'only showing top 2 rows'].join('\n'));
    const exact = await one.select('id').limit(2).show(2, { print: false });
    expect(exact).not.toContain('only showing');
  });

  it('an empty dataset shows its header', async () => {
    const text = await empty.select('id', 's').show(20, { print: false });
    expect(text).toBe(['+---+---+', '| id|  s|', '+---+---+', '+---+---+'].join('\n'));
  });

  it('prints the table by default', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const text = await small().show();
      expect(log).toHaveBeenCalledWith(text);
    } finally {
      log.mockRestore();
    }
  });

  it('dates and aggregates render as text', async () => {
    const text = await many.agg(count('*').as('n'), sum('a').as('total')).show(20, { print: false });
    const [e] = (await sqlResult(db, 'SELECT count(*) AS n, sum(a) AS total FROM t')).rows;
    expect(text).toContain(`|${e!['n']}|`);
    expect(text).toContain(`${e!['total']}|`);
    const d = await one.select('d').limit(1).show(1, { print: false });
    expect(d).toContain('|2024-01-01|');
  });
});

describe('toArrow', () => {
  it('returns a table with the columns, types and rows of the result', async () => {
    const t = await many.filter(col('b').gt(0)).toArrow();
    expect(t.schema.fields.map((f) => f.name)).toEqual(Object.keys(MIXED_SCHEMA));
    expect(t.schema.fields.map((f) => String(f.type))).toEqual(['Int64', 'Int64', 'Int32', 'Float64', 'Utf8', 'Bool', 'Date32<DAY>']);
    const [e] = (await sqlResult(db, 'SELECT count(*) AS n FROM t WHERE b > 0')).rows;
    expect(t.numRows).toBe(e!['n']);
    const got = t.toArray().map((r) => {
      const o = r.toJSON() as Row;
      return { id: o['id'], s: o['s'], b: o['b'], d: o['d'] === null ? null : new Date(o['d'] as number) };
    });
    expectSameRows(got, (await sqlResult(db, 'SELECT id, s, b, d FROM t WHERE b > 0')).rows, ['id', 's', 'b', 'd']);
  });

  it('an empty result is a table with the columns and no rows', async () => {
    const t = await empty.select('id', 's').toArrow();
    expect(t.numRows).toBe(0);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['id', 's']);
  });
});

describe('explain', () => {
  it('names the physical operators', async () => {
    const pq = spark.read.parquet(path.join(root, 't.parquet'));
    const scan = await pq.filter(col('a').gt(0)).select(col('id'), col('a').plus(1).as('a1')).explain();
    expect(scan).toMatch(/^== Physical Plan ==/);
    expect(scan).toContain('FileScan parquet');
    expect(scan).toContain('PushedFilters: [');
    expect(scan).toContain('Filter');
    expect(scan).toContain('Project');

    const agg = await many.agg(sum('a'), count('*')).explain();
    expect(agg).toContain('HashAggregate');
    expect(agg).toContain('Exchange SinglePartition');
    expect(agg).toContain('LocalTableScan');

    expect(await many.limit(5).explain()).toContain('Limit');
    expect(await many.union(one).explain()).toContain('Union');
    expect(await spark.range(10).filter(col('id').gt(2)).explain()).toContain('Range');
    expect(await many.map((r: Row) => ({ x: r['id'] })).explain()).toContain('MapElements');
    expect(await many.filter((r: Row) => r['id'] === 1).explain()).toContain('LambdaFilter');
    expect(await many.flatMap((r: Row) => [r]).explain()).toContain('FlatMapElements');
    expect(await many.mapPartitions((rs: Row[]) => rs).explain()).toContain('MapPartitions');
  });

  it('extended shows every phase; cost shows statistics', async () => {
    const ds = many.filter(col('a').gt(0)).select('id', 'a').filter(col('id').lt(lit(100)));
    const ext = await ds.explain('extended');
    for (const h of ['== Analyzed Logical Plan ==', '== Optimized Logical Plan ==', '== Physical Plan ==']) expect(ext).toContain(h);
    const cost = await ds.explain('cost');
    expect(cost).toContain('== Optimized Logical Plan ==');
    expect(cost).toMatch(/rows=\d+/);
  });

  it('does not run a job', async () => {
    await many.count();
    const before = spark.lastJob();
    await many.filter(col('a').gt(0)).agg(sum('a')).explain('extended');
    expect(spark.lastJob()).toBe(before);
  });
});
