// Row comparison for sorting, merging sorted runs and the sort-merge join (DESIGN §3):
// numbers ascending with NaN greater than every number (NaN = NaN) and -0.0 = 0.0; strings by
// unsigned UTF-8 bytes; false < true; NULLs first or last as the key says (ascending puts
// them first, descending last by Spark's default; callers pass the choice explicitly).
import type { Batch, Vec } from '../batch.js';
import { cmpBytes } from '../codegen/strings.js';

export interface SortKey {
  readonly col: number;
  readonly ascending: boolean;
  readonly nullsFirst: boolean;
}

/** Spark's default NULL placement: first when ascending, last when descending. */
export function sortKey(col: number, ascending = true, nullsFirst = ascending): SortKey {
  return { col, ascending, nullsFirst };
}

/** Compares two doubles: NaN is the largest value and equals itself; -0.0 = 0.0. */
export function cmpDouble(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  const xn = x !== x, yn = y !== y;
  return xn === yn ? 0 : xn ? 1 : -1;
}

/** Ascending comparison of the non-NULL values a[i] and b[j] (same type). */
export function compareValues(a: Vec, i: number, b: Vec, j: number): number {
  switch (a.type) {
    case 'string': {
      const ao = a.offsets!, bo = b.offsets!;
      return cmpBytes(a.values as Uint8Array, ao[i]!, ao[i + 1]!, b.values as Uint8Array, bo[j]!, bo[j + 1]!);
    }
    case 'int64': case 'float64': case 'timestamp':
      return cmpDouble(a.values[i]!, b.values[j]!);
    default:
      return a.values[i]! - b.values[j]!;
  }
}

/** Compares row i of `a` with row j of `b` (physical positions) by `keys`. */
export function compareRows(a: Batch, i: number, b: Batch, j: number, keys: readonly SortKey[]): number {
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const x = a.columns[key.col]!, y = b.columns[key.col]!;
    const xn = x.valid !== null && x.valid[i] === 0;
    const yn = y.valid !== null && y.valid[j] === 0;
    if (xn || yn) {
      if (xn && yn) continue;
      return xn === key.nullsFirst ? -1 : 1;
    }
    const c = compareValues(x, i, y, j);
    if (c !== 0) return key.ascending ? c : -c;
  }
  return 0;
}

/** Ascending comparison of key columns a[*][i] and b[*][j] (no NULLs; pairwise same types). */
export function compareKeyCols(a: readonly Vec[], i: number, b: readonly Vec[], j: number): number {
  for (let k = 0; k < a.length; k++) {
    const c = compareValues(a[k]!, i, b[k]!, j);
    if (c !== 0) return c;
  }
  return 0;
}

/** True when any of the columns is NULL at row i. */
export function anyNullAt(cols: readonly Vec[], i: number): boolean {
  for (let k = 0; k < cols.length; k++) {
    const v = cols[k]!.valid;
    if (v !== null && v[i] === 0) return true;
  }
  return false;
}
