// Output columns of the text readers: typed arrays written by row index (numbers) or appended
// in row order (strings), handed out as Vecs (see batch.ts for the layout). Parsers load the
// arrays into locals and write them directly; the sink only grows and finishes them.
import type { DataType } from '../../planner/types.js';
import { allocValues, type Values, type Vec } from '../batch.js';

const encoder = new TextEncoder();

export class ColumnSink {
  readonly type: DataType;
  /** Rows the arrays hold; 0 until the first reserve() (allocation is lazy, see finish()). */
  cap = 0;
  values: Values;
  /** null until the first NULL; then one byte per row, 1 = valid. */
  valid: Uint8Array | null = null;
  /** Strings: offsets[i + 1] is the end of row i in `data`; offsets[0] is 0. */
  offsets: Int32Array | null;
  data: Uint8Array = new Uint8Array(0);
  dataLen = 0;
  private firstCap: number;
  private bytesHint: number;

  constructor(type: DataType, firstCap: number) {
    this.type = type;
    this.firstCap = Math.max(firstCap, 16);
    this.bytesHint = this.firstCap * 16;
    this.values = allocValues(type, 0);
    this.offsets = type === 'string' ? new Int32Array(1) : null;
  }

  /** Makes room for `rows` rows in total. */
  reserve(rows: number): void {
    if (rows <= this.cap) return;
    let cap = this.cap === 0 ? Math.max(this.firstCap, rows) : this.cap * 2;
    while (cap < rows) cap *= 2;
    if (this.offsets) {
      const o = new Int32Array(cap + 1); o.set(this.offsets); this.offsets = o;
      if (this.data.length === 0) this.data = new Uint8Array(this.bytesHint);
    } else {
      const v = allocValues(this.type, cap); v.set(this.values as never); this.values = v;
    }
    if (this.valid) {
      const v = new Uint8Array(cap); v.fill(1); v.set(this.valid); this.valid = v;
    }
    this.cap = cap;
  }

  /** Makes room for `extra` more string bytes. */
  reserveBytes(extra: number): void {
    const need = this.dataLen + extra;
    if (need <= this.data.length) return;
    let cap = Math.max(this.data.length * 2, 64);
    while (cap < need) cap *= 2;
    const d = new Uint8Array(cap); d.set(this.data.subarray(0, this.dataLen)); this.data = d;
  }

  /** The validity array, created (all valid) on first use. */
  makeValid(): Uint8Array {
    if (this.valid === null) { this.valid = new Uint8Array(this.cap); this.valid.fill(1); }
    return this.valid;
  }

  setNull(row: number): void {
    this.makeValid()[row] = 0;
    if (this.offsets) this.offsets[row + 1] = this.dataLen;
  }

  /** Appends a string row (row must be the next one). */
  appendBytes(row: number, src: Uint8Array, s: number, e: number): void {
    this.reserveBytes(e - s);
    const d = this.data;
    let l = this.dataLen;
    if (e - s < 32) { for (let i = s; i < e; i++) d[l++] = src[i]!; } else { d.set(src.subarray(s, e), l); l += e - s; }
    this.dataLen = l;
    this.offsets![row + 1] = l;
  }

  appendString(row: number, str: string): void {
    this.reserveBytes(str.length * 3);
    this.dataLen += encoder.encodeInto(str, this.data.subarray(this.dataLen)).written;
    this.offsets![row + 1] = this.dataLen;
  }

  /** Hands out rows [0, n) as a Vec; the next batch allocates afresh (starting at `nextCap` rows) when written. */
  finish(n: number, nextCap: number): Vec {
    let vec: Vec;
    const valid = this.valid ? this.valid.subarray(0, n) : null;
    if (this.offsets) {
      const bytes = this.dataLen * 2 < this.data.length ? this.data.slice(0, this.dataLen) : this.data.subarray(0, this.dataLen);
      vec = { type: this.type, length: n, values: bytes, offsets: this.offsets.subarray(0, n + 1), valid };
      this.offsets = new Int32Array(1);
      this.bytesHint = Math.max(64, Math.min(this.dataLen, nextCap * 64));
      this.data = new Uint8Array(0);
      this.dataLen = 0;
    } else {
      vec = { type: this.type, length: n, values: n * 2 < this.cap ? this.values.slice(0, n) : this.values.subarray(0, n), offsets: null, valid };
      this.values = allocValues(this.type, 0);
    }
    this.cap = 0;
    this.firstCap = Math.max(nextCap, 16);
    this.valid = null;
    return vec;
  }
}
