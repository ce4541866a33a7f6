// Spill files of sorted runs: a run is a sequence of chunks, each a dense batch's column
// buffers written raw, so a chunk reads back with one read and its columns are zero-copy
// views of that read's buffer.
//
// Chunk layout (little endian, every section padded to 8 bytes so typed views align):
//   header   Uint32 [MAGIC, rows, columns, then per column: valuesBytes, offsetsBytes, validBytes]
//   per column, in order: values bytes, offsets bytes (strings; rebased to start at 0),
//   validity bytes (absent when the column has no NULLs)
// The column types come from the schema the reader is given; the chunk index (offset, bytes,
// rows per chunk) stays in memory in the RunFile, so no footer is needed.
import { promises as fs } from 'node:fs';
import type { Schema } from '../../planner/types.js';
import { type Batch, type Vec, makeBatch, numRows, compact } from '../batch.js';

const MAGIC = 0x4e555253; // "SRUN"

export interface RunChunk {
  readonly offset: number;
  readonly bytes: number;
  readonly rows: number;
}

export interface RunFile {
  readonly path: string;
  readonly chunks: readonly RunChunk[];
  readonly rows: number;
  readonly bytes: number;
}

const pad8 = (n: number): number => (n + 7) & ~7;
const ZEROS = new Uint8Array(8);

/** Writes batches as chunks of one run file. */
export class RunWriter {
  private readonly chunks: RunChunk[] = [];
  private pos = 0;
  private rows = 0;
  private closed = false;

  private constructor(readonly path: string, private readonly schema: Schema, private readonly fh: fs.FileHandle) {}

  static async create(path: string, schema: Schema): Promise<RunWriter> {
    const fh = await fs.open(path, 'wx');
    return new RunWriter(path, schema, fh);
  }

  /** Appends one chunk holding the live rows of `b`. */
  async write(b: Batch): Promise<void> {
    if (numRows(b) === 0) return;
    const d = compact(b);
    if (d.columns.length !== this.schema.length) {
      throw new Error(`spill ${this.path}: a batch with ${d.columns.length} columns for a ${this.schema.length}-column schema`);
    }
    const parts: Uint8Array[] = [];
    const header = new Uint32Array(3 + 3 * d.columns.length);
    header[0] = MAGIC; header[1] = d.length; header[2] = d.columns.length;
    parts.push(new Uint8Array(header.buffer));
    let bytes = pad8(header.byteLength);
    if (bytes > header.byteLength) parts.push(ZEROS.subarray(0, bytes - header.byteLength));
    d.columns.forEach((c, i) => {
      const [values, offsets] = columnBuffers(c);
      const sections = [values, offsets, c.valid ? bytesOf(c.valid.subarray(0, c.length)) : null];
      sections.forEach((s, j) => {
        header[3 + 3 * i + j] = s ? s.byteLength : 0;
        if (!s) return;
        parts.push(s);
        const p = pad8(s.byteLength);
        if (p > s.byteLength) parts.push(ZEROS.subarray(0, p - s.byteLength));
        bytes += p;
      });
    });
    let written = 0;
    while (written < bytes) {
      const r = await this.fh.writev(written === 0 ? parts : remaining(parts, written), this.pos + written);
      if (r.bytesWritten === 0) throw new Error(`spill ${this.path}: the disk accepted no bytes (full?)`);
      written += r.bytesWritten;
    }
    this.chunks.push({ offset: this.pos, bytes, rows: d.length });
    this.pos += bytes;
    this.rows += d.length;
  }

  /** Bytes written so far. */
  get bytesWritten(): number { return this.pos; }

  async close(): Promise<RunFile> {
    if (!this.closed) { this.closed = true; await this.fh.close(); }
    return { path: this.path, chunks: this.chunks, rows: this.rows, bytes: this.pos };
  }
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The values (and for strings, rebased offsets) of a dense column, as bytes. */
function columnBuffers(c: Vec): [Uint8Array, Uint8Array | null] {
  const n = c.length;
  if (c.offsets === null) return [bytesOf(c.values.subarray(0, n)), null];
  const o = c.offsets;
  const base = o[0]!;
  const offs = base === 0 ? o.subarray(0, n + 1) : o.subarray(0, n + 1).map((x) => x - base);
  return [(c.values as Uint8Array).subarray(base, o[n]!), bytesOf(offs)];
}

/** The parts after the first `skip` bytes (after a short write). */
function remaining(parts: Uint8Array[], skip: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const p of parts) {
    if (skip >= p.byteLength) { skip -= p.byteLength; continue; }
    out.push(skip > 0 ? p.subarray(skip) : p);
    skip = 0;
  }
  return out;
}

/** Reads a run back one chunk at a time. */
export class RunReader {
  private next_ = 0;
  private closed = false;

  private constructor(private readonly run: RunFile, private readonly schema: Schema, private readonly fh: fs.FileHandle) {}

  static async open(run: RunFile, schema: Schema): Promise<RunReader> {
    return new RunReader(run, schema, await fs.open(run.path, 'r'));
  }

  /** The next chunk as a dense batch (fresh buffer, owned), or null after the last. */
  async next(): Promise<Batch | null> {
    if (this.next_ >= this.run.chunks.length) return null;
    const c = this.run.chunks[this.next_++]!;
    const buf = new Uint8Array(c.bytes);
    let got = 0;
    while (got < c.bytes) {
      const r = await this.fh.read(buf, got, c.bytes - got, c.offset + got);
      if (r.bytesRead === 0) throw new Error(`spill ${this.run.path}: file ends inside chunk ${this.next_ - 1} (${got} of ${c.bytes} bytes at offset ${c.offset})`);
      got += r.bytesRead;
    }
    return decodeChunk(buf, this.schema, `${this.run.path} chunk ${this.next_ - 1}`);
  }

  async close(): Promise<void> {
    if (!this.closed) { this.closed = true; await this.fh.close(); }
  }
}

function decodeChunk(buf: Uint8Array, schema: Schema, where: string): Batch {
  const ab = buf.buffer;
  const u = new Uint32Array(ab, 0, 3);
  if (u[0] !== MAGIC) throw new Error(`spill ${where}: bad magic number (not a run chunk, or a corrupt file)`);
  const rows = u[1]!, ncols = u[2]!;
  if (ncols !== schema.length) throw new Error(`spill ${where}: ${ncols} columns on disk but the schema has ${schema.length}`);
  const header = new Uint32Array(ab, 0, 3 + 3 * ncols);
  let at = pad8(header.byteLength);
  const cols: Vec[] = schema.map((f, i) => {
    const vb = header[3 + 3 * i]!, ob = header[4 + 3 * i]!, lb = header[5 + 3 * i]!;
    let values: Vec['values'];
    switch (f.type) {
      case 'int32': case 'date': values = new Int32Array(ab, at, vb / 4); break;
      case 'int64': case 'float64': case 'timestamp': values = new Float64Array(ab, at, vb / 8); break;
      default: values = new Uint8Array(ab, at, vb);
    }
    at += pad8(vb);
    const offsets = ob > 0 ? new Int32Array(ab, at, ob / 4) : null;
    at += pad8(ob);
    const valid = lb > 0 ? new Uint8Array(ab, at, lb) : null;
    at += pad8(lb);
    if (f.type === 'string' && offsets === null) throw new Error(`spill ${where}: string column '${f.name}' has no offsets`);
    return { type: f.type, length: rows, values, offsets, valid };
  });
  return makeBatch(schema, cols, rows);
}
