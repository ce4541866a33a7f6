// Conversion between Apache Arrow JS (tables, record batches) and our Batch layout.
//
// Arrow → Batch is zero-copy where the layouts agree (Int32, Float64, DateDay, Utf8 with
// offsets starting at 0); everything else is converted in one tight loop per column:
// validity bitmaps and booleans are unpacked to one byte per row, 64-bit integers and
// timestamps become Float64 (exact to 2^53), dictionary strings are gathered into plain Utf8.
// Arrow's conventions for sliced data (`data.offset`): fixed-width values are already
// sliced, bitmaps and boolean values are indexed at `offset + i`, variable-width offsets are
// sliced but the byte buffer is not.
//
// Batch → Arrow builds Data with `makeData` straight from our buffers (no vectorFromArray).
import * as arrow from 'apache-arrow';
import type { DataType, Field, Schema } from '../planner/types.js';
import { type Batch, type Vec, compact, makeBatch } from './batch.js';

const TWO32 = 4294967296;
const MS_PER_DAY = 86_400_000;

// ---------------------------------------------------------------------------------------
// Types and schemas

export function arrowTypeToDataType(t: arrow.DataType, where: string): DataType {
  switch (t.typeId) {
    case arrow.Type.Int: {
      const it = t as arrow.Int;
      if (it.bitWidth <= 16 || (it.bitWidth === 32 && it.isSigned)) return 'int32';
      return 'int64';
    }
    case arrow.Type.Float: return 'float64';
    case arrow.Type.Decimal: return 'float64';
    case arrow.Type.Utf8: case arrow.Type.LargeUtf8: return 'string';
    case arrow.Type.Bool: return 'boolean';
    case arrow.Type.Date: return 'date';
    case arrow.Type.Timestamp: return 'timestamp';
    case arrow.Type.Dictionary: {
      const dt = (t as arrow.Dictionary).dictionary;
      if (dt.typeId === arrow.Type.Utf8 || dt.typeId === arrow.Type.LargeUtf8) return 'string';
      break;
    }
    default: break;
  }
  throw new Error(
    `${where}: Arrow type ${String(t)} is not supported; Sparrow reads integers, floats, decimals (as float64), ` +
    `strings (utf8, large utf8, dictionary of utf8), booleans, dates and timestamps`,
  );
}

export function arrowSchemaToSchema(s: arrow.Schema): Schema {
  return s.fields.map((f) => ({
    name: f.name,
    type: arrowTypeToDataType(f.type, `column '${f.name}'`),
    nullable: f.nullable,
  }));
}

/** The Arrow type a Sparrow type is exported as. `timestampTz` sets the timestamp's zone (null = none). */
export function dataTypeToArrow(t: DataType, timestampTz: string | null = null): arrow.DataType {
  switch (t) {
    case 'int32': return new arrow.Int32();
    case 'int64': return new arrow.Int64();
    case 'float64': return new arrow.Float64();
    case 'string': return new arrow.Utf8();
    case 'boolean': return new arrow.Bool();
    case 'date': return new arrow.DateDay();
    case 'timestamp': return new arrow.TimestampMillisecond(timestampTz);
  }
}

export function schemaToArrow(schema: Schema, timestampTz: string | null = null): arrow.Schema {
  return new arrow.Schema(schema.map((f) => new arrow.Field(f.name, dataTypeToArrow(f.type, timestampTz), f.nullable)));
}

// ---------------------------------------------------------------------------------------
// Arrow → Batch

/**
 * Converts one Arrow record batch. With `schema`, columns are matched by position and must
 * have the same names; the field types and nullability come from `schema`.
 */
export function recordBatchToBatch(rb: arrow.RecordBatch, schema?: Schema): Batch {
  const fields = rb.schema.fields;
  const out: Schema = schema ?? arrowSchemaToSchema(rb.schema);
  if (out.length !== fields.length) {
    throw new Error(`record batch has ${fields.length} columns (${fields.map((f) => f.name).join(', ')}) but the schema has ${out.length} (${out.map((f) => f.name).join(', ')})`);
  }
  const n = rb.numRows;
  const cols: Vec[] = new Array(out.length);
  for (let c = 0; c < out.length; c++) {
    const f = out[c]!;
    if (fields[c]!.name !== f.name) {
      throw new Error(`record batch column ${c} is '${fields[c]!.name}' but the schema expects '${f.name}'`);
    }
    const data = rb.data.children[c] as arrow.Data;
    cols[c] = dataToVec(data, f, n);
  }
  return makeBatch(out, cols, n);
}

export function tableToBatches(t: arrow.Table): Batch[] {
  const schema = arrowSchemaToSchema(t.schema);
  return t.batches.map((rb) => recordBatchToBatch(rb, schema));
}

function dataToVec(data: arrow.Data, f: Field, n: number): Vec {
  const where = `column '${f.name}'`;
  const have = arrowTypeToDataType(data.type, where);
  if (have !== f.type) throw new Error(`${where}: Arrow type ${String(data.type)} is ${have}, but the schema says ${f.type}`);
  if (data.length !== n) throw new Error(`${where}: has ${data.length} rows, the batch ${n}`);
  const valid = unpackValidity(data);
  const t = data.type;
  switch (t.typeId) {
    case arrow.Type.Int: return { type: f.type, length: n, values: intValues(data, t as arrow.Int, n), offsets: null, valid };
    case arrow.Type.Float: return { type: f.type, length: n, values: floatValues(data, t as arrow.Float, n), offsets: null, valid };
    case arrow.Type.Decimal: return { type: f.type, length: n, values: decimalValues(data, t as arrow.Decimal, n), offsets: null, valid };
    case arrow.Type.Bool: return { type: f.type, length: n, values: unpackBits(data.values as Uint8Array, data.offset, n), offsets: null, valid };
    case arrow.Type.Date: return { type: f.type, length: n, values: dateValues(data, t as arrow.Date_, n), offsets: null, valid };
    case arrow.Type.Timestamp: return { type: f.type, length: n, values: timestampValues(data, t as arrow.Timestamp, n), offsets: null, valid };
    case arrow.Type.Utf8: case arrow.Type.LargeUtf8: {
      const { offsets, values } = utf8Buffers(data, n);
      return { type: f.type, length: n, values, offsets, valid };
    }
    case arrow.Type.Dictionary: return dictionaryStrings(data, f, n, valid);
    default: throw new Error(`${where}: Arrow type ${String(t)} is not supported`);
  }
}

/** One byte per row (1 = valid), or null when no value is null. */
function unpackValidity(data: arrow.Data): Uint8Array | null {
  const bm = data.nullBitmap;
  if (data.nullCount <= 0 || !bm || bm.length === 0) return null;
  return unpackBits(bm, data.offset, data.length);
}

function unpackBits(bits: Uint8Array, offset: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if ((offset & 7) === 0) {
    const base = offset >> 3;
    const full = n >> 3;
    for (let b = 0; b < full; b++) {
      const byte = bits[base + b]!;
      const o = b << 3;
      out[o] = byte & 1; out[o + 1] = (byte >> 1) & 1; out[o + 2] = (byte >> 2) & 1; out[o + 3] = (byte >> 3) & 1;
      out[o + 4] = (byte >> 4) & 1; out[o + 5] = (byte >> 5) & 1; out[o + 6] = (byte >> 6) & 1; out[o + 7] = (byte >> 7) & 1;
    }
    for (let i = full << 3; i < n; i++) out[i] = (bits[base + (i >> 3)]! >> (i & 7)) & 1;
    return out;
  }
  for (let i = 0; i < n; i++) {
    const p = offset + i;
    out[i] = (bits[p >> 3]! >> (p & 7)) & 1;
  }
  return out;
}

/** Reads a 64-bit integer column (signed or not) as doubles: hi·2^32 + lo, correctly rounded. */
function int64ToFloat64(src: BigInt64Array | BigUint64Array, n: number, signed: boolean): Float64Array {
  const words = new Int32Array(src.buffer, src.byteOffset, n * 2);
  const out = new Float64Array(n);
  if (signed) {
    for (let i = 0; i < n; i++) out[i] = words[2 * i + 1]! * TWO32 + (words[2 * i]! >>> 0);
  } else {
    for (let i = 0; i < n; i++) out[i] = (words[2 * i + 1]! >>> 0) * TWO32 + (words[2 * i]! >>> 0);
  }
  return out;
}

function intValues(data: arrow.Data, t: arrow.Int, n: number): Int32Array | Float64Array {
  const v = data.values as ArrayLike<number> & ArrayBufferView;
  if (t.bitWidth === 32 && t.isSigned) return (v as Int32Array).subarray(0, n);
  if (t.bitWidth < 32) {
    const out = new Int32Array(n);
    const src = v as unknown as Int8Array;
    for (let i = 0; i < n; i++) out[i] = src[i]!;
    return out;
  }
  if (t.bitWidth === 32) { // Uint32
    const src = v as unknown as Uint32Array;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = src[i]!;
    return out;
  }
  return int64ToFloat64(v as unknown as BigInt64Array, n, t.isSigned);
}

function floatValues(data: arrow.Data, t: arrow.Float, n: number): Float64Array {
  const v = data.values;
  if (t.precision === arrow.Precision.DOUBLE) return (v as Float64Array).subarray(0, n);
  const out = new Float64Array(n);
  if (t.precision === arrow.Precision.SINGLE) {
    const src = v as Float32Array;
    for (let i = 0; i < n; i++) out[i] = src[i]!;
  } else {
    const src = v as Uint16Array;
    for (let i = 0; i < n; i++) out[i] = halfToFloat(src[i]!);
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function decimalValues(data: arrow.Data, t: arrow.Decimal, n: number): Float64Array {
  const words = data.values as Uint32Array;
  const stride = t.bitWidth / 32;
  const scale = 10 ** t.scale;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * stride;
    // Two's complement little-endian words: the top word is signed, the others unsigned.
    let x = words[base + stride - 1]! | 0;
    for (let w = stride - 2; w >= 0; w--) x = x * TWO32 + words[base + w]!;
    out[i] = x / scale;
  }
  return out;
}

function dateValues(data: arrow.Data, t: arrow.Date_, n: number): Int32Array {
  if (t.unit === arrow.DateUnit.DAY) return (data.values as Int32Array).subarray(0, n);
  const ms = int64ToFloat64(data.values as BigInt64Array, n, true);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(ms[i]! / MS_PER_DAY);
  return out;
}

function timestampValues(data: arrow.Data, t: arrow.Timestamp, n: number): Float64Array {
  const src = data.values as BigInt64Array;
  switch (t.unit) {
    case arrow.TimeUnit.MILLISECOND: return int64ToFloat64(src, n, true);
    case arrow.TimeUnit.SECOND: {
      const out = int64ToFloat64(src, n, true);
      for (let i = 0; i < n; i++) out[i] = out[i]! * 1000;
      return out;
    }
    case arrow.TimeUnit.MICROSECOND: {
      const out = int64ToFloat64(src, n, true);
      // Microseconds since 1970 stay below 2^53 until the year 2255; floor to whole ms.
      for (let i = 0; i < n; i++) out[i] = Math.floor(out[i]! / 1000);
      return out;
    }
    default: {
      // Nanoseconds exceed 2^53: divide exactly in BigInt, flooring toward -∞.
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        let q = v / 1000000n;
        if (v < 0n && q * 1000000n !== v) q -= 1n;
        out[i] = Number(q);
      }
      return out;
    }
  }
}

/** Utf8 / LargeUtf8 buffers as our layout: Int32 offsets starting at 0 and the bytes they cover. */
function utf8Buffers(data: arrow.Data, n: number): { offsets: Int32Array; values: Uint8Array } {
  const bytes = data.values as Uint8Array;
  const vo = data.valueOffsets as Int32Array | BigInt64Array | undefined;
  if (!vo || vo.length < n + 1) {
    if (n === 0) return { offsets: new Int32Array(1), values: new Uint8Array(0) };
    throw new Error(`string data of ${n} rows has ${vo ? vo.length : 0} offsets`);
  }
  if (vo instanceof Int32Array) {
    const base = vo[0]!;
    const end = vo[n]!;
    if (base === 0) return { offsets: vo.length === n + 1 ? vo : vo.subarray(0, n + 1), values: bytes.subarray(0, end) };
    const offs = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) offs[i] = vo[i]! - base;
    return { offsets: offs, values: bytes.subarray(base, end) };
  }
  // 64-bit offsets: rebase and narrow.
  const wide = int64ToFloat64(vo, n + 1, true);
  const base = wide[0]!;
  const end = wide[n]!;
  if (end - base > 0x7fffffff) throw new Error(`a large-utf8 column holds ${end - base} bytes in one batch; at most 2 GiB fit in one batch`);
  const offs = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) offs[i] = wide[i]! - base;
  return { offsets: offs, values: bytes.subarray(base, end) };
}

function dictionaryStrings(data: arrow.Data, f: Field, n: number, validIn: Uint8Array | null): Vec {
  const dictVec = data.dictionary;
  if (!dictVec) throw new Error(`column '${f.name}': dictionary-encoded data without a dictionary`);
  // A dictionary vector may hold several chunks: flatten to one offsets/bytes pair.
  const chunks = dictVec.data;
  let dOffs: Int32Array, dBytes: Uint8Array, dValid: Uint8Array | null = null;
  if (chunks.length === 1) {
    const d = chunks[0]!;
    ({ offsets: dOffs, values: dBytes } = utf8Buffers(d, d.length));
    dValid = unpackValidity(d);
  } else {
    const parts = chunks.map((d) => ({ ...utf8Buffers(d, d.length), valid: unpackValidity(d), length: d.length }));
    const total = parts.reduce((s, p) => s + p.length, 0);
    dOffs = new Int32Array(total + 1);
    dBytes = new Uint8Array(parts.reduce((s, p) => s + p.values.length, 0));
    if (parts.some((p) => p.valid)) dValid = new Uint8Array(total).fill(1);
    let row = 0, pos = 0;
    for (const p of parts) {
      dBytes.set(p.values, pos);
      for (let i = 1; i <= p.length; i++) dOffs[row + i] = pos + p.offsets[i]!;
      if (p.valid) dValid!.set(p.valid, row);
      row += p.length; pos += p.values.length;
    }
  }
  const codes = data.values as Int32Array | Int8Array | Int16Array | Uint8Array | Uint16Array | Uint32Array | BigInt64Array;
  const idx: ArrayLike<number> = codes instanceof BigInt64Array || codes instanceof BigUint64Array
    ? int64ToFloat64(codes, n, true) : codes;
  let valid = validIn;
  if (dValid) {
    valid = valid ? valid : new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) if (valid[i] === 1 && dValid[idx[i]!] === 0) valid[i] = 0;
  }
  const offs = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (valid === null || valid[i] === 1) { const k = idx[i]!; total += dOffs[k + 1]! - dOffs[k]!; }
    offs[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    const s = offs[i]!, e = offs[i + 1]!;
    if (e === s) continue;
    const k = idx[i]!;
    const from = dOffs[k]!;
    if (e - s < 16) { for (let j = 0; j < e - s; j++) bytes[s + j] = dBytes[from + j]!; } else bytes.set(dBytes.subarray(from, from + e - s), s);
  }
  return { type: f.type, length: n, values: bytes, offsets: offs, valid };
}

// ---------------------------------------------------------------------------------------
// Batch → Arrow

/** Packs one byte per row into an Arrow bitmap; also returns how many bytes were 0. */
function packBits(bytes: Uint8Array, n: number): { bits: Uint8Array; zeros: number } {
  const bits = new Uint8Array(((n + 63) & ~63) >> 3);
  let ones = 0;
  const full = n >> 3;
  for (let b = 0; b < full; b++) {
    const o = b << 3;
    const byte = (bytes[o]! & 1) | ((bytes[o + 1]! & 1) << 1) | ((bytes[o + 2]! & 1) << 2) | ((bytes[o + 3]! & 1) << 3) |
      ((bytes[o + 4]! & 1) << 4) | ((bytes[o + 5]! & 1) << 5) | ((bytes[o + 6]! & 1) << 6) | ((bytes[o + 7]! & 1) << 7);
    bits[b] = byte;
  }
  for (let i = full << 3; i < n; i++) if (bytes[i]! & 1) bits[i >> 3]! |= 1 << (i & 7);
  for (let i = 0; i < n; i++) ones += bytes[i]! & 1;
  return { bits, zeros: n - ones };
}

/** Doubles holding integers → little-endian int64 words. */
function float64ToInt64(src: Float64Array, n: number): BigInt64Array {
  const out = new BigInt64Array(n);
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const x = src[i]!;
    if (x !== x) continue; // NaN (never produced for integer columns): leave 0
    const hi = Math.floor(x / TWO32);
    words[2 * i] = (x - hi * TWO32) | 0;
    words[2 * i + 1] = hi | 0;
  }
  return out;
}

function vecToData(v: Vec, type: arrow.DataType): arrow.Data {
  const n = v.length;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (v.valid) {
    const p = packBits(v.valid, n);
    if (p.zeros > 0) { nullBitmap = p.bits; nullCount = p.zeros; }
  }
  switch (v.type) {
    case 'int32': case 'date': case 'float64':
      return arrow.makeData({ type: type as arrow.Int32, length: n, nullCount, nullBitmap, data: v.values.subarray(0, n) as Int32Array });
    case 'int64': case 'timestamp':
      return arrow.makeData({ type: type as arrow.Int64, length: n, nullCount, nullBitmap, data: float64ToInt64(v.values as Float64Array, n) });
    case 'boolean':
      return arrow.makeData({ type: type as arrow.Bool, length: n, nullCount, nullBitmap, data: packBits(v.values as Uint8Array, n).bits });
    case 'string': {
      let offs = v.offsets!;
      let bytes = v.values as Uint8Array;
      const base = offs[0]!;
      if (base !== 0 || offs.length !== n + 1) {
        const o = new Int32Array(n + 1);
        for (let i = 0; i <= n; i++) o[i] = offs[i]! - base;
        offs = o;
      }
      bytes = bytes.subarray(base, base + offs[n]!);
      return arrow.makeData({ type: type as arrow.Utf8, length: n, nullCount, nullBitmap, valueOffsets: offs, data: bytes });
    }
  }
}

/** One Arrow record batch holding the live rows of `b`. */
export function batchToRecordBatch(b: Batch, arrowSchema?: arrow.Schema): arrow.RecordBatch {
  const d = compact(b);
  const s = arrowSchema ?? schemaToArrow(d.schema);
  const children = d.columns.map((c, i) => vecToData(c, s.fields[i]!.type));
  const data = arrow.makeData({ type: new arrow.Struct(s.fields), length: d.length, nullCount: 0, children });
  return new arrow.RecordBatch(s, data);
}

export function batchesToTable(schema: Schema, batches: readonly Batch[], timestampTz: string | null = null): arrow.Table {
  const s = schemaToArrow(schema, timestampTz);
  return new arrow.Table(s, batches.map((b) => batchToRecordBatch(b, s)));
}
