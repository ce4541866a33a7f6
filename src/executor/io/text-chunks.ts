// Reads a text file through one reusable byte buffer. A parser works on buf[0, end); when a
// record runs past `end` it calls refill(from) with the start of that record: the tail moves
// to the front and more bytes are read behind it (the buffer doubles when a single record
// fills it). Buffers are recycled between files of the same thread, because touching fresh
// memory is slow on this VM (MEASURED.md).
import * as fs from 'node:fs';

let defaultChunk = 4 << 20;
let spare: Uint8Array | null = null;

/** Sets the initial buffer size of new readers (tests use tiny ones so records straddle refills). */
export function setChunkSize(bytes: number): void {
  defaultChunk = Math.max(1, Math.floor(bytes));
  spare = null;
}

function acquire(size: number): Uint8Array {
  if (spare !== null && spare.length >= size) { const b = spare; spare = null; return b; }
  return new Uint8Array(size);
}

function release(buf: Uint8Array): void {
  if (spare === null || buf.length > spare.length) spare = buf;
}

export class ChunkReader {
  buf: Uint8Array;
  /** Valid bytes are buf[0, end). */
  end = 0;
  /** True once the whole rest of the file is in buf. */
  eof = false;
  private fd: number;
  private closed = false;

  constructor(readonly file: string, what: string, chunk = defaultChunk) {
    try {
      this.fd = fs.openSync(file, 'r');
    } catch (err) {
      throw new Error(`cannot open ${what} file ${file}: ${(err as Error).message}`);
    }
    // a small file gets a buffer of its size (+1 so that eof is seen in the first fill)
    this.buf = acquire(Math.max(1, Math.min(chunk, fs.fstatSync(this.fd).size + 1)));
    this.fill();
  }

  /** Length of a UTF-8 byte order mark at the start of the file (0 or 3). */
  bomLength(): number {
    const b = this.buf;
    return this.end >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  }

  /** Drops buf[0, from), moves the rest to the front and reads more. Positions shift by `from`. */
  refill(from: number): void {
    if (this.eof) return;
    if (from === 0 && this.end === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      release(this.buf);
      this.buf = bigger;
    } else if (from > 0) {
      this.buf.copyWithin(0, from, this.end);
      this.end -= from;
    }
    this.fill();
  }

  private fill(): void {
    const buf = this.buf;
    while (this.end < buf.length) {
      const n = fs.readSync(this.fd, buf, this.end, buf.length - this.end, null);
      if (n === 0) { this.eof = true; break; }
      this.end += n;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
    release(this.buf);
  }
}
