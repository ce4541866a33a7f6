// Driver side of the CSV reader: the schema of a set of files, before planning.
//
// Column names come from the first non-empty file's header (or are _c0, _c1, ... without one);
// every other file's header must be the same (else an error naming both files), or with
// mergeSchema the columns are the union of the headers (order of first appearance), each file
// read by its own header's names. A column's type is the join (infer.ts) of the types of its
// values in all files, as within one file: inferred types never drift, they widen. When the
// files total more than INFER_ALL_ROWS_BYTES (64 MiB), only the first `samplingRows` records
// (default 100,000) of each file are looked at: a later value that does not fit the inferred
// type is then a malformed record at read time. Records with the wrong number of fields or a
// broken quote are left out of inference (the read reports them).
import { promises as fsp } from 'node:fs';
import type { Schema } from '../../planner/types.js';
import { firstRecord } from './csv-header.js';
import { CsvTokens, F_SCRATCH } from './csv-tokenizer.js';
import { skipRecord } from './csv-read.js';
import { checkSameHeader } from './schema-merge.js';
import { classifyText, fieldsFromCodes, fitsType, headerNames, mergeTypes, T_STRING } from './infer.js';
import { ChunkReader } from './text-chunks.js';
import {
  type CsvDialect, type CsvOptions, csvDialect, INFER_ALL_ROWS_BYTES, resolveSchemaOption, withCorruptColumn,
} from './text-options.js';
import { bytesEqual } from './text-parse.js';

const SEGMENT_RECORDS = 8192;

export async function inferCsvSchema(files: readonly string[], opts: CsvOptions): Promise<Schema> {
  const d = csvDialect(opts);
  if (opts.schema !== undefined) return withCorruptColumn(resolveSchemaOption(opts.schema, 'read.csv schema'), d.mode);
  const sizes = await Promise.all(files.map(async (f) => {
    try { return (await fsp.stat(f)).size; } catch (err) { throw new Error(`cannot read CSV file ${f}: ${(err as Error).message}`); }
  }));
  const limit = sizes.reduce((a, b) => a + b, 0) <= INFER_ALL_ROWS_BYTES ? Infinity : d.samplingRows;
  const merge = opts.mergeSchema === true && d.header;
  /** The columns: the first file's, or with mergeSchema the union of all headers in order of appearance. */
  let names: string[] | null = null;
  let firstFile = '';
  let codes = new Uint8Array(0);
  for (const file of files) {
    const reader = new ChunkReader(file, 'CSV');
    try {
      const start = reader.bomLength();
      const first = firstRecord(reader, d, start);
      if (first === null) continue;
      const own = d.header ? headerNames(first) : first.map((_, i) => `_c${i}`);
      let map: Int32Array;
      if (names === null) {
        names = own;
        firstFile = file;
        codes = new Uint8Array(names.length);
        map = Int32Array.from(own, (_, i) => i);
      } else if (merge) {
        const union = names;
        map = Int32Array.from(own, (n) => { const i = union.indexOf(n); return i >= 0 ? i : union.push(n) - 1; });
        if (codes.length < union.length) { const g = new Uint8Array(union.length); g.set(codes); codes = g; }
      } else {
        if (d.header) checkSameHeader({ path: firstFile, names }, { path: file, names: own });
        map = Int32Array.from(names, (_, i) => i);
      }
      if (!d.inferSchema) {
        if (d.header) continue;              // later headers are still checked
        break;
      }
      scanTypes(reader, d, start, codes, map, limit);
    } finally {
      reader.close();
    }
  }
  if (names === null) return withCorruptColumn([], d.mode);
  if (!d.inferSchema) codes.fill(T_STRING);
  return withCorruptColumn(fieldsFromCodes(names, codes), d.mode);
}

/** Joins into codes the types of the (first `limit`) records of the file; file column c is codes[map[c]]. */
function scanTypes(reader: ChunkReader, d: CsvDialect, start: number, codes: Uint8Array, map: Int32Array, limit: number): void {
  const W = map.length;
  const tok = new CsvTokens(W, SEGMENT_RECORDS);
  tok.pos = start;
  if (d.header) skipRecord(reader, tok, d);
  const nv = d.nullValue, nl = nv.length;
  let seen = 0;
  while (seen < limit) {
    const want = Math.min(tok.cap, limit - seen);
    tok.tokenize(reader.buf, reader.end, reader.eof, d, want);
    const n = tok.count;
    const buf = reader.buf;
    for (let c = 0; c < W; c++) {
      let t = codes[map[c]!]!;
      if (t === T_STRING) continue;
      for (let r = 0; r < n && t !== T_STRING; r++) {
        if (tok.recErr[r] !== 0 || tok.recFields[r] !== W) continue;
        const k = r * W + c;
        const fl = tok.flags[k]!;
        const s = tok.starts[k]!, e = tok.ends[k]!;
        const src = (fl & F_SCRATCH) !== 0 ? tok.scratch : buf;
        if (s === e || (nl > 0 && bytesEqual(src, s, e, nv)) || fitsType(t, src, s, e)) continue;
        t = mergeTypes(t, classifyText(src, s, e));
      }
      codes[map[c]!] = t;
    }
    seen += n;
    if (n < want) {
      if (reader.eof) break;
      reader.refill(tok.pos);
      tok.pos = 0;
    }
  }
}
