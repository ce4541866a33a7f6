// constant-folding: computes, once in the planner, what would be the same for every row, and
// simplifies boolean logic, so workers evaluate less and other rules see plainer conditions.
//
//   Filter ((a > CAST(5 AS int64)) AND true)        Filter (a > 5L)
//   +- Project [(2 + 3) AS five, a]           =>    +- Project [5 AS five, a]
//
//   Filter (1 = 1)                                  x     (a filter that is always TRUE goes)
//   +- x                                      =>
//
// What folds, with the engine's semantics (and why each is safe):
//   - an operator whose inputs are all literals: int32 arithmetic wraps; int64 folds only
//     when the result is exact as a double (the engine holds int64 in Float64Arrays);
//     x / 0 and x % 0 are NULL; comparisons (strings by UTF-8 bytes; never when a NaN is
//     involved, nor on dates/timestamps, whose literal encoding belongs to the executor);
//     IN, IS [NOT] NULL, NOT, negation, scalar functions (exp, log, round, greatest, ...).
//   - an arithmetic or comparison operator with a NULL literal operand is NULL.
//   - casts of literals where the result is certain: between the numeric types when the
//     value is in range (double → integer truncates toward zero), integers and booleans to
//     string, numbers to boolean (non-zero) and back. Casts from strings (parsing rules) and
//     of doubles to strings are left to the engine.
//   - AND/OR under SQL three-valued logic: x AND true → x, x AND false → false (NULL AND false
//     is false too), x OR false → x, x OR true → true; x AND NULL stays.
//   - NOT NOT x → x; NOT (a < b) → a >= b (and the other comparisons) only when the operands
//     are not float64: with a NaN the two agree only under the engine's ordering (NaN = NaN,
//     NaN largest), not under IEEE comparisons, and the planner does not bet on which.
//   - CASE drops branches whose condition is literal false or NULL; a literal-true branch
//     becomes the ELSE (the whole CASE when it is first). coalesce drops NULL literals and
//     everything after a non-NULL literal; with one argument left it is that argument.
//   - in a Filter, a NULL condition (or conjunct) keeps no row, exactly like false. A Filter
//     whose condition folds to TRUE is removed; one that folds to false stays (there is no
//     empty relation node), with the condition `false`.
// Names and types never change: folded values keep the type the analyzer gave the
// expression, and projections keep their aliases.
import {
  type BinaryOp, type Expr, type LitValue, conjoin, exprEquals, splitConjuncts, transformExpr,
} from '../expr.js';
import { type LogicalPlan, transformUp } from '../logical.js';
import { schemaOf } from '../analyzer.js';
import { resolveExpr } from '../resolve-expr.js';
import type { Rule } from '../optimizer/rule.js';
import { type DataType, type Schema, assertNever } from '../types.js';
import { evalScalar } from '../scalar-functions.js';

export const constantFolding: Rule = {
  name: 'constant-folding',
  apply(plan: LogicalPlan): LogicalPlan {
    return transformUp(plan, foldNode);
  },
};

function foldNode(p: LogicalPlan): LogicalPlan {
  switch (p.kind) {
    case 'project': {
      const exprs = foldAll(p.exprs, schemaOf(p.input));
      return exprs === p.exprs ? p : { ...p, exprs };
    }
    case 'filter': {
      const condition = foldPredicate(foldExpr(p.condition, schemaOf(p.input)));
      if (isLit(condition, true)) return p.input;
      return condition === p.condition ? p : { ...p, condition };
    }
    case 'aggregate': {
      const s = schemaOf(p.input);
      const groupBy = foldAll(p.groupBy, s);
      const aggs = foldAll(p.aggs, s);
      return groupBy === p.groupBy && aggs === p.aggs ? p : { ...p, groupBy, aggs };
    }
    case 'scan': {
      const s = [...p.source.dataSchema, ...p.source.partitionSchema];
      const filters: Expr[] = [];
      for (const f of p.filters) {
        const g = foldExpr(f, s);
        if (!isLit(g, true) && !filters.some((x) => exprEquals(x, g))) filters.push(g);
      }
      const same = filters.length === p.filters.length && filters.every((f, i) => f === p.filters[i]);
      return same ? p : { ...p, filters };
    }
    case 'local': case 'range': case 'mapUdf': case 'limit': case 'union':
    case 'join': case 'sort': case 'distinct': case 'repartition': case 'hint': case 'cached':
      return p;
    default: return assertNever(p, 'plan node');
  }
}

/** Folds each expression; returns the same array when none changed. */
function foldAll(es: readonly Expr[], schema: Schema): readonly Expr[] {
  const out = es.map((e) => foldExpr(e, schema));
  return out.every((e, i) => e === es[i]) ? es : out;
}

/** Folds an expression bottom-up; returns the same object when nothing folded. */
export function foldExpr(e: Expr, schema: Schema): Expr {
  return transformExpr(e, (x) => simplify(x, schema));
}

/** In a filter, NULL and false both drop the row: a NULL or false conjunct makes it `false`. */
function foldPredicate(cond: Expr): Expr {
  const parts = splitConjuncts(cond);
  if (!parts.some((c) => c.kind === 'lit')) return cond;
  if (parts.some((c) => c.kind === 'lit' && c.value !== true)) return lit(false, 'boolean');
  return conjoin(parts.filter((c) => !isLit(c, true))) ?? lit(true, 'boolean');
}

function lit(value: LitValue, type: DataType): Expr {
  return { kind: 'lit', value, type };
}

function isLit(e: Expr, value: LitValue): boolean {
  return e.kind === 'lit' && e.value === value;
}

function typeOf(e: Expr, schema: Schema): DataType {
  if (e.kind === 'lit') return e.type;
  return resolveExpr(e, schema, 'constant-folding').type;
}

/** One simplification step on a node whose children are already folded. */
function simplify(e: Expr, schema: Schema): Expr {
  switch (e.kind) {
    case 'binary': return simplifyBinary(e);
    case 'not': {
      const c = e.child;
      if (c.kind === 'lit') return c.value === null ? c : lit(!c.value, 'boolean');
      if (c.kind === 'not') return c.child;
      if (c.kind === 'binary' && NEGATED[c.op] && typeOf(c.left, schema) !== 'float64') {
        return { ...c, op: NEGATED[c.op]! };
      }
      return e;
    }
    case 'neg': {
      const c = e.child;
      if (c.kind === 'neg') return c.child; // exact for doubles, and wrapping ints negate back
      if (c.kind !== 'lit') return e;
      if (c.value === null) return c;
      const v = negate(c.value, c.type);
      return v === undefined ? e : lit(v, c.type);
    }
    case 'isNull':
      return e.child.kind === 'lit' ? lit((e.child.value === null) !== e.negated, 'boolean') : e;
    case 'in': {
      const c = e.child;
      if (c.kind !== 'lit' || !e.values.every((v) => v.kind === 'lit')) return e;
      if (c.value === null) return lit(null, 'boolean');
      let sawNull = false;
      for (const v of e.values as readonly Extract<Expr, { kind: 'lit' }>[]) {
        if (v.value === null) { sawNull = true; continue; }
        const d = compare(c.value, v.value, c.type);
        if (d === undefined) return e;
        if (d === 0) return lit(true, 'boolean');
      }
      return lit(sawNull ? null : false, 'boolean');
    }
    case 'cast': {
      const c = e.child;
      if (c.kind !== 'lit') return e;
      if (c.value === null) return lit(null, e.to);
      const v = castValue(c.value, c.type, e.to);
      return v === undefined ? e : lit(v, e.to);
    }
    case 'case': {
      const branches: { when: Expr; then: Expr }[] = [];
      let otherwise = e.otherwise;
      for (const b of e.branches) {
        if (b.when.kind === 'lit' && b.when.value !== true) continue; // false / NULL: never taken
        if (isLit(b.when, true)) { otherwise = b.then; break; }
        branches.push(b);
      }
      if (branches.length === e.branches.length && otherwise === e.otherwise) return e;
      if (branches.length > 0) return { kind: 'case', branches, otherwise };
      return otherwise ?? lit(null, typeOf(e, schema));
    }
    case 'coalesce': {
      const args: Expr[] = [];
      for (const a of e.args) {
        if (isLit(a, null)) continue;
        args.push(a);
        if (a.kind === 'lit') break; // a non-NULL literal: later arguments are never reached
      }
      if (args.length === e.args.length) return args.length === 1 ? args[0]! : e;
      if (args.length === 0) return lit(null, typeOf(e, schema));
      return args.length === 1 ? args[0]! : { kind: 'coalesce', args };
    }
    case 'call': return foldCall(e, schema);
    case 'col': case 'lit': case 'alias': case 'agg': case 'sortKey': return e;
    default: return assertNever(e, 'expression');
  }
}

/**
 * A scalar function of literals becomes its value (src/planner/scalar-functions.ts computes
 * it as the engine does). Results that are NaN or infinite, and int64 results a double does
 * not hold exactly, are left for the engine, which folds them itself when it compiles.
 */
function foldCall(e: Extract<Expr, { kind: 'call' }>, schema: Schema): Expr {
  if (!e.args.every((a) => a.kind === 'lit')) return e;
  const lits = e.args as readonly Extract<Expr, { kind: 'lit' }>[];
  if (!lits.every((a) => a.value === null || typeof a.value === 'number' || typeof a.value === 'bigint')) return e;
  const type = typeOf(e, schema);
  const v = evalScalar(e.func, lits.map((a) => (a.value === null ? null : Number(a.value))), lits.map((a) => a.type), type);
  if (v === null) return lit(null, type);
  if (!Number.isFinite(v)) return e;
  if (type === 'int64') return Number.isSafeInteger(v) ? lit(BigInt(v), type) : e;
  return lit(v, type);
}

const NEGATED: Partial<Record<BinaryOp, BinaryOp>> = {
  '<': '>=', '<=': '>', '>': '<=', '>=': '<', '=': '!=', '!=': '=',
};

function simplifyBinary(e: Extract<Expr, { kind: 'binary' }>): Expr {
  const { left: L, right: R } = e;
  if (e.op === 'and') {
    if (isLit(L, false) || isLit(R, false)) return lit(false, 'boolean');
    if (isLit(L, true)) return R;
    if (isLit(R, true)) return L;
    if (isLit(L, null) && isLit(R, null)) return L;
    return e;
  }
  if (e.op === 'or') {
    if (isLit(L, true) || isLit(R, true)) return lit(true, 'boolean');
    if (isLit(L, false)) return R;
    if (isLit(R, false)) return L;
    if (isLit(L, null) && isLit(R, null)) return L;
    return e;
  }
  if (L.kind !== 'lit' && R.kind !== 'lit') return e;
  const comparison = NEGATED[e.op] !== undefined;
  // The analyzer gave both operands the same type, so a literal operand tells it.
  const operandType = L.kind === 'lit' ? L.type : (R as Extract<Expr, { kind: 'lit' }>).type;
  const resultType: DataType = comparison ? 'boolean' : e.op === '/' ? 'float64' : operandType;
  if (isLit(L, null) || isLit(R, null)) return lit(null, resultType);
  if (L.kind !== 'lit' || R.kind !== 'lit') return e;
  const v = comparison ? compareOp(e.op, L.value!, R.value!, operandType) : arith(e.op, L.value!, R.value!, operandType);
  return v === undefined ? e : lit(v, resultType);
}

type NonNull = Exclude<LitValue, null>;

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function big(v: NonNull): bigint | undefined {
  if (typeof v === 'bigint') return v;
  return typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : undefined;
}

/** An int64 result, only when a double holds it exactly (as the engine stores int64). */
function safeBig(v: bigint): bigint | undefined {
  return v >= -SAFE && v <= SAFE ? v : undefined;
}

function arith(op: BinaryOp, a: NonNull, b: NonNull, type: DataType): LitValue | undefined {
  if (type === 'int32' && typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '+': return (a + b) | 0;
      case '-': return (a - b) | 0;
      case '*': return Math.imul(a, b);
      case '%': return b === 0 ? null : (a % b) | 0;
      default: return undefined;
    }
  }
  if (type === 'int64') {
    const x = big(a), y = big(b);
    if (x === undefined || y === undefined) return undefined;
    switch (op) {
      case '+': return safeBig(x + y);
      case '-': return safeBig(x - y);
      case '*': return safeBig(x * y);
      case '%': return y === 0n ? null : safeBig(x % y);
      default: return undefined;
    }
  }
  if (type === 'float64' && typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '/': return b === 0 ? null : a / b;
      case '%': return b === 0 ? null : a % b;
      default: return undefined;
    }
  }
  return undefined;
}

function compareOp(op: BinaryOp, a: NonNull, b: NonNull, type: DataType): boolean | undefined {
  const d = compare(a, b, type);
  if (d === undefined) return undefined;
  switch (op) {
    case '=': return d === 0;
    case '!=': return d !== 0;
    case '<': return d < 0;
    case '<=': return d <= 0;
    case '>': return d > 0;
    case '>=': return d >= 0;
    default: return undefined;
  }
}

const encoder = new TextEncoder();

/** Sign of a - b for two values of `type`, or undefined when folding it is not certain. */
function compare(a: NonNull, b: NonNull, type: DataType): number | undefined {
  switch (type) {
    case 'int32': case 'float64':
      if (typeof a !== 'number' || typeof b !== 'number' || Number.isNaN(a) || Number.isNaN(b)) return undefined;
      return a < b ? -1 : a > b ? 1 : 0; // -0 equals 0, as the engine compares
    case 'int64': {
      const x = big(a), y = big(b);
      if (x === undefined || y === undefined) return undefined;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'string': {
      if (typeof a !== 'string' || typeof b !== 'string') return undefined;
      const x = encoder.encode(a), y = encoder.encode(b);
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return x.length - y.length;
    }
    case 'boolean':
      if (typeof a !== 'boolean' || typeof b !== 'boolean') return undefined;
      return Number(a) - Number(b);
    case 'date': case 'timestamp': return undefined;
    default: return assertNever(type, 'type');
  }
}

function negate(v: NonNull, type: DataType): LitValue | undefined {
  if (type === 'int32' && typeof v === 'number') return (-v) | 0;
  if (type === 'float64' && typeof v === 'number') return -v;
  if (type === 'int64') { const x = big(v); return x === undefined ? undefined : safeBig(-x); }
  return undefined;
}

function castValue(v: NonNull, from: DataType, to: DataType): LitValue | undefined {
  if (from === to) return v;
  switch (from) {
    case 'int32':
    case 'int64': {
      const x = big(v);
      if (x === undefined) return undefined;
      switch (to) {
        case 'int32': return x >= INT32_MIN && x <= INT32_MAX ? Number(x) : undefined;
        case 'int64': return safeBig(x);
        case 'float64': return safeBig(x) === undefined ? undefined : Number(x);
        case 'string': return x.toString();
        case 'boolean': return x !== 0n;
        default: return undefined;
      }
    }
    case 'float64': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
      const t = Math.trunc(v) + 0; // truncates toward zero; + 0 turns -0 into 0
      switch (to) {
        case 'int32': return t >= INT32_MIN && t <= INT32_MAX ? t : undefined;
        case 'int64': return Number.isSafeInteger(t) ? BigInt(t) : undefined;
        case 'boolean': return v !== 0;
        default: return undefined; // double → string formatting is the engine's business
      }
    }
    case 'boolean': {
      if (typeof v !== 'boolean') return undefined;
      switch (to) {
        case 'int32': case 'float64': return v ? 1 : 0;
        case 'int64': return v ? 1n : 0n;
        case 'string': return v ? 'true' : 'false';
        default: return undefined;
      }
    }
    case 'string': case 'date': case 'timestamp': return undefined;
    default: return assertNever(from, 'type');
  }
}
