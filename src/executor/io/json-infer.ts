// Driver side of the JSON-lines reader: the schema of a set of files, before planning.
// Following Spark: the columns are the union of the keys of all records, sorted by name; an
// integer infers int64, any other number float64, true/false boolean, a string string (strings
// are not parsed as dates), a nested object or array string (its JSON text); mixed int64 and
// float64 give float64, other mixes string, a key only ever null string. Sampling as for CSV:
// all records when the files total at most 64 MiB, else the first `samplingRows` of each file.
// Lines that are not valid JSON objects are left out (the read reports them).
import { promises as fsp } from 'node:fs';
import { field, type Schema } from '../../planner/types.js';
import { mergeTypes, T_BOOLEAN, T_FLOAT64, T_INT64, T_NONE, T_STRING, typeOfCode } from './infer.js';
import { KeyIndex } from './json-keys.js';
import { LineCursor } from './json-lines.js';
import { J_FALSE, J_FLOAT, J_INT, J_NULL, J_TRUE, JsonRecord } from './json-scan.js';
import { ChunkReader } from './text-chunks.js';
import {
  INFER_ALL_ROWS_BYTES, type JsonOptions, normalizeMode, resolveSchemaOption, samplingRows, withCorruptColumn,
} from './text-options.js';
import { parseIntBytes } from './text-parse.js';

export async function inferJsonSchema(files: readonly string[], opts: JsonOptions): Promise<Schema> {
  const mode = normalizeMode(opts.mode, 'JSON options');
  if (opts.schema !== undefined) return withCorruptColumn(resolveSchemaOption(opts.schema, 'read.json schema'), mode);
  const sizes = await Promise.all(files.map(async (f) => {
    try { return (await fsp.stat(f)).size; } catch (err) { throw new Error(`cannot read JSON file ${f}: ${(err as Error).message}`); }
  }));
  const limit = sizes.reduce((a, b) => a + b, 0) <= INFER_ALL_ROWS_BYTES ? Infinity : samplingRows(opts.samplingRows, 'JSON options');
  const keys = new KeyIndex();
  let codes = new Uint8Array(16);
  const rec = new JsonRecord();
  for (const file of files) {
    const reader = new ChunkReader(file, 'JSON');
    try {
      const cur = new LineCursor(reader);
      let seen = 0;
      while (seen < limit && cur.next()) {
        seen++;
        const buf = cur.buf;
        if (!rec.scan(buf, cur.s, cur.e)) continue;
        for (let j = 0; j < rec.count; j++) {
          const c = keys.find(buf, rec, j, true);
          if (c >= codes.length) { const g = new Uint8Array(codes.length * 2); g.set(codes); codes = g; }
          const t = codes[c]!;
          if (t !== T_STRING) codes[c] = mergeTypes(t, jsonKindType(rec.kind[j]!, buf, rec.valS[j]!, rec.valE[j]!));
        }
      }
    } finally {
      reader.close();
    }
  }
  const cols = keys.names.map((name, i) => field(name, typeOfCode(codes[i]!)));
  cols.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return withCorruptColumn(cols, mode);
}

function jsonKindType(kind: number, buf: Uint8Array, s: number, e: number): number {
  switch (kind) {
    case J_NULL: return T_NONE;
    case J_TRUE: case J_FALSE: return T_BOOLEAN;
    case J_INT: { const v = parseIntBytes(buf, s, e); return v === v ? T_INT64 : T_FLOAT64; }
    case J_FLOAT: return T_FLOAT64;
    default: return T_STRING;
  }
}
