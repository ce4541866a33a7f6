// Schema drift between the files of one directory: a clear error naming both files and the
// column by default; with mergeSchema: true the union of the columns (NULL where a file lacks
// one) with int32 → int64 → float64 widening, checked against DuckDB's union_by_name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Session, col } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { expectSameAsSql, rejection, sqlPath, tempDir } from '../helpers/e2e.js';
import { mergeSchemas } from '../../src/executor/io/schema-merge.js';
import { field } from '../../src/planner/types.js';

let spark: Session;
let db: Oracle;
let root: string;
let seq = 0;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2 });
  db = await openOracle();
  root = await tempDir('schema-merge');
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

/** A fresh directory holding one Parquet file per query (DuckDB COPY), named f0.parquet, f1.parquet, ... */
async function parquetDir(...queries: string[]): Promise<{ dir: string; files: string[] }> {
  const dir = path.join(root, `pq${seq++}`);
  await fs.mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const [i, q] of queries.entries()) {
    const f = path.join(dir, `f${i}.parquet`);
    await db.con.run(`COPY (${q}) TO ${sqlPath(f)} (FORMAT parquet)`);
    files.push(f);
  }
  return { dir, files };
}

async function textDir(ext: string, ...contents: string[]): Promise<{ dir: string; files: string[] }> {
  const dir = path.join(root, `${ext}${seq++}`);
  await fs.mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const [i, c] of contents.entries()) {
    const f = path.join(dir, `f${i}.${ext}`);
    await fs.writeFile(f, c);
    files.push(f);
  }
  return { dir, files };
}

const list = (files: readonly string[]) => `[${files.map(sqlPath).join(', ')}]`;
const esc = (p: string) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('mergeSchemas', () => {
  const a = { path: '/d/a', schema: [field('id', 'int32', false), field('s', 'string')] };
  it('unions by first appearance, widens numbers, makes missing columns nullable', () => {
    const b = { path: '/d/b', schema: [field('x', 'date'), field('id', 'int64', false)] };
    const c = { path: '/d/c', schema: [field('id', 'float64', false), field('s', 'string')] };
    expect(mergeSchemas([a, b, c], true, 'Parquet')).toEqual([
      field('id', 'float64', false), field('s', 'string', true), field('x', 'date', true),
    ]);
  });
  it('without merge, or for types that do not widen, names both files and the column', () => {
    const b = { path: '/d/b', schema: [field('id', 'int64'), field('s', 'string')] };
    expect(() => mergeSchemas([a, b], false, 'Parquet')).toThrow(/column 'id': int32 in \/d\/a, int64 in \/d\/b.*mergeSchema/);
    const c = { path: '/d/c', schema: [field('id', 'int32'), field('s', 'boolean')] };
    expect(() => mergeSchemas([a, b, c], true, 'Parquet')).toThrow(/column 's' is string in \/d\/a but boolean in \/d\/c/);
    // the file named for a column added later is the one that brought it
    const d = { path: '/d/d', schema: [field('id', 'int32'), field('s', 'string'), field('z', 'date')] };
    const e = { path: '/d/e', schema: [field('id', 'int32'), field('s', 'string'), field('z', 'string')] };
    expect(() => mergeSchemas([a, d, e], true, 'Parquet')).toThrow(/'z' is date in \/d\/d but string in \/d\/e/);
  });
});

describe('Parquet', () => {
  const drift = () => parquetDir(
    `SELECT i::INTEGER AS id, (i * 10)::INTEGER AS a, 's' || i AS s FROM range(0, 300) t(i)`,
    `SELECT i::BIGINT AS id, 's' || i AS s, i / 4 AS b FROM range(300, 500) t(i)`,
    `SELECT (i + 0.5)::DOUBLE AS id, i::BIGINT AS a FROM range(500, 600) t(i)`,
  );

  it('files that differ fail by default, naming both files and the column', async () => {
    const { dir, files } = await drift();
    const err = await rejection(spark.read.parquet(dir).count());
    expect(err.message).toMatch(new RegExp(`column 'id': int32 in ${esc(files[0]!)}, int64 in ${esc(files[1]!)}`));
    expect(err.message).toContain('mergeSchema');
    const { dir: d2, files: f2 } = await parquetDir(`SELECT 1 AS id, 2 AS a`, `SELECT 1 AS id`);
    expect((await rejection(spark.read.parquet(d2).collect())).message)
      .toMatch(new RegExp(`column 'a' is in ${esc(f2[0]!)} but not in ${esc(f2[1]!)}`));
  });

  it('mergeSchema reads the union, widened, as DuckDB union_by_name does', async () => {
    const { dir, files } = await drift();
    const ds = spark.read.parquet(dir, { mergeSchema: true });
    expect((await ds.schema()).map((f) => `${f.name}:${f.type}`)).toEqual(['id:float64', 'a:int64', 's:string', 'b:float64']);
    const from = `read_parquet(${list(files)}, union_by_name = true)`;
    await expectSameAsSql(ds, db, `SELECT id, a, s, b FROM ${from}`);
    await expectSameAsSql(ds.filter(col('b').gt(30)).select('id', 'b'), db, `SELECT id, b FROM ${from} WHERE b > 30`);
    await expectSameAsSql(ds.filter(col('a').isNull()).select('s'), db, `SELECT s FROM ${from} WHERE a IS NULL`);
    expect(await ds.count()).toBe(600);
    expect(await ds.filter(col('a').eq(2990)).count()).toBe(1);
  });

  it('mergeSchema refuses types that do not widen, naming both files', async () => {
    const { dir, files } = await parquetDir(`SELECT 1 AS id, 'x' AS v`, `SELECT 2 AS id, 7 AS v`);
    const err = await rejection(spark.read.parquet(dir, { mergeSchema: true }).collect());
    expect(err.message).toMatch(new RegExp(`column 'v' is string in ${esc(files[0]!)} but int32 in ${esc(files[1]!)}`));
  });

  it('a column added in a later partition directory reads as NULL in the earlier ones', async () => {
    const dir = path.join(root, `evolve${seq++}`);
    const day1 = path.join(dir, 'date=2024-01-01');
    const day2 = path.join(dir, 'date=2024-01-02');
    await fs.mkdir(day1, { recursive: true });
    await fs.mkdir(day2, { recursive: true });
    await db.con.run(`COPY (SELECT i AS order_id, i * 1.5 AS amount FROM range(0, 50) t(i)) TO ${sqlPath(path.join(day1, 'part-0.parquet'))} (FORMAT parquet)`);
    await db.con.run(`COPY (SELECT i AS order_id, i * 1.5 AS amount, 'EUR' AS currency FROM range(50, 80) t(i)) TO ${sqlPath(path.join(day2, 'part-0.parquet'))} (FORMAT parquet)`);
    const ds = spark.read.parquet(dir, { mergeSchema: true });
    await expectSameAsSql(ds, db,
      `SELECT order_id, amount, currency, date FROM read_parquet(${sqlPath(path.join(dir, '*', '*.parquet'))}, union_by_name = true, hive_partitioning = true)`);
    expect(await ds.filter(col('currency').eq('EUR')).count()).toBe(30);
    expect((await rejection(spark.read.parquet(dir).count())).message).toMatch(/column 'currency' is in .*date=2024-01-02.* but not in .*date=2024-01-01/);
  });
});

describe('CSV with a header', () => {
  const files = () => textDir('csv',
    'id,name,amount\n1,a,10\n2,b,20\n',
    'id,amount,name,extra\n3,30.5,c,x\n4,40,d,\n',
    'name,id\ne,5\n',
  );

  it('headers that differ fail by default, naming both files and the column', async () => {
    const { dir, files: f } = await files();
    const err = await rejection(spark.read.csv(dir).collect());
    expect(err.message).toMatch(new RegExp(`column 2 is 'name' in ${esc(f[0]!)} but 'amount' in ${esc(f[1]!)}`));
    expect(err.message).toContain('mergeSchema');
    const { dir: d2, files: f2 } = await textDir('csv', 'a,b\n1,2\n', 'a,b,c\n1,2,3\n');
    expect((await rejection(spark.read.csv(d2).count())).message).toMatch(new RegExp(`${esc(f2[1]!)} has an extra column 3 'c'`));
  });

  it('mergeSchema matches columns by header name, as DuckDB union_by_name does', async () => {
    const { dir, files: f } = await files();
    const ds = spark.read.csv(dir, { mergeSchema: true });
    expect((await ds.schema()).map((x) => `${x.name}:${x.type}`)).toEqual(['id:int32', 'name:string', 'amount:float64', 'extra:string']);
    const from = `read_csv(${list(f)}, union_by_name = true, header = true)`;
    await expectSameAsSql(ds, db, `SELECT id, name, amount, extra FROM ${from}`);
    await expectSameAsSql(ds.select('name', 'id'), db, `SELECT name, id FROM ${from}`);
    expect(await ds.count()).toBe(5);
  });

  it('mergeSchema with an explicit schema matches by name; PERMISSIVE keeps the raw line of a bad record', async () => {
    const { dir } = await textDir('csv', 'id,amount\n1,10\n', 'amount,id\n20,2\nxx,3\n');
    const rows = await spark.read.csv(dir, { mergeSchema: true, mode: 'PERMISSIVE', schema: { id: 'int32', amount: 'int32' } }).orderBy('id').collect();
    expect(rows).toEqual([
      { id: 1, amount: 10, _corrupt_record: null },
      { id: 2, amount: 20, _corrupt_record: null },
      { id: 3, amount: null, _corrupt_record: 'xx,3' },
    ]);
  });
});

describe('JSON lines', () => {
  it('a key of different kinds in two files fails, naming both files; mergeSchema does not change that', async () => {
    const { dir, files: f } = await textDir('json', '{"id": 1, "v": 10}\n{"id": 2, "v": 11}\n', '{"id": 3, "v": "ten"}\n');
    for (const opts of [{}, { mergeSchema: true }]) {
      const err = await rejection(spark.read.json(dir, opts).collect());
      expect(err.message).toMatch(new RegExp(`type of 'v': int64 in ${esc(f[0]!)}, string in ${esc(f[1]!)}`));
    }
  });

  it('keys missing from a file are NULL there and numbers widen, as DuckDB union_by_name reads them', async () => {
    const { dir, files: f } = await textDir('json',
      '{"id": 1, "a": 5}\n{"id": 2, "a": 6, "s": "x"}\n',
      '{"id": 3, "a": 2.5, "b": true}\n',
      '{"id": 4, "s": "y"}\n');
    const ds = spark.read.json(dir, { mergeSchema: true });
    expect((await ds.schema()).map((x) => `${x.name}:${x.type}`)).toEqual(['a:float64', 'b:boolean', 'id:int64', 's:string']);
    await expectSameAsSql(ds, db, `SELECT a, b, id, s FROM read_json(${list(f)}, union_by_name = true, format = 'newline_delimited')`);
  });
});
