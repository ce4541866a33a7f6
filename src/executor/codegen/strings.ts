// Helpers the generated code calls: UTF-8 byte comparison, and the casts to and from strings.
// Strings in generated code are byte ranges (data, start, end) into a Uint8Array, never JS
// strings, so comparisons run on the bytes directly (unsigned byte order = code point order).
//
// Cast choices (Spark 3, non-ANSI; timestamps are UTC, kept in milliseconds):
// - string → number/boolean/date/timestamp: leading/trailing bytes <= 0x20 are trimmed;
//   anything unparseable gives NULL.
//   int32/int64: [+-]digits[.digits] — the fraction is dropped (Spark: CAST('1.9' AS INT) = 1);
//   out of range → NULL. float64: Java's decimal syntax (optional d/f suffix) plus
//   inf/infinity/nan in any case. boolean: t/true/y/yes/1 and f/false/n/no/0, any case.
//   date: yyyy[-m[m][-d[d]]] optionally followed by ' ' or 'T' and anything (ignored).
//   timestamp: yyyy-m[m]-d[d][( |T)h[h]:m[m][:s[s][.fraction]]][Z|UTC|±hh[:mm]] — fraction
//   digits past milliseconds are truncated.
// - number → string: integers as decimal digits; doubles as Java's Double.toString with
//   the shortest round-trip digits (JDK 19+): 1.0, 0.001, 1.0E7, 1.5E10, 1.0E-4, NaN,
//   Infinity, -0.0. date → 'YYYY-MM-DD'; timestamp → 'YYYY-MM-DD HH:MM:SS[.fff]' with the
//   fraction's trailing zeros dropped (as Spark prints them). boolean → 'true' / 'false'.
import { decodeUtf8 } from '../batch.js';
import { MS_PER_DAY, civilFromDays, daysFromCivil, daysInMonth } from '../../planner/calendar.js';

/** Set by the parse functions: 1 when the last input did not parse (the result is NULL). */
export const PARSE_FAILED = new Uint8Array(1);

export const EMPTY_BYTES = new Uint8Array(0);

/** Compares two byte ranges as unsigned bytes: negative, zero or positive. */
export function cmpBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const la = ae - as, lb = be - bs;
  const n = la < lb ? la : lb;
  for (let k = 0; k < n; k++) {
    const x = a[as + k]!, y = b[bs + k]!;
    if (x !== y) return x - y;
  }
  return la - lb;
}

/** Byte-range equality (lengths first). */
export function eqBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): boolean {
  const n = ae - as;
  if (n !== be - bs) return false;
  for (let k = 0; k < n; k++) if (a[as + k] !== b[bs + k]) return false;
  return true;
}

/** Equality of `n` bytes at a[as..] and b[0..] (the caller checked the lengths). */
export function eqBytesAt(a: Uint8Array, as: number, b: Uint8Array, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[as + k] !== b[k]) return false;
  return true;
}

/** A growable scratch buffer for a string produced per row (one per expression node). */
export interface Scratch { buf: Uint8Array }

export function newScratch(): Scratch {
  return { buf: new Uint8Array(64) };
}

/** Writes an ASCII JS string into the scratch buffer; returns its byte length. */
export function asciiInto(scr: Scratch, s: string): number {
  const n = s.length;
  if (n > scr.buf.length) scr.buf = new Uint8Array(Math.max(n, scr.buf.length * 2));
  const buf = scr.buf;
  for (let k = 0; k < n; k++) buf[k] = s.charCodeAt(k);
  return n;
}

/** Grows an output byte buffer to hold at least `need` bytes, keeping the first `used`. */
export function growBytes(buf: Uint8Array, used: number, need: number): Uint8Array {
  let cap = Math.max(buf.length * 2, 64);
  while (cap < need) cap *= 2;
  const out = new Uint8Array(cap);
  out.set(buf.subarray(0, used));
  return out;
}

// ---------------------------------------------------------------- trimming and decoding

function trimStart(d: Uint8Array, s: number, e: number): number {
  while (s < e && d[s]! <= 0x20) s++;
  return s;
}

function trimEnd(d: Uint8Array, s: number, e: number): number {
  while (e > s && d[e - 1]! <= 0x20) e--;
  return e;
}

/** The trimmed text of a byte range as a JS string. */
export function trimmedText(d: Uint8Array, s: number, e: number): string {
  const a = trimStart(d, s, e);
  return decodeUtf8(d, a, trimEnd(d, a, e));
}

// ---------------------------------------------------------------- string → number

/** Parses an integral number in [min, max]; PARSE_FAILED[0] = 1 (and 0 returned) on failure. */
export function parseIntegral(d: Uint8Array, s: number, e: number, min: number, max: number): number {
  s = trimStart(d, s, e);
  e = trimEnd(d, s, e);
  let neg = false;
  if (s < e && (d[s] === 0x2d || d[s] === 0x2b)) { neg = d[s] === 0x2d; s++; }
  let x = 0, digits = 0;
  while (s < e) {
    const c = d[s]!;
    if (c < 0x30 || c > 0x39) break;
    x = x * 10 + (c - 0x30);
    digits++; s++;
  }
  if (s < e && d[s] === 0x2e) {
    s++;
    while (s < e) {
      const c = d[s]!;
      if (c < 0x30 || c > 0x39) break;
      digits++; s++;
    }
  }
  if (s !== e || digits === 0) { PARSE_FAILED[0] = 1; return 0; }
  if (neg) x = -x;
  if (x < min || x > max) { PARSE_FAILED[0] = 1; return 0; }
  PARSE_FAILED[0] = 0;
  return x + 0; // -0 → 0
}

const DOUBLE_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[dDfF]?$/;
const INF_RE = /^[+-]?inf(?:inity)?$/i;

export function parseDoubleText(t: string): number | null {
  if (DOUBLE_RE.test(t)) {
    const c = t.charCodeAt(t.length - 1);
    const body = (c | 0x20) === 0x64 || (c | 0x20) === 0x66 ? t.slice(0, -1) : t;
    return Number(body);
  }
  if (INF_RE.test(t)) return t.charCodeAt(0) === 0x2d ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  return null;
}

export function parseDouble(d: Uint8Array, s: number, e: number): number {
  const x = parseDoubleText(trimmedText(d, s, e));
  if (x === null) { PARSE_FAILED[0] = 1; return 0; }
  PARSE_FAILED[0] = 0;
  return x;
}

const TRUE_WORDS = new Set(['t', 'true', 'y', 'yes', '1']);
const FALSE_WORDS = new Set(['f', 'false', 'n', 'no', '0']);

export function parseBoolean(d: Uint8Array, s: number, e: number): boolean {
  const t = trimmedText(d, s, e).toLowerCase();
  PARSE_FAILED[0] = 0;
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  PARSE_FAILED[0] = 1;
  return false;
}

// ---------------------------------------------------------------- dates

const DATE_RE = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[ T].*)?)?)?$/s;

export function parseDateText(t: string): number | null {
  const m = DATE_RE.exec(t);
  if (!m) return null;
  const y = +m[1]!, mo = m[2] ? +m[2] : 1, da = m[3] ? +m[3] : 1;
  if (mo < 1 || mo > 12 || da < 1 || da > daysInMonth(y, mo)) return null;
  return daysFromCivil(y, mo, da);
}

export function parseDate(d: Uint8Array, s: number, e: number): number {
  const x = parseDateText(trimmedText(d, s, e));
  if (x === null) { PARSE_FAILED[0] = 1; return 0; }
  PARSE_FAILED[0] = 0;
  return x;
}

const TS_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{1,2}(?::?\d{2})?)?$/i;
const YEAR_MONTH_RE = /^(\d{4})(?:-(\d{1,2}))?$/;

export function parseTimestampText(t: string): number | null {
  const m = TS_RE.exec(t);
  if (!m) {
    const ym = YEAR_MONTH_RE.exec(t);
    if (!ym) return null;
    const days = parseDateText(t);
    return days === null ? null : days * MS_PER_DAY;
  }
  const y = +m[1]!, mo = +m[2]!, da = +m[3]!;
  if (mo < 1 || mo > 12 || da < 1 || da > daysInMonth(y, mo)) return null;
  const hh = m[4] ? +m[4] : 0, mi = m[5] ? +m[5] : 0, ss = m[6] ? +m[6] : 0;
  if (hh > 23 || mi > 59 || ss > 59) return null;
  const ms = m[7] ? +(m[7] + '00').slice(0, 3) : 0;
  let offsetMin = 0;
  const z = m[8];
  if (z && z.toUpperCase() !== 'Z' && z.toUpperCase() !== 'UTC') {
    const sign = z[0] === '-' ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    const oh = digits.length <= 2 ? +digits : +digits.slice(0, digits.length - 2);
    const om = digits.length <= 2 ? 0 : +digits.slice(-2);
    if (oh > 18 || om > 59) return null;
    offsetMin = sign * (oh * 60 + om);
  }
  return daysFromCivil(y, mo, da) * MS_PER_DAY + ((hh * 60 + mi - offsetMin) * 60 + ss) * 1000 + ms;
}

export function parseTimestamp(d: Uint8Array, s: number, e: number): number {
  const x = parseTimestampText(trimmedText(d, s, e));
  if (x === null) { PARSE_FAILED[0] = 1; return 0; }
  PARSE_FAILED[0] = 0;
  return x;
}

// ---------------------------------------------------------------- number/date → string

function pad2(x: number): string {
  return x < 10 ? '0' + x : '' + x;
}

function padYear(y: number): string {
  if (y >= 0 && y <= 9999) return ('000' + y).slice(-4);
  return y < 0 ? '-' + ('000' + -y).slice(-4) : '+' + y;
}

/** 'YYYY-MM-DD' of a day number (H. Hinnant's civil_from_days). */
export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${padYear(y)}-${pad2(m)}-${pad2(d)}`;
}

/** 'YYYY-MM-DD HH:MM:SS[.fff]' (UTC) of epoch milliseconds. */
export function formatTimestamp(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  const milli = rest % 1000; rest = (rest - milli) / 1000;
  const sec = rest % 60; rest = (rest - sec) / 60;
  const min = rest % 60;
  const hour = (rest - min) / 60;
  let out = `${formatDate(days)} ${pad2(hour)}:${pad2(min)}:${pad2(sec)}`;
  if (milli !== 0) out += '.' + ('00' + milli).slice(-3).replace(/0+$/, '');
  return out;
}

/** Java's Double.toString layout over the shortest round-trip digits. */
export function formatDouble(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const exp = Math.abs(x).toExponential(); // "d.ddde±p", shortest digits
  const eAt = exp.indexOf('e');
  const digits = exp.slice(0, eAt).replace('.', '');
  const p = +exp.slice(eAt + 1);
  if (p >= 0 && p < 7) {
    const intPart = digits.length > p + 1 ? digits.slice(0, p + 1) : digits + '0'.repeat(p + 1 - digits.length);
    const frac = digits.length > p + 1 ? digits.slice(p + 1) : '0';
    return `${sign}${intPart}.${frac}`;
  }
  if (p < 0 && p >= -3) return `${sign}0.${'0'.repeat(-p - 1)}${digits}`;
  return `${sign}${digits[0]}.${digits.length > 1 ? digits.slice(1) : '0'}E${p}`;
}

export function formatInt(x: number): string {
  return '' + (x + 0);
}

// ---------------------------------------------------------------- numeric casts

/** double → int32 as the JVM does it: truncate toward zero, saturate, NaN → 0. */
export function d2i(x: number): number {
  if (x !== x) return 0;
  if (x >= 2147483647) return 2147483647;
  if (x <= -2147483648) return -2147483648;
  return Math.trunc(x) | 0;
}

const LONG_MAX_AS_DOUBLE = 9223372036854775807; // rounds to 2^63, as Long.MaxValue.toDouble

/** double → int64 (float64 storage): truncate toward zero, saturate at ±2^63, NaN → 0. */
export function d2l(x: number): number {
  if (x !== x) return 0;
  if (x >= LONG_MAX_AS_DOUBLE) return LONG_MAX_AS_DOUBLE;
  if (x <= -LONG_MAX_AS_DOUBLE) return -LONG_MAX_AS_DOUBLE;
  return Math.trunc(x) + 0;
}
