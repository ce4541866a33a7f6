import { beforeAll, describe, expect, it } from 'vitest';
import { duckParquet, sqlPath } from '../helpers/duck-parquet.js';
import { promises as fs } from 'node:fs';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readParquetMeta, unifySchemas, type ParquetFileMeta } from '../../src/executor/io/parquet-meta.js';
import { readParquetRowGroups } from '../../src/executor/io/parquet-read.js';
import { batchToRows, own, type Batch } from '../../src/executor/batch.js';
import { field } from '../../src/planner/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const files = duckParquet('sparrow-parquet-');
const { q, duck } = files;

async function readAll(p: string, columns: readonly string[], rowGroups: readonly number[] | null = null, batchRows?: number): Promise<{ rows: Record<string, unknown>[]; batches: Batch[] }> {
  const batches: Batch[] = [];
  // Batches are borrowed (they view decoder memory until the next pull): own what we keep.
  for await (const b of readParquetRowGroups(p, rowGroups, columns, batchRows)) batches.push(own(b));
  return { rows: batches.flatMap(batchToRows), batches };
}

const ALL_TYPES = `SELECT
    CASE WHEN i % 10 = 3 THEN NULL ELSE (i * 37 % 1001 - 500)::INTEGER END AS i32,
    CASE WHEN i % 10 = 4 THEN NULL ELSE (i - 3000)::BIGINT * 1000000007 END AS i64,
    CASE WHEN i % 10 = 5 THEN NULL WHEN i % 97 = 0 THEN 'NaN'::DOUBLE ELSE (i - 2500) / 7.0 END AS f64,
    (i % 100 - 50)::REAL / 4 AS f32,
    (i % 200)::SMALLINT AS i16, (i % 100)::TINYINT AS i8, (i % 60000)::USMALLINT AS u16, (i * 1000)::UINTEGER AS u32,
    CASE WHEN i % 10 = 6 THEN NULL ELSE 'v' || (i % 37)::VARCHAR || CASE WHEN i % 5 = 0 THEN ' ünï 😀' ELSE '' END END AS s,
    CASE WHEN i % 10 = 7 THEN NULL ELSE i % 3 = 0 END AS b,
    CASE WHEN i % 10 = 8 THEN NULL ELSE DATE '1960-01-01' + (i * 13)::INTEGER END AS d,
    CASE WHEN i % 10 = 9 THEN NULL ELSE TIMESTAMP '1969-12-31 23:00:00' + INTERVAL (i * 1234567) MICROSECOND END AS ts,
    TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL (i) SECOND AS tstz,
    TIMESTAMP_MS '2024-01-01 00:00:00' + INTERVAL (i) MILLISECOND AS tsms,
    (i / 8)::DECIMAL(10, 2) AS dec,
    (i * 12345)::DECIMAL(30, 3) AS bigdec
  FROM range(6000) t(i)`;

const TYPES = {
  i32: 'int32', i64: 'int64', f64: 'float64', f32: 'float64', i16: 'int32', i8: 'int32', u16: 'int32', u32: 'int64',
  s: 'string', b: 'boolean', d: 'date', ts: 'timestamp', tstz: 'timestamp', tsms: 'timestamp', dec: 'float64', bigdec: 'float64',
} as const;
const NAMES = Object.keys(TYPES);

/** The file's rows from DuckDB, in our value domain. */
async function duckRows(p: string): Promise<Record<string, unknown>[]> {
  const rows = await q(`SELECT i32, i64::DOUBLE AS i64, f64, f32::DOUBLE AS f32, i16::INTEGER AS i16, i8::INTEGER AS i8, u16::INTEGER AS u16, u32::DOUBLE AS u32, s, b,
      datediff('day', DATE '1970-01-01', d) AS d, floor(epoch_us(ts) / 1000) AS ts, epoch_ms(tstz) AS tstz, epoch_ms(tsms) AS tsms, dec::DOUBLE AS dec, bigdec::DOUBLE AS bigdec
    FROM read_parquet(${sqlPath(p)}) ORDER BY file_row_number`);
  return rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (const k of NAMES) {
      let v = r[k];
      if (typeof v === 'bigint') v = Number(v);
      if (v !== null && (k === 'd')) v = new Date((v as number) * 86_400_000);
      if (v !== null && (k === 'ts' || k === 'tstz' || k === 'tsms')) v = new Date(v as number);
      o[k] = v;
    }
    return o;
  });
}

describe('readParquetMeta', () => {
  let p: string;
  let meta: ParquetFileMeta;
  beforeAll(async () => {
    p = await duck('all.parquet', ALL_TYPES, 'ROW_GROUP_SIZE 2048');
    meta = await readParquetMeta(p);
  });

  it('maps the schema as the reader does', async () => {
    expect(meta.schema.map((f) => [f.name, f.type])).toEqual(Object.entries(TYPES));
    expect(meta.numRows).toBe(6000);
    expect(meta.size).toBe((await fs.stat(p)).size);
    expect(meta.rowGroups.reduce((s, g) => s + g.numRows, 0)).toBe(6000);
    expect(meta.rowGroups.length).toBeGreaterThan(1);
    // the reader's types agree with the footer's
    const { batches } = await readAll(p, NAMES, [0]);
    expect(batches[0]!.schema.map((f) => f.type)).toEqual(meta.schema.map((f) => f.type));
  });

  it('gives statistics in our value domain, equal to the data (NaN excluded)', async () => {
    let start = 0;
    for (const g of meta.rowGroups) {
      const end = start + g.numRows;
      const where = `file_row_number >= ${start} AND file_row_number < ${end}`;
      const rows = await q(`SELECT
          min(i32) AS i32_min, max(i32) AS i32_max, count(*) - count(i32) AS i32_nulls,
          min(i64)::DOUBLE AS i64_min, max(i64)::DOUBLE AS i64_max,
          min(f64) FILTER (WHERE NOT isnan(f64)) AS f64_min, max(f64) FILTER (WHERE NOT isnan(f64)) AS f64_max, count(*) - count(f64) AS f64_nulls,
          min(s) AS s_min, max(s) AS s_max, count(*) - count(s) AS s_nulls,
          min(b) AS b_min, max(b) AS b_max,
          datediff('day', DATE '1970-01-01', min(d)) AS d_min, datediff('day', DATE '1970-01-01', max(d)) AS d_max,
          floor(epoch_us(min(ts)) / 1000) AS ts_min, floor(epoch_us(max(ts)) / 1000) AS ts_max,
          epoch_ms(min(tstz)) AS tstz_min, epoch_ms(max(tstz)) AS tstz_max,
          min(dec)::DOUBLE AS dec_min, max(dec)::DOUBLE AS dec_max,
          min(u32)::DOUBLE AS u32_min, max(u32)::DOUBLE AS u32_max
        FROM read_parquet(${sqlPath(p)}) WHERE ${where}`);
      const w = rows[0]!;
      const num = (x: unknown) => (typeof x === 'bigint' ? Number(x) : x);
      const c = g.columns;
      expect([c.i32!.min, c.i32!.max, c.i32!.nullCount]).toEqual([w.i32_min, w.i32_max, num(w.i32_nulls)]);
      expect([c.i64!.min, c.i64!.max]).toEqual([w.i64_min, w.i64_max]);
      expect([c.f64!.nullCount]).toEqual([num(w.f64_nulls)]);
      // DuckDB may or may not put NaN into float statistics; we must report either the true
      // NaN-free bounds or nothing.
      if (c.f64!.min !== null) expect([c.f64!.min, c.f64!.max]).toEqual([w.f64_min, w.f64_max]);
      expect([c.s!.min, c.s!.max, c.s!.nullCount]).toEqual([w.s_min, w.s_max, num(w.s_nulls)]);
      expect([c.b!.min, c.b!.max]).toEqual([w.b_min, w.b_max]);
      expect([c.d!.min, c.d!.max]).toEqual([num(w.d_min), num(w.d_max)]);
      expect([c.ts!.min, c.ts!.max]).toEqual([w.ts_min, w.ts_max]);
      expect([c.tstz!.min, c.tstz!.max]).toEqual([num(w.tstz_min), num(w.tstz_max)]);
      expect([c.dec!.min, c.dec!.max]).toEqual([w.dec_min, w.dec_max]);
      expect([c.u32!.min, c.u32!.max]).toEqual([w.u32_min, w.u32_max]);
      expect(g.totalBytes).toBeGreaterThan(0);
      start = end;
    }
  });

  it('reports missing statistics as null', async () => {
    const allNull = await duck('allnull.parquet', `SELECT NULL::INTEGER AS x, 1 AS y FROM range(10)`);
    const m = await readParquetMeta(allNull);
    expect(m.rowGroups[0]!.columns.x).toEqual({ min: null, max: null, nullCount: 10 });
  });

  it('errors clearly on unsupported columns and on files that are not Parquet', async () => {
    const time = await duck('time.parquet', `SELECT TIME '10:00:00' AS t`);
    await expect(readParquetMeta(time)).rejects.toThrow(/time\.parquet: column 't'.*TIME/);
    const blob = await duck('blob.parquet', `SELECT 'x'::BLOB AS raw`);
    await expect(readParquetMeta(blob)).rejects.toThrow(/column 'raw'.*binary/);
    const list = await duck('list.parquet', `SELECT [1, 2] AS xs`);
    await expect(readParquetMeta(list)).rejects.toThrow(/column 'xs'.*nested/);
    const text = path.join(files.dir, 'text.parquet');
    await fs.writeFile(text, 'hello, this is not parquet at all');
    await expect(readParquetMeta(text)).rejects.toThrow(/text\.parquet is not a Parquet file/);
    const full = await fs.readFile(p);
    const cut = path.join(files.dir, 'cut.parquet');
    await fs.writeFile(cut, full.subarray(0, full.length - 50));
    await expect(readParquetMeta(cut)).rejects.toThrow(/cut\.parquet/);
    await expect(readParquetMeta(path.join(files.dir, 'missing.parquet'))).rejects.toThrow(/missing\.parquet/);
    const garbage = Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(100, 0xff), Buffer.from([20, 0, 0, 0]), Buffer.from('PAR1')]);
    const g = path.join(files.dir, 'garbage.parquet');
    await fs.writeFile(g, garbage);
    await expect(readParquetMeta(g)).rejects.toThrow(/garbage\.parquet/);
  });
});

describe('unifySchemas', () => {
  const a = { path: '/d/a.parquet', schema: [field('x', 'int32', false), field('s', 'string')] };
  it('merges nullability and keeps the first file\'s order', () => {
    const b = { path: '/d/b.parquet', schema: [field('s', 'string', false), field('x', 'int32', true)] };
    expect(unifySchemas([a, b])).toEqual([field('x', 'int32', true), field('s', 'string', true)]);
    expect(unifySchemas([])).toEqual([]);
  });
  it('names both files and the column when they disagree', () => {
    expect(() => unifySchemas([a, { path: '/d/c.parquet', schema: [field('x', 'int64'), field('s', 'string')] }]))
      .toThrow(/column 'x': int32 in \/d\/a\.parquet, int64 in \/d\/c\.parquet/);
    expect(() => unifySchemas([a, { path: '/d/c.parquet', schema: [field('x', 'int32')] }]))
      .toThrow(/column 's' is in \/d\/a\.parquet but not in \/d\/c\.parquet/);
    expect(() => unifySchemas([a, { path: '/d/c.parquet', schema: [...a.schema, field('z', 'date')] }]))
      .toThrow(/column 'z' is in \/d\/c\.parquet but not in \/d\/a\.parquet/);
  });
});

describe('readParquetRowGroups', () => {
  let p: string;
  let expected: Record<string, unknown>[];
  let meta: ParquetFileMeta;
  beforeAll(async () => {
    p = await duck('read.parquet', ALL_TYPES, 'ROW_GROUP_SIZE 2048');
    meta = await readParquetMeta(p);
    expected = await duckRows(p);
  });

  const same = (a: Record<string, unknown>[], b: Record<string, unknown>[]) => {
    expect(a.length).toBe(b.length);
    for (let k = 0; k < a.length; k++) {
      for (const key of Object.keys(b[k]!)) {
        const x = a[k]![key], y = b[k]![key];
        if (typeof x === "number" && Number.isNaN(x)) expect({ row: k, key, nan: Number.isNaN(y), y }).toEqual({ row: k, key, nan: true, y });
        else expect({ row: k, key, v: x }).toEqual({ row: k, key, v: y });
      }
    }
  };

  it('reads every type like DuckDB does', async () => {
    const { rows } = await readAll(p, NAMES);
    same(rows, expected);
  });

  it('reads selected row groups and columns, in the requested order', async () => {
    const cols = ['s', 'd', 'i32'];
    const { rows, batches } = await readAll(p, cols, [1, 0]);
    expect(batches[0]!.schema.map((f) => f.name)).toEqual(cols);
    const n0 = meta.rowGroups[0]!.numRows, n1 = meta.rowGroups[1]!.numRows;
    const want = [...expected.slice(n0, n0 + n1), ...expected.slice(0, n0)].map((r) => ({ s: r.s, d: r.d, i32: r.i32 }));
    same(rows, want);
  });

  it('splits row groups into batches of at most batchRows', async () => {
    const { rows, batches } = await readAll(p, ['i64'], null, 500);
    expect(batches.every((b) => b.length <= 500)).toBe(true);
    same(rows, expected.map((r) => ({ i64: r.i64 })));
  });

  it('with no columns yields row counts only', async () => {
    const { batches } = await readAll(p, [], null, 1000);
    expect(batches.every((b) => b.columns.length === 0)).toBe(true);
    expect(batches.reduce((s, b) => s + b.length, 0)).toBe(6000);
  });

  it('reads dictionary-encoded and plain strings, and files written with many small row groups', async () => {
    const q2 = await duck('dict.parquet', `SELECT 'k' || (i % 3) AS k, repeat('x', (i % 50)::INTEGER) || i::VARCHAR AS longs FROM range(20000) t(i)`, 'ROW_GROUP_SIZE 4096');
    const { rows } = await readAll(q2, ['k', 'longs']);
    const want = await q(`SELECT k, longs FROM read_parquet(${sqlPath(q2)}) ORDER BY file_row_number`);
    expect(rows).toEqual(want);
  });

  it('errors name the file: missing column, bad row group, not Parquet, truncated', async () => {
    await expect(readAll(p, ['nope'])).rejects.toThrow(/read\.parquet: no column 'nope'/);
    await expect(readAll(p, ['i32'], [99])).rejects.toThrow(/read\.parquet: row group 99 does not exist/);
    const text = path.join(files.dir, 'notpq.parquet');
    await fs.writeFile(text, 'just text, long enough to have a footer-sized tail');
    await expect(readAll(text, ['x'])).rejects.toThrow(/notpq\.parquet/);
    // truncated in the middle, footer kept: chunk ranges no longer fit
    const full = await fs.readFile(p);
    const footerLen = full.readUInt32LE(full.length - 8) + 8;
    const cut = path.join(files.dir, 'middle-cut.parquet');
    await fs.writeFile(cut, Buffer.concat([full.subarray(0, 3000), full.subarray(full.length - footerLen)]));
    await expect(readAll(cut, ['i32'])).rejects.toThrow(/middle-cut\.parquet.*truncated/);
  });

  it('a corrupt data page fails with an error naming the file and the process survives', async () => {
    // Run in a child process: parquet-wasm reports this as an uncaught wasm panic, which the
    // reader turns into an error; vitest would count the raw panic as an unhandled error.
    const full = await fs.readFile(p);
    const bad = Buffer.from(full);
    bad.fill(0, 100, 30_000);
    const badPath = path.join(files.dir, 'corrupt-pages.parquet');
    await fs.writeFile(badPath, bad);
    const script = path.join(files.dir, 'corrupt-check.mts');
    const mod = path.resolve(here, '../../src/executor/io/parquet-read.ts');
    await fs.writeFile(script, `
      import { readParquetRowGroups } from ${JSON.stringify(mod)};
      const out = [];
      for (const file of [${JSON.stringify(badPath)}, ${JSON.stringify(p)}]) {
        try { let n = 0; for await (const b of readParquetRowGroups(file, null, ['i32', 's'])) n += b.length; out.push('ok ' + n); }
        catch (e) { out.push('error ' + e.message); }
      }
      console.log(JSON.stringify(out));
    `);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', script], { cwd: path.resolve(here, '../..'), timeout: 60_000 }, (err, so, se) => {
        if (err) reject(new Error(`child failed: ${err.message}\n${se}`)); else resolve(so);
      });
    });
    const lines = stdout.trim().split('\n');
    const res = JSON.parse(lines[lines.length - 1]!) as string[];
    expect(res[0]).toMatch(/^error .*corrupt-pages\.parquet/);
    expect(res[1]).toBe('ok 6000');
  }, 90_000);
});
