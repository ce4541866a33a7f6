// CSV and JSON-lines part-file writers (inside worker tasks). Bytes are produced straight
// from the column buffers (string bytes are copied, not decoded), flushed to the file per
// batch once a few MiB are pending. Output is deterministic.
//
// Value text, shared by both formats (as Spark writes it, session time zone UTC):
//   int32/int64  decimal digits                 float64  shortest round-trip form; integral
//   boolean      true / false                              values keep a '.0', -0.0 keeps its sign,
//   date         YYYY-MM-DD                                NaN / Infinity / -Infinity
//   timestamp    YYYY-MM-DDTHH:MM:SS.sssZ (ISO 8601, UTC)
// CSV: RFC 4180 quoting (fields holding the delimiter, a quote, CR or LF are quoted, quotes
// doubled); NULL is an empty field and the empty string is "" so the two stay apart; lines
// end with \n. JSON lines: one object per row, NULL fields omitted (as Spark), non-finite
// floats as strings ("NaN"), strings escaped as JSON requires and otherwise kept as UTF-8.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Schema } from '../../planner/types.js';
import { type Batch, type Vec, numRows } from '../batch.js';
import { civilFromDays } from '../../planner/calendar.js';

export interface CsvWriteOptions {
  /** Write a header line with the column names (default true). */
  readonly header?: boolean | string;
  /** Field separator, one character (default ','); `sep` is accepted as in Spark. */
  readonly delimiter?: string;
  readonly sep?: string;
  /** Text written for NULL (default: nothing). */
  readonly nullValue?: string;
}

const FLUSH_BYTES = 4 << 20;
const encoder = new TextEncoder();

/** A growable byte buffer that is drained into a file. */
export class ByteSink {
  buf = new Uint8Array(1 << 16);
  len = 0;

  ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  byte(c: number): void {
    if (this.len === this.buf.length) this.ensure(1);
    this.buf[this.len++] = c;
  }

  bytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    if (n < 16) { const b = this.buf; let at = this.len; for (let i = start; i < end; i++) b[at++] = src[i]!; } else this.buf.set(src.subarray(start, end), this.len);
    this.len += n;
  }

  /** ASCII-only text (numbers, fixed tokens). */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const b = this.buf;
    let at = this.len;
    for (let i = 0; i < n; i++) b[at++] = s.charCodeAt(i);
    this.len = at;
  }

  /** Non-negative integer below 2^53, zero-padded to `width` digits. */
  digits(x: number, width: number): void {
    let n = 1;
    for (let p = 10; p <= x && n < 16; p *= 10) n++;
    if (n < width) n = width;
    this.ensure(n);
    const b = this.buf;
    let at = this.len + n;
    for (let k = 0; k < n; k++) { const q = Math.floor(x / 10); b[--at] = 48 + (x - q * 10); x = q; }
    this.len += n;
  }

  /** An integer held in a double (exact below 2^53; larger ones print via String). */
  int(x: number): void {
    if (x > -9007199254740992 && x < 9007199254740992) {
      if (x < 0) { this.byte(45); x = -x; }
      this.digits(x, 1);
    } else {
      this.ascii(String(x));
    }
  }

  /** The pending bytes (a view: valid until the next write). */
  pending(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** Empties the sink, keeping its buffer for reuse. */
  reset(): void {
    this.len = 0;
  }
}

// ---------------------------------------------------------------------------------------
// Value formatting

/** Spark-like text of a double: shortest round-trip digits, '.0' on integral values. */
export function formatDouble(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const s = String(x);
  // Integral values below 1e21 print without a fraction or exponent: add '.0'.
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c === 46 || c === 101) return s; }
  return s + '.0';
}

/** Civil date of a day number (Howard Hinnant's algorithm), written as YYYY-MM-DD. */
function writeDateSlow(out: ByteSink, days: number): void {
  const [y, m, d] = civilFromDays(days);
  if (y >= 0 && y <= 9999) out.digits(y, 4);
  else { out.byte(y < 0 ? 45 : 43); out.digits(Math.abs(y), 6); } // ISO 8601 expanded years, as toISOString
  out.byte(45); out.digits(m, 2); out.byte(45); out.digits(d, 2);
}

// Dates repeat a lot in real data: a small direct-mapped cache of their text.
const DATE_SLOTS = 4096;
const dateKeys = new Float64Array(DATE_SLOTS).fill(NaN);
const dateText = new Uint8Array(DATE_SLOTS * 16);
const dateLen = new Uint8Array(DATE_SLOTS);
const scratch = new ByteSink();

function writeDate(out: ByteSink, days: number): void {
  const slot = days & (DATE_SLOTS - 1);
  if (dateKeys[slot] !== days) {
    scratch.reset();
    writeDateSlow(scratch, days);
    dateText.set(scratch.pending(), slot * 16);
    dateLen[slot] = scratch.len;
    dateKeys[slot] = days;
  }
  out.bytes(dateText, slot * 16, slot * 16 + dateLen[slot]!);
}

function writeTimestamp(out: ByteSink, ms: number): void {
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  writeDate(out, days);
  const h = Math.floor(rest / 3_600_000); rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000); rest -= mi * 60_000;
  const s = Math.floor(rest / 1000); rest -= s * 1000;
  out.byte(84); out.digits(h, 2); out.byte(58); out.digits(mi, 2); out.byte(58); out.digits(s, 2);
  out.byte(46); out.digits(Math.floor(rest), 3); out.byte(90);
}

/**
 * Writes formatDouble(x) without going through String for the common case: a value that is
 * exactly the double nearest to m / 10^k (k ≤ 8, m < 10^15) prints as that decimal, since the
 * smallest such k gives JS's shortest round-trip digits (and m is unique: the double spacing
 * there is below 10^-k / 2).
 */
export function writeDouble(out: ByteSink, x: number): void {
  const ax = x < 0 ? -x : x;
  if (ax >= 1e-6 && ax < 1e15) {
    let p = 1;
    for (let k = 0; k <= 8; k++, p *= 10) {
      const m = Math.round(ax * p);
      if (m < 1e15 && m / p === ax) {
        if (x < 0) out.byte(45);
        let ip = Math.floor(m / p);
        let frac = m - ip * p;
        if (frac < 0) { ip--; frac += p; } else if (frac >= p) { ip++; frac -= p; }
        out.digits(ip, 1);
        out.byte(46);
        if (k === 0) out.byte(48); else out.digits(frac, k);
        return;
      }
    }
  }
  out.ascii(formatDouble(x));
}

/** Writes a non-string, non-null value's text (unquoted). */
function writeScalar(out: ByteSink, v: Vec, i: number): void {
  switch (v.type) {
    case 'int32': out.int(v.values[i]!); return;
    case 'int64': out.int(Math.trunc(v.values[i]!)); return;
    case 'float64': writeDouble(out, v.values[i]!); return;
    case 'boolean': out.ascii(v.values[i] ? 'true' : 'false'); return;
    case 'date': writeDate(out, v.values[i]!); return;
    case 'timestamp': writeTimestamp(out, v.values[i]!); return;
    case 'string': throw new Error('internal: writeScalar on a string');
  }
}

// ---------------------------------------------------------------------------------------
// Files

async function writeWith(file: string, batches: readonly Batch[], head: (out: ByteSink) => void, body: (out: ByteSink, b: Batch) => void): Promise<number> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const fh = await fs.open(file, 'w');
  let total = 0;
  try {
    const out = new ByteSink();
    head(out);
    for (const b of batches) {
      body(out, b);
      if (out.len >= FLUSH_BYTES) { await fh.write(out.pending()); total += out.len; out.reset(); }
    }
    if (out.len > 0) { await fh.write(out.pending()); total += out.len; out.reset(); }
  } catch (err) {
    await fh.close();
    throw new Error(`cannot write ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  await fh.close();
  return total;
}

function checkSchema(file: string, b: Batch, schema: Schema): void {
  if (b.columns.length !== schema.length || b.schema.some((f, i) => f.type !== schema[i]!.type)) {
    throw new Error(`cannot write ${file}: a batch has columns (${b.schema.map((f) => `${f.name}: ${f.type}`).join(', ')}), the file (${schema.map((f) => `${f.name}: ${f.type}`).join(', ')})`);
  }
}

function boolOption(v: unknown, name: string, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`CSV option '${name}' must be true or false, got ${JSON.stringify(v)}`);
}

/** Writes batches as CSV; returns the bytes written. */
export async function writeCsvFile(file: string, batches: readonly Batch[], schema: Schema, opts: CsvWriteOptions | Readonly<Record<string, unknown>> = {}): Promise<number> {
  const o = opts as Record<string, unknown>;
  const header = boolOption(o.header, 'header', true);
  const delim = (o.delimiter ?? o.sep ?? ',') as unknown;
  if (typeof delim !== 'string' || [...delim].length !== 1 || delim === '"' || delim === '\n' || delim === '\r') {
    throw new Error(`CSV delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delim)}`);
  }
  const nullValue = o.nullValue === undefined || o.nullValue === null ? '' : String(o.nullValue);
  const delimBytes = encoder.encode(delim);
  const nullBytes = encoder.encode(nullValue);
  const dByte = delimBytes.length === 1 ? delimBytes[0]! : -1;

  const writeField = (out: ByteSink, data: Uint8Array, s: number, e: number): void => {
    let quote = s === e; // "" keeps the empty string apart from NULL
    if (!quote) {
      for (let k = s; k < e; k++) {
        const c = data[k]!;
        if (c === 34 || c === 10 || c === 13 || c === dByte) { quote = true; break; }
      }
      if (!quote && dByte < 0) quote = containsBytes(data, s, e, delimBytes);
      if (!quote && nullBytes.length > 0 && e - s === nullBytes.length && containsBytes(data, s, e, nullBytes)) quote = true;
    }
    if (!quote) { out.bytes(data, s, e); return; }
    out.byte(34);
    let from = s;
    for (let k = s; k < e; k++) {
      if (data[k] === 34) { out.bytes(data, from, k + 1); out.byte(34); from = k + 1; }
    }
    out.bytes(data, from, e);
    out.byte(34);
  };

  return writeWith(file, batches, (out) => {
    if (!header) return;
    schema.forEach((f, c) => {
      if (c > 0) out.bytes(delimBytes, 0, delimBytes.length);
      const nb = encoder.encode(f.name);
      writeField(out, nb, 0, nb.length);
    });
    out.byte(10);
  }, (out, b) => {
    checkSchema(file, b, schema);
    const n = numRows(b);
    const sel = b.sel;
    const cols = b.columns;
    for (let k = 0; k < n; k++) {
      const i = sel ? sel[k]! : k;
      for (let c = 0; c < cols.length; c++) {
        if (c > 0) out.bytes(delimBytes, 0, delimBytes.length);
        const v = cols[c]!;
        if (v.valid !== null && v.valid[i] === 0) { out.bytes(nullBytes, 0, nullBytes.length); continue; }
        if (v.type === 'string') {
          const o = v.offsets!;
          writeField(out, v.values as Uint8Array, o[i]!, o[i + 1]!);
        } else {
          writeScalar(out, v, i);
        }
      }
      out.byte(10);
    }
  });
}

function containsBytes(data: Uint8Array, s: number, e: number, needle: Uint8Array): boolean {
  const m = needle.length;
  outer: for (let k = s; k + m <= e; k++) {
    for (let j = 0; j < m; j++) if (data[k + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

const HEX = '0123456789abcdef';

/** A JSON string literal of UTF-8 bytes: quotes, backslashes and control characters escaped. */
function writeJsonString(out: ByteSink, data: Uint8Array, s: number, e: number): void {
  out.byte(34);
  let from = s;
  for (let k = s; k < e; k++) {
    const c = data[k]!;
    if (c >= 0x20 && c !== 34 && c !== 92) continue;
    out.bytes(data, from, k);
    out.byte(92);
    switch (c) {
      case 34: out.byte(34); break;
      case 92: out.byte(92); break;
      case 10: out.byte(110); break;
      case 13: out.byte(114); break;
      case 9: out.byte(116); break;
      case 8: out.byte(98); break;
      case 12: out.byte(102); break;
      default: out.ascii('u00' + HEX[c >> 4]! + HEX[c & 15]!);
    }
    from = k + 1;
  }
  out.bytes(data, from, e);
  out.byte(34);
}

/** Writes batches as JSON lines (NULL fields omitted, as Spark); returns the bytes written. */
export async function writeJsonFile(file: string, batches: readonly Batch[], schema: Schema): Promise<number> {
  // `"name":` for each column, precomputed.
  const keys = schema.map((f) => {
    const s = new ByteSink();
    const nb = encoder.encode(f.name);
    writeJsonString(s, nb, 0, nb.length);
    s.byte(58);
    return s.pending().slice();
  });
  return writeWith(file, batches, () => {}, (out, b) => {
    checkSchema(file, b, schema);
    const n = numRows(b);
    const sel = b.sel;
    const cols = b.columns;
    for (let k = 0; k < n; k++) {
      const i = sel ? sel[k]! : k;
      out.byte(123);
      let first = true;
      for (let c = 0; c < cols.length; c++) {
        const v = cols[c]!;
        if (v.valid !== null && v.valid[i] === 0) continue;
        if (!first) out.byte(44);
        first = false;
        const key = keys[c]!;
        out.bytes(key, 0, key.length);
        switch (v.type) {
          case 'string': {
            const o = v.offsets!;
            writeJsonString(out, v.values as Uint8Array, o[i]!, o[i + 1]!);
            break;
          }
          case 'float64': {
            const x = v.values[i]!;
            if (x === x && x !== Infinity && x !== -Infinity) writeDouble(out, x);
            else { out.byte(34); out.ascii(formatDouble(x)); out.byte(34); }
            break;
          }
          case 'date': case 'timestamp':
            out.byte(34); writeScalar(out, v, i); out.byte(34);
            break;
          default: writeScalar(out, v, i);
        }
      }
      out.byte(125);
      out.byte(10);
    }
  });
}
