// Partial aggregation bypassed: input rows turned straight into partial-state rows, one per
// input row, with no table (the layout of group-by.ts's partial(), as if every row were a
// group of its own). The final side merges them like any partial rows.
//
// Why: when a task's groups are about as many as its rows, the partial table does the work
// twice — a hash lookup per row that barely combines anything, on a table too large for the
// cache, and then the final side merges nearly as many rows again. Measured (one task's 2.5M
// rows, 0.9M groups, sum + count): update and partial 383 ms, then the final merge 183 ms;
// converting the rows instead 2 ms, the final merge of every row 389 ms — and on the final
// side the rows are spread over the reduce tasks, whose tables are smaller and cache-resident.
//
// Per aggregate, per row: count(*) → 1; count(x) → 1 or 0 (x NULL); sum(x) → x (a NULL cell
// when x is NULL) and 1 or 0; avg(x) → x as float64 and 1 or 0; min/max(x) and countDistinct(x)
// → x itself. A NULL cell contributes nothing to a merge, so the rows merge exactly as the
// rows of a table would.
import type { Expr } from '../../planner/expr.js';
import type { DataType, Schema } from '../../planner/types.js';
import { type Batch, type Vec, allocValues, compact, makeBatch, numRows, own } from '../batch.js';
import { compileExpr, type CompiledExpr } from '../codegen/compile-expr.js';
import { compileFilter } from '../codegen/compile-filter.js';
import type { AggPlan } from '../ops/agg-kernels.js';

export type BypassConverter = (b: Batch) => Batch;

/**
 * A converter from batches of `input` to partial-state batches of `partialSchema` (keys, then
 * the plans' pieces), keeping only the live rows where `where` IS TRUE.
 */
export function bypassConverter(keys: readonly Expr[], plans: readonly AggPlan[], input: Schema, partialSchema: Schema, where: Expr | null): BypassConverter {
  const keyFns = keys.map((k) => compileExpr(k, input));
  const argFns = plans.map((p) => (p.arg === null ? null : compileExpr(p.arg, input)));
  const filter = where === null ? null : compileFilter(where, input);
  return (b: Batch): Batch => {
    const sel = filter === null ? b.sel : filter(b);
    const n = b.length;
    const cols: Vec[] = keyFns.map((f) => f(b));
    plans.forEach((p, j) => cols.push(...pieces(p, argFns[j]!, b, n)));
    const out = makeBatch(partialSchema, cols, n, sel, b.borrowed === true);
    return out.borrowed ? own(out) : compact(out);
  };
}

/** The partial pieces of one aggregate for every physical row of b (dead rows are dropped later). */
function pieces(p: AggPlan, arg: CompiledExpr | null, b: Batch, n: number): Vec[] {
  if (p.fn === 'count' && arg === null) return [ones(n, null)];
  const x = arg!(b);
  switch (p.fn) {
    case 'count': return [ones(n, x.valid)];
    case 'sum': return [numbers(x, p.resultType), ones(n, x.valid)];
    case 'avg': return [numbers(x, 'float64'), ones(n, x.valid)];
    case 'min': case 'max': case 'countDistinct': return [x];
  }
}

/** int64 1 per row, 0 where `valid` says NULL. */
function ones(n: number, valid: Uint8Array | null): Vec {
  const values = new Float64Array(n);
  if (valid === null) values.fill(1);
  else for (let i = 0; i < n; i++) values[i] = valid[i]!;
  return { type: 'int64', length: n, values, offsets: null, valid: null };
}

/** x's values as a column of `type` (int32 → int64 / float64 widen; the same array otherwise). */
function numbers(x: Vec, type: DataType): Vec {
  if (x.type === type || ((x.type === 'int64' || x.type === 'float64') && (type === 'int64' || type === 'float64'))) {
    return { ...x, type };
  }
  const n = x.length, values = allocValues(type, n), src = x.values;
  for (let i = 0; i < n; i++) values[i] = src[i]!;
  return { type, length: n, values, offsets: null, valid: x.valid };
}

/** Splits a converted batch into batches of at most `rows` rows (views, no copy). */
export function limitRows(b: Batch, rows: number): Batch[] {
  const n = numRows(b);
  if (n <= rows) return [b];
  const out: Batch[] = [];
  for (let at = 0; at < n; at += rows) {
    const end = Math.min(n, at + rows);
    out.push(makeBatch(b.schema, b.columns.map((c) => sliceCol(c, at, end)), end - at));
  }
  return out;
}

function sliceCol(v: Vec, start: number, end: number): Vec {
  const valid = v.valid ? v.valid.slice(start, end) : null;
  if (v.type === 'string') {
    const o = v.offsets!, base = o[start]!;
    const offs = new Int32Array(end - start + 1);
    for (let i = start; i <= end; i++) offs[i - start] = o[i]! - base;
    return { type: v.type, length: end - start, values: (v.values as Uint8Array).slice(base, o[end]!), offsets: offs, valid };
  }
  return { type: v.type, length: end - start, values: v.values.slice(start, end), offsets: null, valid };
}
