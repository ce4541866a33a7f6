import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { writeCsvFile, writeJsonFile, formatDouble, writeDouble, ByteSink } from '../../src/executor/io/write-text.js';
import { writeParquetFile } from '../../src/executor/io/write-parquet.js';
import { readParquetMeta } from '../../src/executor/io/parquet-meta.js';
import { readParquetRowGroups } from '../../src/executor/io/parquet-read.js';
import { batchToRows, makeBatch, rowsToBatch, type Batch } from '../../src/executor/batch.js';
import { field, type Schema } from '../../src/planner/types.js';

let dir: string;
let con: DuckDBConnection;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sparrow-writers-'));
  const inst = await DuckDBInstance.create(':memory:');
  con = await inst.connect();
  await con.run(`SET TimeZone = 'UTC'`);
});
afterAll(async () => { await fs.rm(dir, { recursive: true, force: true }); });

async function q(sql: string): Promise<Record<string, unknown>[]> {
  return (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}
const sqlPath = (p: string) => `'${p.replace(/'/g, "''")}'`;

const schema: Schema = [
  field('i', 'int32'), field('l', 'int64'), field('f', 'float64'), field('s', 'string'),
  field('b', 'boolean'), field('d', 'date'), field('t', 'timestamp'),
];

const STRINGS = ['plain', '', 'comma, inside', 'quote " inside', '"quoted"', 'line\nbreak', 'cr\rreturn', 'tab\tx',
  'ünïcödé 日本語 😀', '  spaces  ', 'back\\slash', 'ctrl\u0001char', 'semi;colon', 'NULL'];
const FLOATS = [0, -0, 1, -1.5, 0.1, 1 / 3, 1e21, 1e-7, 123456789.125, -2.5e-300, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE];

function sampleRows(n: number, withNonFinite: boolean): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let k = 0; k < n; k++) {
    const nf = [NaN, Infinity, -Infinity];
    rows.push({
      i: k % 11 === 3 ? null : (k * 7919) % 200001 - 100000,
      l: k % 13 === 5 ? null : (k - n / 2) * 987_654_321_123,
      f: k % 9 === 4 ? null : withNonFinite && k % 17 === 0 ? nf[(k / 17) % 3]! : FLOATS[k % FLOATS.length]! * (k % 2 ? 1 : -1),
      s: k % 10 === 7 ? null : STRINGS[k % STRINGS.length]!,
      b: k % 8 === 6 ? null : k % 3 === 0,
      d: k % 12 === 1 ? null : -800_000 + k * 1237, // from year -220 on, through 1970 and beyond
      t: k % 14 === 2 ? null : -5_000_000_000_000 + k * 86_399_999_937, // negative and positive ms
    });
  }
  return rows;
}

const isoDate = (days: number) => { const s = new Date(days * 86_400_000).toISOString(); return s.slice(0, s.indexOf('T')); };

describe('formatDouble', () => {
  it('is the shortest round-trip text, Spark-like for integral and special values', () => {
    expect(formatDouble(1)).toBe('1.0');
    expect(formatDouble(-0)).toBe('-0.0');
    expect(formatDouble(0)).toBe('0.0');
    expect(formatDouble(0.1)).toBe('0.1');
    expect(formatDouble(1e21)).toBe('1e+21');
    expect(formatDouble(1e-7)).toBe('1e-7');
    expect(formatDouble(NaN)).toBe('NaN');
    expect(formatDouble(-Infinity)).toBe('-Infinity');
    for (const x of [...FLOATS, Math.PI, 5e-324, 1.7976931348623157e308]) expect(Number(formatDouble(x))).toBe(x);
  });

  it('the fast path writes exactly what formatDouble gives', () => {
    const sink = new ByteSink();
    const dec = new TextDecoder();
    const check = (x: number) => {
      sink.reset();
      writeDouble(sink, x);
      const got = dec.decode(sink.pending());
      if (got !== formatDouble(x)) throw new Error(`writeDouble(${formatDouble(x)}) wrote ${got}`);
    };
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const specials = [0, -0, NaN, Infinity, -Infinity, 1e-6, 9.99e-7, 1e15, 1e15 - 1, 999999999999999.9, 0.1, 0.2, 0.3, 1 / 3, 2 / 3,
      123456.789, 1e21, 5e-324, 2 ** 53, 2 ** 53 + 2, 0.000001234, 12345678.12345678, 99999999.99999999, 1.005, 4.35, 0.07];
    for (const x of specials) { check(x); check(-x); }
    for (let n = 0; n < 200_000; n++) {
      const kind = n % 5;
      let x: number;
      if (kind === 0) x = Math.round(rnd() * 1e6) / 100;                                  // money-like
      else if (kind === 1) x = Math.round((rnd() - 0.5) * 10 ** Math.floor(rnd() * 16)) / 10 ** Math.floor(rnd() * 10);
      else if (kind === 2) x = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 30 - 10);        // arbitrary doubles
      else if (kind === 3) x = Math.floor(rnd() * 2 ** 53) / 2 ** Math.floor(rnd() * 60); // binary fractions
      else x = Number((rnd() * 1000).toFixed(Math.floor(rnd() * 9)));
      check(x);
    }
  });
});

describe('CSV writer', () => {
  it('round-trips through DuckDB: quoting, nulls vs empty strings, dates, timestamps, floats', async () => {
    const rows = sampleRows(300, true);
    const file = path.join(dir, 'a.csv');
    const b = rowsToBatch(schema, rows);
    // two batches, the second with a selection vector
    const sel = Int32Array.from([...Array(b.length).keys()].filter((x) => x >= 150));
    const first = rowsToBatch(schema, rows.slice(0, 150));
    const bytes = await writeCsvFile(file, [first, makeBatch(schema, b.columns, b.length, sel)], schema);
    expect(bytes).toBe((await fs.stat(file)).size);
    const got = await q(`SELECT i, l, f, s, b, d, t, epoch_ms(CAST(t AS TIMESTAMPTZ)) AS tms, datediff('day', DATE '1970-01-01', d) AS days
      FROM read_csv(${sqlPath(file)}, header = true, allow_quoted_nulls = false, auto_detect = false, delim = ',', quote = '"', escape = '"',
        columns = {'i': 'INTEGER', 'l': 'BIGINT', 'f': 'DOUBLE', 's': 'VARCHAR', 'b': 'BOOLEAN', 'd': 'DATE', 't': 'VARCHAR'})`);
    expect(got.length).toBe(rows.length);
    for (let k = 0; k < rows.length; k++) {
      const w = rows[k]!, g = got[k]!;
      expect(g.i).toBe(w.i);
      expect(g.l === null ? null : Number(g.l as bigint)).toBe(w.l);
      if (w.f === null) expect(g.f).toBeNull(); else expect(Object.is(g.f, w.f) || (Number.isNaN(g.f) && Number.isNaN(w.f))).toBe(true);
      expect(g.s).toBe(w.s);
      expect(g.b).toBe(w.b);
      expect(g.days === null ? null : Number(g.days as bigint)).toBe(w.d);
      expect(g.t).toBe(w.t === null ? null : new Date(w.t as number).toISOString());
      expect(g.tms === null ? null : Number(g.tms as bigint)).toBe(w.t);
    }
  });

  it('writes the exact text expected', async () => {
    const s: Schema = [field('name, with comma', 'string'), field('x', 'float64'), field('d', 'date'), field('t', 'timestamp')];
    const b = rowsToBatch(s, [
      { 'name, with comma': 'a"b', x: 1, d: 0, t: 0 },
      { 'name, with comma': '', x: null, d: null, t: null },
      { 'name, with comma': null, x: -0, d: -1, t: -1 },
    ]);
    const file = path.join(dir, 'exact.csv');
    await writeCsvFile(file, [b], s);
    expect(await fs.readFile(file, 'utf8')).toBe(
      '"name, with comma",x,d,t\n' +
      '"a""b",1.0,1970-01-01,1970-01-01T00:00:00.000Z\n' +
      '"",,,\n' +
      ',-0.0,1969-12-31,1969-12-31T23:59:59.999Z\n',
    );
    await writeCsvFile(file, [b], s, { header: false, delimiter: '\t', nullValue: 'NA' });
    expect(await fs.readFile(file, 'utf8')).toBe(
      '"a""b"\t1.0\t1970-01-01\t1970-01-01T00:00:00.000Z\n' +
      '""\tNA\tNA\tNA\n' +
      'NA\t-0.0\t1969-12-31\t1969-12-31T23:59:59.999Z\n',
    );
  });

  it('supports other delimiters and header=false (Spark option spellings too)', async () => {
    const rows = sampleRows(50, false);
    const file = path.join(dir, 'semi.csv');
    await writeCsvFile(file, [rowsToBatch(schema, rows)], schema, { header: 'false', sep: ';' } as never);
    const got = await q(`SELECT s FROM read_csv(${sqlPath(file)}, header = false, allow_quoted_nulls = false, auto_detect = false, delim = ';', quote = '"', escape = '"',
      columns = {'i': 'INTEGER', 'l': 'BIGINT', 'f': 'DOUBLE', 's': 'VARCHAR', 'b': 'BOOLEAN', 'd': 'DATE', 't': 'VARCHAR'})`);
    expect(got.map((r) => r.s)).toEqual(rows.map((r) => r.s));
    await expect(writeCsvFile(file, [], schema, { delimiter: '::' })).rejects.toThrow(/delimiter/);
    await expect(writeCsvFile(file, [], schema, { delimiter: '"' })).rejects.toThrow(/delimiter/);
  });

  it('is deterministic and writes only a header for no rows', async () => {
    const rows = sampleRows(500, true);
    const a = path.join(dir, 'det1.csv'), b = path.join(dir, 'det2.csv');
    await writeCsvFile(a, [rowsToBatch(schema, rows)], schema);
    await writeCsvFile(b, [rowsToBatch(schema, rows.slice(0, 200)), rowsToBatch(schema, rows.slice(200))], schema);
    expect(Buffer.compare(await fs.readFile(a), await fs.readFile(b))).toBe(0);
    const e = path.join(dir, 'empty.csv');
    await writeCsvFile(e, [], schema);
    expect(await fs.readFile(e, 'utf8')).toBe('i,l,f,s,b,d,t\n');
  });

  it('rejects a batch that does not match the schema, naming the file', async () => {
    const other = rowsToBatch([field('x', 'string')], [{ x: 'a' }]);
    await expect(writeCsvFile(path.join(dir, 'bad.csv'), [other], schema)).rejects.toThrow(/bad\.csv/);
  });
});

describe('JSON-lines writer', () => {
  it('round-trips through DuckDB, omitting nulls', async () => {
    const rows = sampleRows(300, false);
    const file = path.join(dir, 'a.json');
    await writeJsonFile(file, [rowsToBatch(schema, rows)], schema);
    const text = await fs.readFile(file, 'utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.length).toBe(rows.length);
    for (let k = 0; k < rows.length; k++) {
      const obj = JSON.parse(lines[k]!) as Record<string, unknown>;
      for (const f of schema) {
        const w = rows[k]![f.name];
        if (w === null) { expect(f.name in obj).toBe(false); continue; }
        const g = obj[f.name];
        if (f.type === 'date') expect(g).toBe(isoDate(w as number));
        else if (f.type === 'timestamp') expect(g).toBe(new Date(w as number).toISOString());
        else expect(g).toEqual(w);
      }
    }
    const got = await q(`SELECT i, l, f, s, b, datediff('day', DATE '1970-01-01', d) AS d, epoch_ms(t) AS t FROM read_json(${sqlPath(file)}, format = 'newline_delimited',
      columns = {'i': 'INTEGER', 'l': 'BIGINT', 'f': 'DOUBLE', 's': 'VARCHAR', 'b': 'BOOLEAN', 'd': 'DATE', 't': 'TIMESTAMPTZ'})`);
    expect(got.length).toBe(rows.length);
    for (let k = 0; k < rows.length; k++) {
      const w = rows[k]!, g = got[k]!;
      expect(g.i).toBe(w.i);
      expect(g.l === null ? null : Number(g.l as bigint)).toBe(w.l);
      expect(g.f).toBe(w.f);
      expect(g.s).toBe(w.s);
      expect(g.b).toBe(w.b);
      expect(g.d === null ? null : Number(g.d as bigint)).toBe(w.d);
      expect(g.t === null ? null : Number(g.t as bigint)).toBe(w.t);
    }
  });

  it('writes the exact text expected (escapes, non-finite floats as strings, all-null row)', async () => {
    const s: Schema = [field('k"ey', 'string'), field('x', 'float64'), field('n', 'int64'), field('b', 'boolean')];
    const b = rowsToBatch(s, [
      { 'k"ey': 'a"b\\c\n\u0001é😀', x: 1, n: 2 ** 53, b: true },
      { 'k"ey': null, x: null, n: null, b: null },
      { 'k"ey': '', x: NaN, n: -3, b: false },
      { 'k"ey': 'x', x: -Infinity, n: 0, b: null },
      { 'k"ey': 'y', x: -0, n: 1, b: null },
    ]);
    const file = path.join(dir, 'exact.json');
    await writeJsonFile(file, [b], s);
    expect(await fs.readFile(file, 'utf8')).toBe(
      '{"k\\"ey":"a\\"b\\\\c\\n\\u0001é😀","x":1.0,"n":9007199254740992,"b":true}\n' +
      '{}\n' +
      '{"k\\"ey":"","x":"NaN","n":-3,"b":false}\n' +
      '{"k\\"ey":"x","x":"-Infinity","n":0}\n' +
      '{"k\\"ey":"y","x":-0.0,"n":1}\n',
    );
  });

  it('is deterministic', async () => {
    const rows = sampleRows(400, true);
    const a = path.join(dir, 'det1.json'), b = path.join(dir, 'det2.json');
    await writeJsonFile(a, [rowsToBatch(schema, rows)], schema);
    await writeJsonFile(b, [rowsToBatch(schema, rows.slice(0, 99)), rowsToBatch(schema, rows.slice(99))], schema);
    expect(Buffer.compare(await fs.readFile(a), await fs.readFile(b))).toBe(0);
  });
});

describe('Parquet writer', () => {
  async function readBack(file: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for await (const b of readParquetRowGroups(file, null, schema.map((f) => f.name))) out.push(...batchToRows(b));
    return out;
  }

  it('round-trips through DuckDB and through our reader', async () => {
    const rows = sampleRows(5000, true);
    const file = path.join(dir, 'sub', 'a.parquet');
    const bytes = await writeParquetFile(file, [rowsToBatch(schema, rows.slice(0, 3000)), rowsToBatch(schema, rows.slice(3000))], schema, { rowGroupRows: 2000 });
    expect(bytes).toBe((await fs.stat(file)).size);
    const meta = await readParquetMeta(file);
    expect(meta.schema).toEqual(schema);
    expect(meta.rowGroups.map((g) => g.numRows)).toEqual([2000, 2000, 1000]);
    const got = await q(`SELECT i, l, f, s, b, datediff('day', DATE '1970-01-01', d) AS d, epoch_ms(t) AS t, typeof(t) AS tt FROM read_parquet(${sqlPath(file)})`);
    expect(got[0]!.tt).toBe('TIMESTAMP WITH TIME ZONE');
    for (let k = 0; k < rows.length; k++) {
      const w = rows[k]!, g = got[k]!;
      expect(g.i).toBe(w.i);
      expect(g.l === null ? null : Number(g.l as bigint)).toBe(w.l);
      if (w.f === null) expect(g.f).toBeNull(); else expect(Object.is(g.f, w.f) || (Number.isNaN(g.f) && Number.isNaN(w.f))).toBe(true);
      expect(g.s).toBe(w.s);
      expect(g.b).toBe(w.b);
      expect(g.d === null ? null : Number(g.d as bigint)).toBe(w.d);
      expect(g.t === null ? null : Number(g.t as bigint)).toBe(w.t);
    }
    const ours = await readBack(file);
    expect(ours).toEqual(batchToRows(rowsToBatch(schema, rows)));
  });

  it('is deterministic, supports zstd, and writes a readable file for no rows', async () => {
    const rows = sampleRows(3000, true);
    const a = path.join(dir, 'd1.parquet'), b = path.join(dir, 'd2.parquet'), z = path.join(dir, 'z.parquet');
    await writeParquetFile(a, [rowsToBatch(schema, rows)], schema);
    await writeParquetFile(b, [rowsToBatch(schema, rows)], schema);
    expect(Buffer.compare(await fs.readFile(a), await fs.readFile(b))).toBe(0);
    await writeParquetFile(z, [rowsToBatch(schema, rows)], schema, { compression: 'zstd' });
    expect(await readBack(z)).toEqual(await readBack(a));
    const e = path.join(dir, 'empty.parquet');
    await writeParquetFile(e, [], schema);
    expect((await readParquetMeta(e)).schema).toEqual(schema);
    expect(await q(`SELECT count(*)::INT AS n FROM read_parquet(${sqlPath(e)})`)).toEqual([{ n: 0 }]);
    expect(await readBack(e)).toEqual([]);
  });

  it('writes batches with selection vectors and zero-length batches', async () => {
    const rows = sampleRows(100, false);
    const b = rowsToBatch(schema, rows);
    const sel = Int32Array.from([5, 6, 50, 99]);
    const file = path.join(dir, 'sel.parquet');
    await writeParquetFile(file, [makeBatch(schema, b.columns, b.length, sel), rowsToBatch(schema, []) as Batch], schema);
    expect(await readBack(file)).toEqual([5, 6, 50, 99].map((k) => batchToRows(b)[k]));
  });
});
