// A tiny DSL for planner tests: builds unresolved plans and expressions the way the Dataset
// API would, so each test reads like the plan it checks. Not a test file itself.
import type { AggFn, BinaryOp, Expr, LitValue } from '../../src/planner/expr.js';
import type { FileFormat, FileSource, LogicalPlan, UdfKind } from '../../src/planner/logical.js';
import { litType } from '../../src/planner/resolve-expr.js';
import { type DataType, type Schema, parseTypeName } from '../../src/planner/types.js';
import { analyze } from '../../src/planner/analyzer.js';
import { optimize } from '../../src/planner/optimizer/optimizer.js';
import { logicalTreeString } from '../../src/planner/explain-logical.js';

// ---------------------------------------------------------------- expressions

export const col = (name: string): Expr => ({ kind: 'col', name });
export const lit = (value: LitValue, type?: DataType): Expr => ({ kind: 'lit', value, type: type ?? litType(value) });
export const nul = (type: DataType): Expr => ({ kind: 'lit', value: null, type });
const bin = (op: BinaryOp) => (left: Expr | string, right: Expr | LitValue): Expr => ({
  kind: 'binary', op, left: asExpr(left), right: typeof right === 'object' && right !== null ? right : lit(right),
});
function asExpr(e: Expr | string): Expr {
  return typeof e === 'string' ? col(e) : e;
}
export const plus = bin('+'), minus = bin('-'), mul = bin('*'), div = bin('/'), mod = bin('%');
export const eq = bin('='), neq = bin('!='), gt = bin('>'), gte = bin('>='), lt = bin('<'), lte = bin('<=');
export const and = (l: Expr, r: Expr): Expr => ({ kind: 'binary', op: 'and', left: l, right: r });
export const or = (l: Expr, r: Expr): Expr => ({ kind: 'binary', op: 'or', left: l, right: r });
export const not = (e: Expr): Expr => ({ kind: 'not', child: e });
export const neg = (e: Expr): Expr => ({ kind: 'neg', child: e });
export const isNull = (e: Expr | string): Expr => ({ kind: 'isNull', child: asExpr(e), negated: false });
export const isNotNull = (e: Expr | string): Expr => ({ kind: 'isNull', child: asExpr(e), negated: true });
export const isIn = (e: Expr | string, ...values: LitValue[]): Expr => ({ kind: 'in', child: asExpr(e), values: values.map((v) => lit(v)) });
export const cast = (e: Expr | string, to: DataType): Expr => ({ kind: 'cast', child: asExpr(e), to });
export const as = (e: Expr | string, name: string): Expr => ({ kind: 'alias', child: asExpr(e), name });
export const when = (branches: [Expr, Expr][], otherwise: Expr | null = null): Expr =>
  ({ kind: 'case', branches: branches.map(([w, t]) => ({ when: w, then: t })), otherwise });
export const coalesce = (...args: Expr[]): Expr => ({ kind: 'coalesce', args });
const aggFn = (fn: AggFn) => (arg: Expr | string | null): Expr => ({ kind: 'agg', fn, arg: arg === null ? null : asExpr(arg) });
export const sum = aggFn('sum'), count = aggFn('count'), avg = aggFn('avg'), min = aggFn('min'), max = aggFn('max');

// ---------------------------------------------------------------- plans

/** 'a:int32, b:string' → a schema (all nullable). */
export function schema(spec: string): Schema {
  if (spec.trim() === '') return [];
  return spec.split(',').map((part) => {
    const [name, type] = part.split(':').map((x) => x.trim());
    return { name: name!, type: parseTypeName(type!, 'test schema'), nullable: true };
  });
}

export function local(name: string, spec: string, numRows = 100): LogicalPlan {
  const s = schema(spec);
  return { kind: 'local', id: 1, schema: s, numRows, sizeBytes: numRows * 8 * s.length, partitions: 2, name };
}

export function source(root: string, spec: string, opts: { format?: FileFormat; partitions?: string; rows?: number } = {}): FileSource {
  const format = opts.format ?? 'parquet';
  const rows = opts.rows ?? 10_000;
  return {
    format, root,
    files: [{ path: `${root}/part-0.${format}`, size: rows * 16, partitionValues: {}, numRows: format === 'parquet' ? rows : null, rowGroups: null }],
    dataSchema: schema(spec), partitionSchema: schema(opts.partitions ?? ''), options: {},
  };
}

export function scan(root: string, spec: string, opts: { format?: FileFormat; partitions?: string; rows?: number } = {}): LogicalPlan {
  return { kind: 'scan', source: source(root, spec, opts), columns: null, filters: [] };
}

export const range = (start: number, end: number): LogicalPlan => ({ kind: 'range', start, end, step: 1, partitions: 2 });
export const project = (input: LogicalPlan, ...exprs: (Expr | string)[]): LogicalPlan =>
  ({ kind: 'project', input, exprs: exprs.map(asExpr) });
export const filter = (input: LogicalPlan, condition: Expr): LogicalPlan => ({ kind: 'filter', input, condition });
export const limit = (input: LogicalPlan, n: number): LogicalPlan => ({ kind: 'limit', input, n });
export const union = (...inputs: LogicalPlan[]): LogicalPlan => ({ kind: 'union', inputs });
export const aggregate = (input: LogicalPlan, groupBy: (Expr | string)[], aggs: Expr[]): LogicalPlan =>
  ({ kind: 'aggregate', input, groupBy: groupBy.map(asExpr), aggs });
export function udf(input: LogicalPlan, kind: UdfKind, src: string, outSpec?: string): LogicalPlan {
  return { kind: 'mapUdf', input, udf: kind, source: src, ctx: null, schema: outSpec === undefined ? null : schema(outSpec), udfId: 7 };
}

// ---------------------------------------------------------------- running

export const show = (p: LogicalPlan): string => logicalTreeString(p);

/** Analyzes, optimizes with every rule except `disabled`, and prints. */
export function optimized(p: LogicalPlan, disabled: string[] = []): string {
  return show(optimize(analyze(p), disabled).plan);
}

/** Dedents a template literal: strips the common leading indentation and the outer blank lines. */
export function plan(strings: TemplateStringsArray): string {
  const lines = strings.join('').split('\n');
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Analyzes, applies one rule once, and prints. */
export function rewritten(rule: { apply(p: LogicalPlan): LogicalPlan }, p: LogicalPlan): string {
  return show(rule.apply(analyze(p)));
}
