// Resolves an expression against an input schema: checks every column exists, types every
// node and inserts the implicit casts, so that after resolution both operands of every binary
// operator, every IN value and every CASE branch have exactly the same type. Workers rely on
// that: their code generator never guesses at coercions.
import { type Expr, type LitValue, exprToString, containsAgg } from './expr.js';
import {
  type DataType, type Schema, isNumeric, widerNumeric, assertNever,
} from './types.js';
import { AnalysisError, suggestName } from './errors.js';
import { callSignature } from './scalar-functions.js';

export interface Resolved {
  readonly expr: Expr;
  readonly type: DataType;
  readonly nullable: boolean;
  /** Set on a NULL literal that an explicit cast gave its type (lit(null).cast('int64')). */
  readonly castNull?: true;
}

const CASTABLE: Record<DataType, readonly DataType[]> = {
  int32: ['int32', 'int64', 'float64', 'string', 'boolean'],
  int64: ['int32', 'int64', 'float64', 'string', 'boolean', 'timestamp'],
  float64: ['int32', 'int64', 'float64', 'string', 'boolean'],
  string: ['int32', 'int64', 'float64', 'string', 'boolean', 'date', 'timestamp'],
  boolean: ['int32', 'int64', 'float64', 'string', 'boolean'],
  date: ['string', 'date', 'timestamp'],
  timestamp: ['int64', 'string', 'date', 'timestamp'],
};

export function canCast(from: DataType, to: DataType): boolean {
  return CASTABLE[from].includes(to);
}

function isNullLit(e: Expr): boolean {
  return e.kind === 'lit' && e.value === null;
}

/**
 * Whether `r` is an untyped NULL: lit(null) as written (Spark's NullType), which takes the type
 * of the operands it meets. lit(null) is built with type string (litType); a NULL literal of
 * any other type, or one a cast typed (even as string), counts with its type as Spark's
 * CAST(NULL AS BIGINT) does — a NULL of another type met in an already resolved tree already
 * has the common type, so resolving a resolved tree again changes nothing.
 */
function isUntypedNull(r: Resolved): boolean {
  return r.expr.kind === 'lit' && r.expr.value === null && r.type === 'string' && r.castNull !== true;
}

/** Wraps `r` so it has type `to` (no-op when it already has it). */
function coerce(r: Resolved, to: DataType): Resolved {
  if (r.type === to) return r;
  if (r.expr.kind === 'lit' && r.expr.value === null) {
    return { expr: { kind: 'lit', value: null, type: to }, type: to, nullable: true };
  }
  return { expr: { kind: 'cast', child: r.expr, to }, type: to, nullable: r.nullable || r.type === 'string' };
}

/** The type a set of operands is brought to, or null if they cannot meet (untyped NULLs adopt it). */
function commonType(rs: readonly Resolved[]): DataType | null {
  const typed = rs.filter((r) => !isUntypedNull(r));
  if (typed.length === 0) return rs[0]?.type ?? 'string';
  let t: DataType = typed[0]!.type;
  for (const r of typed.slice(1)) {
    if (r.type === t) continue;
    const w = widerNumeric(t, r.type);
    if (w) { t = w; continue; }
    // A string literal next to a date/timestamp is read as one (col('d').gte('2024-01-01')).
    if ((t === 'date' || t === 'timestamp') && r.type === 'string' && r.expr.kind === 'lit') continue;
    if ((r.type === 'date' || r.type === 'timestamp') && t === 'string' && typed.every((x) => x.type !== 'string' || x.expr.kind === 'lit')) {
      t = r.type; continue;
    }
    if ((t === 'date' && r.type === 'timestamp') || (t === 'timestamp' && r.type === 'date')) { t = 'timestamp'; continue; }
    return null;
  }
  return t;
}

function mismatch(e: Expr, what: string, types: readonly DataType[]): AnalysisError {
  return new AnalysisError(
    `type mismatch in ${exprToString(e)}: ${what} (${types.join(' vs ')}); ` +
    `cast one side explicitly, e.g. col('x').cast('float64')`,
  );
}

function litType(v: LitValue): DataType {
  if (v === null) return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'bigint') return 'int64';
  return Number.isInteger(v) && Math.abs(v) <= 2147483647 && !Object.is(v, -0) ? 'int32' : 'float64';
}

export { litType };

export function resolveExpr(e: Expr, schema: Schema, where: string): Resolved {
  const r = (x: Expr) => resolveExpr(x, schema, where);
  switch (e.kind) {
    case 'col': {
      const f = schema.find((x) => x.name === e.name);
      if (!f) {
        const hint = suggestName(e.name, schema.map((x) => x.name));
        throw new AnalysisError(
          `cannot resolve column '${e.name}' in ${where}${hint ? `; did you mean '${hint}'?` : ''} ` +
          `(available: ${schema.map((x) => x.name).join(', ') || 'none'})`,
        );
      }
      return { expr: e, type: f.type, nullable: f.nullable };
    }
    case 'lit':
      return { expr: e, type: e.type, nullable: e.value === null };
    case 'binary': {
      const L = r(e.left), R = r(e.right);
      switch (e.op) {
        case 'and': case 'or': {
          const l = L.type === 'boolean' || isNullLit(L.expr) ? coerce(L, 'boolean') : null;
          const rr = R.type === 'boolean' || isNullLit(R.expr) ? coerce(R, 'boolean') : null;
          if (!l || !rr) throw mismatch(e, `${e.op.toUpperCase()} needs boolean operands`, [L.type, R.type]);
          return { expr: { ...e, left: l.expr, right: rr.expr }, type: 'boolean', nullable: l.nullable || rr.nullable };
        }
        case '+': case '-': case '*': case '/': case '%': {
          let t = commonType([L, R]);
          if (!t || !isNumeric(t)) throw mismatch(e, `arithmetic needs numeric operands`, [L.type, R.type]);
          if (e.op === '/') t = 'float64'; // Spark: `/` is floating-point division
          const l = coerce(L, t), rr = coerce(R, t);
          const nullable = l.nullable || rr.nullable || e.op === '/' || e.op === '%';
          return { expr: { ...e, left: l.expr, right: rr.expr }, type: t, nullable };
        }
        default: {
          const t = commonType([L, R]);
          if (!t) throw mismatch(e, `cannot compare`, [L.type, R.type]);
          const l = coerce(L, t), rr = coerce(R, t);
          return { expr: { ...e, left: l.expr, right: rr.expr }, type: 'boolean', nullable: l.nullable || rr.nullable };
        }
      }
    }
    case 'not': {
      const c = r(e.child);
      if (c.type !== 'boolean' && !isNullLit(c.expr)) throw mismatch(e, 'NOT needs a boolean', [c.type]);
      return { expr: { ...e, child: coerce(c, 'boolean').expr }, type: 'boolean', nullable: c.nullable };
    }
    case 'neg': {
      const c = r(e.child);
      if (!isNumeric(c.type)) throw mismatch(e, 'negation needs a number', [c.type]);
      return { expr: { ...e, child: c.expr }, type: c.type, nullable: c.nullable };
    }
    case 'isNull': {
      const c = r(e.child);
      return { expr: { ...e, child: c.expr }, type: 'boolean', nullable: false };
    }
    case 'in': {
      const c = r(e.child);
      const vs = e.values.map(r);
      const t = commonType([c, ...vs]);
      if (!t) throw mismatch(e, 'IN values must have the type of the tested value', [c.type, ...vs.map((v) => v.type)]);
      const cc = coerce(c, t);
      const nullable = cc.nullable || vs.some((v) => v.nullable);
      return { expr: { kind: 'in', child: cc.expr, values: vs.map((v) => coerce(v, t).expr) }, type: 'boolean', nullable };
    }
    case 'cast': {
      const c = r(e.child);
      if (!isNullLit(c.expr) && !canCast(c.type, e.to)) {
        throw new AnalysisError(`cannot cast ${exprToString(e.child)} from ${c.type} to ${e.to}`);
      }
      if (isNullLit(c.expr)) return { expr: { kind: 'lit', value: null, type: e.to }, type: e.to, nullable: true, castNull: true };
      if (c.type === e.to) return c;
      return { expr: { ...e, child: c.expr }, type: e.to, nullable: c.nullable || c.type === 'string' };
    }
    case 'case': {
      const whens = e.branches.map((b) => {
        const w = r(b.when);
        if (w.type !== 'boolean' && !isNullLit(w.expr)) throw mismatch(e, 'WHEN conditions must be boolean', [w.type]);
        return coerce(w, 'boolean');
      });
      const values = [...e.branches.map((b) => r(b.then)), ...(e.otherwise ? [r(e.otherwise)] : [])];
      const t = commonType(values);
      if (!t) throw mismatch(e, 'CASE branches must have compatible types', values.map((v) => v.type));
      const cv = values.map((v) => coerce(v, t));
      const branches = e.branches.map((_, i) => ({ when: whens[i]!.expr, then: cv[i]!.expr }));
      const otherwise = e.otherwise ? cv[cv.length - 1]!.expr : null;
      const nullable = cv.some((v) => v.nullable) || !e.otherwise;
      return { expr: { kind: 'case', branches, otherwise }, type: t, nullable };
    }
    case 'coalesce': {
      if (e.args.length === 0) throw new AnalysisError('coalesce() needs at least one argument');
      const as = e.args.map(r);
      const t = commonType(as);
      if (!t) throw mismatch(e, 'coalesce arguments must have compatible types', as.map((a) => a.type));
      const ca = as.map((a) => coerce(a, t));
      return { expr: { kind: 'coalesce', args: ca.map((a) => a.expr) }, type: t, nullable: ca.every((a) => a.nullable) };
    }
    case 'call': {
      const as = e.args.map(r);
      const sig = callSignature(e, as.map((a) => (isUntypedNull(a) ? null : a.type)), commonType(as));
      if (typeof sig === 'string') throw mismatch(e, sig, as.map((a) => a.type));
      const ca = as.map((a, i) => coerce(a, sig.args[i]!));
      const nullable = sig.nullOnInvalid || (sig.nullWhenAllNull ? ca.every((a) => a.nullable) : ca.some((a) => a.nullable));
      return { expr: { ...e, args: ca.map((a) => a.expr) }, type: sig.result, nullable };
    }
    case 'alias': {
      const c = r(e.child);
      return { expr: { ...e, child: c.expr }, type: c.type, nullable: c.nullable };
    }
    case 'agg': {
      if (e.arg === null) {
        if (e.fn !== 'count') throw new AnalysisError(`${e.fn}(*) is not valid; only count('*') takes '*'`);
        return { expr: e, type: 'int64', nullable: false };
      }
      if (containsAgg(e.arg)) throw new AnalysisError(`aggregate functions cannot be nested: ${exprToString(e)}`);
      const a = r(e.arg);
      switch (e.fn) {
        case 'count': case 'countDistinct': return { expr: { ...e, arg: a.expr }, type: 'int64', nullable: false };
        case 'sum': {
          if (!isNumeric(a.type)) throw mismatch(e, 'sum needs a number', [a.type]);
          const t: DataType = a.type === 'float64' ? 'float64' : 'int64';
          return { expr: { ...e, arg: a.expr }, type: t, nullable: true };
        }
        case 'avg':
          if (!isNumeric(a.type)) throw mismatch(e, 'avg needs a number', [a.type]);
          return { expr: { ...e, arg: a.expr }, type: 'float64', nullable: true };
        case 'min': case 'max':
          return { expr: { ...e, arg: a.expr }, type: a.type, nullable: true };
        default: return assertNever(e.fn, 'aggregate');
      }
    }
    case 'sortKey': {
      const c = r(e.child);
      return { expr: { ...e, child: c.expr }, type: c.type, nullable: c.nullable };
    }
    default: return assertNever(e, 'expression');
  }
}
