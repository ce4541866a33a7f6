// Output modes beyond the basics (test/e2e/writes.test.ts): dynamic partition overwrite
// (only the partitions the job writes are replaced, atomically), append with job-id part names
// that never collide, versioned output paths for backfills, and the cleanup of a stale
// _temporary left by a killed run. Results are checked against DuckDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Session, type Dataset } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { exists, expectSameAsSql, listTree, loadRows, rejection, snapshotTree, sqlPath, tempDir, type Row } from '../helpers/e2e.js';

let spark: Session;
let db: Oracle;
let root: string;
let seq = 0;
const target = (name: string) => path.join(root, `${name}-${seq++}`, 'out');

const DAYS = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04'];
/** Orders of the given days; `v` tells one backfill run's values from another. */
function orders(days: readonly string[], v: number): Row[] {
  const out: Row[] = [];
  for (const d of days) for (let i = 0; i < 25; i++) out.push({ id: i, amount: i * 10 + v, date: d });
  return out;
}
const SCHEMA = { id: 'int64', amount: 'int64', date: 'string' } as const;
const ds = (rows: Row[]): Dataset => spark.createDataset(rows, { schema: SCHEMA, partitions: 3 });

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2 });
  db = await openOracle();
  root = await tempDir('output-modes');
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

/** The snapshot entries under one partition directory. */
function under(snap: Record<string, string>, dir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snap).filter(([k]) => k.startsWith(`${dir}/`)));
}

async function expectContent(out: string, rows: Row[]): Promise<void> {
  await loadRows(db, 'expected', rows, SCHEMA);
  // The date=YYYY-MM-DD directories read back as a date column, as Spark infers them.
  await expectSameAsSql(spark.read.parquet(out).select('id', 'amount', 'date'), db, 'SELECT id, amount, CAST(date AS DATE) AS date FROM expected');
  const duck = `read_parquet(${sqlPath(path.join(out, '*', '*.parquet'))}, hive_partitioning = true, hive_types = {'date': VARCHAR})`;
  const n = await db.query(`SELECT count(*) AS n, sum(amount) AS s FROM ${duck}`);
  expect(n[0]).toEqual({ n: rows.length, s: rows.reduce((s, r) => s + (r['amount'] as number), 0) });
}

describe("mode('overwrite') with partitionOverwriteMode 'dynamic'", () => {
  it('replaces only the partitions the job writes; the others stay byte for byte', async () => {
    const out = target('dynamic');
    await ds(orders(DAYS, 0)).write.partitionBy('date').parquet(out);
    const before = await snapshotTree(out);
    const res = await ds(orders(['2024-01-02', '2024-01-03'], 5)).write.mode('overwrite')
      .option('partitionOverwriteMode', 'dynamic').partitionBy('date').parquet(out);
    expect(res.files.every((f) => /date=2024-01-0[23]/.test(f))).toBe(true);
    const after = await snapshotTree(out);
    for (const d of ['date=2024-01-01', 'date=2024-01-04']) expect(under(after, d)).toEqual(under(before, d));
    for (const d of ['date=2024-01-02', 'date=2024-01-03']) expect(under(after, d)).not.toEqual(under(before, d));
    await expectContent(out, [...orders(['2024-01-01', '2024-01-04'], 0), ...orders(['2024-01-02', '2024-01-03'], 5)]);
    expect(await listTree(out)).not.toContain(expect.stringContaining('_temporary'));
    expect(await fs.readdir(path.dirname(out))).toEqual(['out']);
    // A new partition is added; 'DYNAMIC' is accepted in any case, as in Spark.
    await ds(orders(['2024-01-05'], 9)).write.mode('overwrite').option('partitionOverwriteMode', 'DYNAMIC').partitionBy('date').parquet(out);
    await expectContent(out, [...orders(['2024-01-01', '2024-01-04'], 0), ...orders(['2024-01-02', '2024-01-03'], 5), ...orders(['2024-01-05'], 9)]);
  });

  it("static overwrite (the default) still replaces everything", async () => {
    const out = target('static');
    await ds(orders(DAYS, 0)).write.partitionBy('date').parquet(out);
    await ds(orders(['2024-01-02'], 5)).write.mode('overwrite').partitionBy('date').parquet(out);
    await expectContent(out, orders(['2024-01-02'], 5));
  });

  it('a failed dynamic overwrite leaves the target exactly as it was', async () => {
    const out = target('dynamic-fail');
    await ds(orders(DAYS, 0)).write.partitionBy('date').parquet(out);
    const before = await snapshotTree(out);
    const failing = ds(orders(['2024-01-02', '2024-01-03'], 5))
      .filter((r: Row) => { if (r['id'] === 24 && r['date'] === '2024-01-03') throw new Error('bad row in the backfill'); return true; });
    const err = await rejection(failing.write.mode('overwrite').option('partitionOverwriteMode', 'dynamic').partitionBy('date').parquet(out));
    expect(err.message).toContain('bad row in the backfill');
    expect(await snapshotTree(out)).toEqual(before);
    expect(await fs.readdir(path.dirname(out))).toEqual(['out']);
  });

  it('an unknown partitionOverwriteMode is refused', async () => {
    const err = await rejection(ds(orders(DAYS, 0)).write.mode('overwrite').option('partitionOverwriteMode', 'sometimes').parquet(target('bad-mode')));
    expect(err.message).toMatch(/partitionOverwriteMode must be 'static' or 'dynamic'/);
  });
});

describe("mode('append')", () => {
  it('adds part files named with the job id: two appends of the same data never collide', async () => {
    const out = target('append');
    const data = orders(DAYS.slice(0, 2), 0);
    await ds(data).write.partitionBy('date').parquet(out);
    const first = await ds(data).write.mode('append').partitionBy('date').parquet(out);
    const second = await ds(data).write.mode('append').partitionBy('date').parquet(out);
    const names = (await listTree(out)).filter((f) => f.endsWith('.parquet'));
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBe(3 * first.files.length);
    for (const f of [...first.files, ...second.files]) expect(path.basename(f)).toMatch(/^part-\d{5}-job-\d{14}-\d+-\d+\.parquet$/);
    expect(new Set(first.files.map((f) => path.basename(f).slice(11)))).not.toEqual(new Set(second.files.map((f) => path.basename(f).slice(11))));
    await expectContent(out, [...data, ...data, ...data]);
  });

  it('a failed append leaves the target exactly as it was', async () => {
    const out = target('append-fail');
    await ds(orders(DAYS, 0)).write.partitionBy('date').parquet(out);
    const before = await snapshotTree(out);
    const failing = ds(orders(DAYS, 1)).filter((r: Row) => { if (r['id'] === 20 && r['date'] === '2024-01-04') throw new Error('no'); return true; });
    await rejection(failing.write.mode('append').partitionBy('date').parquet(out));
    expect(await snapshotTree(out)).toEqual(before);
  });
});

describe('versioned output paths', () => {
  it("option('version') writes <path>/v<N>; 'next' goes one past the highest; read { version: 'latest' } takes the highest committed", async () => {
    const base = path.join(root, `versions-${seq++}`, 'output');
    const v1 = await ds(orders(DAYS.slice(0, 1), 0)).write.option('version', 1).partitionBy('date').parquet(base);
    expect(v1.path).toBe(path.join(base, 'v1'));
    expect(v1.version).toBe(1);
    expect(await exists(path.join(base, 'v1', 'date=2024-01-01'))).toBe(true);
    const v2 = await ds(orders(DAYS.slice(0, 2), 3)).write.option('version', 'next').partitionBy('date').parquet(base);
    expect(v2.path).toBe(path.join(base, 'v2'));
    expect(await spark.read.parquet(base, { version: 'latest' }).count()).toBe(50);
    expect(await spark.read.parquet(base, { version: 1 }).count()).toBe(25);
    // A version being written (no _SUCCESS yet) is not 'latest'; 'next' skips past it.
    await fs.mkdir(path.join(base, 'v3', '_temporary'), { recursive: true });
    expect(await spark.read.parquet(base, { version: 'latest' }).count()).toBe(50);
    expect((await ds(orders(DAYS, 0)).write.option('version', 'next').csv(base)).path).toBe(path.join(base, 'v4'));
    expect(await spark.read.csv(base, { version: 'latest' }).count()).toBe(100);
    // The default mode refuses to rewrite an existing version.
    expect((await rejection(ds(orders(DAYS, 0)).write.option('version', 2).parquet(base))).message).toMatch(/v2 already exists/);
    expect((await rejection(spark.read.parquet(path.join(root, 'nowhere'), { version: 'latest' }).count())).message)
      .toMatch(/no committed version under .*nowhere/);
    expect((await rejection(ds(orders(DAYS, 0)).write.option('version', 0).parquet(base))).message).toMatch(/positive integer/);
  });
});

describe('a stale _temporary from a killed run', () => {
  it('is removed by the next write, which succeeds', async () => {
    const out = target('stale');
    await ds(orders(DAYS, 0)).write.partitionBy('date').parquet(out);
    // A job of a process that no longer exists (pid far above any real one) left task output.
    const stale = path.join(out, '_temporary', 'job-20240101000000-4000000-1', 'date=2024-01-01');
    await fs.mkdir(stale, { recursive: true });
    await fs.writeFile(path.join(stale, 'part-00000.parquet'), 'half a file');
    expect(await spark.read.parquet(out).count()).toBe(100); // readers skip it
    await ds(orders(DAYS, 1)).write.mode('append').partitionBy('date').parquet(out);
    expect(await exists(path.join(out, '_temporary'))).toBe(false);
    expect(await spark.read.parquet(out).count()).toBe(200);
  });
});
