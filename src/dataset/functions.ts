// Expression functions, as Spark's `functions` object: col, lit, when, coalesce, aggregates,
// math functions.
import type { AggFn, Expr, LitValue, ScalarFn } from '../planner/expr.js';
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

// ---------------------------------------------------------------- math functions
// Spark's semantics (src/planner/scalar-functions.ts has them in full): NULL in → NULL out;
// log of x <= 0 is NULL, sqrt of a negative is NaN; floor/ceil return int64; round is HALF_UP.
// A string argument names a column, a number is a literal.

type NumArg = ColumnRef | number;

/** Functions of doubles: a number argument is a double literal (so `pow(2, c)` prints as pow(2.0, c)). */
const OF_DOUBLES: ReadonlySet<ScalarFn> = new Set(['exp', 'log', 'log10', 'sqrt', 'pow', 'signum']);

function call(func: ScalarFn, ...args: NumArg[]): Column {
  const arg = (c: NumArg): Expr => {
    if (typeof c !== 'number') return refToExpr(c);
    return OF_DOUBLES.has(func) ? { kind: 'lit', value: c, type: 'float64' } : litExpr(c);
  };
  return new Column({ kind: 'call', func, args: args.map(arg) });
}

/** e^x (double). */
export function exp(c: ColumnRef): Column { return call('exp', c); }
/** log(x): the natural logarithm; log(base, x): the logarithm to `base`. NULL when x <= 0 (or base <= 0). */
export function log(c: ColumnRef): Column;
export function log(base: number, c: ColumnRef): Column;
export function log(a: NumArg, b?: ColumnRef): Column {
  return b === undefined ? call('log', a) : call('log', a, b);
}
/** Base-10 logarithm; NULL when x <= 0. */
export function log10(c: ColumnRef): Column { return call('log10', c); }
/** Square root (double); NaN for a negative number, as Spark. */
export function sqrt(c: ColumnRef): Column { return call('sqrt', c); }
/** x raised to y (double), Java's pow: pow(x, 0) = 1, pow(1, NaN) = NaN. */
export function pow(x: NumArg, y: NumArg): Column { return call('pow', x, y); }
/** Absolute value, of the argument's type. */
export function abs(c: ColumnRef): Column { return call('abs', c); }
/** Largest integer <= x, as int64. */
export function floor(c: ColumnRef): Column { return call('floor', c); }
/** Smallest integer >= x, as int64. */
export function ceil(c: ColumnRef): Column { return call('ceil', c); }
/** x rounded to `scale` decimal places (negative: to tens, hundreds, ...), half away from zero (HALF_UP). */
export function round(c: ColumnRef, scale = 0): Column {
  if (!Number.isInteger(scale) || Math.abs(scale) > 2147483647) throw new Error(`round(): scale must be an integer, got ${scale}`);
  return call('round', c, scale);
}
/** -1.0, 0.0 or 1.0 by the sign of x (double; NaN stays NaN). */
export function signum(c: ColumnRef): Column { return call('signum', c); }
/** The largest argument, skipping NULLs (NULL only when all are NULL); at least two. */
export function greatest(...cols: ColumnRef[]): Column { return call('greatest', ...cols); }
/** The smallest argument, skipping NULLs (NULL only when all are NULL); at least two. */
export function least(...cols: ColumnRef[]): Column { return call('least', ...cols); }

/** Marks a dataset to be broadcast in joins it takes part in (the same as ds.hint('broadcast')). */
export function broadcast<T>(ds: Dataset<T>): Dataset<T> {
  return ds.hint('broadcast');
}
