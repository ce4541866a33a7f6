// Byte-level value parsers shared by the CSV and JSON readers and by type inference. Each takes
// UTF-8 bytes src[s, e) and returns a number, or NaN when the bytes are not a value of the type,
// so hot loops test `v !== v` and never allocate. (parseFloatBytes also returns NaN for the
// literal "NaN": callers check isNaNLiteral on that rare path.)
//
// Accepted forms:
//   integer    [+-]?digits                           int64 range is checked exactly (BigInt) past 15 digits
//   float      [+-]?(digits[.digits]|.digits)([eE][+-]?digits)?, NaN, Inf, Infinity (any case, signed)
//   boolean    true | false (any case)              → 1 | 0
//   date       YYYY-MM-DD                            → days since 1970-01-01
//   timestamp  YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|±HH[:MM]]  → ms since the epoch, UTC when no
//              zone; fractions below a millisecond are truncated. A bare date is midnight UTC
//              unless `requireTime`.

import { daysFromCivil, daysInMonth } from '../../planner/calendar.js';

const POW10: readonly number[] = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Skips spaces and tabs at the start of src[s, e). */
export function trimStart(src: Uint8Array, s: number, e: number): number {
  while (s < e) { const c = src[s]!; if (c !== 32 && c !== 9) break; s++; }
  return s;
}

/** Skips spaces and tabs at the end of src[s, e). */
export function trimEnd(src: Uint8Array, s: number, e: number): number {
  while (e > s) { const c = src[e - 1]!; if (c !== 32 && c !== 9) break; e--; }
  return e;
}

export function parseIntBytes(src: Uint8Array, s: number, e: number): number {
  let i = s;
  if (i >= e) return NaN;
  let neg = false;
  const c0 = src[i]!;
  if (c0 === 45) { neg = true; i++; } else if (c0 === 43) i++;
  if (i === e) return NaN;
  let v = 0;
  for (let k = i; k < e; k++) {
    const d = src[k]! - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  // exact while below 2^53 (v only grows); beyond, BigInt checks the int64 range and rounds once
  if (v > 9007199254740992) return parseLongInt(src, i, e, neg);
  return neg ? 0 - v : v;
}

function parseLongInt(src: Uint8Array, s: number, e: number, neg: boolean): number {
  const b = BigInt(latin1(src, s, e));
  const v = neg ? -b : b;
  return v < INT64_MIN || v > INT64_MAX ? NaN : Number(v);
}

// A Buffer view of the last array seen, for native latin1 decoding on slow paths.
let viewSrc: Uint8Array | null = null;
let view: Buffer = Buffer.alloc(0);

function latin1(src: Uint8Array, s: number, e: number): string {
  if (src !== viewSrc) { view = Buffer.from(src.buffer, src.byteOffset, src.length); viewSrc = src; }
  return view.toString('latin1', s, e);
}

export function parseFloatBytes(src: Uint8Array, s: number, e: number): number {
  let i = s;
  if (i >= e) return NaN;
  let neg = false;
  let c = src[i]!;
  if (c === 45) { neg = true; i++; } else if (c === 43) i++;
  if (i >= e) return NaN;
  c = src[i]!;
  if (c !== 46 && (c < 48 || c > 57)) return parseSpecialFloat(src, i, e, neg);
  const i0 = i;
  // mant stays exact while it is below 2^53 (it only grows, so checking at the end suffices)
  let mant = 0;
  let exp10 = 0;
  let digits = 0;
  for (; i < e; i++) {
    const d = src[i]! - 48;
    if (d < 0 || d > 9) break;
    mant = mant * 10 + d;
    digits++;
  }
  if (i < e && src[i] === 46) {
    i++;
    for (; i < e; i++) {
      const d = src[i]! - 48;
      if (d < 0 || d > 9) break;
      mant = mant * 10 + d;
      exp10--;
      digits++;
    }
  }
  if (digits === 0) return NaN;
  if (i < e) {
    c = src[i]!;
    if (c !== 101 && c !== 69) return NaN;
    i++;
    let eneg = false;
    if (i < e && (src[i] === 45 || src[i] === 43)) { eneg = src[i] === 45; i++; }
    if (i >= e) return NaN;
    let x = 0;
    for (; i < e; i++) {
      const d = src[i]! - 48;
      if (d < 0 || d > 9) return NaN;
      if (x < 100000) x = x * 10 + d;
    }
    exp10 += eneg ? -x : x;
  }
  // Clinger's fast path: an exact mantissa times or over an exact power of ten rounds once.
  let v: number;
  if (mant <= 9007199254740992 && exp10 >= -22 && exp10 <= 22) {
    v = exp10 >= 0 ? mant * POW10[exp10]! : mant / POW10[-exp10]!;
  } else {
    v = Number(latin1(src, i0, e));       // the syntax is checked: Number() rounds correctly
    if (v !== v) return NaN;
  }
  return neg ? -v : v;
}

function parseSpecialFloat(src: Uint8Array, i: number, e: number, neg: boolean): number {
  const n = e - i;
  if (n === 3) {
    const a = src[i]! | 0x20, b = src[i + 1]! | 0x20, c = src[i + 2]! | 0x20;
    if (a === 110 && b === 97 && c === 110) return NaN;                               // nan
    if (a === 105 && b === 110 && c === 102) return neg ? -Infinity : Infinity;       // inf
    return NaN;
  }
  if (n === 8 && lowerEquals(src, i, 'infinity')) return neg ? -Infinity : Infinity;
  return NaN;
}

/** True when src[s, e) (spaces trimmed) spells NaN, so a NaN from parseFloatBytes is a value. */
export function isNaNLiteral(src: Uint8Array, s: number, e: number): boolean {
  s = trimStart(src, s, e); e = trimEnd(src, s, e);
  if (s < e && (src[s] === 43 || src[s] === 45)) s++;
  return e - s === 3 && lowerEquals(src, s, 'nan');
}

function lowerEquals(src: Uint8Array, i: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if ((src[i + k]! | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

/** 1 for true, 0 for false (any case), NaN otherwise. */
export function parseBoolBytes(src: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n === 4 && lowerEquals(src, s, 'true')) return 1;
  if (n === 5 && lowerEquals(src, s, 'false')) return 0;
  return NaN;
}

function two(src: Uint8Array, i: number): number {
  const a = src[i]! - 48, b = src[i + 1]! - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** YYYY-MM-DD at src[s, s+10) → days since the epoch, or NaN. */
function dateAt(src: Uint8Array, s: number): number {
  if (src[s + 4] !== 45 || src[s + 7] !== 45) return NaN;
  const y1 = two(src, s), y2 = two(src, s + 2), m = two(src, s + 5), d = two(src, s + 8);
  if ((y1 | y2) < 0 || m < 1 || m > 12 || d < 1 || (d > 28 && d > daysInMonth(y1 * 100 + y2, m))) return NaN;
  return daysFromCivil(y1 * 100 + y2, m, d);
}

export function parseDateBytes(src: Uint8Array, s: number, e: number): number {
  if (e - s !== 10) return NaN;
  return dateAt(src, s);
}

export function parseTimestampBytes(src: Uint8Array, s: number, e: number, requireTime: boolean): number {
  const n = e - s;
  if (n < 10) return NaN;
  const days = dateAt(src, s);
  if (days !== days) return NaN;
  if (n === 10) return requireTime ? NaN : days * 86_400_000;
  let i = s + 10;
  const sep = src[i]!;
  if (sep !== 84 && sep !== 32 && sep !== 116) return NaN;          // 'T', ' ', 't'
  i++;
  if (e - i < 5 || src[i + 2] !== 58) return NaN;
  const hh = two(src, i), mi = two(src, i + 3);
  i += 5;
  let ss = 0, ms = 0;
  if (i < e && src[i] === 58) {
    if (e - i < 3) return NaN;
    ss = two(src, i + 1);
    i += 3;
    if (i < e && src[i] === 46) {
      i++;
      const f0 = i;
      let scale = 100;
      while (i < e) {
        const d = src[i]! - 48;
        if (d < 0 || d > 9) break;
        if (scale >= 1) { ms += d * scale; scale /= 10; }
        i++;
      }
      if (i === f0 || i - f0 > 9) return NaN;
    }
  }
  if (!(hh >= 0 && hh <= 23 && mi >= 0 && mi <= 59 && ss >= 0 && ss <= 59)) return NaN;
  let offsetMin = 0;
  if (i < e) {
    const z = src[i]!;
    if (z === 90 || z === 122) {                                        // 'Z', 'z'
      i++;
    } else if (z === 43 || z === 45) {
      i++;
      const oh = two(src, i);
      i += 2;
      let om = 0;
      if (i < e) {
        if (src[i] === 58) i++;
        om = two(src, i);
        i += 2;
      }
      if (!(oh >= 0 && oh <= 18 && om >= 0 && om <= 59) || i > e) return NaN;
      offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
    }
    if (i !== e) return NaN;
  }
  return days * 86_400_000 + hh * 3_600_000 + mi * 60_000 + ss * 1000 + ms - offsetMin * 60_000;
}

/** True when src[s, e) equals the bytes of `word`. */
export function bytesEqual(src: Uint8Array, s: number, e: number, word: Uint8Array): boolean {
  if (e - s !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (src[s + k] !== word[k]) return false;
  return true;
}
