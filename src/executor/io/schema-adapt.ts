// Reading one file of a merged schema (mergeSchema, schema-merge.ts): the file may lack some
// requested columns (they read as NULL) or hold a narrower numeric type (int32 read as int64
// or float64, int64 as float64). `adaptBatch` turns what the file gave into the requested
// columns with the merged types, in the requested order.
import type { DataType, Field, Schema } from '../../planner/types.js';
import { type Batch, type Vec, allocValues, makeBatch } from '../batch.js';

/** A column of `n` NULLs. */
export function nullVec(type: DataType, n: number): Vec {
  return {
    type, length: n, values: allocValues(type, type === 'string' ? 0 : n),
    offsets: type === 'string' ? new Int32Array(n + 1) : null, valid: new Uint8Array(n),
  };
}

/** `v` read as the wider numeric type `to` (int32 → int64/float64 copy; int64 → float64 relabels). */
export function widenVec(v: Vec, to: DataType, where: string): Vec {
  if (v.type === to) return v;
  if (v.type === 'int32' && (to === 'int64' || to === 'float64')) {
    const src = v.values as Int32Array;
    const out = new Float64Array(v.length);
    for (let i = 0; i < out.length; i++) out[i] = src[i]!;
    return { type: to, length: v.length, values: out, offsets: null, valid: v.valid };
  }
  // int64 and float64 share the Float64Array layout (batch.ts).
  if (v.type === 'int64' && to === 'float64') return { ...v, type: to };
  throw new Error(`${where}: cannot read a ${v.type} column as ${to}`);
}

/** True when the file's fields already are the requested ones (nothing to adapt). */
export function sameFields(file: Schema, target: Schema, columns: readonly string[]): boolean {
  for (const c of columns) {
    const f = file.find((x) => x.name === c);
    const t = target.find((x) => x.name === c);
    if (!f || !t || f.type !== t.type) return false;
  }
  return true;
}

/**
 * The batch with `columns` (in that order) typed as in `target`: columns the batch lacks are
 * NULL, narrower numeric columns widened. The selection vector is kept.
 */
export function adaptBatch(b: Batch, target: Schema, columns: readonly string[], where: string): Batch {
  const fields: Field[] = [];
  const cols: Vec[] = [];
  const n = b.length;
  for (const c of columns) {
    const t = target.find((x) => x.name === c);
    if (!t) throw new Error(`${where}: column '${c}' is not in the merged schema`);
    const i = b.schema.findIndex((x) => x.name === c);
    cols.push(i < 0 ? nullVec(t.type, n) : widenVec(b.columns[i]!, t.type, `${where}, column '${c}'`));
    fields.push(i < 0 ? { ...t, nullable: true } : t);
  }
  return makeBatch(fields, cols, n, b.sel, b.borrowed === true);
}
