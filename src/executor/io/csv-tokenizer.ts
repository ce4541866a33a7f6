// Splits CSV bytes into records and fields (RFC 4180): fields separated by a one-byte
// delimiter; a field that starts with the quote character runs to the matching quote and may
// hold delimiters and line breaks; inside it a doubled quote (or escape + quote, or escape +
// escape) stands for one character. Records end at LF, CRLF or a lone CR; blank lines are
// skipped. Nothing is copied: a field is a byte range of the input, except a quoted field with
// escapes, whose unescaped bytes go to `scratch` (flag F_SCRATCH).
//
// A record is stored only when it is complete in the buffer: when the bytes run out mid-record
// (and more may follow) tokenizing stops before it, so the caller can refill and go on.
import type { CsvDialect } from './text-options.js';

export const F_QUOTED = 1;
export const F_SCRATCH = 2;
/** The record has fewer fields than the schema: this one is absent. */
export const F_MISSING = 4;

/** A quoted field runs to the end of the file. */
export const E_UNTERMINATED = 1;
/** Something other than a delimiter or line break follows a closing quote. */
export const E_AFTER_QUOTE = 2;

const LF = 10;
const CR = 13;

export class CsvTokens {
  /** Fields stored per record (the schema width); further fields are counted, not stored. */
  readonly width: number;
  readonly cap: number;
  /** Field k of record r is at index r * width + k. */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly flags: Uint8Array;
  readonly recStart: Int32Array;
  /** End of the record's text (before its line break). */
  readonly recEnd: Int32Array;
  /** 1-based line on which the record starts. */
  readonly recLine: Float64Array;
  /** Number of fields the record really has. */
  readonly recFields: Int32Array;
  readonly recErr: Uint8Array;
  readonly recErrCol: Int32Array;
  scratch: Uint8Array = new Uint8Array(4096);
  scratchLen = 0;
  /** After tokenize(): records stored, where the next record starts, and its line. */
  count = 0;
  pos = 0;
  line = 1;
  private lineAfter = 1;

  constructor(width: number, cap: number) {
    this.width = Math.max(width, 1);
    this.cap = cap;
    const n = this.width * cap;
    this.starts = new Int32Array(n);
    this.ends = new Int32Array(n);
    this.flags = new Uint8Array(n);
    this.recStart = new Int32Array(cap);
    this.recEnd = new Int32Array(cap);
    this.recLine = new Float64Array(cap);
    this.recFields = new Int32Array(cap);
    this.recErr = new Uint8Array(cap);
    this.recErrCol = new Int32Array(cap);
  }

  /**
   * Tokenizes up to `maxRecords` records of buf[pos, end) into slots 0.., starting at this.pos /
   * this.line, and advances them. Fewer records are stored when the data runs out; if it ran
   * out inside a record and !eof, this.pos is that record's start (refill, then call again).
   */
  tokenize(buf: Uint8Array, end: number, eof: boolean, d: CsvDialect, maxRecords: number): void {
    let p = this.pos;
    let line = this.line;
    let n = 0;
    const limit = Math.min(maxRecords, this.cap);
    this.scratchLen = 0;
    while (n < limit && p < end) {
      const c = buf[p];
      if (c === LF) { p++; line++; continue; }
      if (c === CR) {
        if (p + 1 < end) { p += buf[p + 1] === LF ? 2 : 1; line++; continue; }
        if (!eof) break;
        p++; line++; continue;
      }
      const next = this.record(buf, p, end, eof, d, n, line);
      if (next < 0) break;
      p = next;
      line = this.lineAfter;
      n++;
    }
    this.count = n;
    this.pos = p;
    this.line = line;
  }

  /** Tokenizes the record at p0 into slot n; returns the position after it, or -1 if incomplete. */
  private record(buf: Uint8Array, p0: number, end: number, eof: boolean, d: CsvDialect, n: number, line0: number): number {
    const delim = d.delim, quote = d.quote, esc = d.escape, stops = d.stops;
    const W = this.width, base = n * W;
    const starts = this.starts, ends = this.ends, flags = this.flags;
    let p = p0, line = line0, f = 0, err = 0, errCol = 0, recEnd = 0;
    for (;;) {
      let fs = p, fe = p, fl = 0;
      if (p < end && buf[p] === quote) {
        p++;
        fs = p;
        fl = F_QUOTED;
        let sc = -1;                       // write position in scratch once the field has escapes
        let scratch = this.scratch;
        for (;;) {
          if (p >= end) {
            if (!eof) return -1;
            if (err === 0) { err = E_UNTERMINATED; errCol = f; }
            break;
          }
          const c = buf[p]!;
          if (c === quote || (c === esc && esc !== quote)) {
            if (p + 1 >= end && !eof) return -1;
            const nx = p + 1 < end ? buf[p + 1]! : -1;
            if (nx === quote || (c === esc && nx === esc)) {
              // an escaped character: the field's bytes are no longer contiguous
              if (sc < 0) {
                sc = this.scratchLen;
                scratch = this.ensureScratch(sc + (p - fs) + 1);
                for (let i = fs; i < p; i++) scratch[sc++] = buf[i]!;
                fs = this.scratchLen;
              }
              if (sc >= scratch.length) scratch = this.ensureScratch(sc + 1);
              scratch[sc++] = nx;
              p += 2;
              continue;
            }
            if (c === quote) break;        // the closing quote
          } else if (c === LF) {
            line++;
          } else if (c === CR) {
            if (p + 1 >= end && !eof) return -1;
            if (p + 1 >= end || buf[p + 1] !== LF) line++;
          }
          if (sc >= 0) {
            if (sc >= scratch.length) scratch = this.ensureScratch(sc + 1);
            scratch[sc++] = c;
          }
          p++;
        }
        if (sc >= 0) { fl |= F_SCRATCH; fe = sc; this.scratchLen = sc; } else fe = p;
        if (p < end) p++;                  // past the closing quote
        else if (!eof) return -1;
        if (p < end) {
          const c = buf[p];
          if (c !== delim && c !== LF && c !== CR) {
            if (err === 0) { err = E_AFTER_QUOTE; errCol = f; }
            while (p < end) { const x = buf[p]; if (x === delim || x === LF || x === CR) break; p++; }
            if (p >= end && !eof) return -1;
          }
        } else if (!eof) return -1;
      } else {
        while (p < end && stops[buf[p]!] === 0) p++;
        if (p >= end && !eof) return -1;
        fe = p;
      }
      if (f < W) { starts[base + f] = fs; ends[base + f] = fe; flags[base + f] = fl; }
      f++;
      if (p >= end) { recEnd = p; break; }
      const c = buf[p];
      if (c === delim) { p++; continue; }
      recEnd = p;
      if (c === CR) {
        if (p + 1 < end) p += buf[p + 1] === LF ? 2 : 1;
        else if (eof) p++;
        else return -1;
      } else {
        p++;
      }
      line++;
      break;
    }
    for (let k = f; k < W; k++) { starts[base + k] = 0; ends[base + k] = 0; flags[base + k] = F_MISSING; }
    this.recStart[n] = p0;
    this.recEnd[n] = recEnd;
    this.recLine[n] = line0;
    this.recFields[n] = f;
    this.recErr[n] = err;
    this.recErrCol[n] = errCol;
    this.lineAfter = line;
    return p;
  }

  private ensureScratch(need: number): Uint8Array {
    if (need > this.scratch.length) {
      let cap = this.scratch.length * 2;
      while (cap < need) cap *= 2;
      const s = new Uint8Array(cap);
      s.set(this.scratch);
      this.scratch = s;
    }
    return this.scratch;
  }
}
