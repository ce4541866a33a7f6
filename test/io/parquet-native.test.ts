// The native Parquet decoder (parquet-native.ts, parquet-column.ts, parquet-page.ts, snappy.ts,
// rle-hybrid.ts) against DuckDB reading the same file and against the parquet-wasm path
// (SPARROW_PARQUET_NATIVE=0), batch for batch; parquetReadCounts shows which path each row
// group took. Files come from DuckDB (COPY … TO) and from arrow-rs (parquet-wasm's writer, the
// one Sparrow's own writer uses): DuckDB 1.5 writes every timestamp as MICROS, one page per
// column chunk, only optional columns and never RLE booleans; arrow-rs writes ms / ns
// timestamps, required columns, small pages and RLE booleans (V2).
import { beforeAll, describe, expect, it } from 'vitest';
import { duckParquet, sqlPath } from '../helpers/duck-parquet.js';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { readParquetMeta, type ParquetFileMeta } from '../../src/executor/io/parquet-meta.js';
import { readParquetRowGroups } from '../../src/executor/io/parquet-read.js';
import { parquetReadCounts } from '../../src/executor/io/parquet-native.js';
import { PAGE_DATA, PAGE_DATA_V2, PAGE_DICTIONARY, readPageHeader } from '../../src/executor/io/parquet-page.js';
import { ThriftReader } from '../../src/executor/io/thrift-compact.js';
import { snappyDecompress, snappyLength } from '../../src/executor/io/snappy.js';
import { RleError, rleToInt32, rleToValid } from '../../src/executor/io/rle-hybrid.js';
import { own, type Batch, type Vec } from '../../src/executor/batch.js';
import { writeParquetFile } from '../../src/executor/io/write-parquet.js';
import type { Schema } from '../../src/planner/types.js';
import { rng } from '../helpers/rng.js';

const files = duckParquet('sparrow-pq-native-');
const { q, duck } = files;

// ---------------------------------------------------------------------------------------
// Helpers

type Mode = 'native' | 'wasm';
interface Read { batches: Batch[]; native: number; wasm: number }

/**
 * Reads with the native path allowed (SPARROW_PARQUET_NATIVE unset) or disabled ('0'); the
 * flag is read per row group, so it stays set for the whole iteration. Batches are owned as
 * they are pulled (they borrow decoder buffers until the next pull).
 */
async function read(p: string, columns: readonly string[], mode: Mode, groups: readonly number[] | null = null, batchRows?: number): Promise<Read> {
  const n0 = parquetReadCounts.native, w0 = parquetReadCounts.wasm;
  const batches: Batch[] = [];
  await withMode(mode, async () => {
    for await (const b of readParquetRowGroups(p, groups, columns, batchRows)) batches.push(own(b));
  });
  return { batches, native: parquetReadCounts.native - n0, wasm: parquetReadCounts.wasm - w0 };
}

/** Runs `fn` with SPARROW_PARQUET_NATIVE unset (native) or '0' (wasm), restoring it after. */
async function withMode<T>(mode: Mode, fn: () => Promise<T>): Promise<T> {
  const prev = process.env.SPARROW_PARQUET_NATIVE;
  if (mode === 'wasm') process.env.SPARROW_PARQUET_NATIVE = '0';
  else delete process.env.SPARROW_PARQUET_NATIVE;
  try {
    return await fn();
  } finally {
    if (prev === undefined) delete process.env.SPARROW_PARQUET_NATIVE;
    else process.env.SPARROW_PARQUET_NATIVE = prev;
  }
}

/** A batch as plain data: lengths, validity, values (NULL slots, whose values are unspecified, as null), rebased offsets and bytes. */
function canonBatch(b: Batch): unknown {
  return { length: b.length, sel: b.sel, schema: b.schema.map((f) => `${f.name}:${f.type}`), columns: b.columns.map(canonVec) };
}

function canonVec(v: Vec): unknown {
  const n = v.length;
  const valid = v.valid === null ? null : Array.from(v.valid.subarray(0, n));
  if (v.type === 'string') {
    const o = v.offsets!;
    const base = o[0]!;
    const offsets = Array.from(o.subarray(0, n + 1), (x) => x - base);
    const bytes = Buffer.from(v.values.buffer, v.values.byteOffset + base, o[n]! - base).toString('latin1');
    return { type: v.type, n, valid, offsets, bytes };
  }
  expect(v.values.length).toBeGreaterThanOrEqual(n);
  const values = Array.from(v.values.subarray(0, n) as ArrayLike<number>, (x, i) => (valid !== null && valid[i] === 0 ? null : x));
  return { type: v.type, n, valid, values };
}

/** Reads natively and through parquet-wasm and checks the batches are identical; returns both reads. */
async function bothPaths(p: string, columns: readonly string[], groups: readonly number[] | null = null, batchRows?: number): Promise<{ nat: Read; wasm: Read }> {
  const nat = await read(p, columns, 'native', groups, batchRows);
  const wasm = await read(p, columns, 'wasm', groups, batchRows);
  expect(wasm.native).toBe(0);
  expect(nat.batches.length).toBe(wasm.batches.length);
  for (let i = 0; i < nat.batches.length; i++) {
    const a = nat.batches[i]!, b = wasm.batches[i]!;
    // a fast check first; the structural comparison (slow on large batches) gives the diff
    if (!sameBatch(a, b)) expect({ batch: i, ...(canonBatch(a) as object) }).toEqual({ batch: i, ...(canonBatch(b) as object) });
  }
  return { nat, wasm };
}

/** canonBatch(a) equals canonBatch(b), computed without building them. */
function sameBatch(a: Batch, b: Batch): boolean {
  if (a.length !== b.length || a.sel !== null || b.sel !== null || a.columns.length !== b.columns.length) return false;
  if (a.schema.some((f, c) => f.name !== b.schema[c]!.name || f.type !== b.schema[c]!.type)) return false;
  const n = a.length;
  for (let c = 0; c < a.columns.length; c++) {
    const x = a.columns[c]!, y = b.columns[c]!;
    if (x.type !== y.type || (x.valid === null) !== (y.valid === null)) return false;
    for (let i = 0; i < n && x.valid !== null; i++) if (x.valid[i] !== y.valid![i]) return false;
    if (x.type === 'string') {
      const xo = x.offsets!, yo = y.offsets!;
      for (let i = 0; i <= n; i++) if (xo[i]! - xo[0]! !== yo[i]! - yo[0]!) return false;
      const xb = x.values.subarray(xo[0]!, xo[n]!), yb = y.values.subarray(yo[0]!, yo[n]!);
      if (Buffer.compare(xb as Uint8Array, yb as Uint8Array) !== 0) return false;
    } else {
      if (x.values.length < n || y.values.length < n) return false;
      for (let i = 0; i < n; i++) {
        if (x.valid !== null && x.valid[i] === 0) continue;
        if (!Object.is(x.values[i], y.values[i])) return false;
      }
    }
  }
  return true;
}

/** Values in our domain per column, over batches: numbers (dates in days, timestamps in ms), 0/1 booleans, strings, null. */
function ourColumns(batches: readonly Batch[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const b of batches) {
    expect(b.sel).toBeNull();
    b.schema.forEach((f, c) => {
      const v = b.columns[c]!;
      const arr = (out[f.name] ??= []);
      for (let i = 0; i < b.length; i++) {
        if (v.valid !== null && v.valid[i] === 0) arr.push(null);
        else if (v.type === 'string') arr.push(Buffer.from(v.values.buffer, v.values.byteOffset + v.offsets![i]!, v.offsets![i + 1]! - v.offsets![i]!).toString('utf8'));
        else arr.push(v.values[i]!);
      }
    });
  }
  return out;
}

/** DuckDB's view of the file: `exprs` maps a name to SQL over the file's columns ($ = the column of that name). */
async function duckColumns(p: string, exprs: Record<string, string>): Promise<Record<string, unknown[]>> {
  const sel = Object.entries(exprs).map(([k, e]) => `${e.replace(/\$/g, `"${k}"`)} AS "${k}"`).join(', ');
  const rows = await q(`SELECT ${sel} FROM read_parquet(${sqlPath(p)}) ORDER BY file_row_number`);
  const out: Record<string, unknown[]> = {};
  for (const k of Object.keys(exprs)) {
    out[k] = rows.map((r) => {
      const v = r[k];
      return typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? (v ? 1 : 0) : v;
    });
  }
  return out;
}

/**
 * Column-by-column equality (Object.is on numbers: NaN equals NaN, -0 differs from 0).
 * Columns in `oneUlp` may differ from `want` by one unit in the last place where |value| ≥
 * `oneUlp[column]`: decimals whose unscaled integer passes 2^53 are converted as
 * Number(unscaled) / 10^scale (two roundings, by both paths), DuckDB rounds once.
 */
function sameColumns(got: Record<string, unknown[]>, want: Record<string, unknown[]>, names: readonly string[] = Object.keys(want), oneUlp: Record<string, number> = {}): void {
  for (const k of names) {
    expect(got[k], `column ${k} missing`).toBeDefined();
    expect(got[k]!.length, `column ${k} length`).toBe(want[k]!.length);
    const a = got[k]!, b = want[k]!;
    const from = oneUlp[k] ?? Infinity;
    for (let i = 0; i < a.length; i++) {
      if (Object.is(a[i], b[i])) continue;
      const x = a[i], y = b[i];
      if (typeof x === 'number' && typeof y === 'number' && Math.abs(y) >= from && Math.abs(x - y) <= ulp(y)) continue;
      expect({ column: k, row: i, value: x }).toEqual({ column: k, row: i, value: y });
    }
  }
}

function ulp(x: number): number {
  return 2 ** (Math.floor(Math.log2(Math.abs(x))) - 52);
}

/** decimal(18, 3) values whose unscaled integer is past 2^53. */
const DEC18_TWO_ROUNDINGS = { dec18: 2 ** 53 / 1000, dec18_n: 2 ** 53 / 1000 };

/** Writes an Arrow table with arrow-rs (parquet-wasm's writer). */
async function arrowRs(name: string, table: arrow.Table, props: (b: pw.WriterPropertiesBuilder) => pw.WriterPropertiesBuilder): Promise<string> {
  const p = path.join(files.dir, name);
  const bytes = pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props(new pw.WriterPropertiesBuilder()).build());
  await fs.writeFile(p, bytes);
  return p;
}

/** Page types of one column chunk, walking its page headers. */
async function pageTypes(p: string, meta: ParquetFileMeta, g: number, c: number): Promise<number[]> {
  const buf = await fs.readFile(p);
  const ch = meta.chunks[g]![c]!;
  const out: number[] = [];
  for (let pos = ch.start; pos < ch.start + ch.bytes;) {
    const h = readPageHeader(buf, pos, p);
    out.push(h.type);
    pos += h.headerBytes + h.compressedSize;
  }
  return out;
}

const ENC = { PLAIN: 0, PLAIN_DICTIONARY: 2, RLE: 3, DELTA_BINARY_PACKED: 5, DELTA_LENGTH_BYTE_ARRAY: 6, RLE_DICTIONARY: 8, BYTE_STREAM_SPLIT: 9 };
const isDict = (encodings: readonly number[]) => encodings.includes(ENC.PLAIN_DICTIONARY) || encodings.includes(ENC.RLE_DICTIONARY);
const READ_ERROR = /cannot read Parquet file .* \(row group \d+\)/;

describe('the batch comparison used here', () => {
  it('sees a changed value, validity bit, string offset or byte', () => {
    const mk = (): Batch => ({
      schema: [{ name: 'x', type: 'float64', nullable: true }, { name: 's', type: 'string', nullable: true }],
      length: 3,
      sel: null,
      columns: [
        { type: 'float64', length: 3, values: Float64Array.from([1, -0, NaN]), offsets: null, valid: null },
        { type: 'string', length: 3, values: Buffer.from('abcdef'), offsets: Int32Array.from([0, 1, 3, 6]), valid: Uint8Array.from([1, 1, 1]) },
      ],
    });
    expect(sameBatch(mk(), mk())).toBe(true);
    const edits: ((b: Batch) => void)[] = [
      (b) => { (b.columns[0]!.values as Float64Array)[1] = 0; },
      (b) => { (b.columns[0]!.values as Float64Array)[2] = 1; },
      (b) => { (b.columns[1]!.valid as Uint8Array)[0] = 0; },
      (b) => { (b.columns[1]!.offsets as Int32Array)[1] = 2; },
      (b) => { (b.columns[1]!.values as Uint8Array)[5] = 0x41; },
    ];
    for (const edit of edits) {
      const b = mk();
      edit(b);
      expect(sameBatch(mk(), b)).toBe(false);
      expect(canonBatch(mk())).not.toEqual(canonBatch(b));
    }
    // the value in a NULL slot of a fixed-width column is unspecified, so it does not count
    const withNull = (v: number): Batch => {
      const b = mk();
      return { ...b, columns: [{ ...b.columns[0]!, valid: Uint8Array.from([1, 0, 1]), values: Float64Array.from([1, v, NaN]) }, b.columns[1]!] };
    };
    expect(sameBatch(withNull(0), withNull(42))).toBe(true);
    expect(canonBatch(withNull(0))).toEqual(canonBatch(withNull(42)));
  });
});

// ---------------------------------------------------------------------------------------
// 1, 2. Every type, NULLs and not, against DuckDB and parquet-wasm

// name → [SQL producing the column from i, DuckDB expression giving our value domain ($ = column)]
const TS_US = `make_timestamp((i - 3000) * 987654321987 + i % 1000)`;
const TYPE_COLS: Record<string, [string, string]> = {
  i8: [`((i * 37) % 256 - 128)::TINYINT`, `$::INTEGER`],
  i16: [`((i * 7919) % 65536 - 32768)::SMALLINT`, `$::INTEGER`],
  i32: [`(CASE i % 50 WHEN 0 THEN -2147483648 WHEN 1 THEN 2147483647 ELSE (i * 2654435761) % 4294967296 - 2147483648 END)::INTEGER`, `$`],
  i64: [`(CASE i % 50 WHEN 0 THEN -9223372036854775808 WHEN 1 THEN 9223372036854775807 WHEN 2 THEN 9007199254740993 ELSE (i - 3000) * 1234567890123 END)::BIGINT`, `$`],
  u8: [`(i % 256)::UTINYINT`, `$::INTEGER`],
  u16: [`((i * 7919) % 65536)::USMALLINT`, `$::INTEGER`],
  u32: [`(CASE i % 50 WHEN 0 THEN 4294967295 ELSE (i * 2654435761) % 4294967296 END)::UINTEGER`, `$::BIGINT`],
  u64: [`(CASE i % 50 WHEN 0 THEN 18446744073709551615 WHEN 1 THEN 9223372036854775808 WHEN 2 THEN 9007199254740993 ELSE i::HUGEINT * 3000000000000001 END)::UBIGINT`, `$`],
  f32: [`CASE i % 40 WHEN 0 THEN 'NaN'::FLOAT WHEN 1 THEN 'Infinity'::FLOAT WHEN 2 THEN '-Infinity'::FLOAT WHEN 3 THEN '-0.0'::FLOAT WHEN 4 THEN '3.4028235e38'::FLOAT WHEN 5 THEN '1e-45'::FLOAT ELSE ((i - 3000) / 7)::FLOAT END`, `$::DOUBLE`],
  f64: [`CASE i % 40 WHEN 0 THEN 'NaN'::DOUBLE WHEN 1 THEN 'Infinity'::DOUBLE WHEN 2 THEN '-Infinity'::DOUBLE WHEN 3 THEN '-0.0'::DOUBLE WHEN 4 THEN 1.7976931348623157e308::DOUBLE WHEN 5 THEN 5e-324::DOUBLE ELSE (i - 3000) / 7 END`, `$`],
  dec9: [`((((i * 333333331) % 1999999999) - 999999999)::DECIMAL(18, 0) * 0.01)::DECIMAL(9, 2)`, `$::DOUBLE`],
  dec18: [`((CASE i % 50 WHEN 0 THEN 999999999999999999 WHEN 1 THEN -999999999999999999 ELSE (i * 333333333333331) % 1999999999999999999 - 999999999999999999 END)::DECIMAL(18, 0) * 0.001)::DECIMAL(18, 3)`, `$::DOUBLE`],
  dec38: [`((i - 3000) * 1234567891011::DECIMAL(38, 0) * 0.0001)::DECIMAL(38, 4)`, `$::DOUBLE`],
  dt: [`DATE '1970-01-01' + ((i * 37) % 200000 - 100000)::INTEGER`, `datediff('day', DATE '1970-01-01', $)`],
  ts: [TS_US, `floor(epoch_us($) / 1000)`],
  tsms: [`${TS_US}::TIMESTAMP_MS`, `floor(epoch_us($) / 1000)`],
  tsns: [`${TS_US}::TIMESTAMP_NS`, `floor(epoch_us($) / 1000)`],
  tstz: [`${TS_US}::TIMESTAMPTZ`, `floor(epoch_us($) / 1000)`],
  b: [`i % 3 = 0`, `$`],
  // high cardinality: PLAIN; empty, > 100-byte and multi-byte strings
  s_plain: [`CASE i % 5 WHEN 0 THEN '' WHEN 1 THEN repeat('x', 100 + (i % 50)::INTEGER) || i::VARCHAR WHEN 2 THEN 'ünï 😀 ' || i::VARCHAR WHEN 3 THEN repeat('é', 60) || i::VARCHAR ELSE i::VARCHAR END`, `$`],
  // low cardinality: dictionary-encoded
  s_dict: [`CASE i % 6 WHEN 0 THEN '' WHEN 1 THEN 'a' WHEN 2 THEN 'ünï 😀' WHEN 3 THEN repeat('long', 40) WHEN 4 THEN repeat('ж', 70) ELSE 'k' END`, `$`],
};
const ALL_NULL: Record<string, string> = { nul_i: 'INTEGER', nul_l: 'BIGINT', nul_f: 'DOUBLE', nul_s: 'VARCHAR', nul_b: 'BOOLEAN', nul_ts: 'TIMESTAMP' };
const TYPE_ROWS = 6000;

function typesSelect(): string {
  const cols: string[] = [];
  for (const [k, [sql]] of Object.entries(TYPE_COLS)) {
    cols.push(`${sql} AS ${k}`, `CASE WHEN i % 7 = 3 OR i % 11 = 5 THEN NULL ELSE ${sql} END AS ${k}_n`);
  }
  for (const [k, t] of Object.entries(ALL_NULL)) cols.push(`NULL::${t} AS ${k}`);
  return `SELECT ${cols.join(', ')} FROM range(${TYPE_ROWS}) t(i)`;
}

function typeExprs(names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const base = n.endsWith('_n') ? n.slice(0, -2) : n;
    out[n] = TYPE_COLS[base]?.[1] ?? '$';
  }
  return out;
}

describe('native decoder: every type (DuckDB files)', () => {
  let p: string;
  let meta: ParquetFileMeta;
  let names: string[];
  let native: string[];
  let want: Record<string, unknown[]>;
  beforeAll(async () => {
    p = await duck('types.parquet', typesSelect(), 'ROW_GROUP_SIZE 2048');
    meta = await readParquetMeta(p);
    names = meta.schema.map((f) => f.name);
    native = names.filter((n) => !n.startsWith('dec38'));
    want = await duckColumns(p, typeExprs(names));
  });

  it('the file exercises what we think it does', () => {
    expect(meta.rowGroups.length).toBe(3);
    const enc = (n: string) => meta.chunks[0]![names.indexOf(n)]!.encodings;
    expect(isDict(enc('s_dict'))).toBe(true);
    expect(isDict(enc('s_plain'))).toBe(false);
    expect(isDict(enc('u8'))).toBe(true); // fixed-width dictionary gather
    expect(isDict(enc('i32'))).toBe(false); // fixed-width PLAIN copy
    expect(meta.leaves[names.indexOf('dec9')]!.native).toEqual({ kind: 'decimal32', scale: 2 });
    expect(meta.leaves[names.indexOf('dec18')]!.native).toEqual({ kind: 'decimal64', scale: 3 });
    expect(meta.leaves[names.indexOf('dec38')]!.native).toBeNull();
    expect(meta.leaves[names.indexOf('u32')]!.native).toEqual({ kind: 'uint32' });
    expect(meta.leaves[names.indexOf('u64')]!.native).toEqual({ kind: 'uint64' });
    // some special values really are there
    expect(want.f64!.some((x) => Object.is(x, -0))).toBe(true);
    expect(want.f32!.some((x) => Number.isNaN(x))).toBe(true);
    expect(want.nul_s!.every((x) => x === null)).toBe(true);
    expect(want.s_plain!.some((x) => typeof x === 'string' && Buffer.byteLength(x) > 100)).toBe(true);
  });

  it('reads every natively decodable type natively, equal to DuckDB and to parquet-wasm', async () => {
    const { nat, wasm } = await bothPaths(p, native);
    expect(nat).toMatchObject({ native: 3, wasm: 0 });
    expect(wasm).toMatchObject({ native: 0, wasm: 3 });
    sameColumns(ourColumns(nat.batches), want, native, DEC18_TWO_ROUNDINGS);
    // No NULLs: no validity; all NULL: every slot invalid.
    const first = nat.batches[0]!;
    for (const [c, f] of first.schema.entries()) {
      const v = first.columns[c]!;
      if (f.name.startsWith('nul_')) expect(Array.from(v.valid ?? [])).toEqual(new Array(v.length).fill(0));
      else if (!f.name.endsWith('_n')) expect({ name: f.name, valid: v.valid }).toEqual({ name: f.name, valid: null });
      else expect({ name: f.name, hasNulls: v.valid !== null }).toEqual({ name: f.name, hasNulls: true });
    }
  });

  it('decimal(38, 4) (FIXED_LEN_BYTE_ARRAY) is read by parquet-wasm, alone or with native columns, with the right values', async () => {
    const alone = await bothPaths(p, ['dec38', 'dec38_n']);
    expect(alone.nat).toMatchObject({ native: 0, wasm: 3 });
    sameColumns(ourColumns(alone.nat.batches), want, ['dec38', 'dec38_n']);
    const mixed = await bothPaths(p, ['i32_n', 'dec38_n', 's_dict_n']);
    expect(mixed.nat).toMatchObject({ native: 0, wasm: 3 });
    sameColumns(ourColumns(mixed.nat.batches), want, ['i32_n', 'dec38_n', 's_dict_n']);
  });
});

// ---------------------------------------------------------------------------------------
// 3. Codecs and page versions (DuckDB files)

const MIXED_ROWS = 5000;
const MIXED = `SELECT
    (i * 2654435761 % 4294967296 - 2147483648)::INTEGER AS a,
    CASE WHEN i % 9 = 4 THEN NULL ELSE (i % 13)::INTEGER END AS k,
    CASE WHEN i % 8 = 1 THEN NULL WHEN i % 97 = 0 THEN 'NaN'::DOUBLE ELSE (i - 2500) / 3 END AS d,
    ((i * 7) % 100000 - 50000)::BIGINT * 1000003 AS l,
    CASE WHEN i % 6 = 5 THEN NULL ELSE 'key-' || (i % 7)::VARCHAR || CASE WHEN i % 2 = 0 THEN ' ü😀' ELSE '' END END AS s,
    CASE WHEN i % 10 = 0 THEN NULL ELSE repeat('z', (i % 120)::INTEGER) || i::VARCHAR END AS u,
    CASE WHEN i % 4 = 2 THEN NULL ELSE i % 3 = 0 END AS b,
    ((i % 1000) * 0.25)::DECIMAL(9, 2) AS m,
    make_timestamp(i * 1234567891) AS ts
  FROM range(${MIXED_ROWS}) t(i)`;
const MIXED_COLS = ['a', 'k', 'd', 'l', 's', 'u', 'b', 'm', 'ts'];
const MIXED_EXPRS: Record<string, string> = { a: '$', k: '$', d: '$', l: '$', s: '$', u: '$', b: '$', m: '$::DOUBLE', ts: 'floor(epoch_us($) / 1000)' };

describe('native decoder: codecs and page versions (DuckDB files)', () => {
  const cases: [string, string, 'native' | 'wasm'][] = [
    ['uncompressed', 'COMPRESSION uncompressed', 'native'],
    ['snappy', 'COMPRESSION snappy', 'native'],
    ['gzip', 'COMPRESSION gzip', 'native'],
    ['brotli', 'COMPRESSION brotli', 'native'],
    ['zstd', 'COMPRESSION zstd', 'wasm'],
    ['lz4', 'COMPRESSION lz4', 'wasm'],
  ];
  for (const [name, opts, path_] of cases) {
    it(`${name}: ${path_} path, equal to DuckDB and to parquet-wasm`, async () => {
      const p = await duck(`codec-${name}.parquet`, MIXED, `${opts}, ROW_GROUP_SIZE 2048`);
      const meta = await readParquetMeta(p);
      const groups = meta.rowGroups.length;
      expect(groups).toBe(3);
      const { nat } = await bothPaths(p, MIXED_COLS);
      expect(nat).toMatchObject(path_ === 'native' ? { native: groups, wasm: 0 } : { native: 0, wasm: groups });
      sameColumns(ourColumns(nat.batches), await duckColumns(p, MIXED_EXPRS));
    });
  }

  for (const codec of ['snappy', 'uncompressed', 'gzip']) {
    it(`PARQUET_VERSION V2 (${codec}): every column native, DELTA and BYTE_STREAM_SPLIT ones included`, async () => {
      // First over a narrower range for column a, so that parquet-wasm can read it too and both
      // paths can be compared batch for batch.
      const select = MIXED.replace('(i * 2654435761 % 4294967296 - 2147483648)::INTEGER AS a', '(i * 7919 % 1000003 - 500000)::INTEGER AS a');
      const p = await duck(`v2-${codec}.parquet`, select, `COMPRESSION ${codec}, PARQUET_VERSION V2, ROW_GROUP_SIZE 2048`);
      const meta = await readParquetMeta(p);
      const groups = meta.rowGroups.length;
      const want = await duckColumns(p, MIXED_EXPRS);
      const c = (n: string) => MIXED_COLS.indexOf(n);
      // Which columns DuckDB 1.5 encodes with the newer encodings (if this changes, the test
      // no longer covers them).
      const newer = MIXED_COLS.filter((n) => meta.chunks.some((g) => g[c(n)]!.encodings.some((e) => [5, 6, 7, 9].includes(e))));
      expect(newer).toEqual(expect.arrayContaining(['a', 'd', 'u']));
      // DuckDB 1.5's V2 means the newer encodings in V1 data pages (V2 pages: arrow-rs files below).
      expect(await pageTypes(p, meta, 0, c('s'))).toEqual([PAGE_DICTIONARY, PAGE_DATA]);
      expect(await pageTypes(p, meta, 0, c('b'))).toEqual([PAGE_DATA]);
      const w = await bothPaths(p, MIXED_COLS);
      expect(w.nat).toMatchObject({ native: groups, wasm: 0 });
      sameColumns(ourColumns(w.nat.batches), want);
      // The full int32 range: DELTA_BINARY_PACKED deltas that wrap around. parquet-wasm panics
      // on this valid file; the native reader decodes it (32-bit wrapping arithmetic).
      const full = await duck(`v2-${codec}-full.parquet`, MIXED, `COMPRESSION ${codec}, PARQUET_VERSION V2, ROW_GROUP_SIZE 2048`);
      const nat = await read(full, MIXED_COLS, 'native');
      expect(nat).toMatchObject({ native: groups, wasm: 0 });
      sameColumns(ourColumns(nat.batches), await duckColumns(full, MIXED_EXPRS));
    });
  }
});

// ---------------------------------------------------------------------------------------
// arrow-rs files: ms / ns timestamps, required columns, many pages, RLE booleans

interface Truth { table: arrow.Table; want: Record<string, unknown[]> }

function arrowTruth(n: number, seed: number): Truth {
  const r = rng(seed);
  const isNull = (i: number) => i % 7 === 2 || r() < 0.05;
  const mk = <T extends arrow.DataType>(type: T, data: ArrayLike<unknown> & ArrayBufferView, valid: ((i: number) => boolean) | null): arrow.Vector<T> => {
    let nullBitmap: Uint8Array | undefined;
    let nullCount = 0;
    if (valid) {
      nullBitmap = new Uint8Array(Math.ceil(n / 8));
      for (let i = 0; i < n; i++) { if (valid(i)) nullBitmap[i >> 3]! |= 1 << (i & 7); else nullCount++; }
    }
    return arrow.makeVector(arrow.makeData({ type, length: n, nullCount, nullBitmap, data } as never)) as arrow.Vector<T>;
  };
  const nulls = Array.from({ length: n }, (_, i) => isNull(i));
  const ok = (i: number) => !nulls[i];
  const want: Record<string, unknown[]> = {};
  const cols: Record<string, arrow.Vector> = {};
  const put = (name: string, v: arrow.Vector, values: unknown[], nullable: boolean) => {
    cols[name] = v;
    want[name] = values.map((x, i) => (nullable && nulls[i] ? null : x));
  };

  const i32 = Int32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? (r() * 4294967296) | 0 : i % 37));
  put('i32', mk(new arrow.Int32(), i32, ok), Array.from(i32), true);
  // (each vector its own buffer: arrow-js's IPC writer mangles vectors sharing one)
  put('req_i32', mk(new arrow.Int32(), i32.slice(), null), Array.from(i32), false);
  const i64 = BigInt64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? BigInt(Math.floor((r() - 0.5) * 2 ** 62)) : BigInt(i % 11)));
  put('i64', mk(new arrow.Int64(), i64, ok), Array.from(i64, (x) => Number(x)), true);
  const u32 = Uint32Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 4294967295 - i : i * 100003));
  put('u32', mk(new arrow.Uint32(), u32, ok), Array.from(u32), true);
  const u64 = BigUint64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 18446744073709551615n - BigInt(i) : BigInt(i) * 9007199254740993n));
  put('u64', mk(new arrow.Uint64(), u64, ok), Array.from(u64, (x) => Number(x)), true);
  const specials = [NaN, Infinity, -Infinity, -0, 0, 5e-324, Number.MAX_VALUE];
  const f64 = Float64Array.from({ length: n }, (_, i) => (i % 9 === 0 ? specials[(i / 9) % specials.length]! : (r() - 0.5) * 1e6));
  put('f64', mk(new arrow.Float64(), f64, ok), Array.from(f64), true);
  const f32 = Float32Array.from(f64);
  put('f32', mk(new arrow.Float32(), f32, ok), Array.from(f32), true);
  const bools = new Uint8Array(Math.ceil(n / 8));
  const boolVals: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = i < n / 2 ? (i >> 6) & 1 : r() < 0.3 ? 1 : 0; // long runs, then noise
    if (v) bools[i >> 3]! |= 1 << (i & 7);
    boolVals.push(v);
  }
  put('b', mk(new arrow.Bool(), bools, ok), boolVals, true);
  put('req_b', mk(new arrow.Bool(), bools.slice(), null), boolVals, false);
  const days = Int32Array.from({ length: n }, () => Math.floor((r() - 0.5) * 200000));
  put('dt', mk(new arrow.DateDay(), days, ok), Array.from(days), true);
  const floorDiv = (v: bigint, d: bigint) => { let q = v / d; if (v < 0n && q * d !== v) q -= 1n; return Number(q); };
  const ns = BigInt64Array.from({ length: n }, () => BigInt(Math.floor((r() - 0.5) * 2 ** 52)) * 1000n + BigInt(Math.floor(r() * 1000)));
  put('ts_ns', mk(new arrow.TimestampNanosecond(), ns, ok), Array.from(ns, (x) => floorDiv(x, 1000000n)), true);
  const us = BigInt64Array.from({ length: n }, () => BigInt(Math.floor((r() - 0.5) * 2 ** 52)));
  put('ts_us', mk(new arrow.TimestampMicrosecond('UTC'), us, ok), Array.from(us, (x) => floorDiv(x, 1000n)), true);
  const ms = BigInt64Array.from({ length: n }, () => BigInt(Math.floor((r() - 0.5) * 2 ** 45)));
  put('ts_ms', mk(new arrow.TimestampMillisecond(), ms, ok), Array.from(ms, (x) => Number(x)), true);
  // decimals as Decimal128 words (little-endian, two's complement)
  const decWords = (vals: bigint[]) => {
    const w = new Uint32Array(n * 4);
    vals.forEach((v, i) => { const u = BigInt.asUintN(128, v); for (let k = 0; k < 4; k++) w[i * 4 + k] = Number((u >> BigInt(32 * k)) & 0xffffffffn); });
    return w;
  };
  const d9 = Array.from({ length: n }, () => BigInt(Math.floor((r() - 0.5) * 1999999998)));
  put('dec9', mk(new arrow.Decimal(2, 9, 128), decWords(d9), ok), d9.map((x) => Number(x) / 100), true);
  const d18 = Array.from({ length: n }, () => BigInt(Math.floor((r() - 0.5) * 2 ** 53)) * 100n);
  put('dec18', mk(new arrow.Decimal(3, 18, 128), decWords(d18), ok), d18.map((x) => Number(x) / 1000), true);
  const strs = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? `v${i % 10}` : i % 3 === 1 ? '' : `${'ßü😀'.repeat(i % 40)}#${i}`));
  put('s', arrow.vectorFromArray(strs.map((s, i) => (nulls[i] ? null : s)), new arrow.Utf8()), strs, true);
  put('req_s', arrow.vectorFromArray(strs, new arrow.Utf8()), strs, false);
  // NULL in whole pages (the first half), and never set
  const late = (i: number) => i >= n / 2 && ok(i);
  put('b_late', mk(new arrow.Bool(), bools.slice(), late), boolVals.map((x, i) => (late(i) ? x : null)), false);
  put('i_late', mk(new arrow.Int32(), i32.slice(), late), Array.from(i32, (x, i) => (late(i) ? x : null)), false);
  put('nul_i', mk(new arrow.Int64(), new BigInt64Array(n), () => false), new Array(n).fill(null), false);
  put('nul_s', arrow.vectorFromArray(new Array<string | null>(n).fill(null), new arrow.Utf8()), new Array(n).fill(null), false);
  const lowCard = Array.from({ length: n }, (_, i) => ['alpha', '', 'γάμμα', 'x'.repeat(130)][i % 4]!);
  put('s_low', arrow.vectorFromArray(lowCard.map((s, i) => (nulls[i] ? null : s)), new arrow.Utf8()), lowCard, true);
  // arrow-js makes every field nullable: mark the req_ ones required.
  const all = new arrow.Table(cols);
  const schema = new arrow.Schema(all.schema.fields.map((f) => new arrow.Field(f.name, f.type, !f.name.startsWith('req_'))));
  const table = new arrow.Table(schema, all.batches.map((b) => new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: b.numRows, nullCount: 0, children: b.data.children }))));
  return { table, want };
}

describe('native decoder: arrow-rs files (ms / ns timestamps, required columns, many pages, RLE booleans)', () => {
  let truth: Truth;
  let names: string[];
  beforeAll(() => {
    truth = arrowTruth(5000, 7);
    names = Object.keys(truth.want);
  });

  const small = (b: pw.WriterPropertiesBuilder) => b.setMaxRowGroupSize(2000).setDataPageSizeLimit(1024).setWriteBatchSize(100);

  it('V1, dictionary overflowing into PLAIN, snappy, small pages: native, equal to the source and to parquet-wasm', async () => {
    const p = await arrowRs('rs-v1.parquet', truth.table, (b) => small(b).setDictionaryPageSizeLimit(2048).setWriterVersion(pw.WriterVersion.V1).setCompression(pw.Compression.SNAPPY));
    const meta = await readParquetMeta(p);
    expect(meta.rowGroups.map((g) => g.numRows)).toEqual([2000, 2000, 1000]);
    const c = (n: string) => names.indexOf(n);
    expect(meta.leaves[c('req_i32')]!.maxDef).toBe(0);
    expect(meta.leaves[c('ts_ns')]!.native).toEqual({ kind: 'timestamp', unit: 'ns' });
    expect(meta.leaves[c('ts_ms')]!.native).toEqual({ kind: 'timestamp', unit: 'ms' });
    const dataPages = async (n: string) => (await pageTypes(p, meta, 0, c(n))).filter((t) => t === PAGE_DATA).length;
    for (const n of ['s', 'req_s', 'f64', 'ts_ns', 'dec18']) expect({ n, many: (await dataPages(n)) > 5 }).toEqual({ n, many: true });
    // The dictionary overflowed: dictionary-encoded pages, then PLAIN ones, in one chunk.
    for (const n of ['s', 'f64']) expect(meta.chunks[0]![c(n)]!.encodings).toEqual(expect.arrayContaining([ENC.PLAIN, ENC.RLE_DICTIONARY]));
    const { nat } = await bothPaths(p, names);
    expect(nat).toMatchObject({ native: 3, wasm: 0 });
    sameColumns(ourColumns(nat.batches), truth.want);
  });

  it('V2, no dictionary, PLAIN values and RLE booleans, snappy, small pages with statistics: native', async () => {
    const p = await arrowRs('rs-v2-plain.parquet', truth.table, (b) => {
      let x = small(b).setWriterVersion(pw.WriterVersion.V2).setCompression(pw.Compression.SNAPPY).setDictionaryEnabled(false)
        .setStatisticsEnabled(pw.EnabledStatistics.Page);
      for (const n of names) if (!['b', 'req_b', 'b_late'].includes(n)) x = x.setColumnEncoding(n, pw.Encoding.PLAIN);
      return x;
    });
    const meta = await readParquetMeta(p);
    const c = (n: string) => names.indexOf(n);
    expect(meta.chunks[0]![c('b')]!.encodings).toContain(ENC.RLE);
    expect(meta.chunks[0]![c('s')]!.encodings).not.toContain(ENC.RLE_DICTIONARY);
    expect((await pageTypes(p, meta, 0, c('b'))).every((t) => t === PAGE_DATA_V2)).toBe(true);
    expect((await pageTypes(p, meta, 0, c('f64'))).length).toBeGreaterThan(5);
    const { nat } = await bothPaths(p, names);
    expect(nat).toMatchObject({ native: 3, wasm: 0 });
    sameColumns(ourColumns(nat.batches), truth.want);
  });

  it('V1 and V2, dictionary, uncompressed, brotli and gzip: native', async () => {
    for (const [version, codec] of [[pw.WriterVersion.V2, pw.Compression.UNCOMPRESSED], [pw.WriterVersion.V2, pw.Compression.BROTLI], [pw.WriterVersion.V2, pw.Compression.GZIP], [pw.WriterVersion.V1, pw.Compression.UNCOMPRESSED]]) {
      const p = await arrowRs(`rs-dict-${version}-${codec}.parquet`, truth.table, (b) => small(b).setWriterVersion(version).setCompression(codec));
      const meta = await readParquetMeta(p);
      expect(isDict(meta.chunks[0]![names.indexOf('s_low')]!.encodings)).toBe(true);
      const { nat } = await bothPaths(p, names);
      expect({ version, codec, native: nat.native, wasm: nat.wasm }).toEqual({ version, codec, native: 3, wasm: 0 });
      sameColumns(ourColumns(nat.batches), truth.want);
    }
  });

  it('row groups of one file taking different paths (a dictionary that overflows into DELTA in one group only)', async () => {
    // Column x: 4 values in row group 0 (dictionary only), random in row groups 1 and 2 (the
    // dictionary overflows and V2 falls back to DELTA_BINARY_PACKED, decoded natively too).
    const n = 6000;
    const r = rng(3);
    const x = BigInt64Array.from({ length: n }, (_, i) => (i < 2000 ? BigInt(i % 4) : BigInt(Math.floor((r() - 0.5) * 2 ** 50))));
    const s = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : `s${i % 17}`));
    const t = new arrow.Table({ x: arrow.makeVector(x), s: arrow.vectorFromArray(s, new arrow.Utf8()) });
    const p = await arrowRs('rs-mixed-paths.parquet', t, (b) => small(b).setWriterVersion(pw.WriterVersion.V2).setDictionaryPageSizeLimit(1024));
    const meta = await readParquetMeta(p);
    expect(meta.chunks.map((g) => g[0]!.encodings.includes(ENC.DELTA_BINARY_PACKED))).toEqual([false, true, true]);
    // The same file with DELTA_BINARY_PACKED (5) replaced by BIT_PACKED (4, listed by old
    // writers, allowed) in the footer's encoding lists (a same-length edit): the reader goes by
    // what each page says, so the file reads the same.
    const bytes = await fs.readFile(p);
    const footerLen = bytes.readUInt32LE(bytes.length - 8);
    let struck = 0;
    for (const g of [1, 2]) {
      const encs = meta.chunks[g]![0]!.encodings;
      const pattern = Buffer.from([(encs.length << 4) | 5, ...encs.map((e) => e * 2)]);
      for (let at = bytes.indexOf(pattern, bytes.length - 8 - footerLen); at >= 0; at = bytes.indexOf(pattern, at + 1)) {
        bytes[at + 1 + encs.indexOf(ENC.DELTA_BINARY_PACKED)] = 4 * 2;
        struck++;
      }
    }
    expect(struck).toBeGreaterThanOrEqual(2);
    const lying = path.join(files.dir, 'rs-mixed-paths-lying.parquet');
    await fs.writeFile(lying, bytes);
    const lyingMeta = await readParquetMeta(lying);
    expect(lyingMeta.chunks.map((g) => g[0]!.encodings.includes(ENC.DELTA_BINARY_PACKED))).toEqual([false, false, false]);
    for (const [file, groups] of [[p, null], [p, [1, 0, 2, 0]], [lying, null], [lying, [1, 0, 2, 0]]] as const) {
      const { nat } = await bothPaths(file, ['s', 'x'], groups, 700);
      const order = groups ?? [0, 1, 2];
      expect(nat).toMatchObject({ native: order.length, wasm: 0 });
      const want = { x: [] as unknown[], s: [] as unknown[] };
      for (const g of order) {
        want.x.push(...Array.from(x.subarray(g * 2000, g * 2000 + 2000), (v) => Number(v)));
        want.s.push(...s.slice(g * 2000, g * 2000 + 2000));
      }
      sameColumns(ourColumns(nat.batches), want);
    }
  });

  it('dictionary index bit widths 0 (one entry) to 17 (70k entries)', async () => {
    const n = 70000;
    const k = Int32Array.from({ length: n }, (_, i) => (i * 7919) % n); // all distinct
    const t = new arrow.Table({
      k: arrow.makeVector(k),
      s: arrow.vectorFromArray(Array.from(k, (x) => `v${x}`), new arrow.Utf8()),
      one: arrow.makeVector(new Int32Array(n).fill(5)),
      one_s: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : 'only')), new arrow.Utf8()),
    });
    const p = await arrowRs('rs-wide-dict.parquet', t, (b) => b.setDictionaryPageSizeLimit(1 << 24).setCompression(pw.Compression.UNCOMPRESSED));
    const meta = await readParquetMeta(p);
    const buf = await fs.readFile(p);
    const widths = (c: number) => {
      const out: number[] = [];
      const ch = meta.chunks[0]![c]!;
      for (let pos = ch.start; pos < ch.start + ch.bytes;) {
        const h = readPageHeader(buf, pos, p);
        const body = pos + h.headerBytes;
        if (h.type === PAGE_DATA) out.push(buf[body + (meta.leaves[c]!.maxDef > 0 ? 4 + buf.readUInt32LE(body) : 0)]!);
        pos = body + h.compressedSize;
      }
      return out;
    };
    expect(Math.max(...widths(0))).toBe(17);
    expect(Math.max(...widths(1))).toBe(17);
    expect(widths(2).every((w) => w === 0)).toBe(true);
    const { nat } = await bothPaths(p, ['k', 's', 'one', 'one_s']);
    expect(nat).toMatchObject({ native: 1, wasm: 0 });
    sameColumns(ourColumns(nat.batches), {
      k: Array.from(k), s: Array.from(k, (x) => `v${x}`), one: new Array(n).fill(5), one_s: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : 'only')),
    });
  });

  it('V2 defaults without a dictionary (DELTA encodings) native; zstd and lz4 by parquet-wasm; same values', async () => {
    const variants: [string, (b: pw.WriterPropertiesBuilder) => pw.WriterPropertiesBuilder][] = [
      ['delta', (b) => small(b).setWriterVersion(pw.WriterVersion.V2).setDictionaryEnabled(false)],
      ['zstd', (b) => small(b).setCompression(pw.Compression.ZSTD)],
      ['lz4raw', (b) => small(b).setCompression(pw.Compression.LZ4_RAW)],
    ];
    for (const [name, props] of variants) {
      const p = await arrowRs(`rs-${name}.parquet`, truth.table, props);
      const { nat } = await bothPaths(p, names);
      const native = name === 'delta';
      expect({ name, native: nat.native, wasm: nat.wasm }).toEqual({ name, native: native ? 3 : 0, wasm: native ? 0 : 3 });
      sameColumns(ourColumns(nat.batches), truth.want);
    }
  });
});

describe('native decoder: files Sparrow writes (write-parquet.ts)', () => {
  it('read back natively (snappy, none) or by parquet-wasm (zstd), equal to what was written', async () => {
    const n = 5000;
    const r = rng(11);
    const valid = Uint8Array.from({ length: n }, (_, i) => (i % 9 === 4 ? 0 : 1));
    const strs = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? `w${i % 13}` : i % 4 === 1 ? '' : `${'€'.repeat(i % 30)}${i}`));
    const bytes = strs.map((x) => Buffer.from(x));
    const offsets = new Int32Array(n + 1);
    bytes.forEach((b, i) => { offsets[i + 1] = offsets[i]! + b.length; });
    const schema: Schema = [
      { name: 'i', type: 'int32', nullable: true }, { name: 'l', type: 'int64', nullable: true }, { name: 'f', type: 'float64', nullable: true },
      { name: 's', type: 'string', nullable: true }, { name: 'b', type: 'boolean', nullable: true }, { name: 'd', type: 'date', nullable: true },
      { name: 't', type: 'timestamp', nullable: true }, { name: 'req', type: 'int32', nullable: false },
    ];
    const cols: Vec[] = [
      { type: 'int32', length: n, values: Int32Array.from({ length: n }, () => Math.floor((r() - 0.5) * 2 ** 32)), offsets: null, valid },
      { type: 'int64', length: n, values: Float64Array.from({ length: n }, () => Math.floor((r() - 0.5) * 2 ** 53)), offsets: null, valid },
      { type: 'float64', length: n, values: Float64Array.from({ length: n }, (_, i) => (i % 50 === 0 ? NaN : i % 50 === 1 ? -0 : (r() - 0.5) * 1e9)), offsets: null, valid },
      { type: 'string', length: n, values: Buffer.concat(bytes), offsets, valid },
      { type: 'boolean', length: n, values: Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0)), offsets: null, valid },
      { type: 'date', length: n, values: Int32Array.from({ length: n }, () => Math.floor((r() - 0.5) * 100000)), offsets: null, valid },
      { type: 'timestamp', length: n, values: Float64Array.from({ length: n }, () => Math.floor((r() - 0.5) * 2 ** 42)), offsets: null, valid },
      { type: 'int32', length: n, values: Int32Array.from({ length: n }, (_, i) => i % 100), offsets: null, valid: null },
    ];
    const batch: Batch = { schema, columns: cols, length: n, sel: null };
    const want = ourColumns([batch]);
    for (const [compression, path_] of [['snappy', 'native'], ['none', 'native'], ['zstd', 'wasm']] as const) {
      const p = path.join(files.dir, `sparrow-${compression}.parquet`);
      await writeParquetFile(p, [batch], schema, { compression, rowGroupRows: 2000 });
      const { nat } = await bothPaths(p, schema.map((f) => f.name));
      expect({ compression, native: nat.native, wasm: nat.wasm }).toEqual({ compression, native: path_ === 'native' ? 3 : 0, wasm: path_ === 'wasm' ? 3 : 0 });
      sameColumns(ourColumns(nat.batches), want);
    }
  });
});

// ---------------------------------------------------------------------------------------
// 4. Layouts

describe('native decoder: layouts', () => {
  let p: string;
  let want: Record<string, unknown[]>;
  beforeAll(async () => {
    p = await duck('layout.parquet', MIXED.replace(`range(${MIXED_ROWS})`, 'range(25000)'), 'ROW_GROUP_SIZE 5000');
    want = await duckColumns(p, MIXED_EXPRS);
  });

  it('many small row groups', async () => {
    const small = await duck('small-groups.parquet', MIXED.replace(`range(${MIXED_ROWS})`, 'range(30000)'), 'ROW_GROUP_SIZE 2048');
    const meta = await readParquetMeta(small);
    expect(meta.rowGroups.length).toBeGreaterThanOrEqual(14);
    const { nat } = await bothPaths(small, MIXED_COLS);
    expect(nat).toMatchObject({ native: meta.rowGroups.length, wasm: 0 });
    sameColumns(ourColumns(nat.batches), await duckColumns(small, MIXED_EXPRS));
  });

  it('a large row group in one page per chunk (140k rows)', async () => {
    const big = await duck('big-group.parquet', MIXED.replace(`range(${MIXED_ROWS})`, 'range(140000)'), 'ROW_GROUP_SIZE 140000');
    const meta = await readParquetMeta(big);
    expect(meta.rowGroups.map((g) => g.numRows)).toEqual([140000]);
    expect(await pageTypes(big, meta, 0, MIXED_COLS.indexOf('u'))).toEqual([PAGE_DATA]);
    const cols = ['a', 's', 'u', 'b'];
    const { nat } = await bothPaths(big, cols, null, 65536);
    expect(nat).toMatchObject({ native: 1, wasm: 0 });
    expect(nat.batches.map((b) => b.length)).toEqual([65536, 65536, 8928]);
    const w = await duckColumns(big, { a: '$', s: '$', u: '$', b: '$' });
    sameColumns(ourColumns(nat.batches), w);
  });

  it('batches smaller than a row group: string offsets rebased per batch', async () => {
    const meta = await readParquetMeta(p);
    expect(meta.rowGroups.filter((g) => g.numRows > 2000).length).toBeGreaterThanOrEqual(3);
    const { nat } = await bothPaths(p, MIXED_COLS, null, 1000);
    expect(nat).toMatchObject({ native: meta.rowGroups.length, wasm: 0 });
    expect(nat.batches.length).toBe(meta.rowGroups.reduce((s, g) => s + Math.ceil(g.numRows / 1000), 0));
    let rows = 0;
    for (const b of nat.batches) {
      expect(b.length).toBeLessThanOrEqual(1000);
      for (const v of b.columns) {
        if (v.type !== 'string') continue;
        expect(v.offsets![0]).toBe(0);
        expect(v.values.length).toBe(v.offsets![b.length]);
        for (let i = 0; i < b.length; i++) expect(v.offsets![i + 1]! >= v.offsets![i]!).toBe(true);
      }
      rows += b.length;
    }
    expect(rows).toBe(25000);
    sameColumns(ourColumns(nat.batches), want);
    // The borrowed (not owned) native batches are right at the moment they are pulled.
    const seen: string[] = [];
    await withMode('native', async () => {
      for await (const b of readParquetRowGroups(p, [1], ['u'], 700)) {
        expect(b.borrowed).toBe(true);
        const v = b.columns[0]!;
        for (let i = 0; i < b.length; i++) seen.push(v.valid !== null && v.valid[i] === 0 ? '<null>' : Buffer.from(v.values.subarray(v.offsets![i]!, v.offsets![i + 1]!)).toString('utf8'));
      }
    });
    const start = meta.rowGroups[0]!.numRows;
    expect(seen).toEqual(want.u!.slice(start, start + meta.rowGroups[1]!.numRows).map((x) => x ?? '<null>'));
  });

  it('column subsets, reordering and repeated columns', async () => {
    for (const cols of [['u', 'a'], ['b'], ['ts', 's', 'k', 'd'], ['s', 'a', 's']]) {
      const { nat } = await bothPaths(p, cols);
      expect(nat).toMatchObject({ native: (await readParquetMeta(p)).rowGroups.length, wasm: 0 });
      expect(nat.batches[0]!.schema.map((f) => f.name)).toEqual(cols);
      // column by position (a name may repeat)
      for (let c = 0; c < cols.length; c++) {
        const one = nat.batches.map((b) => ({ ...b, schema: [b.schema[c]!], columns: [b.columns[c]!] }));
        sameColumns(ourColumns(one), { [cols[c]!]: want[cols[c]!]! });
      }
    }
  });

  it('only some row groups, in the order asked', async () => {
    const meta = await readParquetMeta(p);
    const starts = meta.rowGroups.map((_, g) => meta.rowGroups.slice(0, g).reduce((s, x) => s + x.numRows, 0));
    const groups = [3, 0, 3];
    const { nat } = await bothPaths(p, ['u', 'd', 'b'], groups, 1500);
    expect(nat).toMatchObject({ native: 3, wasm: 0 });
    const exp: Record<string, unknown[]> = { u: [], d: [], b: [] };
    for (const g of groups) for (const c of ['u', 'd', 'b']) exp[c]!.push(...want[c]!.slice(starts[g], starts[g]! + meta.rowGroups[g]!.numRows));
    sameColumns(ourColumns(nat.batches), exp);
    const none = await bothPaths(p, ['u'], []);
    expect(none.nat.batches).toEqual([]);
  });

  it('with a target schema (widened and missing columns) the native batches are adapted like parquet-wasm ones', async () => {
    const target = [
      { name: 'k', type: 'int64', nullable: true }, { name: 'u', type: 'string', nullable: true },
      { name: 'zz', type: 'float64', nullable: true },
    ] as const;
    const out: Record<Mode, Batch[]> = { native: [], wasm: [] };
    for (const mode of ['native', 'wasm'] as const) {
      await withMode(mode, async () => {
        for await (const b of readParquetRowGroups(p, [2, 1], ['u', 'zz', 'k'], 1500, [...target])) out[mode].push(own(b));
      });
    }
    expect(out.native.length).toBe(out.wasm.length);
    out.native.forEach((b, i) => { if (!sameBatch(b, out.wasm[i]!)) expect(canonBatch(b)).toEqual(canonBatch(out.wasm[i]!)); });
    const got = ourColumns(out.native);
    const meta = await readParquetMeta(p);
    const s0 = meta.rowGroups[0]!.numRows, s1 = s0 + meta.rowGroups[1]!.numRows, s2 = s1 + meta.rowGroups[2]!.numRows;
    sameColumns(got, {
      u: [...want.u!.slice(s1, s2), ...want.u!.slice(s0, s1)],
      k: [...want.k!.slice(s1, s2), ...want.k!.slice(s0, s1)],
      zz: new Array(s2 - s0).fill(null),
    });
    expect(out.native[0]!.schema.map((f) => `${f.name}:${f.type}`)).toEqual(['u:string', 'zz:float64', 'k:int64']);
  });

  it('two native readers interleaved in one thread keep their own buffers', async () => {
    const other = await duck('layout-other.parquet', MIXED.replace(`range(${MIXED_ROWS})`, 'range(7000)').replace("'key-'", "'other-'"), 'ROW_GROUP_SIZE 2048');
    const otherWant = await duckColumns(other, { s: '$', a: '$' });
    const n0 = parquetReadCounts.native;
    const got: Record<string, Record<string, unknown[]>> = { a: { s: [], a: [] }, b: { s: [], a: [] } };
    await withMode('native', async () => {
      const ita = readParquetRowGroups(p, null, ['s', 'a'], 900)[Symbol.asyncIterator]();
      const itb = readParquetRowGroups(other, null, ['s', 'a'], 1300)[Symbol.asyncIterator]();
      let doneA = false, doneB = false;
      while (!doneA || !doneB) {
        // check each batch the moment it is pulled (borrowed buffers), alternating readers
        for (const [key, it] of [['a', ita], ['b', itb]] as const) {
          if (key === 'a' ? doneA : doneB) continue;
          const step = await it.next();
          if (step.done) { if (key === 'a') doneA = true; else doneB = true; continue; }
          const cols = ourColumns([step.value]);
          got[key]!.s!.push(...cols.s!);
          got[key]!.a!.push(...cols.a!);
        }
      }
    });
    expect(parquetReadCounts.native - n0).toBe((await readParquetMeta(p)).rowGroups.length + (await readParquetMeta(other)).rowGroups.length);
    sameColumns(got.a!, { s: want.s!, a: want.a! });
    sameColumns(got.b!, otherWant);
  });

  it('a file with 0 rows', async () => {
    const empty = await duck('empty.parquet', `${MIXED} LIMIT 0`);
    const { nat, wasm } = await bothPaths(empty, MIXED_COLS);
    expect(nat.batches.reduce((s, b) => s + b.length, 0)).toBe(0);
    expect(nat).toMatchObject({ native: 0, wasm: 0 });
    expect(wasm.batches.reduce((s, b) => s + b.length, 0)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------
// 5. Damaged files

/** Data page offset (from DuckDB) and the byte range of its body (after the Thrift header). */
async function dataPage(p: string, column: string, rowGroup = 0): Promise<{ header: number; body: number; end: number; dict: number | null }> {
  const rows = await q(`SELECT data_page_offset, dictionary_page_offset FROM parquet_metadata(${sqlPath(p)}) WHERE path_in_schema = '${column}' AND row_group_id = ${rowGroup}`);
  const header = Number(rows[0]!.data_page_offset);
  const dict = rows[0]!.dictionary_page_offset === null ? null : Number(rows[0]!.dictionary_page_offset);
  const buf = await fs.readFile(p);
  const r = new ThriftReader(buf, p);
  r.pos = header;
  r.struct(() => false);
  const h = readPageHeader(buf, header, p);
  expect(r.pos - header).toBe(h.headerBytes);
  return { header, body: r.pos, end: r.pos + h.compressedSize, dict };
}

async function damaged(src: string, name: string, edit: (b: Buffer) => void): Promise<string> {
  const b = Buffer.from(await fs.readFile(src));
  edit(b);
  const p = path.join(files.dir, name);
  await fs.writeFile(p, b);
  return p;
}

/** Reads natively and returns the error (or null when the read succeeded). */
async function readError(p: string, columns: readonly string[]): Promise<Error | null> {
  try {
    await read(p, columns, 'native');
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return err as Error;
  }
}

describe('native decoder: damaged files fail with an error naming the file', () => {
  let snappy: string;
  let plain: string;
  beforeAll(async () => {
    snappy = await duck('dmg-snappy.parquet', MIXED, 'COMPRESSION snappy, ROW_GROUP_SIZE 2048');
    plain = await duck('dmg-plain.parquet', `SELECT 'k' || (i % 5)::VARCHAR AS s, (i % 5)::INTEGER AS k, i::INTEGER AS a FROM range(3000) t(i)`, 'COMPRESSION uncompressed');
  });

  const expectReadError = (err: Error | null, file: string, rowGroup: number) => {
    expect(err, 'the read should fail').not.toBeNull();
    expect(err!.message).toMatch(READ_ERROR);
    expect(err!.message).toContain(file);
    expect(err!.message).toContain(`(row group ${rowGroup})`);
  };

  it('snappy page bodies overwritten (0xff, 0x00, truncated literal) and a destroyed page header', async () => {
    for (const column of ['a', 'u', 's']) {
      const pg = await dataPage(snappy, column, 1);
      const ff = await damaged(snappy, `dmg-ff-${column}.parquet`, (b) => b.fill(0xff, pg.body, pg.end));
      expectReadError(await readError(ff, ['a', column]), ff, 1);
      const zero = await damaged(snappy, `dmg-00-${column}.parquet`, (b) => b.fill(0x00, pg.body, pg.end));
      expectReadError(await readError(zero, [column]), zero, 1);
      // The block's length header kept, then one literal claiming more bytes than the page has.
      const lit = await damaged(snappy, `dmg-lit-${column}.parquet`, (b) => {
        let i = pg.body;
        while (b[i]! & 0x80) i++;
        b[i + 1] = 63 << 2; // literal, length in the next 4 bytes
        b.writeUInt32LE(0x7fffffff, i + 2);
      });
      expectReadError(await readError(lit, [column]), lit, 1);
      const hdr = await damaged(snappy, `dmg-hdr-${column}.parquet`, (b) => b.fill(0x00, pg.header, pg.body));
      expectReadError(await readError(hdr, [column]), hdr, 1);
    }
  });

  it('random byte flips inside snappy page bodies: an error naming the file or a read, never a crash or hang', async () => {
    const r = rng(42);
    const pages = await Promise.all(['a', 'd', 's', 'u', 'b'].map((c) => dataPage(snappy, c, 0)));
    let failed = 0;
    for (let t = 0; t < 40; t++) {
      const pg = pages[t % pages.length]!;
      const f = await damaged(snappy, `dmg-flip-${t}.parquet`, (b) => {
        for (let k = 0; k < 1 + (t % 4); k++) {
          const at = pg.body + Math.floor(r() * (pg.end - pg.body));
          b[at] = b[at]! ^ (1 + Math.floor(r() * 255));
        }
      });
      const err = await readError(f, MIXED_COLS);
      if (err !== null) {
        failed++;
        expectReadError(err, f, 0);
      }
    }
    expect(failed).toBeGreaterThan(0);
  });

  it('a dictionary index past the dictionary (uncompressed file, strings and integers)', async () => {
    const buf = await fs.readFile(plain);
    for (const column of ['s', 'k']) {
      const pg = await dataPage(plain, column);
      expect(pg.dict).not.toBeNull();
      const dictSize = readPageHeader(buf, pg.dict!, plain).numValues;
      const h = readPageHeader(buf, pg.header, plain);
      expect(h.type).toBe(PAGE_DATA);
      // V1 page of an optional column: 4-byte length + definition levels, then the bit width
      // and the index runs. Replace the runs with one RLE run of the largest index.
      const levels = buf.readUInt32LE(pg.body);
      const widthAt = pg.body + 4 + levels;
      const width = buf[widthAt]!;
      const bad = 2 ** width - 1;
      expect(bad).toBeGreaterThanOrEqual(dictSize);
      const f = await damaged(plain, `dmg-dict-${column}.parquet`, (b) => {
        let i = widthAt + 1;
        let run = h.numValues << 1;
        while (run >= 0x80) { b[i++] = (run & 0x7f) | 0x80; run >>>= 7; }
        b[i++] = run;
        for (let k = 0; k < Math.ceil(width / 8); k++) b[i++] = (bad >>> (8 * k)) & 0xff;
      });
      const err = await readError(f, [column]);
      expectReadError(err, f, 0);
      expect(err!.message).toContain(`dictionary index ${bad} is past the dictionary's ${dictSize} entries`);
    }
  });
});

// ---------------------------------------------------------------------------------------
// 6. snappy.ts and rle-hybrid.ts on hand-built input

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
  out.push(n);
  return out;
}

/** Snappy elements, hand-built. */
const sn = {
  literal(bytes: readonly number[]): number[] {
    const n = bytes.length - 1;
    if (n < 60) return [n << 2, ...bytes];
    if (n < 256) return [60 << 2, n, ...bytes];
    return [61 << 2, n & 0xff, n >> 8, ...bytes];
  },
  copy1(len: number, offset: number): number[] { return [1 | ((len - 4) << 2) | ((offset >> 8) << 5), offset & 0xff]; },
  copy2(len: number, offset: number): number[] { return [2 | ((len - 1) << 2), offset & 0xff, offset >> 8]; },
  copy4(len: number, offset: number): number[] { return [3 | ((len - 1) << 2), offset & 0xff, (offset >> 8) & 0xff, (offset >> 16) & 0xff, offset >>> 24]; },
  block(total: number, ...elements: number[][]): Uint8Array { return Uint8Array.from([...varint(total), ...elements.flat()]); },
};

function unsnappy(block: Uint8Array, room = snappyLength(block)): number[] {
  const dst = new Uint8Array(room);
  const n = snappyDecompress(block, dst);
  return Array.from(dst.subarray(0, n));
}

const bytesOf = (s: string) => Array.from(Buffer.from(s, 'latin1'));

describe('snappy.ts', () => {
  it('literals, short and long (1- and 2-byte lengths)', () => {
    expect(unsnappy(sn.block(5, sn.literal(bytesOf('hello'))))).toEqual(bytesOf('hello'));
    const long = Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    expect(unsnappy(sn.block(100, sn.literal(long.slice(0, 100))))).toEqual(long.slice(0, 100));
    expect(unsnappy(sn.block(300, sn.literal(long)))).toEqual(long);
    expect(unsnappy(sn.block(0))).toEqual([]);
    expect(snappyLength(Uint8Array.from([0x80, 0x80, 0x01]))).toBe(16384);
  });

  it('overlapping copies (offset 1: a run; offset 3: a repeated pattern)', () => {
    expect(unsnappy(sn.block(12, sn.literal([0x61]), sn.copy1(11, 1)))).toEqual(new Array(12).fill(0x61));
    expect(unsnappy(sn.block(65, sn.literal([9]), sn.copy2(64, 1)))).toEqual(new Array(65).fill(9));
    const pat = unsnappy(sn.block(23, sn.literal(bytesOf('abc')), sn.copy2(20, 3)));
    expect(Buffer.from(pat).toString('latin1')).toBe('abcabcabcabcabcabcabcab');
    // overlapping and long (≥ 16): must not take the memcpy path
    expect(Buffer.from(unsnappy(sn.block(40, sn.literal(bytesOf('xyz12')), sn.copy2(35, 5)))).toString('latin1')).toBe('xyz12'.repeat(8));
  });

  it('copies with 1-, 2- and 4-byte offsets, short and long, and mixed with literals', () => {
    const head = Array.from({ length: 300 }, (_, i) => (i * 13 + 1) & 0xff);
    const want = [...head, ...head.slice(0, 40), ...head.slice(100, 108), ...bytesOf('tail'), ...head.slice(290, 294)];
    const got = unsnappy(sn.block(want.length,
      sn.literal(head),
      sn.copy2(40, 300), // 2-byte offset > 255, non-overlapping, long
      sn.copy1(8, 240), // 1-byte offset: from head[100]
      sn.literal(bytesOf('tail')),
      sn.copy4(4, 62), // 4-byte offset: head[290]
    ));
    expect(got).toEqual(want);
    // 1-byte-offset copy with offset ≥ 256 (high bits in the tag)
    const got2 = unsnappy(sn.block(304, sn.literal(head), sn.copy1(4, 300)));
    expect(got2).toEqual([...head, ...head.slice(0, 4)]);
  });

  it('damaged blocks throw, never write out of bounds', () => {
    const bad: [string, Uint8Array, RegExp][] = [
      ['offset 0', sn.block(8, sn.literal(bytesOf('abcd')), sn.copy1(4, 0)), /copy of 4 bytes from offset 0/],
      ['offset past the output', sn.block(8, sn.literal(bytesOf('abcd')), sn.copy2(4, 5)), /offset 5 at output byte 4/],
      ['truncated literal', Uint8Array.from([...varint(10), 9 << 2, 1, 2, 3]), /literal of 10 bytes/],
      ['literal past the declared length', sn.block(3, sn.literal(bytesOf('abcd'))), /literal of 4 bytes/],
      ['copy past the declared length', sn.block(6, sn.literal(bytesOf('abcd')), sn.copy1(4, 4)), /copy of 4 bytes/],
      ['fewer bytes than declared', sn.block(9, sn.literal(bytesOf('abcd'))), /decoded 4 bytes, the header says 9/],
      ['truncated copy', Uint8Array.from([...varint(8), ...sn.literal(bytesOf('abcd')), 2 | (3 << 2), 4]), /copy runs past the end/],
      ['truncated 4-byte copy', Uint8Array.from([...varint(8), ...sn.literal(bytesOf('abcd')), 3 | (3 << 2), 4, 0]), /copy runs past the end/],
      ['bad length header', Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), /bad length header/],
      ['empty', new Uint8Array(0), /bad length header/],
    ];
    for (const [what, block, msg] of bad) {
      const dst = new Uint8Array(16);
      expect(() => snappyDecompress(block, dst), what).toThrow(msg);
    }
    // declares more than the destination holds
    expect(() => snappyDecompress(sn.block(20, sn.literal(new Array(20).fill(1))), new Uint8Array(10))).toThrow(/declares 20 bytes, more than the 10/);
  });
});

/** RLE / bit-packing hybrid runs, hand-built. */
const rle = {
  run(count: number, value: number, width: number): number[] {
    const out = varint(count << 1);
    for (let k = 0; k < Math.ceil(width / 8); k++) out.push(Math.floor(value / 2 ** (8 * k)) & 0xff);
    return out;
  },
  /** Bit-packed groups of 8 (the last padded with zeros), LSB first. */
  packed(values: readonly number[], width: number): number[] {
    const groups = Math.ceil(values.length / 8);
    const out = varint((groups << 1) | 1);
    const bytes = new Array<number>(groups * width).fill(0);
    for (let i = 0; i < values.length; i++) {
      for (let bit = 0; bit < width; bit++) {
        if (Math.floor(values[i]! / 2 ** bit) % 2 === 1) {
          const at = i * width + bit;
          bytes[at >> 3]! |= 1 << (at & 7);
        }
      }
    }
    return [...out, ...bytes];
  },
};

describe('rle-hybrid.ts', () => {
  for (const width of [0, 1, 3, 8, 14, 24, 25, 32]) {
    it(`rleToInt32, bit width ${width}: bit-packed and RLE runs, a padded last group`, () => {
      const r = rng(width + 1);
      const max = 2 ** width; // values in [0, max)
      const rand = (n: number) => Array.from({ length: n }, () => Math.floor(r() * max));
      const top = max - 1;
      const parts: [number[], number[]][] = [];
      // Only the last bit-packed run may be padded: the others hold whole groups of 8.
      const a = rand(16); parts.push([rle.packed(a, width), a]);
      parts.push([rle.run(100, top, width), new Array(100).fill(top)]);
      const b = [top, 0, ...rand(22)]; parts.push([rle.packed(b, width), b]);
      parts.push([rle.run(1, Math.floor(max / 2), width), [Math.floor(max / 2)]]);
      const c = rand(1000); parts.push([rle.packed(c, width), c]);
      const d = rand(5); parts.push([rle.packed(d, width), d]); // final group padded
      const enc = parts.flatMap((p) => p[0]);
      const want = Int32Array.from(parts.flatMap((p) => p[1])); // wraps values ≥ 2^31 as Int32Array does
      for (const layout of ['exact', 'embedded'] as const) {
        // exact: the runs end the ArrayBuffer (the decoder's near-the-end path); embedded:
        // inside a larger buffer at an odd offset with garbage after the end.
        const backing = layout === 'exact' ? new Uint8Array(enc.length) : new Uint8Array(enc.length + 41).fill(0xa5);
        const start = layout === 'exact' ? 0 : 7;
        backing.set(enc, start);
        const out = new Int32Array(want.length + 3).fill(-7);
        const inp = { buf: backing, pos: start, end: start + enc.length };
        rleToInt32(inp, width, out, 2, want.length);
        expect({ layout, out: Array.from(out.subarray(2, 2 + want.length)) }).toEqual({ layout, out: Array.from(want) });
        expect([out[0], out[1], out[want.length + 2]]).toEqual([-7, -7, -7]);
        expect(inp.pos).toBe(start + enc.length);
        // fewer values than encoded: stops inside a run
        const part = new Int32Array(50);
        rleToInt32({ buf: backing, pos: start, end: start + enc.length }, width, part, 0, 50);
        expect(Array.from(part)).toEqual(Array.from(want.subarray(0, 50)));
      }
    });
  }

  it('rleToInt32 errors: truncated runs, an empty RLE run, a width out of range', () => {
    const out = new Int32Array(64);
    const packed = rle.packed([1, 2, 3, 4, 5, 6, 7, 0, 1], 3);
    expect(() => rleToInt32({ buf: Uint8Array.from(packed), pos: 0, end: packed.length - 1 }, 3, out, 0, 9)).toThrow(RleError);
    expect(() => rleToInt32({ buf: Uint8Array.from(rle.run(5, 1, 8)), pos: 0, end: 1 }, 8, out, 0, 5)).toThrow(/runs past the end/);
    expect(() => rleToInt32({ buf: Uint8Array.from([0, 1]), pos: 0, end: 2 }, 8, out, 0, 5)).toThrow(/empty RLE run/);
    expect(() => rleToInt32({ buf: Uint8Array.from(rle.run(4, 1, 8)), pos: 0, end: 2 }, 8, out, 0, 5)).toThrow(/runs past the end/);
    expect(() => rleToInt32({ buf: Uint8Array.from([0x81, 0x81, 0x81, 0x81, 0x81, 0x01]), pos: 0, end: 6 }, 8, out, 0, 5)).toThrow(/too long/);
    expect(() => rleToInt32({ buf: new Uint8Array(4), pos: 0, end: 4 }, 33, out, 0, 1)).toThrow(/bit width 33/);
  });

  it('rleToValid: runs of definition levels into validity bytes, counting NULLs', () => {
    const r = rng(5);
    const levels = [
      ...Array.from({ length: 24 }, () => (r() < 0.5 ? 1 : 0)),
      ...new Array(40).fill(1), ...new Array(17).fill(0),
      ...Array.from({ length: 9 }, () => (r() < 0.3 ? 1 : 0)),
    ];
    const enc = [...rle.packed(levels.slice(0, 24), 1), ...rle.run(40, 1, 1), ...rle.run(17, 0, 1), ...rle.packed(levels.slice(81), 1)];
    const valid = new Uint8Array(levels.length + 2).fill(9);
    const nulls = rleToValid({ buf: Uint8Array.from(enc), pos: 0, end: enc.length }, valid, 1, levels.length);
    expect(Array.from(valid.subarray(1, 1 + levels.length))).toEqual(levels);
    expect([valid[0], valid[levels.length + 1]]).toEqual([9, 9]);
    expect(nulls).toBe(levels.filter((x) => x === 0).length);
    expect(() => rleToValid({ buf: Uint8Array.from(rle.run(3, 2, 1)), pos: 0, end: 2 }, valid, 0, 3)).toThrow(/definition level 2/);
    expect(() => rleToValid({ buf: Uint8Array.from(rle.packed(levels.slice(0, 16), 1)), pos: 0, end: 2 }, valid, 0, 16)).toThrow(RleError);
    expect(() => rleToValid({ buf: Uint8Array.from([0]), pos: 0, end: 1 }, valid, 0, 3)).toThrow(/empty RLE run/);
  });
});
