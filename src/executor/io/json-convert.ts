// Converts one scanned JSON value into a column, following Spark's JSON reader:
//   int32/int64  a number without fraction or exponent (in range)
//   float64      any number; also the strings "NaN", "Infinity", "-Infinity", "Inf", "-Inf"
//   boolean      true / false
//   string       a string; any other value as its JSON text (nested values compacted)
//   date         a "YYYY-MM-DD" string
//   timestamp    an ISO 8601 string (as in CSV), or an integer number of seconds since the epoch
// JSON null is NULL. Anything else is a type mismatch: the caller applies the parse mode.
import type { DataType } from '../../planner/types.js';
import { encodeUtf8 } from '../batch.js';
import { compactJson, J_FALSE, J_FLOAT, J_INT, J_NESTED, J_NULL, J_STRING, J_TRUE, jsonString } from './json-scan.js';
import type { ColumnSink } from './text-columns.js';
import { showText } from './text-errors.js';
import {
  INT32_MAX, INT32_MIN, isNaNLiteral, parseDateBytes, parseFloatBytes, parseIntBytes, parseTimestampBytes,
} from './text-parse.js';

/**
 * Writes the value buf[s, e) of the given kind into row `row` of the sink (or only checks it,
 * with a null sink). Returns false on a type mismatch (the row is then NULL).
 */
export function putJsonValue(
  type: DataType, kind: number, buf: Uint8Array, s: number, e: number, esc: boolean, sink: ColumnSink | null, row: number,
): boolean {
  if (kind === J_NULL) {
    if (sink !== null) sink.setNull(row);
    return true;
  }
  if (type === 'string') {
    if (sink === null) return true;
    if (kind === J_STRING) {
      if (esc) sink.appendString(row, jsonString(buf, s, e, true));
      else sink.appendBytes(row, buf, s, e);
    } else if (kind === J_NESTED) {
      sink.reserveBytes(e - s);
      sink.dataLen += compactJson(buf, s, e, sink.data, sink.dataLen);
      sink.offsets![row + 1] = sink.dataLen;
    } else {
      sink.appendBytes(row, buf, s, e);
    }
    return true;
  }
  const v = jsonNumber(type, kind, buf, s, e, esc);
  const ok = v === v || (type === 'float64' && kind === J_STRING && isNaNLiteral(buf, s, e));
  if (sink !== null) {
    if (ok) sink.values[row] = v;
    else sink.setNull(row);
  }
  return ok;
}

function jsonNumber(type: DataType, kind: number, buf: Uint8Array, s: number, e: number, esc: boolean): number {
  switch (type) {
    case 'int32': {
      if (kind !== J_INT) return NaN;
      const v = parseIntBytes(buf, s, e);
      return v >= INT32_MIN && v <= INT32_MAX ? v : NaN;
    }
    case 'int64':
      return kind === J_INT ? parseIntBytes(buf, s, e) : NaN;
    case 'float64':
      if (kind === J_INT || kind === J_FLOAT) return parseFloatBytes(buf, s, e);
      if (kind === J_STRING && !esc && e > s && !isDigitStart(buf[s]!, buf[s + 1])) return parseFloatBytes(buf, s, e);
      return NaN;
    case 'boolean':
      return kind === J_TRUE ? 1 : kind === J_FALSE ? 0 : NaN;
    case 'date':
      if (kind !== J_STRING) return NaN;
      if (esc) { const b = encodeUtf8(jsonString(buf, s, e, true)); return parseDateBytes(b, 0, b.length); }
      return parseDateBytes(buf, s, e);
    case 'timestamp':
      if (kind === J_INT) return parseIntBytes(buf, s, e) * 1000;
      if (kind !== J_STRING) return NaN;
      if (esc) { const b = encodeUtf8(jsonString(buf, s, e, true)); return parseTimestampBytes(b, 0, b.length, false); }
      return parseTimestampBytes(buf, s, e, false);
    default:
      return NaN;
  }
}

/** A string that looks like a number ("1.5", "-2"): Spark does not read those as doubles. */
function isDigitStart(c: number, c2: number | undefined): boolean {
  if (c >= 48 && c <= 57) return true;
  if ((c === 45 || c === 43 || c === 46) && c2 !== undefined && ((c2 >= 48 && c2 <= 57) || c2 === 46)) return true;
  return c === 46;
}

const KIND_NAMES = ['null', 'boolean', 'boolean', 'number', 'number', 'string', 'nested'];

/** "cannot convert <value> to <type>" for a message. */
export function jsonMismatchReason(type: DataType, kind: number, buf: Uint8Array, s: number, e: number, esc: boolean): string {
  let what: string;
  if (kind === J_STRING) what = `string ${showText(jsonString(buf, s, e, esc))}`;
  else if (kind === J_NESTED) what = buf[s] === 91 ? 'an array' : 'an object';
  else what = `${KIND_NAMES[kind]} ${new TextDecoder().decode(buf.subarray(s, e))}`;
  const extra = (type === 'int32' || type === 'int64') && kind === J_INT ? ' (out of range)' : '';
  return `cannot convert ${what} to ${type}${extra}`;
}
