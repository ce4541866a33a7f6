// The native Parquet path: reads a row group's requested column chunks with one positioned read
// each into a reused buffer, decodes them in JS (parquet-column.ts) into reused column buffers
// and slices the result into batches that borrow those buffers (valid until the reader moves
// to the next row group, which is after the consumer pulled past them: the `borrowed`
// contract in batch.ts). parquet-read.ts uses it for every row group whose chunks it can
// decode and falls back to parquet-wasm for the rest.
//
// Why: on this VM parquet-wasm's path cost a fresh copy of every chunk (read into a new
// buffer, copied into wasm memory, decoded there, viewed through arrow-js-ffi) and the fresh
// buffers' first-touch page faults dominated; reading 51 MB of chunks into a reused buffer took
// 5 ms against 10–200 ms into fresh ones (MEASURED-style probe in docs/architecture.md).
import { readSync } from 'node:fs';
import type { Schema } from '../../planner/types.js';
import { makeBatch, type Batch, type Vec } from '../batch.js';
import { ColumnBuffers, NATIVE_CODECS, NATIVE_ENCODINGS, decodeChunk, type DecodedColumn } from './parquet-column.js';
import type { ParquetFileMeta } from './parquet-meta.js';

/** Whether every requested column chunk of row group `g` looks decodable natively (pages may still say otherwise). */
export function nativeReadable(meta: ParquetFileMeta, g: number, columnIdx: readonly number[]): boolean {
  if (process.env.SPARROW_PARQUET_NATIVE === '0') return false;
  for (const c of columnIdx) {
    const leaf = meta.leaves[c];
    const ch = meta.chunks[g]?.[c];
    if (!leaf || !ch || leaf.native === null || leaf.maxDef > 1) return false;
    if (!NATIVE_CODECS.has(ch.codec)) return false;
    for (const e of ch.encodings) if (!NATIVE_ENCODINGS.has(e)) return false;
  }
  return true;
}

/** Row groups read in this thread by each path (tests check the native path is taken). */
export const parquetReadCounts = { native: 0, wasm: 0 };

// Buffers go back to a per-worker pool when a reader finishes, so the next task's reader
// writes into pages that are already mapped. A worker runs one task at a time. The pool keeps
// at most POOL_BYTES (a wide file's readers give back more than a narrow one's): what does not
// fit is left to the garbage collector.
const POOL_MAX = 32;
const POOL_BYTES = 256 * 1024 * 1024;
const pool: ColumnBuffers[] = [];
let pooledBytes = 0;
const chunkPool: Uint8Array[] = [];

function bytesOf(b: ColumnBuffers): number {
  return b.i32.byteLength + b.f64.byteLength + b.u8.byteLength + b.valid.byteLength + b.offsets.byteLength + b.data.byteLength +
    b.batchOffsets.byteLength + b.dictI32.byteLength + b.dictF64.byteLength + b.dictU8.byteLength + b.dictOffsets.byteLength +
    b.dictData.byteLength + b.page.byteLength + b.idx.byteLength + b.i64.byteLength + b.unsplit.byteLength;
}

/** Reads row groups of one open file natively; `close()` returns its buffers to the pool. */
export class NativeRowGroupReader {
  private readonly bufs: ColumnBuffers[];
  private chunk: Uint8Array;

  constructor(private readonly fd: number, private readonly meta: ParquetFileMeta, private readonly columnIdx: readonly number[], private readonly schema: Schema) {
    this.bufs = columnIdx.map(() => {
      const b = pool.pop();
      if (b === undefined) return new ColumnBuffers();
      pooledBytes -= bytesOf(b);
      return b;
    });
    this.chunk = chunkPool.pop() ?? new Uint8Array(0);
  }

  /**
   * Decodes row group `g` (all requested columns, before any batch is made, so a
   * NativeUnsupported thrown here leaves nothing half-read).
   */
  decode(g: number): DecodedColumn[] {
    const rg = this.meta.rowGroups[g]!;
    const out: DecodedColumn[] = [];
    for (let i = 0; i < this.columnIdx.length; i++) {
      const c = this.columnIdx[i]!;
      const ch = this.meta.chunks[g]![c]!;
      if (this.chunk.length < ch.bytes) this.chunk = new Uint8Array(Math.max(ch.bytes, Math.ceil(this.chunk.length * 1.5)));
      let done = 0;
      while (done < ch.bytes) {
        const n = readSync(this.fd, this.chunk, done, ch.bytes - done, ch.start + done);
        if (n === 0) throw new Error(`${this.meta.path}: unexpected end of file at byte ${ch.start + done} (row group ${g}, column '${this.schema[i]!.name}')`);
        done += n;
      }
      const where = `${this.meta.path} (row group ${g}, column '${this.meta.schema[c]!.name}')`;
      out.push(decodeChunk(this.chunk, ch.bytes, ch.codec, this.meta.leaves[c]!, rg.numRows, this.bufs[i]!, where, ch.uncompressed > 0 ? ch.uncompressed : Infinity));
    }
    return out;
  }

  /** Batches of at most `batchRows` rows over decoded columns (borrowed views). */
  *batches(cols: readonly DecodedColumn[], numRows: number, batchRows: number): Generator<Batch> {
    const nb = Math.ceil(numRows / batchRows);
    for (let b = 0; b < nb; b++) {
      const start = b * batchRows;
      const end = Math.min(numRows, start + batchRows);
      const vecs: Vec[] = cols.map((d, i) => this.slice(d, i, start, end, b));
      yield makeBatch(this.schema, vecs, end - start, null, true);
    }
  }

  private slice(d: DecodedColumn, i: number, start: number, end: number, b: number): Vec {
    const type = this.schema[i]!.type;
    const n = end - start;
    let valid: Uint8Array | null = null;
    if (d.valid !== null) {
      const v = d.valid.subarray(start, end);
      for (let k = 0; k < n; k++) if (v[k] === 0) { valid = v; break; }
    }
    if (d.offsets === null) return { type, length: n, values: d.values.subarray(start, end), offsets: null, valid };
    // Our strings' offsets start at 0: batch b's rebased offsets go at [start + b, end + b].
    const src = d.offsets;
    const bufs = this.bufs[i]!;
    const need = end + b + 1;
    if (bufs.batchOffsets.length < need) {
      const grown = new Int32Array(Math.max(need, Math.ceil(bufs.batchOffsets.length * 1.5)));
      bufs.batchOffsets = grown;
    }
    const offs = bufs.batchOffsets.subarray(start + b, end + b + 1);
    const base = src[start]!;
    for (let k = 0; k <= n; k++) offs[k] = src[start + k]! - base;
    return { type, length: n, values: d.values.subarray(base, src[end]!), offsets: offs, valid };
  }

  close(): void {
    for (const b of this.bufs) {
      const n = bytesOf(b);
      if (pool.length < POOL_MAX && pooledBytes + n <= POOL_BYTES) { pool.push(b); pooledBytes += n; }
    }
    if (chunkPool.length < 4) chunkPool.push(this.chunk);
    this.bufs.length = 0;
  }
}
