// Driver side of the JSON-lines reader: the schema of a set of files, before planning.
// Following Spark: the columns are the union of the keys of all records, sorted by name; an
// integer infers int64, any other number float64, true/false boolean, a string string (strings
// are not parsed as dates), a nested object or array string (its JSON text); mixed int64 and
// float64 give float64, other mixes string, a key only ever null string. Sampling as for CSV:
// all records when the files total at most 64 MiB, else the first `samplingRows` of each file.
// Lines that are not valid JSON objects are left out (the read reports them).
//
// Drift between files: a key missing from a file is NULL there (JSON writers, ours and Spark's,
// omit NULL fields, so key sets legitimately differ); a key whose values are of one JSON kind in
// one file and another kind in another file (a number here, a string there) is an error naming
// both files, with or without mergeSchema: within one file mixed kinds read as string, as in
// Spark, but across files it is a producer that changed the field's type.
import { promises as fsp } from 'node:fs';
import { field, type Schema } from '../../planner/types.js';
import { mergeTypes, T_BOOLEAN, T_FLOAT64, T_INT64, T_NONE, T_STRING, typeOfCode } from './infer.js';
import { KeyIndex } from './json-keys.js';
import { LineCursor } from './json-lines.js';
import { J_FALSE, J_FLOAT, J_INT, J_NULL, J_TRUE, JsonRecord } from './json-scan.js';
import { ChunkReader } from './text-chunks.js';
import {
  effectiveMode, INFER_ALL_ROWS_BYTES, type JsonOptions, resolveSchemaOption, samplingRows, withCorruptColumn,
} from './text-options.js';
import { parseIntBytes } from './text-parse.js';

export async function inferJsonSchema(files: readonly string[], opts: JsonOptions): Promise<Schema> {
  const mode = effectiveMode(opts, 'JSON options');
  if (opts.schema !== undefined) return withCorruptColumn(resolveSchemaOption(opts.schema, 'read.json schema'), mode);
  const sizes = await Promise.all(files.map(async (f) => {
    try { return (await fsp.stat(f)).size; } catch (err) { throw new Error(`cannot read JSON file ${f}: ${(err as Error).message}`); }
  }));
  const limit = sizes.reduce((a, b) => a + b, 0) <= INFER_ALL_ROWS_BYTES ? Infinity : samplingRows(opts.samplingRows, 'JSON options');
  const keys = new KeyIndex();
  /** Each key's type over all files so far, and the file that first gave it a type (named in drift errors). */
  let codes = new Uint8Array(16);
  const origin: string[] = [];
  /** Each key's type in the current file. */
  let own = new Uint8Array(16);
  const rec = new JsonRecord();
  for (const file of files) {
    own.fill(T_NONE);
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
          if (c >= own.length) {
            const g = new Uint8Array(own.length * 2); g.set(own); own = g;
            const h = new Uint8Array(codes.length * 2); h.set(codes); codes = h;
          }
          const t = own[c]!;
          if (t !== T_STRING) own[c] = mergeTypes(t, jsonKindType(rec.kind[j]!, buf, rec.valS[j]!, rec.valE[j]!));
        }
      }
    } finally {
      reader.close();
    }
    for (let c = 0; c < keys.names.length; c++) {
      const t = own[c]!;
      if (t === T_NONE) continue;
      const g = codes[c]!;
      if (g === T_NONE) { codes[c] = t; origin[c] = file; continue; }
      const m = mergeTypes(g, t);
      if (m === T_STRING && g !== t) {
        throw new Error(`JSON files disagree on the type of '${keys.names[c]}': ${typeOfCode(g)} in ${origin[c]}, ${typeOfCode(t)} in ${file}; ` +
          'values of one key must be of one JSON kind across files (numbers may mix integers and decimals); pass a schema to read them as one type');
      }
      codes[c] = m;
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
