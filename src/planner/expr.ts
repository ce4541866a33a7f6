// Column expressions: a closed, serializable tree. The Column DSL builds these; the analyzer
// types them; the optimizer rewrites them; workers compile them into loops over typed arrays.
import { type DataType, assertNever } from './types.js';
import { canonicalKey } from './canonical-key.js';

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%'
  | '=' | '!=' | '<' | '<=' | '>' | '>='
  | 'and' | 'or';

export type AggFn = 'sum' | 'count' | 'avg' | 'min' | 'max' | 'countDistinct';

/**
 * Scalar functions (Spark's names). Argument counts and typing: src/planner/scalar-functions.ts;
 * 'log' takes (x) or (base, x); 'round' takes (x, scale) with scale an int32 literal.
 */
export type ScalarFn =
  | 'exp' | 'log' | 'log10' | 'sqrt' | 'pow' | 'abs' | 'floor' | 'ceil' | 'round' | 'signum'
  | 'greatest' | 'least';

export type LitValue = number | string | boolean | bigint | null;

export type Expr =
  /** A reference to an input column by name. */
  | { readonly kind: 'col'; readonly name: string }
  /** A constant; `type` is fixed when the literal is built (null literals carry a type too). */
  | { readonly kind: 'lit'; readonly value: LitValue; readonly type: DataType }
  /** Arithmetic, comparison or boolean connective with SQL NULL semantics. */
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  /** Boolean negation (NULL stays NULL). */
  | { readonly kind: 'not'; readonly child: Expr }
  /** Arithmetic negation. */
  | { readonly kind: 'neg'; readonly child: Expr }
  /** IS NULL / IS NOT NULL (never NULL itself). */
  | { readonly kind: 'isNull'; readonly child: Expr; readonly negated: boolean }
  /** `child IN (values...)` with SQL semantics (NULL when no match and a NULL is involved). */
  | { readonly kind: 'in'; readonly child: Expr; readonly values: readonly Expr[] }
  /** Type conversion following Spark (double → int truncates toward zero). */
  | { readonly kind: 'cast'; readonly child: Expr; readonly to: DataType }
  /** CASE WHEN ... THEN ... ELSE ... END; a missing ELSE is NULL. */
  | { readonly kind: 'case'; readonly branches: readonly { readonly when: Expr; readonly then: Expr }[]; readonly otherwise: Expr | null }
  /** First non-NULL argument. */
  | { readonly kind: 'coalesce'; readonly args: readonly Expr[] }
  /** A scalar function call, e.g. exp(x), pow(x, y), greatest(a, b, c). */
  | { readonly kind: 'call'; readonly func: ScalarFn; readonly args: readonly Expr[] }
  /** Names the result of `child`. */
  | { readonly kind: 'alias'; readonly child: Expr; readonly name: string }
  /** An aggregate function; `arg` null means count(*). Only valid inside agg(...). */
  | { readonly kind: 'agg'; readonly fn: AggFn; readonly arg: Expr | null }
  /** A sort key; only valid inside orderBy(...). */
  | { readonly kind: 'sortKey'; readonly child: Expr; readonly ascending: boolean; readonly nullsFirst: boolean };

export type ExprKind = Expr['kind'];

export function colRef(name: string): Expr {
  return { kind: 'col', name };
}

/** The direct children of an expression, in a fixed order. */
export function exprChildren(e: Expr): Expr[] {
  switch (e.kind) {
    case 'col': case 'lit': return [];
    case 'binary': return [e.left, e.right];
    case 'not': case 'neg': case 'isNull': case 'cast': case 'alias': case 'sortKey': return [e.child];
    case 'in': return [e.child, ...e.values];
    case 'case': {
      const out: Expr[] = [];
      for (const b of e.branches) out.push(b.when, b.then);
      if (e.otherwise) out.push(e.otherwise);
      return out;
    }
    case 'coalesce': case 'call': return [...e.args];
    case 'agg': return e.arg ? [e.arg] : [];
    default: return assertNever(e, 'expression');
  }
}

/** Rebuilds `e` with new children (same order as exprChildren). */
export function withChildren(e: Expr, c: Expr[]): Expr {
  switch (e.kind) {
    case 'col': case 'lit': return e;
    case 'binary': return { ...e, left: c[0]!, right: c[1]! };
    case 'not': case 'neg': case 'isNull': case 'cast': case 'alias': case 'sortKey': return { ...e, child: c[0]! };
    case 'in': return { ...e, child: c[0]!, values: c.slice(1) };
    case 'case': {
      const branches = e.branches.map((_, i) => ({ when: c[2 * i]!, then: c[2 * i + 1]! }));
      return { ...e, branches, otherwise: e.otherwise ? c[2 * e.branches.length]! : null };
    }
    case 'coalesce': case 'call': return { ...e, args: c };
    case 'agg': return e.arg ? { ...e, arg: c[0]! } : e;
    default: return assertNever(e, 'expression');
  }
}

/** Bottom-up rewrite: `f` sees each node after its children were rewritten. */
export function transformExpr(e: Expr, f: (e: Expr) => Expr): Expr {
  const kids = exprChildren(e);
  let node = e;
  if (kids.length > 0) {
    const next = kids.map((k) => transformExpr(k, f));
    if (next.some((k, i) => k !== kids[i])) node = withChildren(e, next);
  }
  return f(node);
}

export function anyExpr(e: Expr, pred: (e: Expr) => boolean): boolean {
  if (pred(e)) return true;
  return exprChildren(e).some((k) => anyExpr(k, pred));
}

/** Names of the columns an expression reads. */
export function referencedColumns(e: Expr, out: Set<string> = new Set()): Set<string> {
  if (e.kind === 'col') out.add(e.name);
  for (const k of exprChildren(e)) referencedColumns(k, out);
  return out;
}

export function containsAgg(e: Expr): boolean {
  return anyExpr(e, (x) => x.kind === 'agg');
}

/** The name a projected expression produces (Spark-like defaults for unnamed expressions). */
export function outputName(e: Expr): string {
  if (e.kind === 'alias') return e.name;
  if (e.kind === 'col') return e.name;
  return exprToString(e);
}

export function stripAlias(e: Expr): Expr {
  return e.kind === 'alias' ? e.child : e;
}

const OP_TEXT: Record<BinaryOp, string> = {
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%',
  '=': '=', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=', and: 'AND', or: 'OR',
};

export function litToString(value: LitValue, type: DataType): string {
  if (value === null) return 'null';
  if (type === 'string') return `'${String(value).replace(/'/g, "''")}'`;
  if (typeof value === 'number' && Object.is(value, -0)) return '-0.0';
  if (typeof value === 'bigint' || type === 'int64') return `${value}L`;
  if (type === 'float64' && typeof value === 'number' && Number.isInteger(value)) return `${value}.0`;
  return String(value);
}

/** Deterministic SQL-like text, used by explain and as the default column name. */
export function exprToString(e: Expr): string {
  switch (e.kind) {
    case 'col': return e.name;
    case 'lit': return litToString(e.value, e.type);
    case 'binary': return `(${exprToString(e.left)} ${OP_TEXT[e.op]} ${exprToString(e.right)})`;
    case 'not': return `NOT ${exprToString(e.child)}`;
    case 'neg': return `(- ${exprToString(e.child)})`;
    case 'isNull': return `(${exprToString(e.child)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'in': return `(${exprToString(e.child)} IN (${e.values.map(exprToString).join(', ')}))`;
    case 'cast': return `CAST(${exprToString(e.child)} AS ${e.to})`;
    case 'case': {
      const parts = e.branches.map((b) => `WHEN ${exprToString(b.when)} THEN ${exprToString(b.then)}`);
      const other = e.otherwise ? ` ELSE ${exprToString(e.otherwise)}` : '';
      return `CASE ${parts.join(' ')}${other} END`;
    }
    case 'coalesce': return `coalesce(${e.args.map(exprToString).join(', ')})`;
    case 'call': return `${e.func}(${e.args.map(exprToString).join(', ')})`;
    case 'alias': return `${exprToString(e.child)} AS ${e.name}`;
    case 'agg': {
      if (e.fn === 'countDistinct') return `count(DISTINCT ${e.arg ? exprToString(e.arg) : '*'})`;
      return `${e.fn}(${e.arg ? exprToString(e.arg) : '*'})`;
    }
    case 'sortKey': return `${exprToString(e.child)} ${e.ascending ? 'ASC' : 'DESC'} NULLS ${e.nullsFirst ? 'FIRST' : 'LAST'}`;
    default: return assertNever(e, 'expression');
  }
}

/**
 * A stable fingerprint for caching compiled code and spotting repeated expressions: equal trees
 * give equal strings and different trees different ones, literals included (NaN, Infinity,
 * -Infinity, -0 and 0, 5 and 5n are all told apart; see canonical-key.ts).
 */
export function fingerprint(e: Expr): string {
  return canonicalKey(e);
}

export function exprEquals(a: Expr, b: Expr): boolean {
  return fingerprint(a) === fingerprint(b);
}

/** Splits a predicate into its AND-ed parts. */
export function splitConjuncts(e: Expr): Expr[] {
  if (e.kind === 'binary' && e.op === 'and') return [...splitConjuncts(e.left), ...splitConjuncts(e.right)];
  return [e];
}

export function conjoin(parts: readonly Expr[]): Expr | null {
  if (parts.length === 0) return null;
  return parts.reduce((acc, p) => ({ kind: 'binary', op: 'and', left: acc, right: p }));
}
