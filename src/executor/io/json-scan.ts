// A validating scanner for one JSON-lines record: a line holding a JSON object. It does not
// build objects: it reports each top-level key and its value as byte ranges plus a kind, so the
// reader converts straight from the bytes. Nested objects and arrays are validated and kept as
// a range. Strings keep their escapes (flag *Esc); decode them with jsonString().
import { decodeUtf8 } from '../batch.js';

export const J_NULL = 0;
export const J_FALSE = 1;
export const J_TRUE = 2;
/** A number written without fraction or exponent. */
export const J_INT = 3;
export const J_FLOAT = 4;
/** Range excludes the quotes. */
export const J_STRING = 5;
/** An object or array; range is its whole text. */
export const J_NESTED = 6;

const MAX_DEPTH = 512;

export class JsonRecord {
  count = 0;
  keyS = new Int32Array(16);
  keyE = new Int32Array(16);
  keyEsc = new Uint8Array(16);
  kind = new Uint8Array(16);
  valS = new Int32Array(16);
  valE = new Int32Array(16);
  valEsc = new Uint8Array(16);
  /** Why the last scan failed. */
  error = '';

  private grow(): void {
    const n = this.keyS.length * 2;
    const i32 = (a: Int32Array) => { const b = new Int32Array(n); b.set(a); return b; };
    const u8 = (a: Uint8Array) => { const b = new Uint8Array(n); b.set(a); return b; };
    this.keyS = i32(this.keyS); this.keyE = i32(this.keyE); this.valS = i32(this.valS); this.valE = i32(this.valE);
    this.keyEsc = u8(this.keyEsc); this.kind = u8(this.kind); this.valEsc = u8(this.valEsc);
  }

  /**
   * Scans buf[s, e) (one line without its line break). Returns false, with `error` set, when
   * the line is not valid JSON or not an object.
   */
  scan(buf: Uint8Array, s: number, e: number): boolean {
    this.count = 0;
    lineStart = s;
    let p = ws(buf, s, e);
    if (p >= e || buf[p] !== 123) {
      const end = p < e ? scanValue(buf, p, e, 0) : -1;
      this.error = end >= 0 && ws(buf, end, e) === e
        ? `expected a JSON object, found ${describeKind(buf[p]!)}`
        : failure || 'expected a JSON object';
      failure = '';
      return false;
    }
    p = ws(buf, p + 1, e);
    if (p < e && buf[p] === 125) {
      p = ws(buf, p + 1, e);
      return p === e ? true : this.fail(p, 'unexpected text after the object');
    }
    for (;;) {
      if (p >= e || buf[p] !== 34) return this.fail(p, 'expected a key in double quotes');
      const ke = scanString(buf, p + 1, e);
      if (ke < 0) return this.failAt();
      const kEsc = stringHadEscape;
      const ks = p + 1;
      p = ws(buf, ke + 1, e);
      if (p >= e || buf[p] !== 58) return this.fail(p, "expected ':' after a key");
      p = ws(buf, p + 1, e);
      if (p >= e) return this.fail(p, 'expected a value');
      const c = buf[p]!;
      let kind: number, vs = p, ve: number, vEsc = 0;
      if (c === 34) {
        ve = scanString(buf, p + 1, e);
        if (ve < 0) return this.failAt();
        kind = J_STRING; vs = p + 1; vEsc = stringHadEscape ? 1 : 0;
        p = ve + 1;
      } else {
        ve = scanValue(buf, p, e, 1);
        if (ve < 0) return this.failAt();
        kind = c === 123 || c === 91 ? J_NESTED : c === 110 ? J_NULL : c === 116 ? J_TRUE : c === 102 ? J_FALSE
          : numberIsFloat ? J_FLOAT : J_INT;
        p = ve;
      }
      const i = this.count;
      if (i === this.keyS.length) this.grow();
      this.keyS[i] = ks; this.keyE[i] = ke; this.keyEsc[i] = kEsc ? 1 : 0;
      this.kind[i] = kind; this.valS[i] = vs; this.valE[i] = ve; this.valEsc[i] = vEsc;
      this.count = i + 1;
      p = ws(buf, p, e);
      if (p < e && buf[p] === 44) { p = ws(buf, p + 1, e); continue; }
      if (p < e && buf[p] === 125) break;
      return this.fail(p, "expected ',' or '}'");
    }
    p = ws(buf, p + 1, e);
    return p === e ? true : this.fail(p, 'unexpected text after the object');
  }

  private fail(p: number, what: string): false {
    this.error = `invalid JSON at character ${p - lineStart + 1}: ${what}`;
    return false;
  }

  private failAt(): false {
    this.error = failure;
    failure = '';
    return false;
  }
}

// Scanner state passed out of the helpers (single-threaded, so module variables are safe).
let stringHadEscape = false;
let numberIsFloat = false;
let failure = '';
let lineStart = 0;

function setFailure(p: number, what: string): -1 {
  failure = `invalid JSON at character ${p - lineStart + 1}: ${what}`;
  return -1;
}

function describeKind(c: number): string {
  if (c === 91) return 'an array';
  if (c === 34) return 'a string';
  if (c === 116 || c === 102) return 'a boolean';
  if (c === 110) return 'null';
  return 'a number';
}

function ws(buf: Uint8Array, p: number, e: number): number {
  while (p < e) { const c = buf[p]; if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break; p++; }
  return p;
}

/** p is just after the opening quote; returns the position of the closing quote, or -1. */
function scanString(buf: Uint8Array, p: number, e: number): number {
  stringHadEscape = false;
  while (p < e) {
    const c = buf[p]!;
    if (c === 34) return p;
    if (c === 92) {
      stringHadEscape = true;
      if (p + 1 >= e) break;
      const x = buf[p + 1]!;
      if (x === 117) {
        for (let k = 2; k < 6; k++) {
          const h = p + k < e ? buf[p + k]! | 0x20 : 0;
          if (!((h >= 48 && h <= 57) || (h >= 97 && h <= 102))) return setFailure(p, 'bad \\u escape in a string');
        }
        p += 6;
        continue;
      }
      if (x !== 34 && x !== 92 && x !== 47 && x !== 98 && x !== 102 && x !== 110 && x !== 114 && x !== 116) {
        return setFailure(p, 'bad escape in a string');
      }
      p += 2;
      continue;
    }
    if (c < 32) return setFailure(p, 'control character in a string');
    p++;
  }
  return setFailure(p, 'unterminated string');
}

/** -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? at p; returns its end or -1; sets numberIsFloat. */
function scanNumber(buf: Uint8Array, p: number, e: number): number {
  const p0 = p;
  numberIsFloat = false;
  if (buf[p] === 45) p++;
  if (p < e && buf[p] === 48) p++;
  else if (p < e && buf[p]! >= 49 && buf[p]! <= 57) { p++; while (p < e && buf[p]! >= 48 && buf[p]! <= 57) p++; }
  else return setFailure(p0, 'bad number');
  if (p < e && buf[p] === 46) {
    numberIsFloat = true;
    p++;
    const d0 = p;
    while (p < e && buf[p]! >= 48 && buf[p]! <= 57) p++;
    if (p === d0) return setFailure(p0, 'bad number');
  }
  if (p < e && (buf[p] === 101 || buf[p] === 69)) {
    numberIsFloat = true;
    p++;
    if (p < e && (buf[p] === 43 || buf[p] === 45)) p++;
    const d0 = p;
    while (p < e && buf[p]! >= 48 && buf[p]! <= 57) p++;
    if (p === d0) return setFailure(p0, 'bad number');
  }
  return p;
}

function literal(buf: Uint8Array, p: number, e: number, word: string): number {
  if (e - p < word.length) return setFailure(p, 'unexpected token');
  for (let k = 0; k < word.length; k++) if (buf[p + k] !== word.charCodeAt(k)) return setFailure(p, 'unexpected token');
  return p + word.length;
}

/** Validates the JSON value at p; returns its end or -1. */
function scanValue(buf: Uint8Array, p: number, e: number, depth: number): number {
  if (p >= e) return setFailure(p, 'unexpected end of line');
  const c = buf[p]!;
  if (c === 34) { const q = scanString(buf, p + 1, e); return q < 0 ? -1 : q + 1; }
  if (c === 123 || c === 91) {
    if (depth > MAX_DEPTH) return setFailure(p, `nesting deeper than ${MAX_DEPTH}`);
    const close = c === 123 ? 125 : 93;
    p = ws(buf, p + 1, e);
    if (p < e && buf[p] === close) return p + 1;
    for (;;) {
      if (c === 123) {
        if (p >= e || buf[p] !== 34) return setFailure(p, 'expected a key in double quotes');
        const q = scanString(buf, p + 1, e);
        if (q < 0) return -1;
        p = ws(buf, q + 1, e);
        if (p >= e || buf[p] !== 58) return setFailure(p, "expected ':' after a key");
        p = ws(buf, p + 1, e);
      }
      p = scanValue(buf, p, e, depth + 1);
      if (p < 0) return -1;
      p = ws(buf, p, e);
      if (p < e && buf[p] === 44) { p = ws(buf, p + 1, e); continue; }
      if (p < e && buf[p] === close) return p + 1;
      return setFailure(p, `expected ',' or '${String.fromCharCode(close)}'`);
    }
  }
  if (c === 116) return literal(buf, p, e, 'true');
  if (c === 102) return literal(buf, p, e, 'false');
  if (c === 110) return literal(buf, p, e, 'null');
  if (c === 45 || (c >= 48 && c <= 57)) return scanNumber(buf, p, e);
  return setFailure(p, `unexpected character '${String.fromCharCode(c)}'`);
}

/** The text of a JSON string whose content (without quotes) is buf[s, e). */
export function jsonString(buf: Uint8Array, s: number, e: number, escaped: boolean): string {
  return escaped ? (JSON.parse(decodeUtf8(buf, s - 1, e + 1)) as string) : decodeUtf8(buf, s, e);
}

/** Copies buf[s, e) (valid JSON) into out, dropping whitespace outside strings; returns the length. */
export function compactJson(buf: Uint8Array, s: number, e: number, out: Uint8Array, at: number): number {
  let o = at;
  let inStr = false;
  for (let p = s; p < e; p++) {
    const c = buf[p]!;
    if (inStr) {
      out[o++] = c;
      if (c === 92) { out[o++] = buf[++p]!; } else if (c === 34) inStr = false;
    } else if (c !== 32 && c !== 9 && c !== 13 && c !== 10) {
      out[o++] = c;
      if (c === 34) inStr = true;
    }
  }
  return o - at;
}
