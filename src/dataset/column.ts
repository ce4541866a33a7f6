// The Column DSL: a thin, immutable wrapper that builds expression trees.
import type { BinaryOp, Expr, LitValue } from '../planner/expr.js';
import { litType } from '../planner/resolve-expr.js';
import { type DataType, parseTypeName } from '../planner/types.js';

/** Anything a Column method accepts: another Column or a plain JS value (a literal). */
export type ColumnLike = Column | LitValue | Date;

export class Column {
  constructor(readonly expr: Expr) {}

  private bin(op: BinaryOp, other: ColumnLike): Column {
    return new Column({ kind: 'binary', op, left: this.expr, right: toExpr(other) });
  }

  eq(o: ColumnLike): Column { return this.bin('=', o); }
  neq(o: ColumnLike): Column { return this.bin('!=', o); }
  gt(o: ColumnLike): Column { return this.bin('>', o); }
  gte(o: ColumnLike): Column { return this.bin('>=', o); }
  lt(o: ColumnLike): Column { return this.bin('<', o); }
  lte(o: ColumnLike): Column { return this.bin('<=', o); }
  plus(o: ColumnLike): Column { return this.bin('+', o); }
  minus(o: ColumnLike): Column { return this.bin('-', o); }
  mul(o: ColumnLike): Column { return this.bin('*', o); }
  /** Floating-point division, as Spark's `/` (x / 0 is NULL). */
  div(o: ColumnLike): Column { return this.bin('/', o); }
  mod(o: ColumnLike): Column { return this.bin('%', o); }
  and(o: ColumnLike): Column { return this.bin('and', o); }
  or(o: ColumnLike): Column { return this.bin('or', o); }
  not(): Column { return new Column({ kind: 'not', child: this.expr }); }
  negate(): Column { return new Column({ kind: 'neg', child: this.expr }); }
  isNull(): Column { return new Column({ kind: 'isNull', child: this.expr, negated: false }); }
  isNotNull(): Column { return new Column({ kind: 'isNull', child: this.expr, negated: true }); }
  /** isIn(1, 2, 3) or isIn([1, 2, 3]). */
  isIn(...values: (ColumnLike | readonly ColumnLike[])[]): Column {
    const flat = values.length === 1 && Array.isArray(values[0]) ? (values[0] as readonly ColumnLike[]) : (values as ColumnLike[]);
    return new Column({ kind: 'in', child: this.expr, values: flat.map(toExpr) });
  }
  /** Names the column (Spark's alias). */
  as(name: string): Column {
    const inner = this.expr.kind === 'alias' ? this.expr.child : this.expr;
    return new Column({ kind: 'alias', child: inner, name });
  }
  alias(name: string): Column { return this.as(name); }
  cast(type: DataType | string): Column {
    return new Column({ kind: 'cast', child: this.expr, to: parseTypeName(type, 'cast') });
  }
  asc(): Column { return new Column({ kind: 'sortKey', child: this.expr, ascending: true, nullsFirst: true }); }
  desc(): Column { return new Column({ kind: 'sortKey', child: this.expr, ascending: false, nullsFirst: false }); }

  /** Continues a when(...) chain: when(a, x).when(b, y).otherwise(z). */
  when(cond: ColumnLike, value: ColumnLike): Column {
    const e = this.expr;
    if (e.kind !== 'case' || e.otherwise !== null) throw new Error('when() can only follow when(...)');
    return new Column({ ...e, branches: [...e.branches, { when: toExpr(cond), then: toExpr(value) }] });
  }
  otherwise(value: ColumnLike): Column {
    const e = this.expr;
    if (e.kind !== 'case' || e.otherwise !== null) throw new Error('otherwise() can only follow when(...)');
    return new Column({ ...e, otherwise: toExpr(value) });
  }

  toString(): string {
    return JSON.stringify(this.expr);
  }
}

export function toExpr(v: ColumnLike): Expr {
  if (v instanceof Column) return v.expr;
  return litExpr(v);
}

export function litExpr(v: LitValue | Date): Expr {
  if (v instanceof Date) return { kind: 'lit', value: v.getTime(), type: 'timestamp' };
  if (v === undefined) throw new Error('lit(undefined): use null for a NULL literal');
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint' || v === null) {
    return { kind: 'lit', value: typeof v === 'bigint' ? Number(v) : v, type: litType(v) };
  }
  throw new Error(`cannot make a literal of ${typeof v}; use numbers, strings, booleans, bigints, Dates or null`);
}

/** A column name or a Column, as select/orderBy take them. */
export type ColumnRef = string | Column;

export function refToExpr(c: ColumnRef): Expr {
  return typeof c === 'string' ? { kind: 'col', name: c } : c.expr;
}
