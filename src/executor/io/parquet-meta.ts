// Parquet footer metadata on the driver: schema, row counts and per-row-group column
// statistics, for planning (sizes, row-group pruning). Reads only the footer: the last 8 bytes
// give its length, then one read fetches the Thrift (compact protocol) FileMetaData, decoded
// here by a small reader that keeps only what we need and skips everything else.
//
// Statistics are converted into our value domain (see batch.ts): dates as day numbers,
// timestamps as ms (floored, as the reader floors values), int64 as number, strings as JS
// strings, decimals as float64. Whatever is missing, unreliable or in an unknown order is null,
// never guessed: deprecated min/max of byte arrays and unsigned types (signed byte order),
// NaN bounds, INT96 timestamps, files that declare a non type-defined column order.
import { promises as fs } from 'node:fs';
import type { DataType, Field, Schema } from '../../planner/types.js';
import { mergeSchemas } from './schema-merge.js';
import { ThriftReader, T_BINARY, T_BYTE, T_FALSE, T_I32, T_I64, T_LIST, T_STRUCT, T_TRUE } from './thrift-compact.js';

export interface ColumnStats {
  min: number | string | boolean | null;
  max: number | string | boolean | null;
  nullCount: number | null;
}

export interface RowGroupMeta {
  index: number;
  numRows: number;
  /** Bytes the row group occupies in the file (compressed column chunks). */
  totalBytes: number;
  /** Uncompressed bytes of the row group's column data, as the writer reported. */
  uncompressedBytes: number;
  /** End offset of the row group's last column chunk in the file. */
  dataEnd: number;
  columns: Record<string, ColumnStats>;
}

/**
 * How the native reader (parquet-column.ts) turns a leaf's physical values into ours; null when
 * only parquet-wasm reads it (INT96, fixed-length and byte-array decimals, float16).
 */
export type NativeKind =
  | { kind: 'bool' } | { kind: 'int32' } | { kind: 'uint32' } | { kind: 'int64' } | { kind: 'uint64' }
  | { kind: 'float32' } | { kind: 'float64' } | { kind: 'utf8' }
  | { kind: 'decimal32' | 'decimal64'; scale: number }
  | { kind: 'timestamp'; unit: 'ms' | 'us' | 'ns' };

export interface LeafMeta {
  /** Parquet physical type (0 BOOLEAN … 7 FIXED_LEN_BYTE_ARRAY). */
  physical: number;
  /** 0 for a required column, 1 for an optional one (flat schemas only). */
  maxDef: number;
  native: NativeKind | null;
}

/** Where one column chunk lies and how it is stored. */
export interface ChunkMeta {
  /** Compression codec (0 none, 1 snappy, 2 gzip, 3 lzo, 4 brotli, 5 lz4, 6 zstd, 7 lz4 raw). */
  codec: number;
  /** Encodings its pages use (Parquet Encoding enum). */
  encodings: number[];
  /** First byte (the dictionary page when there is one) and length of the chunk. */
  start: number;
  bytes: number;
  /** Values in the chunk, NULLs included. */
  numValues: number;
  /** Uncompressed bytes of all its pages (headers included): no page may claim more. */
  uncompressed: number;
}

export interface ParquetFileMeta {
  path: string;
  size: number;
  numRows: number;
  schema: Schema;
  rowGroups: RowGroupMeta[];
  createdBy: string | null;
  /** Where the footer starts; all column data must end before it. */
  footerStart: number;
  /** Per column of `schema`: how it is stored. */
  leaves: LeafMeta[];
  /** Per row group, per column of `schema`: its chunk (null when the footer has none). */
  chunks: (ChunkMeta | null)[][];
}

// ---------------------------------------------------------------------------------------
// The parts of the Parquet format we decode.

const PType = { BOOLEAN: 0, INT32: 1, INT64: 2, INT96: 3, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6, FIXED_LEN_BYTE_ARRAY: 7 } as const;
const PTYPE_NAMES = ['BOOLEAN', 'INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE', 'BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY'];

// ConvertedType values we look at.
const CT_UTF8 = 0, CT_ENUM = 4, CT_DECIMAL = 5, CT_DATE = 6, CT_TIME_MILLIS = 7, CT_TIME_MICROS = 8,
  CT_TIMESTAMP_MILLIS = 9, CT_TIMESTAMP_MICROS = 10, CT_UINT_8 = 11, CT_UINT_16 = 12, CT_UINT_32 = 13, CT_UINT_64 = 14,
  CT_JSON = 19;

type Logical =
  | { kind: 'string' } | { kind: 'decimal'; scale: number; precision: number } | { kind: 'date' }
  | { kind: 'time' } | { kind: 'timestamp'; unit: 'ms' | 'us' | 'ns' } | { kind: 'int'; bits: number; signed: boolean }
  | { kind: 'float16' } | { kind: 'other'; id: number };

interface SchemaElement {
  type: number | null;
  typeLength: number | null;
  repetition: number | null;
  name: string;
  numChildren: number;
  converted: number | null;
  scale: number | null;
  precision: number | null;
  logical: Logical | null;
}

interface RawStats { max: Uint8Array | null; min: Uint8Array | null; nullCount: number | null; maxValue: Uint8Array | null; minValue: Uint8Array | null }
interface RawChunk { path: string[]; type: number; codec: number; encodings: number[]; numValues: number; compressed: number; uncompressed: number; dataPage: number; dictPage: number | null; stats: RawStats | null }
interface RawRowGroup { columns: RawChunk[]; totalByteSize: number; numRows: number; totalCompressed: number | null }
interface RawFile { schema: SchemaElement[]; numRows: number; rowGroups: RawRowGroup[]; createdBy: string | null; columnOrders: number[] | null }

function readTimeUnit(r: ThriftReader): 'ms' | 'us' | 'ns' {
  let unit: 'ms' | 'us' | 'ns' = 'ms';
  r.struct((id, t) => {
    if (t !== T_STRUCT) return false;
    unit = id === 1 ? 'ms' : id === 2 ? 'us' : 'ns';
    r.skip(t);
    return true;
  });
  return unit;
}

function readLogical(r: ThriftReader): Logical | null {
  let out: Logical | null = null;
  r.struct((id, t) => {
    if (t !== T_STRUCT) return false;
    switch (id) {
      case 1: case 4: case 12: r.skip(t); out = { kind: 'string' }; return true; // String, Enum, Json
      case 5: {
        let scale = 0, precision = 0;
        r.struct((fid, ft) => {
          if (fid === 1 && ft === T_I32) { scale = r.int(); return true; }
          if (fid === 2 && ft === T_I32) { precision = r.int(); return true; }
          return false;
        });
        out = { kind: 'decimal', scale, precision };
        return true;
      }
      case 6: r.skip(t); out = { kind: 'date' }; return true;
      case 7: r.skip(t); out = { kind: 'time' }; return true;
      case 8: {
        let unit: 'ms' | 'us' | 'ns' = 'ms';
        r.struct((fid, ft) => {
          if (fid === 2 && ft === T_STRUCT) { unit = readTimeUnit(r); return true; }
          return false;
        });
        out = { kind: 'timestamp', unit };
        return true;
      }
      case 10: {
        let bits = 32, signed = true;
        r.struct((fid, ft) => {
          if (fid === 1 && ft === T_BYTE) { const b = r.byte(); bits = b > 127 ? b - 256 : b; return true; }
          if (fid === 2 && (ft === T_TRUE || ft === T_FALSE)) { signed = r.bool(ft); return true; }
          return false;
        });
        out = { kind: 'int', bits, signed };
        return true;
      }
      case 15: r.skip(t); out = { kind: 'float16' }; return true;
      default: r.skip(t); out = { kind: 'other', id }; return true;
    }
  });
  return out;
}

function readSchemaElement(r: ThriftReader): SchemaElement {
  const e: SchemaElement = { type: null, typeLength: null, repetition: null, name: '', numChildren: 0, converted: null, scale: null, precision: null, logical: null };
  r.struct((id, t) => {
    switch (id) {
      case 1: if (t !== T_I32) return false; e.type = r.int(); return true;
      case 2: if (t !== T_I32) return false; e.typeLength = r.int(); return true;
      case 3: if (t !== T_I32) return false; e.repetition = r.int(); return true;
      case 4: if (t !== T_BINARY) return false; e.name = r.string(); return true;
      case 5: if (t !== T_I32) return false; e.numChildren = r.int(); return true;
      case 6: if (t !== T_I32) return false; e.converted = r.int(); return true;
      case 7: if (t !== T_I32) return false; e.scale = r.int(); return true;
      case 8: if (t !== T_I32) return false; e.precision = r.int(); return true;
      case 10: if (t !== T_STRUCT) return false; e.logical = readLogical(r); return true;
      default: return false;
    }
  });
  return e;
}

function readStats(r: ThriftReader): RawStats {
  const s: RawStats = { max: null, min: null, nullCount: null, maxValue: null, minValue: null };
  r.struct((id, t) => {
    switch (id) {
      case 1: if (t !== T_BINARY) return false; s.max = r.binary(); return true;
      case 2: if (t !== T_BINARY) return false; s.min = r.binary(); return true;
      case 3: if (t !== T_I64) return false; s.nullCount = r.int(); return true;
      case 5: if (t !== T_BINARY) return false; s.maxValue = r.binary(); return true;
      case 6: if (t !== T_BINARY) return false; s.minValue = r.binary(); return true;
      default: return false;
    }
  });
  return s;
}

function readColumnMeta(r: ThriftReader, c: RawChunk): void {
  r.struct((id, t) => {
    switch (id) {
      case 1: if (t !== T_I32) return false; c.type = r.int(); return true;
      case 2: if (t !== T_LIST) return false; r.list(() => c.encodings.push(r.int())); return true;
      case 3: if (t !== T_LIST) return false; r.list(() => c.path.push(r.string())); return true;
      case 4: if (t !== T_I32) return false; c.codec = r.int(); return true;
      case 5: if (t !== T_I64) return false; c.numValues = r.int(); return true;
      case 6: if (t !== T_I64) return false; c.uncompressed = r.int(); return true;
      case 7: if (t !== T_I64) return false; c.compressed = r.int(); return true;
      case 9: if (t !== T_I64) return false; c.dataPage = r.int(); return true;
      case 11: if (t !== T_I64) return false; c.dictPage = r.int(); return true;
      case 12: if (t !== T_STRUCT) return false; c.stats = readStats(r); return true;
      default: return false;
    }
  });
}

function readRowGroup(r: ThriftReader): RawRowGroup {
  const g: RawRowGroup = { columns: [], totalByteSize: 0, numRows: 0, totalCompressed: null };
  r.struct((id, t) => {
    switch (id) {
      case 1:
        if (t !== T_LIST) return false;
        r.list(() => {
          const c: RawChunk = { path: [], type: -1, codec: 0, encodings: [], numValues: 0, compressed: 0, uncompressed: 0, dataPage: 0, dictPage: null, stats: null };
          r.struct((cid, ct) => {
            if (cid === 3 && ct === T_STRUCT) { readColumnMeta(r, c); return true; }
            return false;
          });
          g.columns.push(c);
        });
        return true;
      case 2: if (t !== T_I64) return false; g.totalByteSize = r.int(); return true;
      case 3: if (t !== T_I64) return false; g.numRows = r.int(); return true;
      case 6: if (t !== T_I64) return false; g.totalCompressed = r.int(); return true;
      default: return false;
    }
  });
  return g;
}

function readFileMetaData(r: ThriftReader): RawFile {
  const f: RawFile = { schema: [], numRows: 0, rowGroups: [], createdBy: null, columnOrders: null };
  r.struct((id, t) => {
    switch (id) {
      case 2: if (t !== T_LIST) return false; r.list(() => f.schema.push(readSchemaElement(r))); return true;
      case 3: if (t !== T_I64) return false; f.numRows = r.int(); return true;
      case 4: if (t !== T_LIST) return false; r.list(() => f.rowGroups.push(readRowGroup(r))); return true;
      case 6: if (t !== T_BINARY) return false; f.createdBy = r.string(); return true;
      case 7:
        if (t !== T_LIST) return false;
        f.columnOrders = [];
        // ColumnOrder is a union; field 1 (TypeDefinedOrder) is the only defined order.
        r.list(() => {
          let which = 0;
          r.struct((cid, ct) => { which = cid; r.skip(ct); return true; });
          f.columnOrders!.push(which);
        });
        return true;
      default: return false;
    }
  });
  return f;
}

// ---------------------------------------------------------------------------------------
// Schema mapping (must agree with what parquet-wasm/arrow-rs returns, see arrow.ts).

interface LeafInfo { field: Field; el: SchemaElement; decode: StatDecoder; native: NativeKind | null }

type StatDecoder = { kind: 'none' } | {
  kind: 'ok';
  /** Converts a stat's raw bytes to our domain (null if unusable). */
  value: (b: Uint8Array) => number | string | boolean | null;
  /** Whether the deprecated min/max (signed order) may be used. */
  legacyOk: boolean;
};

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function floorDivBig(v: bigint, d: bigint): number {
  let q = v / d;
  if (v < 0n && q * d !== v) q -= 1n;
  return Number(q);
}

/** Big-endian two's complement bytes → number. */
function beSigned(b: Uint8Array): number {
  if (b.length === 0) return 0;
  let x = b[0]! >= 128 ? b[0]! - 256 : b[0]!;
  for (let i = 1; i < b.length; i++) x = x * 256 + b[i]!;
  return x;
}

function leafType(el: SchemaElement, where: string): { type: DataType; decode: StatDecoder; native: NativeKind | null } {
  const lt = el.logical;
  const ct = el.converted;
  const pt = el.type;
  const unsupported = (what: string): never => {
    throw new Error(`${where}: Parquet ${what} is not supported; Sparrow reads integers, floats, decimals (as float64), strings, booleans, dates and timestamps`);
  };
  const isDecimal = lt?.kind === 'decimal' || ct === CT_DECIMAL;
  const scale = lt?.kind === 'decimal' ? lt.scale : el.scale ?? 0;
  const pow = 10 ** scale;
  switch (pt) {
    case PType.BOOLEAN:
      return { type: 'boolean', decode: { kind: 'ok', value: (b) => (b.length >= 1 ? b[0] !== 0 : null), legacyOk: true }, native: { kind: 'bool' } };
    case PType.INT32: {
      if (lt?.kind === 'time' || ct === CT_TIME_MILLIS) unsupported('TIME (INT32)');
      if (isDecimal) return { type: 'float64', decode: { kind: 'ok', value: (b) => (b.length === 4 ? view(b).getInt32(0, true) / pow : null), legacyOk: true }, native: { kind: 'decimal32', scale } };
      if (lt?.kind === 'date' || ct === CT_DATE) return { type: 'date', decode: { kind: 'ok', value: (b) => (b.length === 4 ? view(b).getInt32(0, true) : null), legacyOk: true }, native: { kind: 'int32' } };
      const unsigned = (lt?.kind === 'int' && !lt.signed) || ct === CT_UINT_8 || ct === CT_UINT_16 || ct === CT_UINT_32;
      const bits = lt?.kind === 'int' ? lt.bits : ct === CT_UINT_8 ? 8 : ct === CT_UINT_16 ? 16 : 32;
      if (unsigned) {
        return { type: bits === 32 ? 'int64' : 'int32', decode: { kind: 'ok', value: (b) => (b.length === 4 ? view(b).getUint32(0, true) : null), legacyOk: false }, native: bits === 32 ? { kind: 'uint32' } : { kind: 'int32' } };
      }
      return { type: 'int32', decode: { kind: 'ok', value: (b) => (b.length === 4 ? view(b).getInt32(0, true) : null), legacyOk: true }, native: { kind: 'int32' } };
    }
    case PType.INT64: {
      if (lt?.kind === 'time' || ct === CT_TIME_MICROS) unsupported('TIME (INT64)');
      if (isDecimal) return { type: 'float64', decode: { kind: 'ok', value: (b) => (b.length === 8 ? Number(view(b).getBigInt64(0, true)) / pow : null), legacyOk: true }, native: { kind: 'decimal64', scale } };
      const ts = lt?.kind === 'timestamp' ? lt.unit : ct === CT_TIMESTAMP_MILLIS ? 'ms' : ct === CT_TIMESTAMP_MICROS ? 'us' : null;
      if (ts) {
        const d = ts === 'ms' ? 1n : ts === 'us' ? 1000n : 1000000n;
        return { type: 'timestamp', decode: { kind: 'ok', value: (b) => (b.length === 8 ? floorDivBig(view(b).getBigInt64(0, true), d) : null), legacyOk: true }, native: { kind: 'timestamp', unit: ts } };
      }
      const unsigned = (lt?.kind === 'int' && !lt.signed) || ct === CT_UINT_64;
      if (unsigned) return { type: 'int64', decode: { kind: 'ok', value: (b) => (b.length === 8 ? Number(view(b).getBigUint64(0, true)) : null), legacyOk: false }, native: { kind: 'uint64' } };
      return { type: 'int64', decode: { kind: 'ok', value: (b) => (b.length === 8 ? Number(view(b).getBigInt64(0, true)) : null), legacyOk: true }, native: { kind: 'int64' } };
    }
    case PType.INT96:
      // Legacy nanosecond timestamps; their statistics have no defined order.
      return { type: 'timestamp', decode: { kind: 'none' }, native: null };
    case PType.FLOAT:
      return { type: 'float64', decode: { kind: 'ok', value: (b) => (b.length === 4 ? nanToNull(view(b).getFloat32(0, true)) : null), legacyOk: true }, native: { kind: 'float32' } };
    case PType.DOUBLE:
      return { type: 'float64', decode: { kind: 'ok', value: (b) => (b.length === 8 ? nanToNull(view(b).getFloat64(0, true)) : null), legacyOk: true }, native: { kind: 'float64' } };
    case PType.BYTE_ARRAY: {
      if (isDecimal) return { type: 'float64', decode: { kind: 'ok', value: (b) => beSigned(b) / pow, legacyOk: false }, native: null };
      if (lt?.kind === 'string' || ct === CT_UTF8 || ct === CT_ENUM || ct === CT_JSON) {
        return { type: 'string', decode: { kind: 'ok', value: utf8OrNull, legacyOk: false }, native: { kind: 'utf8' } };
      }
      return unsupported('BYTE_ARRAY without a string annotation (binary)');
    }
    case PType.FIXED_LEN_BYTE_ARRAY: {
      if (isDecimal) return { type: 'float64', decode: { kind: 'ok', value: (b) => beSigned(b) / pow, legacyOk: false }, native: null };
      if (lt?.kind === 'float16') return { type: 'float64', decode: { kind: 'none' }, native: null };
      return unsupported('FIXED_LEN_BYTE_ARRAY (binary, uuid, ...)');
    }
    default:
      return unsupported(`physical type ${pt === null ? 'missing' : PTYPE_NAMES[pt] ?? pt}`);
  }
}

function nanToNull(x: number): number | null {
  return x !== x ? null : x;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
function utf8OrNull(b: Uint8Array): string | null {
  try { return strictUtf8.decode(b); } catch { return null; }
}

function leaves(raw: RawFile, where: string): LeafInfo[] {
  const els = raw.schema;
  if (els.length === 0) throw new Error(`${where}: Parquet footer has no schema`);
  const root = els[0]!;
  const out: LeafInfo[] = [];
  let i = 1;
  for (let c = 0; c < root.numChildren; c++) {
    const el = els[i];
    if (!el) throw new Error(`${where}: Parquet schema is truncated`);
    if (el.numChildren > 0) {
      throw new Error(`${where}: column '${el.name}' is a nested group (struct, list or map), which Sparrow does not read`);
    }
    if (el.repetition === 2) throw new Error(`${where}: column '${el.name}' is repeated (a list), which Sparrow does not read`);
    const w = `${where}: column '${el.name}'`;
    const { type, decode, native } = leafType(el, w);
    out.push({ field: { name: el.name, type, nullable: el.repetition !== 0 }, el, decode, native });
    i++;
  }
  return out;
}

function columnStats(chunk: RawChunk, leaf: LeafInfo, orderDefined: boolean): ColumnStats {
  const s = chunk.stats;
  if (!s) return { min: null, max: null, nullCount: null };
  const nullCount = s.nullCount;
  let min: ColumnStats['min'] = null, max: ColumnStats['max'] = null;
  if (leaf.decode.kind === 'ok') {
    const d = leaf.decode;
    if (orderDefined && s.minValue && s.maxValue) {
      min = d.value(s.minValue); max = d.value(s.maxValue);
    } else if (d.legacyOk && s.min && s.max) {
      min = d.value(s.min); max = d.value(s.max);
    }
    if (min === null || max === null) { min = null; max = null; }
  }
  return { min, max, nullCount };
}

// ---------------------------------------------------------------------------------------

/** Reads the footer of one Parquet file. Errors name the file. */
export async function readParquetMeta(path: string): Promise<ParquetFileMeta> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(path, 'r');
  } catch (err) {
    throw new Error(`cannot open Parquet file ${path}: ${(err as Error).message}`);
  }
  try {
    const size = (await fh.stat()).size;
    if (size === 0) throw new Error(`${path} is not a Parquet file: it is empty (0 bytes)`);
    if (size < 12) throw new Error(`${path} is not a Parquet file or is truncated (only ${size} bytes; a Parquet file has at least 12)`);
    const tail = Buffer.alloc(8);
    await fh.read(tail, 0, 8, size - 8);
    const magic = tail.toString('latin1', 4, 8);
    if (magic === 'PARE') throw new Error(`${path}: encrypted Parquet files are not supported`);
    if (magic !== 'PAR1') {
      throw new Error(`${path} is not a Parquet file or is truncated (bad magic: the last 4 bytes are 0x${tail.toString('hex', 4, 8)}, expected 'PAR1')`);
    }
    const len = tail.readUInt32LE(0);
    if (len + 12 > size) throw new Error(`${path}: Parquet file is truncated or corrupt (footer length ${len} is beyond the file size ${size})`);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - 8 - len);
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    if (head.toString('latin1') !== 'PAR1') throw new Error(`${path} is not a Parquet file or is corrupt (bad magic: the first 4 bytes are 0x${head.toString('hex')}, expected 'PAR1')`);
    return decodeFooter(path, size, size - 8 - len, new Uint8Array(buf.buffer, buf.byteOffset, len));
  } finally {
    await fh.close();
  }
}

function decodeFooter(path: string, size: number, footerStart: number, footer: Uint8Array): ParquetFileMeta {
  const raw = readFileMetaData(new ThriftReader(footer, path));
  const ls = leaves(raw, path);
  const schema = ls.map((l) => l.field);
  const byName = new Map(ls.map((l, i) => [l.field.name, i] as const));
  const chunks: (ChunkMeta | null)[][] = [];
  const rowGroups: RowGroupMeta[] = raw.rowGroups.map((g, index) => {
    const columns: Record<string, ColumnStats> = {};
    const located: (ChunkMeta | null)[] = ls.map(() => null);
    chunks.push(located);
    let compressed = 0, dataEnd = 0;
    for (const ch of g.columns) {
      compressed += ch.compressed;
      const start = ch.dictPage !== null && ch.dictPage > 0 && ch.dictPage < ch.dataPage ? ch.dictPage : ch.dataPage;
      dataEnd = Math.max(dataEnd, start + ch.compressed);
      if (ch.path.length !== 1) continue;
      const li = byName.get(ch.path[0]!);
      if (li === undefined) continue;
      const orderDefined = raw.columnOrders !== null && raw.columnOrders[li] === 1;
      columns[ch.path[0]!] = columnStats(ch, ls[li]!, orderDefined);
      located[li] = { codec: ch.codec, encodings: ch.encodings, start, bytes: ch.compressed, numValues: ch.numValues, uncompressed: ch.uncompressed };
    }
    for (const f of schema) if (!columns[f.name]) columns[f.name] = { min: null, max: null, nullCount: null };
    return {
      index,
      numRows: g.numRows,
      totalBytes: g.totalCompressed ?? (compressed || g.totalByteSize),
      uncompressedBytes: g.totalByteSize,
      dataEnd,
      columns,
    };
  });
  const leafMetas: LeafMeta[] = ls.map((l) => ({ physical: l.el.type ?? -1, maxDef: l.el.repetition === 0 ? 0 : 1, native: l.native }));
  return { path, size, numRows: raw.numRows, schema, rowGroups, createdBy: raw.createdBy, footerStart, leaves: leafMetas, chunks };
}

/**
 * The schema all files share. Columns must agree by name and type (order follows the first
 * file); a column nullable in any file is nullable. Errors name both files and the column.
 * With `merge` (Spark's mergeSchema) the union of the columns, numeric types widened
 * (schema-merge.ts).
 */
export function unifySchemas(metas: readonly Pick<ParquetFileMeta, 'path' | 'schema'>[], merge = false): Schema {
  return mergeSchemas(metas, merge, 'Parquet');
}
