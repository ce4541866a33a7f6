// Parquet reading inside a worker, one row group at a time with the requested columns. A row
// group whose chunks the native decoder reads (parquet-native.ts: flat columns, the common
// encodings and codecs) is decoded in JS into reused buffers; any other goes through
// parquet-wasm's ParquetFile (node build, reading only the footer and the chunks asked for),
// whose Arrow output arrow-js-ffi views in wasm memory and recordBatchToBatch turns into our
// layout. Either way the batches are borrowed until the reader moves to the next row group.
//
// parquet-wasm's async reader does not return errors for a damaged data page: it panics
// inside a wasm callback, which surfaces as an uncaught WebAssembly.RuntimeError and leaves
// the read pending forever. Two defences: (1) before reading, the footer is checked and every
// requested column chunk must lie inside the file (catches truncation and a bad footer with
// a clear error); (2) while a read is in flight, an 'uncaughtException' listener catches such
// a RuntimeError and fails the pending reads with an error naming the file (other exceptions
// are rethrown untouched). The wasm instance keeps working after such a panic.
import * as arrow from 'apache-arrow';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as pw from 'parquet-wasm';
import { parseTable } from 'arrow-js-ffi';
import type { Schema } from '../../planner/types.js';
import type { Batch } from '../batch.js';
import { adaptBatch, sameFields } from './schema-adapt.js';
import { makeBatch } from '../batch.js';
import { recordBatchToBatch } from '../arrow.js';
import { readParquetMeta, type ParquetFileMeta } from './parquet-meta.js';
import { NativeUnsupported, type DecodedColumn } from './parquet-column.js';
import { NativeRowGroupReader, nativeReadable, parquetReadCounts } from './parquet-native.js';

export const DEFAULT_BATCH_ROWS = 65_536;

/**
 * Reads the given row groups (null = all) of a Parquet file, only `columns` (in that order),
 * as batches of at most `batchRows` rows. With no columns, yields empty-schema batches that
 * carry only row counts. With `target` (the scan's schema, merged over files by mergeSchema)
 * requested columns the file lacks read as NULL and narrower numeric types are widened.
 */
export async function* readParquetRowGroups(
  path: string,
  rowGroups: readonly number[] | null,
  columns: readonly string[],
  batchRows: number = DEFAULT_BATCH_ROWS,
  target?: Schema,
): AsyncIterable<Batch> {
  const meta = await cachedMeta(path);
  if (target !== undefined && !sameFields(meta.schema, target, columns)) {
    const inFile = columns.filter((c) => meta.schema.some((f) => f.name === c));
    for await (const b of readParquetRowGroups(path, rowGroups, [...new Set(inFile)], batchRows)) {
      yield adaptBatch(b, target, columns, path);
    }
    return;
  }
  const groups = rowGroups ?? meta.rowGroups.map((g) => g.index);
  for (const g of groups) {
    if (!Number.isInteger(g) || g < 0 || g >= meta.rowGroups.length) {
      throw new Error(`${path}: row group ${g} does not exist (the file has ${meta.rowGroups.length})`);
    }
  }
  const names = new Set(meta.schema.map((f) => f.name));
  for (const c of columns) {
    if (!names.has(c)) throw new Error(`${path}: no column '${c}' (the file has ${meta.schema.map((f) => f.name).join(', ')})`);
  }
  if (columns.length === 0) {
    for (const g of groups) {
      let left = meta.rowGroups[g]!.numRows;
      while (left > 0) { const n = Math.min(left, batchRows); yield makeBatch([], [], n); left -= n; }
    }
    return;
  }
  checkChunkRanges(path, meta, groups);
  const columnIdx = columns.map((c) => meta.schema.findIndex((f) => f.name === c));
  const schema = columnIdx.map((i) => meta.schema[i]!);
  let source: FileRange;
  try {
    source = FileRange.open(path);
  } catch (err) {
    throw new Error(`cannot read Parquet file ${path}: ${errText(err)}`);
  }
  let file: pw.ParquetFile | null = null;
  let native: NativeRowGroupReader | null = null;
  try {
    for (const g of groups) {
      const numRows = meta.rowGroups[g]!.numRows;
      if (numRows === 0) continue;
      if (nativeReadable(meta, g, columnIdx)) {
        native ??= new NativeRowGroupReader(source.fd, meta, columnIdx, schema);
        let decoded: DecodedColumn[] | null = null;
        try {
          decoded = native.decode(g);
        } catch (err) {
          if (!(err instanceof NativeUnsupported)) throw new Error(`cannot read Parquet file ${path} (row group ${g}): ${errText(err)}`);
        }
        if (decoded !== null) {
          parquetReadCounts.native++;
          yield* native.batches(decoded, numRows, batchRows);
          continue;
        }
      }
      if (file === null) {
        try {
          file = await pw.ParquetFile.fromFile(source as unknown as Blob);
        } catch (err) {
          throw new Error(`cannot read Parquet file ${path}: ${errText(err)}`);
        }
      }
      parquetReadCounts.wasm++;
      const { table, release } = await readGroup(file, path, g, columns, batchRows);
      try {
        for (const rb of table.batches) {
          const b = recordBatchToBatch(reorder(rb, columns, path), schema.map((f, i) => ({ ...f, nullable: rb.schema.fields.find((x) => x.name === columns[i])?.nullable ?? f.nullable })));
          yield makeBatch(b.schema, b.columns, b.length, b.sel, true);
        }
      } finally {
        release();
      }
    }
  } finally {
    native?.close();
    // After a decoder panic the wasm object may still be borrowed; freeing it then throws.
    try { file?.free(); } catch { /* leaked: nothing else to do */ }
    source.close();
  }
}

/**
 * What parquet-wasm reads a file through: it only calls `size`, `slice(start, end)` and
 * `arrayBuffer()`, so a byte range of an open file will do. Node's file-backed Blob read each
 * range in chunks and concatenated them (a second allocation and copy of every column chunk,
 * and a trip through the libuv pool); this reads each range once, straight into its buffer,
 * on the worker's own thread.
 */
class FileRange {
  private constructor(readonly fd: number, private readonly start: number, readonly size: number, private readonly owner: boolean) {}

  static open(path: string): FileRange {
    const fd = openSync(path, 'r');
    return new FileRange(fd, 0, fstatSync(fd).size, true);
  }

  slice(start = 0, end = this.size): FileRange {
    const s = Math.max(0, Math.min(this.size, start < 0 ? this.size + start : start));
    const e = Math.max(s, Math.min(this.size, end < 0 ? this.size + end : end));
    return new FileRange(this.fd, this.start + s, e - s, false);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    const buf = new Uint8Array(this.size);
    let done = 0;
    while (done < this.size) {
      const n = readSync(this.fd, buf, done, this.size - done, this.start + done);
      if (n === 0) return Promise.reject(new Error(`unexpected end of file at byte ${this.start + done}`));
      done += n;
    }
    return Promise.resolve(buf.buffer);
  }

  close(): void {
    if (this.owner) closeSync(this.fd);
  }
}

// Footers are decoded once per worker and file version (a task usually reads one split of a
// file another task of the same job already opened): path, size and mtime name a version.
const META_CACHE_ENTRIES = 256;
const metaCache = new Map<string, ParquetFileMeta>();

async function cachedMeta(path: string): Promise<ParquetFileMeta> {
  const st = await stat(path).catch((err: Error) => { throw new Error(`cannot open Parquet file ${path}: ${err.message}`); });
  const key = `${path}|${st.size}|${st.mtimeMs}`;
  const hit = metaCache.get(key);
  if (hit) return hit;
  const meta = await readParquetMeta(path);
  metaCache.set(key, meta);
  if (metaCache.size > META_CACHE_ENTRIES) metaCache.delete(metaCache.keys().next().value!);
  return meta;
}

async function readGroup(file: pw.ParquetFile, path: string, g: number, columns: readonly string[], batchRows: number): Promise<{ table: arrow.Table; release: () => void }> {
  let wasmTable: pw.Table;
  try {
    wasmTable = await guardPanics(path, file.read({ columns: [...columns], rowGroups: [g], batchSize: batchRows }));
  } catch (err) {
    throw new Error(`cannot read Parquet file ${path} (row group ${g}): ${errText(err)}`);
  }
  // Zero-copy: the Arrow vectors view the decoder's wasm memory, which is released only
  // after the consumer has pulled past this row group's batches (they are `borrowed`).
  // Copying out allocated fresh buffers for every row group, and concurrent first-touch page
  // faults made two reading workers slower than one (measured: 2 × 125 ms became 2 × 300 ms).
  const ffi = wasmTable.intoFFI();
  try {
    const view = parseTable(pw.wasmMemory().buffer, ffi.arrayAddrs(), ffi.schemaAddr(), false);
    // arrow-js-ffi's views of decimals came out wrong (values misread every 512th row in
    // tests); those, and any type we do not read as a plain view, are copied.
    if (view.schema.fields.every((f: arrow.Field) => VIEW_SAFE.has(f.typeId))) return { table: view, release: () => ffi.free() };
    const copy = parseTable(pw.wasmMemory().buffer, ffi.arrayAddrs(), ffi.schemaAddr(), true);
    ffi.free();
    return { table: copy, release: () => {} };
  } catch (err) {
    ffi.free();
    throw err;
  }
}

const VIEW_SAFE = new Set<arrow.Type>([
  arrow.Type.Int, arrow.Type.Float, arrow.Type.Utf8, arrow.Type.LargeUtf8, arrow.Type.Bool,
  arrow.Type.Date, arrow.Type.Timestamp, arrow.Type.Dictionary,
]);

/** The record batch with its columns in the requested order. */
function reorder(rb: arrow.RecordBatch, columns: readonly string[], path: string): arrow.RecordBatch {
  const fields = rb.schema.fields;
  if (fields.length === columns.length && fields.every((f, i) => f.name === columns[i])) return rb;
  const idx = columns.map((c) => {
    const i = fields.findIndex((f) => f.name === c);
    if (i < 0) throw new Error(`${path}: the reader returned no column '${c}'`);
    return i;
  });
  const schema = new arrow.Schema(idx.map((i) => fields[i]!));
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: rb.numRows, nullCount: 0, children: idx.map((i) => rb.data.children[i]!) });
  return new arrow.RecordBatch(schema, data);
}

/** Every column chunk must lie between the header magic and the footer. */
function checkChunkRanges(path: string, meta: ParquetFileMeta, groups: readonly number[]): void {
  for (const g of groups) {
    const rg = meta.rowGroups[g]!;
    if (rg.dataEnd > meta.footerStart) {
      throw new Error(`${path}: Parquet file is truncated or corrupt (row group ${g} ends at byte ${rg.dataEnd}, after the footer starts at ${meta.footerStart})`);
    }
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------
// Panic guard

const pending = new Set<(err: Error) => void>();
// The tsconfig's lib has no WebAssembly declarations; the global exists in Node.
const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: abstract new () => Error } }).WebAssembly.RuntimeError;

function onUncaught(err: unknown): void {
  if (err instanceof WasmRuntimeError && pending.size > 0) {
    for (const fail of [...pending]) fail(new Error(`the Parquet decoder failed (the file is probably corrupt): ${err.message}`));
    return;
  }
  // Not ours: let it be uncaught as if this listener were not there.
  process.off('uncaughtException', onUncaught);
  setImmediate(() => { throw err; });
}

function guardPanics<T>(path: string, p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (err: Error) => { done(); reject(err); };
    const done = () => {
      pending.delete(fail);
      if (pending.size === 0) process.off('uncaughtException', onUncaught);
    };
    if (pending.size === 0) process.on('uncaughtException', onUncaught);
    pending.add(fail);
    p.then((v) => { done(); resolve(v); }, (e: unknown) => { done(); reject(e instanceof Error ? e : new Error(`${path}: ${String(e)}`)); });
  });
}
