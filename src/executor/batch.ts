// The columnar batch every operator works on: Arrow's buffer layout, held as plain typed
// arrays so loops index them directly.
//
//   type                 values                    notes
//   int32, date          Int32Array                date = days since 1970-01-01
//   int64, timestamp     Float64Array              exact to 2^53; timestamp = ms since epoch (UTC)
//   float64              Float64Array
//   boolean              Uint8Array (0/1 a byte)   Arrow packs bits; we unpack at the edges
//   string               Uint8Array UTF-8 bytes    + offsets Int32Array(length + 1), as Arrow Utf8
//
// `valid` is null when no value is null, else one byte per row (1 = valid, 0 = NULL). The
// value slot of a NULL is unspecified. A batch may carry `sel`, the ascending positions of
// the rows that are alive (a filter's output): columns keep their full length and nothing is
// copied until an edge (shipping, collecting, writing) compacts the batch.
import type { DataType, Schema } from '../planner/types.js';

export type Values = Int32Array | Float64Array | Uint8Array;

export interface Vec {
  readonly type: DataType;
  readonly length: number;
  readonly values: Values;
  readonly offsets: Int32Array | null;
  readonly valid: Uint8Array | null;
}

export interface Batch {
  readonly schema: Schema;
  readonly columns: readonly Vec[];
  /** Physical length of every column. */
  readonly length: number;
  /** Positions of live rows, ascending; null = all rows live. */
  readonly sel: Int32Array | null;
  /**
   * True when the buffers are lent by the producer (a reader's scratch or decoder memory) and
   * stay valid only until the next batch is pulled. Whoever keeps a batch longer must own it.
   */
  readonly borrowed?: boolean;
}

export function numRows(b: Batch): number {
  return b.sel ? b.sel.length : b.length;
}

export function makeBatch(schema: Schema, columns: readonly Vec[], length: number, sel: Int32Array | null = null, borrowed = false): Batch {
  return borrowed ? { schema, columns, length, sel, borrowed } : { schema, columns, length, sel };
}

export function emptyBatch(schema: Schema): Batch {
  return makeBatch(schema, schema.map((f) => emptyVec(f.type)), 0);
}

export function emptyVec(type: DataType): Vec {
  const b = new VecBuilder(type, 0);
  return b.finish();
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function decodeUtf8(data: Uint8Array, start: number, end: number): string {
  // Short ASCII strings decode faster by hand than through TextDecoder.
  if (end - start < 24) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = data[i]!;
      if (c >= 0x80) return decoder.decode(data.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(data.subarray(start, end));
}

export function encodeUtf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** The JS value at physical position i (null for NULL). For edges only: collect, lambdas. */
export type JsValue = number | string | boolean | bigint | Date | null;

export function vecGet(v: Vec, i: number): JsValue {
  if (v.valid !== null && v.valid[i] === 0) return null;
  switch (v.type) {
    case 'date': return new Date(v.values[i]! * 86_400_000);
    case 'timestamp': return new Date(v.values[i]!);
    case 'string': {
      const o = v.offsets!;
      return decodeUtf8(v.values as Uint8Array, o[i]!, o[i + 1]!);
    }
    case 'boolean': return v.values[i] === 1;
    default: return v.values[i]!;
  }
}

/** Grows typed arrays as values are appended; used at the edges (rows → columns, file parsing). */
export class VecBuilder {
  readonly type: DataType;
  private values: Values;
  private offsets: Int32Array | null;
  private valid: Uint8Array;
  private hasNull = false;
  private n = 0;
  private bytes = 0;

  constructor(type: DataType, capacity = 1024) {
    this.type = type;
    const cap = Math.max(capacity, 16);
    this.valid = new Uint8Array(cap);
    this.offsets = type === 'string' ? new Int32Array(cap + 1) : null;
    this.values = allocValues(type, type === 'string' ? cap * 8 : cap);
  }

  get length(): number { return this.n; }

  private grow(): void {
    const cap = this.valid.length * 2;
    const v = new Uint8Array(cap); v.set(this.valid); this.valid = v;
    if (this.offsets) {
      const o = new Int32Array(cap + 1); o.set(this.offsets); this.offsets = o;
    } else {
      const nv = allocValues(this.type, cap); nv.set(this.values as never); this.values = nv;
    }
  }

  private ensureBytes(extra: number): void {
    const need = this.bytes + extra;
    if (need <= this.values.length) return;
    let cap = this.values.length * 2;
    while (cap < need) cap *= 2;
    const nv = new Uint8Array(cap); nv.set(this.values as Uint8Array); this.values = nv;
  }

  appendNull(): void {
    if (this.n === this.valid.length) this.grow();
    this.valid[this.n] = 0;
    this.hasNull = true;
    if (this.offsets) this.offsets[this.n + 1] = this.bytes;
    this.n++;
  }

  /** Appends a number (numeric, date, timestamp types) or 0/1 (boolean). */
  appendNumber(x: number): void {
    if (this.n === this.valid.length) this.grow();
    this.valid[this.n] = 1;
    this.values[this.n] = x;
    this.n++;
  }

  appendString(s: string): void {
    if (this.n === this.valid.length) this.grow();
    this.ensureBytes(s.length * 3);
    const { written } = encoder.encodeInto(s, (this.values as Uint8Array).subarray(this.bytes));
    this.bytes += written;
    this.valid[this.n] = 1;
    this.offsets![this.n + 1] = this.bytes;
    this.n++;
  }

  appendBytes(src: Uint8Array, start: number, end: number): void {
    if (this.n === this.valid.length) this.grow();
    this.ensureBytes(end - start);
    (this.values as Uint8Array).set(src.subarray(start, end), this.bytes);
    this.bytes += end - start;
    this.valid[this.n] = 1;
    this.offsets![this.n + 1] = this.bytes;
    this.n++;
  }

  /** Appends a JS value of the builder's type (null/undefined → NULL). Throws on a wrong type. */
  appendValue(x: unknown): void {
    if (x === null || x === undefined) { this.appendNull(); return; }
    switch (this.type) {
      case 'string':
        if (typeof x !== 'string') throw new TypeError(`expected a string, got ${describe(x)}`);
        this.appendString(x); return;
      case 'boolean':
        if (typeof x !== 'boolean') throw new TypeError(`expected a boolean, got ${describe(x)}`);
        this.appendNumber(x ? 1 : 0); return;
      case 'date':
        if (x instanceof Date) { this.appendNumber(Math.floor(x.getTime() / 86_400_000)); return; }
        if (typeof x === 'number' && Number.isInteger(x)) { this.appendNumber(x); return; }
        throw new TypeError(`expected a Date or a day number, got ${describe(x)}`);
      case 'timestamp':
        if (x instanceof Date) { this.appendNumber(x.getTime()); return; }
        if (typeof x === 'number') { this.appendNumber(x); return; }
        if (typeof x === 'bigint') { this.appendNumber(Number(x)); return; }
        throw new TypeError(`expected a Date or epoch milliseconds, got ${describe(x)}`);
      case 'int32':
        if (typeof x === 'number' && Number.isInteger(x) && x >= -2147483648 && x <= 2147483647) { this.appendNumber(x); return; }
        throw new TypeError(`expected a 32-bit integer, got ${describe(x)}`);
      case 'int64':
        if (typeof x === 'bigint') { this.appendNumber(Number(x)); return; }
        if (typeof x === 'number' && Number.isInteger(x)) { this.appendNumber(x); return; }
        throw new TypeError(`expected an integer, got ${describe(x)}`);
      case 'float64':
        if (typeof x === 'number') { this.appendNumber(x); return; }
        if (typeof x === 'bigint') { this.appendNumber(Number(x)); return; }
        throw new TypeError(`expected a number, got ${describe(x)}`);
    }
  }

  finish(): Vec {
    const n = this.n;
    const valid = this.hasNull ? this.valid.slice(0, n) : null;
    if (this.offsets) {
      return { type: this.type, length: n, values: (this.values as Uint8Array).slice(0, this.bytes), offsets: this.offsets.slice(0, n + 1), valid };
    }
    return { type: this.type, length: n, values: this.values.slice(0, n), offsets: null, valid };
  }
}

function describe(x: unknown): string {
  if (typeof x === 'string') return `string ${JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x)}`;
  if (typeof x === 'object') return Array.isArray(x) ? 'an array' : 'an object';
  return `${typeof x} ${String(x)}`;
}

export function allocValues(type: DataType, n: number): Values {
  switch (type) {
    case 'int32': case 'date': return new Int32Array(n);
    case 'int64': case 'float64': case 'timestamp': return new Float64Array(n);
    case 'boolean': case 'string': return new Uint8Array(n);
  }
}

/** Copies the rows at `sel` (or all) into fresh dense columns. */
export function gatherVec(v: Vec, sel: Int32Array | null): Vec {
  if (sel === null) return v;
  const n = sel.length;
  let valid: Uint8Array | null = null;
  if (v.valid) {
    valid = new Uint8Array(n);
    let anyNull = false;
    for (let k = 0; k < n; k++) { const b = v.valid[sel[k]!]!; valid[k] = b; if (b === 0) anyNull = true; }
    if (!anyNull) valid = null;
  }
  if (v.type === 'string') {
    const o = v.offsets!, d = v.values as Uint8Array;
    const offs = new Int32Array(n + 1);
    let total = 0;
    for (let k = 0; k < n; k++) { const i = sel[k]!; total += o[i + 1]! - o[i]!; offs[k + 1] = total; }
    const data = new Uint8Array(total);
    for (let k = 0; k < n; k++) { const i = sel[k]!; data.set(d.subarray(o[i]!, o[i + 1]!), offs[k]!); }
    return { type: v.type, length: n, values: data, offsets: offs, valid };
  }
  const src = v.values;
  const out = allocValues(v.type, n);
  for (let k = 0; k < n; k++) out[k] = src[sel[k]!]!;
  return { type: v.type, length: n, values: out, offsets: null, valid };
}

/** A dense batch (no selection vector). */
export function compact(b: Batch): Batch {
  if (b.sel === null) return b;
  return makeBatch(b.schema, b.columns.map((c) => gatherVec(c, b.sel)), b.sel.length);
}

/** A batch whose buffers the caller owns: borrowed or selected batches are copied. */
export function own(b: Batch): Batch {
  if (b.sel !== null) return compact(b);
  if (!b.borrowed) return b;
  const cols = b.columns.map((c) => ({
    type: c.type, length: c.length, values: c.values.slice(),
    offsets: c.offsets ? c.offsets.slice() : null, valid: c.valid ? c.valid.slice() : null,
  }));
  return makeBatch(b.schema, cols, b.length);
}

/** Rows [start, end) of a dense batch, as views (no copy). */
export function sliceBatch(b: Batch, start: number, end: number): Batch {
  const d = compact(b);
  return makeBatch(d.schema, d.columns.map((c) => sliceVec(c, start, end)), end - start);
}

export function sliceVec(v: Vec, start: number, end: number): Vec {
  const valid = v.valid ? v.valid.subarray(start, end) : null;
  if (v.type === 'string') {
    const o = v.offsets!;
    const base = o[start]!;
    const offs = new Int32Array(end - start + 1);
    for (let i = start; i <= end; i++) offs[i - start] = o[i]! - base;
    return { type: v.type, length: end - start, values: (v.values as Uint8Array).subarray(base, o[end]!), offsets: offs, valid };
  }
  return { type: v.type, length: end - start, values: v.values.subarray(start, end), offsets: null, valid };
}

/** Concatenates dense copies of the batches (same schema) into one. */
export function concatBatches(schema: Schema, batches: readonly Batch[]): Batch {
  const dense = batches.map(compact).filter((b) => b.length > 0);
  if (dense.length === 0) return emptyBatch(schema);
  if (dense.length === 1) return dense[0]!;
  const total = dense.reduce((s, b) => s + b.length, 0);
  const cols = schema.map((f, ci) => concatVecs(f.type, dense.map((b) => b.columns[ci]!), total));
  return makeBatch(schema, cols, total);
}

function concatVecs(type: DataType, vs: readonly Vec[], total: number): Vec {
  let valid: Uint8Array | null = null;
  if (vs.some((v) => v.valid)) {
    valid = new Uint8Array(total);
    let at = 0;
    for (const v of vs) { if (v.valid) valid.set(v.valid, at); else valid.fill(1, at, at + v.length); at += v.length; }
  }
  if (type === 'string') {
    const bytes = vs.reduce((s, v) => s + (v.offsets![v.length]! - v.offsets![0]!), 0);
    const data = new Uint8Array(bytes);
    const offs = new Int32Array(total + 1);
    let row = 0, pos = 0;
    for (const v of vs) {
      const o = v.offsets!;
      const base = o[0]!;
      data.set((v.values as Uint8Array).subarray(base, o[v.length]!), pos);
      for (let i = 1; i <= v.length; i++) offs[row + i] = pos + o[i]! - base;
      row += v.length; pos += o[v.length]! - base;
    }
    return { type, length: total, values: data, offsets: offs, valid };
  }
  const out = allocValues(type, total);
  let at = 0;
  for (const v of vs) { out.set(v.values as never, at); at += v.length; }
  return { type, length: total, values: out, offsets: null, valid };
}

/** Approximate in-memory size of a batch's buffers, in bytes. */
export function batchBytes(b: Batch): number {
  let s = 0;
  for (const c of b.columns) {
    s += c.values.byteLength + (c.offsets ? c.offsets.byteLength : 0) + (c.valid ? c.valid.byteLength : 0);
  }
  return s;
}

/** Builds a batch from plain row objects, by schema. Errors name the row and the field. */
export function rowsToBatch(schema: Schema, rows: readonly Record<string, unknown>[], what = 'row'): Batch {
  const builders = schema.map((f) => new VecBuilder(f.type, rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let c = 0; c < schema.length; c++) {
      const f = schema[c]!;
      try {
        builders[c]!.appendValue(row[f.name]);
      } catch (err) {
        throw new TypeError(`${what} ${r}, field '${f.name}' (${f.type}): ${(err as Error).message}`);
      }
    }
  }
  return makeBatch(schema, builders.map((b) => b.finish()), rows.length);
}

/** The live rows of a batch as plain objects (for collect and lambdas). */
export function batchToRows(b: Batch): Record<string, unknown>[] {
  const n = numRows(b);
  const out = new Array<Record<string, unknown>>(n);
  const names = b.schema.map((f) => f.name);
  for (let k = 0; k < n; k++) {
    const i = b.sel ? b.sel[k]! : k;
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = vecGet(b.columns[c]!, i);
    out[k] = row;
  }
  return out;
}
