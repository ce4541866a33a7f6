// Loading Parquet columns into one contiguous typed array each, for the contenders that keep
// plain arrays (Arquero's tables, the hand-written loop). parquet-wasm decodes one row group at
// a time, only the columns asked for, and arrow-js-ffi views the result in wasm memory; each
// row group's values are copied into the output array before the next is decoded.
import { openAsBlob } from 'node:fs';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { parseTable } from 'arrow-js-ffi';

export type ColumnArray = Int32Array | Float64Array;
export type Columns = Record<string, ColumnArray>;

/** The named columns of several tables, each table from its own file. */
export async function readTables<T extends string>(files: Readonly<Record<T, string>>, need: Partial<Record<T, readonly string[]>>): Promise<Partial<Record<T, Columns>>> {
  const out: Partial<Record<T, Columns>> = {};
  for (const t of Object.keys(need) as T[]) out[t] = await readParquetColumns(files[t], need[t]!);
  return out;
}

/** The named int32 / float64 columns of a Parquet file without NULLs, as whole typed arrays. */
export async function readParquetColumns(path: string, columns: readonly string[]): Promise<Columns> {
  const file = await pw.ParquetFile.fromFile(await openAsBlob(path));
  try {
    const meta = file.metadata();
    const rows = meta.fileMetadata().numRows();
    const groups = meta.numRowGroups();
    if (rows === 0) throw new Error(`${path}: the file has no rows (the benchmark data is never empty)`);
    const out: Record<string, ColumnArray | null> = Object.fromEntries(columns.map((c) => [c, null]));
    let at = 0;
    for (let g = 0; g < groups; g++) {
      const table = await file.read({ columns: [...columns], rowGroups: [g], batchSize: 1 << 20 });
      const ffi = table.intoFFI();
      try {
        const view = parseTable(pw.wasmMemory().buffer, ffi.arrayAddrs(), ffi.schemaAddr(), false);
        for (const c of columns) {
          const vec = view.getChild(c);
          if (vec === null) throw new Error(`${path}: no column '${c}' (the file has ${view.schema.fields.map((f: arrow.Field) => f.name).join(', ')})`);
          if (vec.nullCount > 0) throw new Error(`${path}: column '${c}' has NULLs; this loader reads only columns without them`);
          let dst = out[c] ?? null;
          let p = at;
          for (const d of vec.data) {
            const src = d.values as ColumnArray;
            if (dst === null) dst = out[c] = allocLike(d.type, rows, path, c);
            dst.set(src.subarray(d.offset, d.offset + d.length) as never, p);
            p += d.length;
          }
        }
        at += view.numRows;
      } finally {
        ffi.free();
      }
    }
    if (at !== rows) throw new Error(`${path}: read ${at} rows but the footer says ${rows}`);
    return out as Columns;
  } finally {
    file.free();
  }
}

function allocLike(type: arrow.DataType, rows: number, path: string, c: string): ColumnArray {
  if (arrow.DataType.isInt(type) && type.bitWidth === 32) return new Int32Array(rows);
  if (arrow.DataType.isFloat(type) && type.precision === arrow.Precision.DOUBLE) return new Float64Array(rows);
  throw new Error(`${path}: column '${c}' is ${type}; this loader reads int32 and float64 columns only`);
}
