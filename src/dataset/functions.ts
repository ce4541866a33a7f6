// Expression functions, as Spark's `functions` object: col, lit, when, coalesce, aggregates.
import type { AggFn, LitValue } from '../planner/expr.js';
import { Column, type ColumnLike, type ColumnRef, litExpr, refToExpr, toExpr } from './column.js';
import type { Dataset } from './dataset.js';

export function col(name: string): Column {
  return new Column({ kind: 'col', name });
}

export function lit(v: LitValue | Date): Column {
  return new Column(litExpr(v));
}

/** CASE WHEN: when(cond, value).when(...).otherwise(value); without otherwise, NULL. */
export function when(cond: ColumnLike, value: ColumnLike): Column {
  return new Column({ kind: 'case', branches: [{ when: toExpr(cond), then: toExpr(value) }], otherwise: null });
}

export function coalesce(...cols: ColumnLike[]): Column {
  return new Column({ kind: 'coalesce', args: cols.map((c) => (typeof c === 'string' ? refToExpr(c) : toExpr(c))) });
}

export function asc(c: ColumnRef): Column {
  return new Column({ kind: 'sortKey', child: refToExpr(c), ascending: true, nullsFirst: true });
}

export function desc(c: ColumnRef): Column {
  return new Column({ kind: 'sortKey', child: refToExpr(c), ascending: false, nullsFirst: false });
}

function aggregate(fn: AggFn, c: ColumnRef): Column {
  if (c === '*') {
    if (fn !== 'count') throw new Error(`${fn}('*') is not valid; only count('*') counts rows`);
    return new Column({ kind: 'agg', fn, arg: null });
  }
  return new Column({ kind: 'agg', fn, arg: refToExpr(c) });
}

/** Sum of the non-NULL values (NULL when there are none). */
export function sum(c: ColumnRef): Column { return aggregate('sum', c); }
/** count('*') counts rows; count(col) counts non-NULL values. */
export function count(c: ColumnRef): Column { return aggregate('count', c); }
export function avg(c: ColumnRef): Column { return aggregate('avg', c); }
export function mean(c: ColumnRef): Column { return aggregate('avg', c); }
export function min(c: ColumnRef): Column { return aggregate('min', c); }
export function max(c: ColumnRef): Column { return aggregate('max', c); }
/** Number of distinct non-NULL values. */
export function countDistinct(c: ColumnRef): Column { return aggregate('countDistinct', c); }

/** Marks a dataset to be broadcast in joins it takes part in (the same as ds.hint('broadcast')). */
export function broadcast<T>(ds: Dataset<T>): Dataset<T> {
  return ds.hint('broadcast');
}
