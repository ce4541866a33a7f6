// End to end: every source — createDataset, fromArrow, range, read.parquet (file, directory,
// Hive partitions), read.csv, read.json — compared with DuckDB reading or holding the same
// data, on a session with 2 workers and on one with a single worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { Session, col, count, sum, min, max } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { expectSameAsSql, loadRows, sqlPath, sqlResult, tempDir, type Row, type TypeName } from '../helpers/e2e.js';
import { MIXED_SCHEMA, mixedRows } from '../helpers/e2e-data.js';

const N = 700;
const rows = mixedRows(N);

let spark: Session;
let spark1: Session;
let db: Oracle;
let root: string;
const p = (...parts: string[]) => path.join(root, ...parts);

/** COPY (sql) TO file, with DuckDB options. */
async function copyTo(sql: string, file: string, options = '(FORMAT parquet)'): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await db.con.run(`COPY (${sql}) TO ${sqlPath(file)} ${options}`);
}

beforeAll(async () => {
  [spark, spark1] = await Promise.all([Session.create({ parallelism: 2 }), Session.create({ parallelism: 1 })]);
  db = await openOracle();
  root = await tempDir('sources');
  await loadRows(db, 't', rows, MIXED_SCHEMA);

  // Parquet: one file; a directory of several files (one empty) plus files readers must skip.
  await copyTo('SELECT * FROM t', p('one.parquet'));
  await copyTo('SELECT * FROM t WHERE id < 100', p('dir', 'part-0.parquet'));
  await copyTo('SELECT * FROM t WHERE id >= 100 AND id < 550', p('dir', 'part-1.parquet'));
  await copyTo('SELECT * FROM t WHERE id >= 550', p('dir', 'part-2.parquet'));
  await copyTo('SELECT * FROM t WHERE false', p('dir', 'part-3.parquet'));
  await fs.writeFile(p('dir', '_SUCCESS'), '');
  await fs.writeFile(p('dir', '.part-0.parquet.crc'), 'not parquet');
  await copyTo('SELECT * FROM t WHERE false', p('empty.parquet'));

  // Hive partitions: int and string keys, values with a space and non-ASCII, uneven files.
  let k = 0;
  for (const year of [2022, 2023, 2024]) {
    for (const city of ['Oslo', 'New York', 'São Paulo']) {
      if (year === 2022 && city === 'São Paulo') continue;
      await copyTo(
        `SELECT id, a, b, s FROM t WHERE id % 8 = ${k++}`,
        p('hive', `year=${year}`, `city=${city}`, 'part-00000.parquet'),
      );
    }
  }
  await copyTo('SELECT id, a, b, s FROM t WHERE id % 8 = 7 AND id % 3 = 0', p('hive', 'year=2024', 'city=__HIVE_DEFAULT_PARTITION__', 'part-00000.parquet'));
  await copyTo('SELECT id, a, b, s FROM t WHERE id % 8 = 7 AND id % 3 <> 0', p('hive', 'year=2022', 'city=__HIVE_DEFAULT_PARTITION__', 'part-00000.parquet'));
  await fs.writeFile(p('hive', '_SUCCESS'), '');

  // CSV: with a header (types to infer), without one, a directory with an empty file.
  const csvCols = 'id, a, q, b, s, flag, d';
  await copyTo(`SELECT ${csvCols} FROM t`, p('t.csv'), '(FORMAT csv, HEADER)');
  await copyTo(`SELECT ${csvCols} FROM t`, p('t-noheader.csv'), '(FORMAT csv, HEADER false)');
  await copyTo(`SELECT ${csvCols} FROM t WHERE id < 300`, p('csvdir', 'a.csv'), '(FORMAT csv, HEADER)');
  await copyTo(`SELECT ${csvCols} FROM t WHERE id >= 300`, p('csvdir', 'b.csv'), '(FORMAT csv, HEADER)');
  await fs.writeFile(p('csvdir', 'c.csv'), 'id,a,q,b,s,flag,d\n');
  await fs.writeFile(p('empty.csv'), '');

  // JSON lines.
  await copyTo('SELECT * FROM t', p('t.json'), '(FORMAT json)');
  await fs.writeFile(p('empty.json'), '');
  await fs.writeFile(p('ragged.json'), [
    '{"id": 1, "name": "Zoë", "score": 1.5}',
    '{"id": 2, "score": null, "extra": true}',
    '',
    '{"name": "日本", "id": 3}',
    '{"id": 4, "name": null, "score": -2}',
  ].join('\n') + '\n');
});

afterAll(async () => {
  await Promise.all([spark?.stop(), spark1?.stop()]);
  db?.close();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

const SESSIONS = [
  { name: 'parallelism 2', get: () => spark },
  { name: 'parallelism 1', get: () => spark1 },
] as const;

describe('createDataset', () => {
  it('infers types from mixed rows (int and double widen, all-NULL is string, missing keys are NULL)', async () => {
    const data: Row[] = [
      { i: 1, f: 1, s: 'x', b: true, n: null, t: new Date(Date.UTC(2024, 1, 29, 12, 30)) },
      { i: null, f: 2.5, s: null, b: null, n: null, t: null },
      { i: -3, s: 'Zoë', b: false, t: new Date(0) },
      { i: 2 ** 40, f: -0.125, s: '', b: true, n: null },
    ];
    const ds = spark.createDataset(data, { partitions: 3 });
    expect((await ds.schema()).map((f) => [f.name, f.type])).toEqual([
      ['i', 'int64'], ['f', 'float64'], ['s', 'string'], ['b', 'boolean'], ['n', 'string'], ['t', 'timestamp'],
    ]);
    await loadRows(db, 'mixed', data, { i: 'int64', f: 'float64', s: 'string', b: 'boolean', n: 'string', t: 'timestamp' });
    await expectSameAsSql(ds, db, 'SELECT * FROM mixed');
    await expectSameAsSql(ds.filter(col('i').gt(0).or(col('f').lt(0))), db, 'SELECT * FROM mixed WHERE i > 0 OR f < 0');
  });

  it('with an explicit schema, more partitions than rows, and no rows at all', async () => {
    const data = [{ a: 1, b: 'x' }, { a: null, b: null }, { a: 3, b: 'z' }];
    const ds = spark.createDataset(data, { schema: { a: 'int32', b: 'string' }, partitions: 7 });
    expect((await ds.schema()).map((f) => f.type)).toEqual(['int32', 'string']);
    await loadRows(db, 'small', data, { a: 'int32', b: 'string' });
    await expectSameAsSql(ds, db, 'SELECT * FROM small');
    const none = spark.createDataset([], { schema: { a: 'int32', b: 'string' } });
    expect(await none.collect()).toEqual([]);
    expect(await none.columns()).toEqual(['a', 'b']);
    expect(await none.count()).toBe(0);
  });

  it('timestamps: compare, cast to date and string', async () => {
    const data: Row[] = Array.from({ length: 50 }, (_, i) => ({
      id: i, ts: i % 9 === 4 ? null : new Date(Date.UTC(2024, 1, 28, 20, 0, 0) + i * 3_600_000 + (i % 3) * 250),
    }));
    const ds = spark.createDataset(data, { partitions: 4 });
    expect((await ds.schema()).map((f) => f.type)).toEqual(['int64', 'timestamp']);
    await loadRows(db, 'ts', data, { id: 'int64', ts: 'timestamp' });
    await expectSameAsSql(
      ds.filter(col('ts').gte(new Date(Date.UTC(2024, 1, 29, 6)))).select(col('id'), col('ts'), col('ts').cast('date').as('day')),
      db,
      "SELECT id, ts, CAST(ts AS DATE) AS day FROM ts WHERE ts >= TIMESTAMP '2024-02-29 06:00:00'",
    );
    await expectSameAsSql(
      ds.agg(min('ts').as('lo'), max('ts').as('hi'), count('ts').as('n')), db,
      'SELECT min(ts) AS lo, max(ts) AS hi, count(ts) AS n FROM ts',
    );
    await expectSameAsSql(
      ds.filter(col('id').lt(6)).select(col('id'), col('ts').cast('string').as('text')), db,
      'SELECT id, CAST(ts AS VARCHAR) AS text FROM ts WHERE id < 6',
    );
  });

  it('column names with spaces, quotes and non-ASCII letters', async () => {
    const data: Row[] = [
      { 'my col': 1, "it's": 'a', 'naïve "x"': 1.5 },
      { 'my col': 2, "it's": null, 'naïve "x"': -1 },
      { 'my col': null, "it's": 'c', 'naïve "x"': 0.25 },
    ];
    const ds = spark.createDataset(data, { partitions: 2 });
    await loadRows(db, 'names', data, { 'my col': 'int64', "it's": 'string', 'naïve "x"': 'float64' });
    await expectSameAsSql(
      ds.filter(col('my col').gt(0).or(col("it's").eq('c'))).select(col('my col').plus(col('naïve "x"')).as('sum of'), col("it's")),
      db,
      `SELECT "my col" + "naïve ""x""" AS "sum of", "it's" FROM names WHERE "my col" > 0 OR "it's" = 'c'`,
    );
  });

  it('the shared mixed rows on 7 partitions', async () => {
    await expectSameAsSql(spark.createDataset(rows, { schema: MIXED_SCHEMA as Record<string, string>, partitions: 7 }), db, 'SELECT * FROM t');
  });
});

describe('fromArrow', () => {
  it('reads every column type with NULLs, on several partitions', async () => {
    const n = 1000;
    const data: Row[] = Array.from({ length: n }, (_, i) => ({
      i32: i % 10 === 3 ? null : i - 500,
      i64: i % 9 === 2 ? null : (i - 400) * 1_000_003,
      f64: i % 8 === 1 ? null : i / 7 - 60,
      s: i % 7 === 0 ? null : ['a', 'Zoë', '😀', '', '日本'][i % 5]!,
      b: i % 6 === 5 ? null : i % 2 === 0,
      d: i % 11 === 4 ? null : new Date(Date.UTC(2023, 11, 25 + (i % 20))),
    }));
    const table = new arrow.Table({
      i32: arrow.vectorFromArray(data.map((r) => r['i32']), new arrow.Int32()),
      i64: arrow.vectorFromArray(data.map((r) => (r['i64'] === null ? null : BigInt(r['i64'] as number))), new arrow.Int64()),
      f64: arrow.vectorFromArray(data.map((r) => r['f64']), new arrow.Float64()),
      s: arrow.vectorFromArray(data.map((r) => r['s']), new arrow.Utf8()),
      b: arrow.vectorFromArray(data.map((r) => r['b']), new arrow.Bool()),
      d: arrow.vectorFromArray(data.map((r) => r['d']), new arrow.DateDay()),
    });
    const ds = spark.fromArrow(table, { partitions: 5 });
    expect((await ds.schema()).map((f) => [f.name, f.type])).toEqual([
      ['i32', 'int32'], ['i64', 'int64'], ['f64', 'float64'], ['s', 'string'], ['b', 'boolean'], ['d', 'date'],
    ]);
    const types: Record<string, TypeName> = { i32: 'int32', i64: 'int64', f64: 'float64', s: 'string', b: 'boolean', d: 'date' };
    await loadRows(db, 'arrow_t', data, types);
    await expectSameAsSql(ds, db, 'SELECT * FROM arrow_t');
    await expectSameAsSql(
      ds.filter(col('b').and(col('s').neq(''))).agg(count('*').as('n'), sum('i64').as('s64'), min('d').as('d0'), max('s').as('smax')),
      db,
      "SELECT count(*) AS n, sum(i64) AS s64, min(d) AS d0, max(s) AS smax FROM arrow_t WHERE b AND s <> ''",
    );
    expect(await spark1.fromArrow(table).count()).toBe(n);
  });
});

describe.each(SESSIONS)('range on $name', ({ get }) => {
  const CASES: [string, () => Parameters<Session['range']>, string][] = [
    ['range(10)', () => [10], 'range(10)'],
    ['range(3, 20)', () => [3, 20], 'range(3, 20)'],
    ['range(3, 20, 4)', () => [3, 20, 4], 'range(3, 20, 4)'],
    ['range(10, -5, -3) (negative step)', () => [10, -5, -3], 'range(10, -5, -3)'],
    ['range(-5, 10, 7)', () => [-5, 10, 7], 'range(-5, 10, 7)'],
    ['range(0) is empty', () => [0], 'range(0)'],
    ['range(5, 5) is empty', () => [5, 5], 'range(5, 5)'],
    ['range(5, 0) is empty (start past end)', () => [5, 0], 'range(5, 0)'],
    ['range(0, 5, -1) is empty (step the wrong way)', () => [0, 5, -1], 'range(0, 5, -1)'],
    ['range(-1000, 1001, 13) on 7 partitions', () => [-1000, 1001, 13, 7], 'range(-1000, 1001, 13)'],
    ['range(1000, -1000, -7) on 7 partitions', () => [1000, -1000, -7, 7], 'range(1000, -1000, -7)'],
    ['range(0, 100, 3) on 1 partition', () => [0, 100, 3, 1], 'range(0, 100, 3)'],
    ['range(0, 3) on 7 partitions (more partitions than rows)', () => [0, 3, 1, 7], 'range(0, 3)'],
  ];
  for (const [name, args, fn] of CASES) {
    it(name, async () => {
      const ds = get().range(...args());
      expect((await ds.schema()).map((f) => [f.name, f.type])).toEqual([['id', 'int64']]);
      await expectSameAsSql(ds, db, `SELECT range AS id FROM ${fn}`);
      await expectSameAsSql(
        ds.agg(count('*').as('n'), sum('id').as('s'), min('id').as('lo'), max('id').as('hi')),
        db,
        `SELECT count(*) AS n, sum(range) AS s, min(range) AS lo, max(range) AS hi FROM ${fn}`,
      );
    });
  }

  it('range with filter and arithmetic', async () => {
    await expectSameAsSql(
      get().range(-50, 50, 3).filter(col('id').mod(2).eq(0)).select(col('id'), col('id').mul(col('id')).as('sq')),
      db,
      'SELECT range AS id, range * range AS sq FROM range(-50, 50, 3) WHERE range % 2 = 0',
    );
  });
});

describe.each(SESSIONS)('read.parquet on $name', ({ get }) => {
  it('a single file', async () => {
    const ds = get().read.parquet(p('one.parquet'));
    expect((await ds.schema()).map((f) => [f.name, f.type])).toEqual(Object.entries(MIXED_SCHEMA));
    await expectSameAsSql(ds, db, 'SELECT * FROM t');
    await expectSameAsSql(
      ds.filter(col('s').gte('a').and(col('b').isNotNull())).select('id', 's', 'b'),
      db,
      "SELECT id, s, b FROM t WHERE s >= 'a' AND b IS NOT NULL",
    );
  });

  it('a directory of several files (one empty; _ and . files skipped)', async () => {
    const ds = get().read.parquet(p('dir'));
    await expectSameAsSql(ds, db, 'SELECT * FROM t');
    await expectSameAsSql(ds.filter(col('id').gte(90).and(col('id').lt(110))), db, 'SELECT * FROM t WHERE id >= 90 AND id < 110');
    expect(await ds.count()).toBe(N);
    // Files are read in path order, so take(n) returns the first rows of the first files.
    expect(((await ds.take(120)) as Row[]).map((r) => r['id'])).toEqual(Array.from({ length: 120 }, (_, i) => i));
  });

  it('an empty file: no rows, the file\'s columns, count 0', async () => {
    const ds = get().read.parquet(p('empty.parquet'));
    await expectSameAsSql(ds, db, 'SELECT * FROM t WHERE false');
    expect(await ds.count()).toBe(0);
    await expectSameAsSql(ds.agg(count('*').as('n'), sum('a').as('s')), db, 'SELECT count(*) AS n, sum(a) AS s FROM t WHERE false');
  });

  const hive = () => `read_parquet(${sqlPath(p('hive', '*', '*', '*.parquet'))}, hive_partitioning = true)`;

  it('Hive partition directories become typed columns (int and string)', async () => {
    const ds = get().read.parquet(p('hive'));
    expect((await ds.schema()).map((f) => [f.name, f.type])).toEqual([
      ['id', 'int64'], ['a', 'int64'], ['b', 'float64'], ['s', 'string'], ['year', 'int32'], ['city', 'string'],
    ]);
    await expectSameAsSql(ds, db, `SELECT id, a, b, s, year, city FROM ${hive()}`);
  });

  it('a filter on partition columns reads only the matching directories', async () => {
    const s = get();
    const ds = s.read.parquet(p('hive'));
    const got = await ds.filter(col('year').eq(2023).and(col('city').neq('Oslo'))).collect();
    const [e] = (await sqlResult(db, `SELECT count(*) AS n FROM ${hive()} WHERE year = 2023 AND city <> 'Oslo'`)).rows;
    expect(got.length).toBe(e!['n']);
    const read = s.lastJob()!.stages.reduce((acc, st) => acc + st.inputRecords, 0);
    expect(read).toBe(e!['n']);
  });

  const FILTERS: [string, () => ReturnType<typeof col>, string][] = [
    ['year = 2023', () => col('year').eq(2023), 'year = 2023'],
    ["city = 'New York'", () => col('city').eq('New York'), "city = 'New York'"],
    ["year > 2022 and city != 'Oslo'", () => col('year').gt(2022).and(col('city').neq('Oslo')), "year > 2022 AND city <> 'Oslo'"],
    ['partition or data column', () => col('year').isIn(2022, 2024).or(col('a').gt(15)), 'year IN (2022, 2024) OR a > 15'],
    ["partition and data column, non-ASCII value", () => col('city').eq('São Paulo').and(col('b').lt(0)), "city = 'São Paulo' AND b < 0"],
    ['a partition value that does not exist', () => col('year').eq(1999), 'year = 1999'],
    ['a NULL partition (__HIVE_DEFAULT_PARTITION__)', () => col('city').isNull(), 'city IS NULL'],
    ['not a NULL partition', () => col('city').isNotNull().and(col('year').neq(2023)), 'city IS NOT NULL AND year <> 2023'],
    ['a cast partition column', () => col('year').cast('string').eq('2023'), "CAST(year AS VARCHAR) = '2023'"],
    ['arithmetic on a partition column', () => col('year').plus(1).eq(2024), 'year + 1 = 2024'],
    ['string order on a partition column', () => col('city').lt('O'), "city < 'O'"],
    ['isIn on a partition column', () => col('city').isIn('Oslo', 'São Paulo'), "city IN ('Oslo', 'São Paulo')"],
  ];
  for (const [name, cond, sql] of FILTERS) {
    it(`filtering on partition columns: ${name}`, async () => {
      const ds = get().read.parquet(p('hive'));
      await expectSameAsSql(ds.filter(cond()), db, `SELECT id, a, b, s, year, city FROM ${hive()} WHERE ${sql}`);
      await expectSameAsSql(ds.filter(cond()).select('city', 'id'), db, `SELECT city, id FROM ${hive()} WHERE ${sql}`);
    });
  }
});

describe.each(SESSIONS)('read.csv on $name', ({ get }) => {
  it('with a header, inferring types', async () => {
    const ds = get().read.csv(p('t.csv'));
    expect((await ds.schema()).map((f) => [f.name, f.type])).toEqual([
      ['id', 'int32'], ['a', 'int32'], ['q', 'int32'], ['b', 'float64'], ['s', 'string'], ['flag', 'boolean'], ['d', 'date'],
    ]);
    await expectSameAsSql(ds, db, 'SELECT id, a, q, b, s, flag, d FROM t');
    await expectSameAsSql(ds.filter(col('a').gt(0).and(col('s').neq(''))), db, "SELECT id, a, q, b, s, flag, d FROM t WHERE a > 0 AND s <> ''");
  });

  it('without a header: columns _c0, _c1, ...', async () => {
    const ds = get().read.csv(p('t-noheader.csv'), { header: false });
    await expectSameAsSql(ds, db, 'SELECT id AS _c0, a AS _c1, q AS _c2, b AS _c3, s AS _c4, flag AS _c5, d AS _c6 FROM t');
  });

  it('with an explicit schema (columns by position)', async () => {
    const ds = get().read.csv(p('t-noheader.csv'), {
      header: false, schema: { id: 'int64', amount: 'int64', q: 'int32', b: 'float64', s: 'string', flag: 'boolean', d: 'date' },
    });
    expect((await ds.schema()).map((f) => f.type)).toEqual(['int64', 'int64', 'int32', 'float64', 'string', 'boolean', 'date']);
    await expectSameAsSql(ds.filter(col('amount').isNull().or(col('flag'))), db, 'SELECT id, a AS amount, q, b, s, flag, d FROM t WHERE a IS NULL OR flag');
  });

  it('inferSchema: false reads every column as text', async () => {
    const ds = get().read.csv(p('t.csv'), { inferSchema: false }).select('id', 'b', 'flag', 'd');
    expect((await ds.schema()).every((f) => f.type === 'string')).toBe(true);
    await expectSameAsSql(ds, db, `SELECT id, b, flag, d FROM read_csv(${sqlPath(p('t.csv'))}, header = true, all_varchar = true)`);
  });

  it('a directory of files, one of them only a header', async () => {
    const ds = get().read.csv(p('csvdir'), { schema: { id: 'int64', a: 'int64', q: 'int32', b: 'float64', s: 'string', flag: 'boolean', d: 'date' } });
    await expectSameAsSql(ds, db, 'SELECT id, a, q, b, s, flag, d FROM t');
    expect(await ds.count()).toBe(N);
  });

  it('an empty file: no rows', async () => {
    const ds = get().read.csv(p('empty.csv'), { schema: { id: 'int64', s: 'string' } });
    await expectSameAsSql(ds, db, 'SELECT id, s FROM t WHERE false');
    expect(await ds.count()).toBe(0);
  });
});

describe.each(SESSIONS)('read.json on $name', ({ get }) => {
  it('JSON lines written by DuckDB, schema inferred (fields sorted by name, as Spark)', async () => {
    const ds = get().read.json(p('t.json'));
    expect((await ds.schema()).map((f) => [f.name, f.type])).toEqual([
      ['a', 'int64'], ['b', 'float64'], ['d', 'string'], ['flag', 'boolean'], ['id', 'int64'], ['q', 'int64'], ['s', 'string'],
    ]);
    await expectSameAsSql(ds, db, 'SELECT a, b, CAST(d AS VARCHAR) AS d, flag, id, q, s FROM t');
  });

  it('with an explicit schema (dates parsed)', async () => {
    const ds = get().read.json(p('t.json'), { schema: { id: 'int64', s: 'string', d: 'date', b: 'float64' } });
    await expectSameAsSql(ds, db, 'SELECT id, s, d, b FROM t');
    await expectSameAsSql(ds.filter(col('d').lt(new Date(Date.UTC(2024, 0, 10)))), db, "SELECT id, s, d, b FROM t WHERE d < DATE '2024-01-10'");
  });

  it('ragged records: missing keys are NULL, blank lines skipped', async () => {
    const ds = get().read.json(p('ragged.json'));
    expect(await ds.columns()).toEqual(['extra', 'id', 'name', 'score']);
    await expectSameAsSql(ds, db, `SELECT extra, id, name, score FROM read_json(${sqlPath(p('ragged.json'))},
      columns = {extra: 'BOOLEAN', id: 'BIGINT', name: 'VARCHAR', score: 'DOUBLE'})`);
  });

  it('an empty file: no rows', async () => {
    const ds = get().read.json(p('empty.json'), { schema: { id: 'int64', s: 'string' } });
    expect(await ds.collect()).toEqual([]);
    expect(await ds.columns()).toEqual(['id', 's']);
    expect(await ds.count()).toBe(0);
  });
});

describe('a missing path', () => {
  it('fails with the path in the message', async () => {
    await expect(spark.read.parquet(p('nope')).collect()).rejects.toThrow(p('nope'));
    await expect(spark.read.csv(p('nope.csv')).count()).rejects.toThrow(p('nope.csv'));
  });
});

describe('results are plain values', () => {
  it('numbers, strings, booleans, Dates and null', async () => {
    const [r] = await spark.read.parquet(p('one.parquet')).filter(col('id').eq(0)).collect();
    const [e] = (await sqlResult(db, 'SELECT * FROM t WHERE id = 0')).rows;
    expect(typeof r!['id']).toBe('number');
    expect(typeof r!['b']).toBe('number');
    expect(typeof r!['flag']).toBe('boolean');
    expect(r!['d']).toBeInstanceOf(Date);
    expect((r!['d'] as Date).getTime()).toBe(e!['d']);
  });
});
