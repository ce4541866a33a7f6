// Converts one column of a tokenized segment of CSV records into a sink, straight from the
// bytes (no per-field strings). A field is NULL when it is absent, empty and unquoted, or equal
// to the null marker; a quoted empty field is '' for strings and NULL otherwise. Non-string
// values may have spaces or tabs around them. A field that does not parse is NULL and marks its
// record bad (bad[r] = column + 1, first bad column wins) for the caller to apply the mode.
// With a null sink the column is only validated.
import type { DataType } from '../../planner/types.js';
import { type CsvTokens, F_MISSING, F_QUOTED, F_SCRATCH } from './csv-tokenizer.js';
import type { ColumnSink } from './text-columns.js';
import {
  bytesEqual, INT32_MAX, INT32_MIN, isNaNLiteral, parseBoolBytes, parseDateBytes, parseFloatBytes,
  parseIntBytes, parseTimestampBytes, trimEnd, trimStart,
} from './text-parse.js';

export interface Segment {
  readonly tok: CsvTokens;
  readonly buf: Uint8Array;
  /** Records in the segment. */
  readonly n: number;
  /** Sink row of the segment's first record. */
  readonly row0: number;
  readonly bad: Int32Array;
  readonly nullValue: Uint8Array;
}

const K_INT32 = 0, K_INT64 = 1, K_FLOAT64 = 2, K_BOOLEAN = 3, K_DATE = 4, K_TIMESTAMP = 5;

export function convertColumn(type: DataType, col: number, g: Segment, sink: ColumnSink | null): void {
  switch (type) {
    case 'string': if (sink !== null) convString(col, g, sink); return;
    case 'int32': convNumeric(col, g, sink, K_INT32); return;
    case 'int64': convNumeric(col, g, sink, K_INT64); return;
    case 'float64': convNumeric(col, g, sink, K_FLOAT64); return;
    case 'boolean': convNumeric(col, g, sink, K_BOOLEAN); return;
    case 'date': convNumeric(col, g, sink, K_DATE); return;
    case 'timestamp': convNumeric(col, g, sink, K_TIMESTAMP); return;
  }
}

function convNumeric(col: number, g: Segment, sink: ColumnSink | null, kind: number): void {
  const { tok, buf, n, row0, bad, nullValue } = g;
  const W = tok.width, starts = tok.starts, ends = tok.ends, flags = tok.flags, scratch = tok.scratch;
  const out = sink === null ? null : sink.values;
  let valid = sink === null ? null : sink.valid;
  const nl = nullValue.length;
  for (let r = 0; r < n; r++) {
    const k = r * W + col;
    const fl = flags[k]!;
    let s = starts[k]!, e = ends[k]!;
    const src = (fl & F_SCRATCH) !== 0 ? scratch : buf;
    let ok = false;
    let v = 0;
    if ((fl & F_MISSING) === 0 && s !== e && !(nl > 0 && e - s === nl && bytesEqual(src, s, e, nullValue))) {
      s = trimStart(src, s, e);
      e = trimEnd(src, s, e);
      if (s < e) {
        switch (kind) {
          case K_INT32: v = parseIntBytes(src, s, e); if (!(v >= INT32_MIN && v <= INT32_MAX)) v = NaN; break;
          case K_INT64: v = parseIntBytes(src, s, e); break;
          case K_FLOAT64: v = parseFloatBytes(src, s, e); break;
          case K_BOOLEAN: v = parseBoolBytes(src, s, e); break;
          case K_DATE: v = parseDateBytes(src, s, e); break;
          default: v = parseTimestampBytes(src, s, e, false); break;
        }
        if (v === v || (kind === K_FLOAT64 && isNaNLiteral(src, s, e))) ok = true;
        else if (bad[r] === 0) bad[r] = col + 1;
      }
    }
    if (out !== null) {
      if (ok) out[row0 + r] = v;
      else {
        if (valid === null) valid = sink!.makeValid();
        valid[row0 + r] = 0;
      }
    }
  }
}

function convString(col: number, g: Segment, sink: ColumnSink): void {
  const { tok, buf, n, row0, nullValue } = g;
  const W = tok.width, starts = tok.starts, ends = tok.ends, flags = tok.flags, scratch = tok.scratch;
  let total = 0;
  for (let r = 0; r < n; r++) { const k = r * W + col; total += ends[k]! - starts[k]!; }
  sink.reserveBytes(total);
  const data = sink.data, offsets = sink.offsets!;
  let valid = sink.valid;
  let dl = sink.dataLen;
  const nl = nullValue.length;
  for (let r = 0; r < n; r++) {
    const k = r * W + col;
    const fl = flags[k]!;
    const s = starts[k]!, e = ends[k]!;
    const src = (fl & F_SCRATCH) !== 0 ? scratch : buf;
    if ((fl & F_MISSING) !== 0 || (s === e && (fl & F_QUOTED) === 0) || (nl > 0 && e - s === nl && bytesEqual(src, s, e, nullValue))) {
      if (valid === null) valid = sink.makeValid();
      valid[row0 + r] = 0;
    } else if (e - s < 32) {
      for (let i = s; i < e; i++) data[dl++] = src[i]!;
    } else {
      data.set(src.subarray(s, e), dl);
      dl += e - s;
    }
    offsets[row0 + r + 1] = dl;
  }
  sink.dataLen = dl;
}
