// Decodes one Parquet column chunk of a flat column into our layout (batch.ts), page by page:
// dictionary page, then V1 or V2 data pages whose values are PLAIN, dictionary indices
// (PLAIN_DICTIONARY / RLE_DICTIONARY) or RLE booleans, compressed with snappy, gzip or brotli
// or not at all. Anything else (another encoding, codec or level encoding) throws
// NativeUnsupported before a row is produced, and the caller reads that row group through
// parquet-wasm instead. Damaged data throws an Error naming the page.
//
// Everything lands in ColumnBuffers that the reader reuses from one row group to the next (and
// from task to task in a worker): on this VM first-touch page faults of fresh buffers cost more
// than the decoding itself (MEASURED.md, and parquet-read.ts's history).
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { LeafMeta, NativeKind } from './parquet-meta.js';
import { PAGE_DATA, PAGE_DATA_V2, PAGE_DICTIONARY, readPageHeader, type PageHeader } from './parquet-page.js';
import { RleError, rleToInt32, rleToValid, type RleInput } from './rle-hybrid.js';
import { snappyDecompress } from './snappy.js';
import { DeltaError, deltaInt32, deltaInt64, deltaStrings } from './parquet-delta.js';

/** This chunk uses something the native reader does not decode; read it with parquet-wasm. */
export class NativeUnsupported extends Error {}

const ENC_PLAIN = 0, ENC_PLAIN_DICTIONARY = 2, ENC_RLE = 3, ENC_DELTA_BINARY_PACKED = 5, ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
  ENC_DELTA_BYTE_ARRAY = 7, ENC_RLE_DICTIONARY = 8, ENC_BYTE_STREAM_SPLIT = 9;
const CODEC_NONE = 0, CODEC_SNAPPY = 1, CODEC_GZIP = 2, CODEC_BROTLI = 4;
export const NATIVE_CODECS: ReadonlySet<number> = new Set([CODEC_NONE, CODEC_SNAPPY, CODEC_GZIP, CODEC_BROTLI]);
/** Encodings a chunk may list and still be read natively (BIT_PACKED = 4 appears in old writers' lists for levels they may not use). */
export const NATIVE_ENCODINGS: ReadonlySet<number> = new Set([
  ENC_PLAIN, ENC_PLAIN_DICTIONARY, ENC_RLE, 4, ENC_DELTA_BINARY_PACKED, ENC_DELTA_LENGTH_BYTE_ARRAY, ENC_DELTA_BYTE_ARRAY,
  ENC_RLE_DICTIONARY, ENC_BYTE_STREAM_SPLIT,
]);

const TWO32 = 4294967296;

/** Growable scratch and output buffers of one column, reused across row groups. */
export class ColumnBuffers {
  i32: Int32Array = new Int32Array(0);
  f64: Float64Array = new Float64Array(0);
  u8: Uint8Array = new Uint8Array(0);
  valid: Uint8Array = new Uint8Array(0);
  offsets: Int32Array = new Int32Array(0);
  data: Uint8Array = new Uint8Array(0);
  /** Per-batch rebased string offsets (parquet-native.ts). */
  batchOffsets: Int32Array = new Int32Array(0);
  // Dictionary of the current chunk.
  dictI32: Int32Array = new Int32Array(0);
  dictF64: Float64Array = new Float64Array(0);
  dictU8: Uint8Array = new Uint8Array(0);
  dictOffsets: Int32Array = new Int32Array(0);
  dictData: Uint8Array = new Uint8Array(0);
  /** Decompressed page, dictionary indices. */
  page: Uint8Array = new Uint8Array(0);
  idx: Int32Array = new Int32Array(0);
  /** INT64 delta-decoded values; byte-stream-split values put back together. */
  i64: BigInt64Array = new BigInt64Array(0);
  unsplit: Uint8Array = new Uint8Array(0);
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(a: T, n: number, make: (n: number) => T): T {
  if (a.length >= n) return a;
  return make(Math.max(n, Math.ceil(a.length * 1.5), 1024));
}

export interface DecodedColumn {
  values: Int32Array | Float64Array | Uint8Array;
  /** Strings: offsets (numRows + 1, from 0) into values. */
  offsets: Int32Array | null;
  /** Validity per row, or null when no row is NULL. */
  valid: Uint8Array | null;
}

interface Dict { size: number }

/**
 * Decodes `numRows` rows of one chunk, whose bytes (page headers and pages) are chunk[0, end).
 * `where` names the file, row group and column for errors. `maxPageBytes` (the chunk's
 * uncompressed size from the footer) bounds what a page header may claim, so a damaged header
 * cannot make the reader allocate gigabytes.
 */
export function decodeChunk(
  chunk: Uint8Array, end: number, codec: number, leaf: LeafMeta, numRows: number, bufs: ColumnBuffers, where: string,
  maxPageBytes: number = Infinity,
): DecodedColumn {
  const kind = leaf.native;
  if (kind === null) throw new NativeUnsupported(`${where}: type not decoded natively`);
  if (!NATIVE_CODECS.has(codec)) throw new NativeUnsupported(`${where}: codec ${codec}`);
  const out = outputFor(kind, numRows, bufs);
  let valid: Uint8Array | null = null;
  if (leaf.maxDef > 0) { bufs.valid = grow(bufs.valid, numRows, (n) => new Uint8Array(n)); valid = bufs.valid; }
  let nulls = 0;
  let row = 0;
  let pos = 0;
  let dict: Dict | null = null;
  let stringBytes = 0;
  if (kind.kind === 'utf8') bufs.offsets[0] = 0;
  while (row < numRows) {
    if (pos >= end) throw new Error(`${where}: the column chunk ends after ${row} of ${numRows} rows`);
    const h = readPageHeader(chunk, pos, where);
    const bodyStart = pos + h.headerBytes;
    const bodyEnd = bodyStart + h.compressedSize;
    if (bodyEnd > end) throw new Error(`${where}: the page at byte ${pos} of the chunk runs past its end`);
    const at = `${where}, page at chunk byte ${pos}`;
    pos = bodyEnd;
    if (h.uncompressedSize > Math.max(maxPageBytes, h.compressedSize)) {
      throw new Error(`${at}: the page claims ${h.uncompressedSize} uncompressed bytes, more than its column chunk's ${maxPageBytes}`);
    }
    try {
      if (h.type === PAGE_DICTIONARY) {
        if (h.encoding !== ENC_PLAIN && h.encoding !== ENC_PLAIN_DICTIONARY) throw new NativeUnsupported(`${at}: dictionary encoding ${h.encoding}`);
        const page = decompress(chunk, bodyStart, bodyEnd, h.uncompressedSize, codec, bufs, at);
        dict = readDictionary(page, h.uncompressedSize, h.numValues, kind, bufs, at);
        continue;
      }
      if (h.type !== PAGE_DATA && h.type !== PAGE_DATA_V2) continue; // index pages
      const n = Math.min(h.numValues, numRows - row);
      if (h.numValues > numRows - row) throw new Error(`${at}: the page holds ${h.numValues} values, more than the ${numRows - row} rows left`);
      let page: Uint8Array, p: number, pageEnd: number;
      let pageNulls = 0;
      if (h.type === PAGE_DATA) {
        page = decompress(chunk, bodyStart, bodyEnd, h.uncompressedSize, codec, bufs, at);
        p = 0;
        pageEnd = h.uncompressedSize;
        if (leaf.maxDef > 0) {
          if (h.defEncoding !== ENC_RLE) throw new NativeUnsupported(`${at}: definition level encoding ${h.defEncoding}`);
          if (pageEnd < 4) throw new Error(`${at}: no room for the definition levels`);
          const len = (page[0]! | (page[1]! << 8) | (page[2]! << 16)) + page[3]! * 16777216;
          if (4 + len > pageEnd) throw new Error(`${at}: definition levels (${len} bytes) run past the page`);
          pageNulls = rleToValid({ buf: page, pos: 4, end: 4 + len }, valid!, row, n);
          p = 4 + len;
        }
      } else {
        if (h.repLevelsBytes !== 0) throw new NativeUnsupported(`${at}: repetition levels in a flat column`);
        const levelsEnd = bodyStart + h.defLevelsBytes;
        if (levelsEnd > bodyEnd) throw new Error(`${at}: definition levels run past the page`);
        if (leaf.maxDef > 0) {
          pageNulls = rleToValid({ buf: chunk, pos: bodyStart, end: levelsEnd }, valid!, row, n);
        }
        const valuesBytes = h.uncompressedSize - h.defLevelsBytes;
        if (h.compressed && codec !== CODEC_NONE) {
          page = decompress(chunk, levelsEnd, bodyEnd, valuesBytes, codec, bufs, at);
          p = 0;
          pageEnd = valuesBytes;
        } else {
          page = chunk; p = levelsEnd; pageEnd = bodyEnd;
        }
      }
      const present = n - pageNulls;
      if (kind.kind === 'utf8') {
        stringBytes = decodeStrings(page, p, pageEnd, h, present, dict, bufs, row, n, valid, stringBytes, at);
      } else {
        decodeFixed(page, p, pageEnd, h, present, dict, kind, out, row, at, bufs);
        if (pageNulls > 0) spread(out, valid!, row, n, present);
      }
      nulls += pageNulls;
      row += n;
    } catch (err) {
      if (err instanceof RleError || err instanceof DeltaError) throw new Error(`${at}: ${err.message}`);
      throw err;
    }
  }
  if (kind.kind === 'utf8') return { values: bufs.data, offsets: bufs.offsets, valid: nulls > 0 ? valid : null };
  return { values: out, offsets: null, valid: nulls > 0 ? valid : null };
}

function outputFor(kind: NativeKind, numRows: number, bufs: ColumnBuffers): Int32Array | Float64Array | Uint8Array {
  switch (kind.kind) {
    case 'int32': bufs.i32 = grow(bufs.i32, numRows, (n) => new Int32Array(n)); return bufs.i32;
    case 'bool': bufs.u8 = grow(bufs.u8, numRows, (n) => new Uint8Array(n)); return bufs.u8;
    case 'utf8': bufs.offsets = grow(bufs.offsets, numRows + 1, (n) => new Int32Array(n)); return bufs.data;
    default: bufs.f64 = grow(bufs.f64, numRows, (n) => new Float64Array(n)); return bufs.f64;
  }
}

function decompress(src: Uint8Array, start: number, end: number, size: number, codec: number, bufs: ColumnBuffers, at: string): Uint8Array {
  if (codec === CODEC_NONE) {
    if (end - start !== size) throw new Error(`${at}: an uncompressed page of ${end - start} bytes says it has ${size}`);
    return src.subarray(start, end);
  }
  if (codec === CODEC_SNAPPY) {
    bufs.page = grow(bufs.page, size, (n) => new Uint8Array(n));
    let got: number;
    try {
      got = snappyDecompress(src.subarray(start, end), bufs.page);
    } catch (err) {
      throw new Error(`${at}: ${(err as Error).message}`);
    }
    if (got !== size) throw new Error(`${at}: the page decompressed to ${got} bytes, its header says ${size}`);
    return bufs.page;
  }
  let out: Uint8Array;
  try {
    out = codec === CODEC_GZIP ? gunzipSync(src.subarray(start, end)) : brotliDecompressSync(src.subarray(start, end));
  } catch (err) {
    throw new Error(`${at}: cannot decompress the page (${(err as Error).message})`);
  }
  if (out.length !== size) throw new Error(`${at}: the page decompressed to ${out.length} bytes, its header says ${size}`);
  return out;
}

/** Little-endian int32 at byte i. */
function i32At(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

/** PLAIN values: `count` of them from page[p, end) into dst[at, at + count) as our type. */
function plainFixed(page: Uint8Array, p: number, end: number, count: number, kind: NativeKind, dst: Int32Array | Float64Array | Uint8Array, at: number, where: string, bufs: ColumnBuffers): void {
  const width = kind.kind === 'bool' ? 0 : kind.kind === 'int32' || kind.kind === 'uint32' || kind.kind === 'float32' || kind.kind === 'decimal32' ? 4 : 8;
  const need = width === 0 ? Math.ceil(count / 8) : count * width;
  if (p + need > end) throw new Error(`${where}: ${count} PLAIN values need ${need} bytes, the page has ${end - p}`);
  switch (kind.kind) {
    case 'int32':
      new Uint8Array(dst.buffer, dst.byteOffset + at * 4, need).set(page.subarray(p, p + need));
      return;
    case 'float64':
      new Uint8Array(dst.buffer, dst.byteOffset + at * 8, need).set(page.subarray(p, p + need));
      return;
    case 'bool':
      for (let k = 0; k < count; k++) dst[at + k] = (page[p + (k >>> 3)]! >>> (k & 7)) & 1;
      return;
    case 'uint32':
      for (let k = 0; k < count; k++) dst[at + k] = i32At(page, p + 4 * k) >>> 0;
      return;
    case 'decimal32': {
      const scale = 10 ** kind.scale;
      for (let k = 0; k < count; k++) dst[at + k] = i32At(page, p + 4 * k) / scale;
      return;
    }
    case 'float32': {
      bufs.idx = grow(bufs.idx, count, (n) => new Int32Array(n));
      new Uint8Array(bufs.idx.buffer, 0, need).set(page.subarray(p, p + need));
      const f = new Float32Array(bufs.idx.buffer, 0, count);
      for (let k = 0; k < count; k++) dst[at + k] = f[k]!;
      return;
    }
    case 'int64': case 'decimal64': case 'timestamp': {
      const scale = kind.kind === 'decimal64' ? 10 ** kind.scale : 1;
      const unit = kind.kind === 'timestamp' ? kind.unit : 'ms';
      if (unit === 'ns') {
        const dv = new DataView(page.buffer, page.byteOffset + p, need);
        for (let k = 0; k < count; k++) {
          const v = dv.getBigInt64(8 * k, true);
          let q = v / 1000000n;
          if (v < 0n && q * 1000000n !== v) q -= 1n;
          dst[at + k] = Number(q);
        }
        return;
      }
      for (let k = 0; k < count; k++) {
        const q = p + 8 * k;
        const x = i32At(page, q + 4) * TWO32 + (i32At(page, q) >>> 0);
        dst[at + k] = unit === 'us' ? Math.floor(x / 1000) : x / scale;
      }
      return;
    }
    case 'uint64':
      for (let k = 0; k < count; k++) {
        const q = p + 8 * k;
        dst[at + k] = (i32At(page, q + 4) >>> 0) * TWO32 + (i32At(page, q) >>> 0);
      }
      return;
    case 'utf8':
      throw new Error(`${where}: strings are not fixed-width`);
  }
}

function readDictionary(page: Uint8Array, end: number, size: number, kind: NativeKind, bufs: ColumnBuffers, where: string): Dict {
  // Each entry takes at least a bit (booleans), four bytes (a string's length) or its width.
  const least = kind.kind === 'bool' ? 1 / 8 : 4;
  if (size < 0 || size * least > end) throw new Error(`${where}: a dictionary of ${size} entries cannot fit in ${end} bytes`);
  if (kind.kind === 'utf8') {
    bufs.dictOffsets = grow(bufs.dictOffsets, size + 1, (n) => new Int32Array(n));
    bufs.dictData = grow(bufs.dictData, end, (n) => new Uint8Array(n));
    const offs = bufs.dictOffsets, data = bufs.dictData;
    let p = 0, o = 0;
    offs[0] = 0;
    for (let k = 0; k < size; k++) {
      if (p + 4 > end) throw new Error(`${where}: dictionary entry ${k} runs past the page`);
      const len = i32At(page, p);
      p += 4;
      if (len < 0 || p + len > end) throw new Error(`${where}: dictionary entry ${k} (${len} bytes) runs past the page`);
      data.set(page.subarray(p, p + len), o);
      p += len;
      o += len;
      offs[k + 1] = o;
    }
    return { size };
  }
  if (kind.kind === 'int32') {
    bufs.dictI32 = grow(bufs.dictI32, size, (n) => new Int32Array(n));
    plainFixed(page, 0, end, size, kind, bufs.dictI32, 0, where, bufs);
  } else if (kind.kind === 'bool') {
    bufs.dictU8 = grow(bufs.dictU8, size, (n) => new Uint8Array(n));
    plainFixed(page, 0, end, size, kind, bufs.dictU8, 0, where, bufs);
  } else {
    bufs.dictF64 = grow(bufs.dictF64, size, (n) => new Float64Array(n));
    plainFixed(page, 0, end, size, kind, bufs.dictF64, 0, where, bufs);
  }
  return { size };
}

/** Dictionary indices of `count` present values: a bit-width byte, then RLE/bit-packed runs. */
function readIndices(page: Uint8Array, p: number, end: number, count: number, dict: Dict | null, bufs: ColumnBuffers, where: string): Int32Array {
  if (dict === null) throw new Error(`${where}: a dictionary-encoded page comes before any dictionary page`);
  bufs.idx = grow(bufs.idx, count, (n) => new Int32Array(n));
  const idx = bufs.idx;
  if (count === 0) return idx;
  if (p >= end) throw new Error(`${where}: the dictionary indices are missing`);
  const width = page[p]!;
  if (width > 32) throw new Error(`${where}: dictionary index bit width ${width} is out of range`);
  const inp: RleInput = { buf: page, pos: p + 1, end };
  rleToInt32(inp, width, idx, 0, count);
  return idx;
}

function decodeFixed(
  page: Uint8Array, p: number, end: number, h: PageHeader, present: number, dict: Dict | null, kind: NativeKind,
  out: Int32Array | Float64Array | Uint8Array, row: number, where: string, bufs: ColumnBuffers,
): void {
  switch (h.encoding) {
    case ENC_PLAIN:
      plainFixed(page, p, end, present, kind, out, row, where, bufs);
      return;
    case ENC_PLAIN_DICTIONARY: case ENC_RLE_DICTIONARY: {
      const idx = readIndices(page, p, end, present, dict, bufs, where);
      const d = kind.kind === 'int32' ? bufs.dictI32 : kind.kind === 'bool' ? bufs.dictU8 : bufs.dictF64;
      const bad = gather(out, row, d, dict!.size, idx, present);
      if (bad >= 0) throw new Error(`${where}: dictionary index ${bad} is past the dictionary's ${dict!.size} entries`);
      return;
    }
    case ENC_RLE: {
      if (kind.kind !== 'bool') throw new NativeUnsupported(`${where}: RLE values of a non-boolean column`);
      if (p + 4 > end) throw new Error(`${where}: the RLE length is missing`);
      const len = (page[p]! | (page[p + 1]! << 8) | (page[p + 2]! << 16)) + page[p + 3]! * 16777216;
      if (p + 4 + len > end) throw new Error(`${where}: RLE booleans (${len} bytes) run past the page`);
      bufs.idx = grow(bufs.idx, present, (n) => new Int32Array(n));
      rleToInt32({ buf: page, pos: p + 4, end: p + 4 + len }, 1, bufs.idx, 0, present);
      for (let k = 0; k < present; k++) out[row + k] = bufs.idx[k]!;
      return;
    }
    case ENC_DELTA_BINARY_PACKED:
      deltaFixed(page, p, end, present, kind, out, row, where, bufs);
      return;
    case ENC_BYTE_STREAM_SPLIT: {
      // K byte streams of `present` bytes each: byte j of value i is at p + j * present + i.
      const K = kind.kind === 'int32' || kind.kind === 'uint32' || kind.kind === 'float32' || kind.kind === 'decimal32' ? 4
        : kind.kind === 'bool' || kind.kind === 'utf8' ? 0 : 8;
      if (K === 0) throw new NativeUnsupported(`${where}: BYTE_STREAM_SPLIT for ${kind.kind}`);
      const bytes = K * present;
      if (p + bytes > end) throw new Error(`${where}: ${present} BYTE_STREAM_SPLIT values need ${bytes} bytes, the page has ${end - p}`);
      bufs.unsplit = grow(bufs.unsplit, bytes, (n) => new Uint8Array(n));
      const u = bufs.unsplit;
      for (let j = 0; j < K; j++) {
        const s = p + j * present;
        for (let i = 0; i < present; i++) u[i * K + j] = page[s + i]!;
      }
      plainFixed(u, 0, bytes, present, kind, out, row, where, bufs);
      return;
    }
    default:
      throw new NativeUnsupported(`${where}: value encoding ${h.encoding}`);
  }
}

/** DELTA_BINARY_PACKED integers (INT32 or INT64 physical) converted to our type. */
function deltaFixed(page: Uint8Array, p: number, end: number, present: number, kind: NativeKind, out: Int32Array | Float64Array | Uint8Array, row: number, where: string, bufs: ColumnBuffers): void {
  switch (kind.kind) {
    case 'int32':
      deltaInt32(page, p, end, present, out as Int32Array, row);
      return;
    case 'uint32': case 'decimal32': {
      bufs.idx = grow(bufs.idx, present, (n) => new Int32Array(n));
      deltaInt32(page, p, end, present, bufs.idx, 0);
      const idx = bufs.idx;
      if (kind.kind === 'uint32') for (let k = 0; k < present; k++) out[row + k] = idx[k]! >>> 0;
      else { const scale = 10 ** kind.scale; for (let k = 0; k < present; k++) out[row + k] = idx[k]! / scale; }
      return;
    }
    case 'int64': case 'uint64': case 'decimal64': case 'timestamp': {
      if (bufs.i64.length < present) bufs.i64 = new BigInt64Array(Math.max(present, 1024));
      const v = bufs.i64;
      deltaInt64(page, p, end, present, v, 0);
      const unit = kind.kind === 'timestamp' ? kind.unit : 'ms';
      if (kind.kind === 'int64') for (let k = 0; k < present; k++) out[row + k] = Number(v[k]!);
      else if (kind.kind === 'uint64') for (let k = 0; k < present; k++) out[row + k] = Number(BigInt.asUintN(64, v[k]!));
      else if (kind.kind === 'decimal64') { const scale = 10 ** kind.scale; for (let k = 0; k < present; k++) out[row + k] = Number(v[k]!) / scale; }
      else if (unit === 'ms') for (let k = 0; k < present; k++) out[row + k] = Number(v[k]!);
      else if (unit === 'us') for (let k = 0; k < present; k++) out[row + k] = Math.floor(Number(v[k]!) / 1000);
      else {
        for (let k = 0; k < present; k++) {
          const x = v[k]!;
          let q = x / 1000000n;
          if (x < 0n && q * 1000000n !== x) q -= 1n;
          out[row + k] = Number(q);
        }
      }
      return;
    }
    default:
      throw new NativeUnsupported(`${where}: DELTA_BINARY_PACKED for ${kind.kind}`);
  }
}

/** out[at + k] = dict[idx[k]]; returns the first index ≥ size (the data is damaged), or -1. */
function gather(out: Int32Array | Float64Array | Uint8Array, at: number, dict: Int32Array | Float64Array | Uint8Array, size: number, idx: Int32Array, n: number): number {
  if (out instanceof Float64Array) {
    const d = dict as Float64Array;
    for (let k = 0; k < n; k++) { const e = idx[k]!; if (e >>> 0 >= size) return e >>> 0; out[at + k] = d[e]!; }
  } else if (out instanceof Int32Array) {
    const d = dict as Int32Array;
    for (let k = 0; k < n; k++) { const e = idx[k]!; if (e >>> 0 >= size) return e >>> 0; out[at + k] = d[e]!; }
  } else {
    for (let k = 0; k < n; k++) { const e = idx[k]!; if (e >>> 0 >= size) return e >>> 0; out[at + k] = dict[e]!; }
  }
  return -1;
}

/** Moves the `present` densely decoded values at out[row…] to the valid rows, zeroing NULL slots (back to front, in place). */
function spread(out: Int32Array | Float64Array | Uint8Array, valid: Uint8Array, row: number, n: number, present: number): void {
  let j = row + present - 1;
  for (let i = row + n - 1; i >= row; i--) {
    if (valid[i] === 1) out[i] = out[j--]!;
    else out[i] = 0;
  }
}

/** Strings of one data page; returns the bytes written to bufs.data so far. */
function decodeStrings(
  page: Uint8Array, p: number, end: number, h: PageHeader, present: number, dict: Dict | null, bufs: ColumnBuffers,
  row: number, n: number, valid: Uint8Array | null, written: number, where: string,
): number {
  const offs = bufs.offsets;
  let o = written;
  if (h.encoding === ENC_PLAIN) {
    // Upper bound: the page's bytes (each value carries a 4-byte length besides its bytes).
    bufs.data = growKeep(bufs.data, o + (end - p), o);
    const data = bufs.data;
    let q = p;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[row + i] === 0) { offs[row + i + 1] = o; continue; }
      if (q + 4 > end) throw new Error(`${where}: string ${i} runs past the page`);
      const len = i32At(page, q); // int32 (a double here slows the whole loop); negative = damaged
      q += 4;
      if (len < 0 || q + len > end) throw new Error(`${where}: string ${i} (${len} bytes) runs past the page`);
      if (len < 32) { for (let k = 0; k < len; k++) data[o + k] = page[q + k]!; } else data.set(page.subarray(q, q + len), o);
      q += len;
      o += len;
      offs[row + i + 1] = o;
    }
    return o;
  }
  if (h.encoding === ENC_DELTA_LENGTH_BYTE_ARRAY || h.encoding === ENC_DELTA_BYTE_ARRAY) {
    return deltaStrings(h.encoding === ENC_DELTA_BYTE_ARRAY ? 'prefix' : 'length', page, p, end, present, offs, row, n, valid, o,
      (need) => (bufs.data = growKeep(bufs.data, need, o)));
  }
  if (h.encoding !== ENC_PLAIN_DICTIONARY && h.encoding !== ENC_RLE_DICTIONARY) throw new NativeUnsupported(`${where}: value encoding ${h.encoding} for strings`);
  const idx = readIndices(page, p, end, present, dict, bufs, where);
  const doffs = bufs.dictOffsets, ddata = bufs.dictData;
  let total = 0;
  const size = dict!.size;
  for (let k = 0; k < present; k++) {
    const e = idx[k]!;
    if (e >>> 0 >= size) throw new Error(`${where}: dictionary index ${e >>> 0} is past the dictionary's ${size} entries`);
    total += doffs[e + 1]! - doffs[e]!;
  }
  bufs.data = growKeep(bufs.data, o + total, o);
  const data = bufs.data;
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[row + i] === 0) { offs[row + i + 1] = o; continue; }
    const e = idx[j++]!;
    const s = doffs[e]!, len = doffs[e + 1]! - s;
    if (len < 32) { for (let k = 0; k < len; k++) data[o + k] = ddata[s + k]!; } else data.set(ddata.subarray(s, s + len), o);
    o += len;
    offs[row + i + 1] = o;
  }
  return o;
}

/** `a` with room for `n` bytes, keeping its first `keep` bytes. */
function growKeep(a: Uint8Array, n: number, keep: number): Uint8Array {
  if (a.length >= n) return a;
  const b = new Uint8Array(Math.max(n, Math.ceil(a.length * 1.5), 1 << 16));
  b.set(a.subarray(0, keep));
  return b;
}
