// Walks the lines of a JSON-lines file through a ChunkReader: each call to next() moves to the
// next non-blank line, buf[s, e) without its line break (LF or CRLF); `line` is 1-based.
import { ChunkReader } from './text-chunks.js';

export class LineCursor {
  s = 0;
  e = 0;
  line = 0;
  private p: number;
  private nextLine = 1;
  private view: Buffer;

  constructor(readonly reader: ChunkReader) {
    this.p = reader.bomLength();
    this.view = viewOf(reader.buf);
  }

  get buf(): Uint8Array { return this.reader.buf; }

  next(): boolean {
    const r = this.reader;
    for (;;) {
      let nl = this.p < r.end ? this.view.indexOf(10, this.p) : -1;
      if (nl >= r.end) nl = -1;
      if (nl < 0) {
        if (!r.eof) {
          r.refill(this.p);
          this.p = 0;
          if (this.view.buffer !== r.buf.buffer) this.view = viewOf(r.buf);
          continue;
        }
        if (this.p >= r.end) return false;
        nl = r.end;
      }
      const s = this.p;
      let e = nl;
      if (e > s && r.buf[e - 1] === 13) e--;
      this.p = nl + 1;
      const line = this.nextLine++;
      if (isBlank(r.buf, s, e)) continue;
      this.s = s; this.e = e; this.line = line;
      return true;
    }
  }
}

function viewOf(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.length);
}

function isBlank(buf: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) { const c = buf[i]; if (c !== 32 && c !== 9 && c !== 13) return false; }
  return true;
}
