// End to end: writing Parquet, CSV and JSON and reading the files back with DuckDB (and with
// Sparrow), partitionBy with awkward values, the save modes, and the guarantee that a failed
// job leaves the target exactly as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Session, col, TaskFailedError, type Dataset } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import {
  exists, expectSameAsSql, listTree, loadRows, localPartitionOf, rejection, snapshotTree, sqlPath, sqlResult, tempDir, type Row,
} from '../helpers/e2e.js';
import { MIXED_SCHEMA, mixedRows } from '../helpers/e2e-data.js';

const N = 400;
const rows = mixedRows(N);
const schema = MIXED_SCHEMA as Record<string, string>;
const ALL = 'id, a, q, b, s, flag, d';
const DUCK_COLUMNS = "{id: 'BIGINT', a: 'BIGINT', q: 'INTEGER', b: 'DOUBLE', s: 'VARCHAR', flag: 'BOOLEAN', d: 'DATE'}";

let spark: Session;
let db: Oracle;
let root: string;
let ds: Dataset;
let seq = 0;
/** A fresh target inside its own parent directory (so strays beside the target show up). */
const target = (name: string) => path.join(root, `${name}-${seq++}`, 'out');

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2 });
  db = await openOracle();
  root = await tempDir('writes');
  await loadRows(db, 't', rows, MIXED_SCHEMA);
  ds = spark.createDataset(rows, { schema, partitions: 7 });
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

/** No _temporary in the target and nothing but the target in its parent. */
async function expectClean(out: string): Promise<void> {
  if (await exists(out)) {
    expect((await listTree(out)).filter((f) => f.includes('_temporary'))).toEqual([]);
    expect(await exists(path.join(out, '_temporary'))).toBe(false);
  }
  const siblings = await fs.readdir(path.dirname(out));
  expect(siblings.filter((n) => n !== 'out')).toEqual([]);
}

describe('formats, read back by DuckDB', () => {
  it('parquet', async () => {
    const out = target('parquet');
    const res = await ds.write.parquet(out);
    expect(res.skipped).toBe(false);
    expect(res.files.length).toBe(7);
    for (const f of res.files) expect(await exists(f)).toBe(true);
    expect(await listTree(out)).toEqual(['_SUCCESS', ...Array.from({ length: 7 }, (_, i) => `part-0000${i}.parquet`)]);
    await expectSameAsSql(spark.read.parquet(out), db, `SELECT ${ALL} FROM t`);
    const back = await sqlResult(db, `SELECT ${ALL} FROM read_parquet(${sqlPath(path.join(out, '*.parquet'))})`);
    await expectSameAsSql(ds, db, `SELECT ${ALL} FROM read_parquet(${sqlPath(path.join(out, '*.parquet'))})`);
    expect(back.rows.length).toBe(N);
    await expectClean(out);
  });

  it('csv (header; NULL is an empty field, the empty string is "")', async () => {
    const out = target('csv');
    await ds.write.csv(out);
    const from = `read_csv(${sqlPath(path.join(out, 'part-*.csv'))}, header = true, allow_quoted_nulls = false, columns = ${DUCK_COLUMNS})`;
    await expectSameAsSql(ds, db, `SELECT ${ALL} FROM ${from}`);
    await expectSameAsSql(spark.read.csv(out, { schema }), db, `SELECT ${ALL} FROM t`);
    await expectClean(out);
  });

  it('json lines', async () => {
    const out = target('json');
    await ds.write.json(out);
    const from = `read_json(${sqlPath(path.join(out, 'part-*.json'))}, format = 'newline_delimited', columns = ${DUCK_COLUMNS})`;
    await expectSameAsSql(ds, db, `SELECT ${ALL} FROM ${from}`);
    await expectSameAsSql(spark.read.json(out, { schema }), db, `SELECT ${ALL} FROM t`);
    await expectClean(out);
  });

  it('a transformed dataset, on one partition', async () => {
    const out = target('one');
    const one = spark.createDataset(rows, { schema, partitions: 1 })
      .filter(col('a').gt(0)).withColumn('ab', col('a').mul(col('b'))).drop('d');
    await one.write.parquet(out);
    expect((await listTree(out)).filter((f) => f.startsWith('part-'))).toEqual(['part-00000.parquet']);
    await expectSameAsSql(
      spark.read.parquet(out), db, 'SELECT id, a, q, b, s, flag, a * b AS ab FROM t WHERE a > 0',
    );
  });

  it('timestamps in every format', async () => {
    const data: Row[] = Array.from({ length: 40 }, (_, i) => ({
      id: i, ts: i % 7 === 3 ? null : new Date(Date.UTC(2024, 1, 28, 22, 59, 58) + i * 1_234_567 + (i % 4) * 125),
    }));
    await loadRows(db, 'tsw', data, { id: 'int64', ts: 'timestamp' });
    const src = spark.createDataset(data, { partitions: 3 });
    for (const format of ['parquet', 'csv', 'json'] as const) {
      const out = target(`ts-${format}`);
      await src.write[format](out);
      const glob = sqlPath(path.join(out, `part-*.${format}`));
      const from = format === 'parquet' ? `read_parquet(${glob})`
        : format === 'csv' ? `read_csv(${glob}, header = true, columns = {id: 'BIGINT', ts: 'TIMESTAMP'})`
        : `read_json(${glob}, format = 'newline_delimited', columns = {id: 'BIGINT', ts: 'TIMESTAMP'})`;
      const back = await sqlResult(db, `SELECT id, ts FROM ${from}`);
      const want = await sqlResult(db, 'SELECT id, ts FROM tsw');
      const byId = (r: Row[]) => [...r].sort((x, y) => (x['id'] as number) - (y['id'] as number));
      expect(byId(back.rows), format).toEqual(byId(want.rows));
    }
  });

  it('an empty result still writes a file with the schema (as Spark)', async () => {
    for (const format of ['parquet', 'csv'] as const) {
      const out = target(`empty-${format}`);
      await ds.filter(col('id').lt(0)).write[format](out);
      const back = format === 'parquet' ? spark.read.parquet(out) : spark.read.csv(out);
      expect(await back.collect()).toEqual([]);
      expect(await back.columns()).toEqual(Object.keys(MIXED_SCHEMA));
    }
  });
});

describe('partitionBy', () => {
  it('an int and a string column: Hive directories DuckDB reads back', async () => {
    const out = target('hive');
    await ds.write.partitionBy('q', 'flag').parquet(out);
    const dirs = new Set((await listTree(out)).filter((f) => f.startsWith('q=')).map((f) => f.split('/').slice(0, 2).join('/')));
    const H = '__HIVE_DEFAULT_PARTITION__';
    const want = new Set(rows.map((r) => `q=${r['q'] ?? H}/flag=${r['flag'] ?? H}`));
    expect([...dirs].sort()).toEqual([...want].sort());
    expect(dirs).toContain(`q=${H}/flag=true`);
    // Reading back, partition types are inferred as Spark does: integers, not booleans ('true' stays a string).
    const back = spark.read.parquet(out);
    expect((await back.schema()).slice(-2).map((f) => [f.name, f.type])).toEqual([['q', 'int32'], ['flag', 'string']]);
    await expectSameAsSql(back, db, 'SELECT id, a, b, s, d, q, CAST(flag AS VARCHAR) AS flag FROM t');
    const hive = `read_parquet(${sqlPath(path.join(out, '*', '*', '*.parquet'))}, hive_partitioning = true, hive_types = {'q': INTEGER, 'flag': BOOLEAN})`;
    await expectSameAsSql(ds.select('id', 'a', 'b', 's', 'd', 'q', 'flag'), db, `SELECT id, a, b, s, d, q, flag FROM ${hive}`);
    // Filtering the written data on a partition column.
    await expectSameAsSql(
      back.filter(col('q').eq(-4).and(col('flag').isNull().or(col('flag').eq('false')))), db,
      'SELECT id, a, b, s, d, q, CAST(flag AS VARCHAR) AS flag FROM t WHERE q = -4 AND (flag IS NULL OR NOT flag)',
    );
  });

  it('a date column: d=YYYY-MM-DD directories, read back as dates', async () => {
    const out = target('hive-date');
    await ds.write.partitionBy('d').json(out);
    const names = new Set((await listTree(out)).map((f) => f.split('/')[0]!));
    expect(names).toContain('d=2024-01-01');
    expect(names).toContain('d=__HIVE_DEFAULT_PARTITION__');
    const back = spark.read.json(out, { schema: { id: 'int64', a: 'int64', q: 'int32', b: 'float64', s: 'string', flag: 'boolean' } });
    expect((await back.schema()).at(-1)).toMatchObject({ name: 'd', type: 'date' });
    await expectSameAsSql(back.filter(col('d').gte(new Date(Date.UTC(2024, 0, 30)))), db, "SELECT id, a, q, b, s, flag, d FROM t WHERE d >= DATE '2024-01-30'");
  });

  it('double and timestamp columns keep their types through the directory names (as Spark)', async () => {
    const data: Row[] = Array.from({ length: 12 }, (_, i) => ({
      id: i,
      x: i % 4 === 3 ? null : [1, 2, -0.5][i % 4 === 3 ? 0 : i % 3]!,
      ts: i % 5 === 4 ? null : new Date(Date.UTC(2024, 2, 1, 8, 30, 0) + (i % 3) * 1500),
    }));
    const out = target('hive-double-ts');
    await spark.createDataset(data, { schema: { id: 'int64', x: 'float64', ts: 'timestamp' }, partitions: 2 })
      .write.partitionBy('x', 'ts').parquet(out);
    const dirs = new Set((await listTree(out)).filter((f) => f.startsWith('x=')).map((f) => f.split('/')[0]!));
    expect(dirs).toContain('x=1.0'); // Spark casts the value to string: a double keeps its '.0'
    expect([...dirs].sort()).toEqual(['x=-0.5', 'x=1.0', 'x=2.0', 'x=__HIVE_DEFAULT_PARTITION__']);
    const back = spark.read.parquet(out);
    expect((await back.schema()).map((f) => [f.name, f.type])).toEqual([['id', 'int64'], ['x', 'float64'], ['ts', 'timestamp']]);
    await loadRows(db, 'dts', data, { id: 'int64', x: 'float64', ts: 'timestamp' });
    await expectSameAsSql(back, db, 'SELECT id, x, ts FROM dts');
  });

  const AWKWARD = [
    'a b', 'x/y', 'k=v', '../escape', '..', '.', '/abs', 'Zoë', '日本', '😀', '%', '%2F', '', null,
    'back\\slash', 'tab\tx', 'new\nline', 'c:d', 'q?*', '_under', '.dot', '#hash', "o'q", '"dq"',
  ];

  for (const format of ['parquet', 'csv', 'json'] as const) {
    it(`awkward values round-trip and stay inside the target (${format})`, async () => {
      const data: Row[] = AWKWARD.flatMap((p, i) => [{ id: 2 * i, p, n: i + 1 }, { id: 2 * i + 1, p, n: -i - 1 }]);
      const awk = spark.createDataset(data, { schema: { id: 'int64', p: 'string', n: 'int64' }, partitions: 3 });
      const out = target(`awkward-${format}`);
      await awk.write.partitionBy('p').mode('overwrite')[format](out);

      // Every file is under the target; nothing escaped into or beside it.
      for (const f of await listTree(out)) {
        const abs = path.resolve(out, f);
        expect(abs.startsWith(out + path.sep)).toBe(true);
        const top = f.split('/')[0]!;
        expect(top === '_SUCCESS' || top.startsWith('p=')).toBe(true);
        expect(f.split('/').length).toBeLessThanOrEqual(2 + (top === '_SUCCESS' ? -1 : 0));
      }
      await expectClean(out);

      // Read back: the same rows; '' becomes NULL, as in Spark (both go to __HIVE_DEFAULT_PARTITION__).
      const opts = { schema: { id: 'int64', n: 'int64' } };
      const back = format === 'parquet' ? spark.read.parquet(out)
        : format === 'csv' ? spark.read.csv(out, opts) : spark.read.json(out, opts);
      const got = (await back.select('id', 'n', 'p').collect()) as Row[];
      const want = data.map((r) => ({ id: r['id'], n: r['n'], p: r['p'] === '' ? null : r['p'] }));
      expect(got.sort((x, y) => (x['id'] as number) - (y['id'] as number))).toEqual(want);
    });
  }

  it('DuckDB decodes the escaped directory names to the same values', async () => {
    const data: Row[] = AWKWARD.filter((p) => p !== null && p !== '').map((p, i) => ({ id: i, p }));
    const out = target('awkward-duck');
    await spark.createDataset(data, { partitions: 2 }).write.partitionBy('p').parquet(out);
    await loadRows(db, 'awk', data, { id: 'int64', p: 'string' });
    const got = await sqlResult(db, `SELECT id, p FROM read_parquet(${sqlPath(path.join(out, '*', '*.parquet'))}, hive_partitioning = true, hive_types = {'p': VARCHAR})`);
    const want = await sqlResult(db, 'SELECT id, p FROM awk');
    expect(got.rows.sort((x, y) => (x['id'] as number) - (y['id'] as number))).toEqual(want.rows.sort((x, y) => (x['id'] as number) - (y['id'] as number)));
  });

  it('partitionBy an unknown column fails before writing anything', async () => {
    const out = target('bad-partition');
    const err = await rejection(ds.write.partitionBy('nope').parquet(out));
    expect(err.message).toContain("'nope'");
    expect(await exists(out)).toBe(false);
  });
});

describe('save modes', () => {
  const small = () => spark.createDataset(rows.slice(0, 30), { schema, partitions: 2 });

  it("'error' (the default) and 'errorifexists' refuse an existing target and leave it alone", async () => {
    const out = target('error');
    await ds.write.parquet(out);
    const before = await snapshotTree(out);
    const e1 = await rejection(small().write.parquet(out));
    expect(e1.message).toContain('already exists');
    expect(e1.message).toContain(out);
    const e2 = await rejection(small().write.mode('errorifexists').parquet(out));
    expect(e2.message).toContain('already exists');
    expect(await snapshotTree(out)).toEqual(before);
    await expectClean(out);
  });

  it("'overwrite' replaces the content", async () => {
    const out = target('overwrite');
    await ds.write.parquet(out);
    await small().write.mode('overwrite').parquet(out);
    expect(await listTree(out)).toEqual(['_SUCCESS', 'part-00000.parquet', 'part-00001.parquet']);
    await expectSameAsSql(spark.read.parquet(out), db, `SELECT ${ALL} FROM t WHERE id < 30`);
    await expectClean(out);
  });

  it("'append' adds files beside the old ones", async () => {
    const out = target('append');
    await ds.write.parquet(out);
    await small().write.mode('append').parquet(out);
    const files = (await listTree(out)).filter((f) => f.startsWith('part-'));
    expect(files.length).toBe(9);
    expect(new Set(files).size).toBe(9);
    await expectSameAsSql(
      spark.read.parquet(out), db, `SELECT ${ALL} FROM t UNION ALL SELECT ${ALL} FROM t WHERE id < 30`,
    );
    const dduck = await sqlResult(db, `SELECT count(*) AS n FROM read_parquet(${sqlPath(path.join(out, '*.parquet'))})`);
    expect(dduck.rows[0]!['n']).toBe(N + 30);
    await expectClean(out);
  });

  it("'append' with partitionBy adds to existing partition directories", async () => {
    const out = target('append-hive');
    await ds.write.partitionBy('flag').csv(out);
    await small().write.mode('append').partitionBy('flag').csv(out);
    await expectSameAsSql(
      spark.read.csv(out, { schema: { id: 'int64', a: 'int64', q: 'int32', b: 'float64', s: 'string', d: 'date' } }),
      db,
      `SELECT id, a, q, b, s, d, CAST(flag AS VARCHAR) AS flag FROM t
       UNION ALL SELECT id, a, q, b, s, d, CAST(flag AS VARCHAR) FROM t WHERE id < 30`,
    );
  });

  it("'ignore' skips an existing target and writes a new one", async () => {
    const out = target('ignore');
    await ds.write.parquet(out);
    const before = await snapshotTree(out);
    const res = await small().write.mode('ignore').parquet(out);
    expect(res.skipped).toBe(true);
    expect(res.files).toEqual([]);
    expect(await snapshotTree(out)).toEqual(before);

    const fresh = target('ignore-new');
    const res2 = await small().write.mode('ignore').json(fresh);
    expect(res2.skipped).toBe(false);
    expect(await spark.read.json(fresh).count()).toBe(30);
  });

  it("'overwrite' and 'append' create a target that does not exist", async () => {
    const a = target('overwrite-new');
    await small().write.mode('overwrite').parquet(a);
    expect(await spark.read.parquet(a).count()).toBe(30);
    const b = path.join(target('append-new'), 'deeper');
    await small().write.mode('append').parquet(b);
    expect(await spark.read.parquet(b).count()).toBe(30);
  });

  it('an unknown mode is refused', () => {
    expect(() => ds.write.mode('replace' as never)).toThrow(/unknown save mode 'replace'/);
  });
});

describe('a failing job leaves the target as it was', () => {
  const BAD_ID = 333;
  const badPartition = localPartitionOf(BAD_ID, N, 7);
  const failing = () => ds.filter((r: Row, ctx: { bad: number }) => {
    if (r['id'] === ctx.bad) throw new Error(`cannot handle row ${String(r['id'])}`);
    return true;
  }, { bad: BAD_ID });

  const expectTaskError = (err: Error) => {
    expect(err).toBeInstanceOf(TaskFailedError);
    expect(err.message).toContain(`cannot handle row ${BAD_ID}`);
    expect(err.message).toContain(`partition ${badPartition}`);
    expect((err as TaskFailedError).partition).toBe(badPartition);
  };

  for (const mode of ['overwrite', 'append'] as const) {
    for (const format of ['parquet', 'csv'] as const) {
      it(`${mode} ${format}: byte-for-byte unchanged, no _temporary, the error names the message and partition`, async () => {
        const out = target(`fail-${mode}-${format}`);
        await ds.write.partitionBy('flag')[format](out);
        const before = await snapshotTree(out);
        const err = await rejection(failing().write.mode(mode).partitionBy('flag')[format](out));
        expectTaskError(err);
        expect(await snapshotTree(out)).toEqual(before);
        await expectClean(out);
      });
    }
  }

  it('a failed write to a new target leaves no directory behind', async () => {
    const out = path.join(target('fail-new'), 'a', 'b');
    const parent = path.dirname(path.dirname(path.dirname(out)));
    await fs.mkdir(parent, { recursive: true });
    const err = await rejection(failing().write.json(out));
    expectTaskError(err);
    expect(await exists(out)).toBe(false);
    expect(await fs.readdir(parent)).toEqual([]);
  });

  it('the session keeps working after the failure', async () => {
    expect(await ds.count()).toBe(N);
  });
});
