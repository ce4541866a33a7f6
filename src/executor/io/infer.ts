// Type inference shared by the CSV and JSON readers. A column's type is the join of the types
// of its values in this lattice (T_NONE = only NULLs seen so far):
//
//   int32 → int64 → float64        numbers widen
//   date → timestamp               a date joins a timestamp as timestamp
//   anything else mixed → string   (also: a column of only NULLs reads as string)
//
// CSV text is classified by the narrowest type that parses it (int32, int64, float64,
// boolean, date, timestamp, else string); JSON values by their JSON kind.
import { type DataType, type Field, field } from '../../planner/types.js';
import {
  INT32_MAX, INT32_MIN, isNaNLiteral, parseBoolBytes, parseDateBytes, parseFloatBytes, parseIntBytes,
  parseTimestampBytes, trimEnd, trimStart,
} from './text-parse.js';

export const T_NONE = 0;
export const T_INT32 = 1;
export const T_INT64 = 2;
export const T_FLOAT64 = 3;
export const T_BOOLEAN = 4;
export const T_DATE = 5;
export const T_TIMESTAMP = 6;
export const T_STRING = 7;

const NAMES: readonly DataType[] = ['string', 'int32', 'int64', 'float64', 'boolean', 'date', 'timestamp', 'string'];

export function typeOfCode(code: number): DataType {
  return NAMES[code]!;
}

export function mergeTypes(a: number, b: number): number {
  if (a === b || b === T_NONE) return a;
  if (a === T_NONE) return b;
  if (a <= T_FLOAT64 && b <= T_FLOAT64) return a > b ? a : b;
  if ((a === T_DATE || a === T_TIMESTAMP) && (b === T_DATE || b === T_TIMESTAMP)) return T_TIMESTAMP;
  return T_STRING;
}

/** The narrowest type whose parser accepts the (non-NULL) text src[s, e); spaces and tabs around it are ignored. */
export function classifyText(src: Uint8Array, s: number, e: number): number {
  s = trimStart(src, s, e);
  e = trimEnd(src, s, e);
  if (s === e) return T_NONE;
  const c = src[s]!;
  const numeric = (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46;
  if (numeric) {
    const i = parseIntBytes(src, s, e);
    if (i === i) return i >= INT32_MIN && i <= INT32_MAX ? T_INT32 : T_INT64;
    if (isFloat(src, s, e)) return T_FLOAT64;
    if (e - s >= 10) {
      if (isValue(parseDateBytes(src, s, e))) return T_DATE;
      if (isValue(parseTimestampBytes(src, s, e, true))) return T_TIMESTAMP;
    }
    return T_STRING;
  }
  if (isValue(parseBoolBytes(src, s, e))) return T_BOOLEAN;
  const l = c | 0x20;                                   // NaN, Inf, Infinity without a sign
  if ((l === 110 || l === 105) && isFloat(src, s, e)) return T_FLOAT64;
  return T_STRING;
}

function isValue(v: number): boolean {
  return v === v;
}

function isFloat(src: Uint8Array, s: number, e: number): boolean {
  return isValue(parseFloatBytes(src, s, e)) || isNaNLiteral(src, s, e);
}

/** True when the text is already covered by type `code` (the common case while scanning a column). */
export function fitsType(code: number, src: Uint8Array, s: number, e: number): boolean {
  let v: number;
  switch (code) {
    case T_INT32: v = parseIntBytes(src, s, e); return v >= INT32_MIN && v <= INT32_MAX;
    case T_INT64: v = parseIntBytes(src, s, e); return v === v;
    case T_FLOAT64: v = parseFloatBytes(src, s, e); return v === v;
    case T_DATE: v = parseDateBytes(src, s, e); return v === v;
    case T_TIMESTAMP: v = parseTimestampBytes(src, s, e, false); return v === v;
    default: return false;
  }
}

/**
 * Column names from a header row, made usable as Spark does: an empty name becomes `_c<i>`, and
 * names that occur more than once (ignoring case) get their position appended (`a0`, `a3`).
 */
export function headerNames(raw: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const n of raw) if (n !== '') counts.set(n.toLowerCase(), (counts.get(n.toLowerCase()) ?? 0) + 1);
  return raw.map((n, i) => (n === '' ? `_c${i}` : counts.get(n.toLowerCase())! > 1 ? `${n}${i}` : n));
}

export function fieldsFromCodes(names: readonly string[], codes: ArrayLike<number>): Field[] {
  return names.map((n, i) => field(n, typeOfCode(codes[i]!)));
}
