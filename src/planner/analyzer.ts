// The analyzer: resolves every name and type in a plan before anything runs, inserts the
// implicit casts, and rejects plans that cannot run with a message a user can act on.
// Its output is a *resolved* plan: schemaOf() works on it and the optimizer rewrites it.
import {
  type Expr, containsAgg, exprToString, outputName, stripAlias,
} from './expr.js';
import { type LogicalPlan, children } from './logical.js';
import { canCast, resolveExpr } from './resolve-expr.js';
import { type DataType, type Field, type Schema, assertNever } from './types.js';
import { AnalysisError } from './errors.js';
import { analyzeJoin, joinSchema } from './analyze-join.js';

const schemaCache = new WeakMap<LogicalPlan, Schema>();

/** The output schema of a resolved plan node. */
export function schemaOf(p: LogicalPlan): Schema {
  const hit = schemaCache.get(p);
  if (hit) return hit;
  const s = computeSchema(p);
  schemaCache.set(p, s);
  return s;
}

function computeSchema(p: LogicalPlan): Schema {
  switch (p.kind) {
    case 'scan': {
      const all = [...p.source.dataSchema, ...p.source.partitionSchema];
      if (p.columns === null) return all;
      return p.columns.map((c) => all.find((f) => f.name === c)!);
    }
    case 'local': return p.schema;
    case 'range': return [{ name: 'id', type: 'int64', nullable: false }];
    case 'project': {
      const input = schemaOf(p.input);
      return p.exprs.map((e) => fieldOf(e, input, 'select'));
    }
    case 'filter': case 'limit': return schemaOf(p.input);
    case 'mapUdf': return p.udf === 'filter' ? schemaOf(p.input) : (p.schema ?? []);
    case 'aggregate': {
      const input = schemaOf(p.input);
      return [...p.groupBy, ...p.aggs].map((e) => fieldOf(e, input, 'agg'));
    }
    case 'union': {
      const first = schemaOf(p.inputs[0]!);
      return first.map((f, i) => ({ ...f, nullable: p.inputs.some((x) => schemaOf(x)[i]!.nullable) }));
    }
    case 'join': return joinSchema(schemaOf(p.left), schemaOf(p.right), p.on, p.how);
    case 'sort': case 'distinct': case 'repartition': case 'hint': case 'cached': return schemaOf(p.input);
    default: return assertNever(p, 'plan node');
  }
}

function fieldOf(e: Expr, input: Schema, where: string): Field {
  const r = resolveExpr(e, input, where);
  return { name: outputName(e), type: r.type, nullable: r.nullable };
}

/** Resolves a whole plan bottom-up; throws AnalysisError on the first problem. */
export function analyze(p: LogicalPlan): LogicalPlan {
  const kids = children(p).map(analyze);
  switch (p.kind) {
    case 'scan': case 'local': return p;
    case 'range':
      if (!Number.isFinite(p.start) || !Number.isFinite(p.end) || !Number.isFinite(p.step) || p.step === 0) {
        throw new AnalysisError(`range(${p.start}, ${p.end}, ${p.step}): bounds must be finite and step non-zero`);
      }
      return p;
    case 'project': {
      const input = schemaOf(kids[0]!);
      const exprs = p.exprs.map((e) => {
        if (containsAgg(e)) {
          throw new AnalysisError(`aggregate function in select: ${exprToString(e)}; use agg(...) or groupBy(...).agg(...)`);
        }
        return resolveNamed(e, input, 'select');
      });
      checkUnique(exprs.map(outputName), 'select');
      return { ...p, input: kids[0]!, exprs };
    }
    case 'filter': {
      const input = schemaOf(kids[0]!);
      if (containsAgg(p.condition)) throw new AnalysisError(`aggregate function in filter: ${exprToString(p.condition)}`);
      const r = resolveExpr(p.condition, input, 'filter');
      if (r.type !== 'boolean') {
        throw new AnalysisError(`filter condition must be boolean, but ${exprToString(p.condition)} is ${r.type}`);
      }
      return { ...p, input: kids[0]!, condition: r.expr };
    }
    case 'mapUdf':
      if (p.udf !== 'filter' && p.schema === null) {
        throw new AnalysisError(`the output schema of ${p.udf}() was not inferred; pass { schema } as its options`);
      }
      return { ...p, input: kids[0]! };
    case 'aggregate': {
      const input = schemaOf(kids[0]!);
      const groupBy = p.groupBy.map((e) => {
        if (containsAgg(e)) throw new AnalysisError(`aggregate function in groupBy: ${exprToString(e)}`);
        return resolveNamed(e, input, 'groupBy');
      });
      const aggs = p.aggs.map((e) => {
        const inner = stripAlias(e);
        if (inner.kind !== 'agg') {
          throw new AnalysisError(
            `agg() takes aggregate functions such as sum('amount') or count('*'), got ${exprToString(e)}; ` +
            `compute expressions over the results with withColumn afterwards`,
          );
        }
        return resolveNamed(e, input, 'agg');
      });
      checkUnique([...groupBy, ...aggs].map(outputName), 'agg');
      return { ...p, input: kids[0]!, groupBy, aggs };
    }
    case 'limit':
      if (!Number.isInteger(p.n) || p.n < 0) throw new AnalysisError(`limit(${p.n}): n must be a non-negative integer`);
      return { ...p, input: kids[0]! };
    case 'union': return analyzeUnion(kids);
    case 'join': return analyzeJoin(kids[0]!, kids[1]!, schemaOf(kids[0]!), schemaOf(kids[1]!), p.on, p.how);
    case 'sort': {
      const input = schemaOf(kids[0]!);
      if (p.order.length === 0) throw new AnalysisError('orderBy needs at least one column');
      const order = p.order.map((e): Expr => {
        const key: Expr = e.kind === 'sortKey' ? e : { kind: 'sortKey', child: e, ascending: true, nullsFirst: true };
        if (containsAgg(key)) throw new AnalysisError(`aggregate function in orderBy: ${exprToString(e)}`);
        return resolveExpr(key, input, 'orderBy').expr;
      });
      return { ...p, input: kids[0]!, order };
    }
    case 'distinct': case 'hint': return { ...p, input: kids[0]! };
    // A cached dataset's plan is analyzed on its own: to the rest of the plan it is a leaf.
    case 'cached': return { ...p, input: analyze(p.input) };
    case 'repartition': {
      if (!Number.isInteger(p.n) || p.n < 1) throw new AnalysisError(`${p.shuffle ? 'repartition' : 'coalesce'}(${p.n}): the partition count must be a positive integer`);
      const input = schemaOf(kids[0]!);
      const keys = p.keys.map((e) => {
        if (containsAgg(e)) throw new AnalysisError(`aggregate function in repartition: ${exprToString(e)}`);
        return resolveExpr(e, input, 'repartition').expr;
      });
      return { ...p, input: kids[0]!, keys };
    }
    default: return assertNever(p, 'plan node');
  }
}

/** Resolves `e` and keeps the name the user gave it (or the default name of the original). */
function resolveNamed(e: Expr, input: Schema, where: string): Expr {
  const name = outputName(e);
  const r = resolveExpr(stripAlias(e), input, where).expr;
  if (r.kind === 'col' && r.name === name) return r;
  return { kind: 'alias', child: r, name };
}

function checkUnique(names: readonly string[], where: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new AnalysisError(`duplicate column name '${n}' in ${where}; rename one with .as('...')`);
    seen.add(n);
  }
}

/**
 * The type two union inputs meet at: numeric widening, date with timestamp, and — as Spark
 * does — anything with a string becomes a string. Booleans meet only booleans.
 */
function unionType(a: DataType, b: DataType, name: string, position: number): DataType {
  try {
    return resolveExpr(
      { kind: 'coalesce', args: [{ kind: 'col', name: 'a' }, { kind: 'col', name: 'b' }] },
      [{ name: 'a', type: a, nullable: true }, { name: 'b', type: b, nullable: true }], 'union',
    ).type;
  } catch {
    if ((a === 'string' || b === 'string') && canCast(a, 'string') && canCast(b, 'string')) return 'string';
    throw new AnalysisError(`union cannot combine column ${position + 1} ('${name}'): ${a} vs ${b}; cast one side explicitly`);
  }
}

/** Union by position: same column count; types widened with casts where they differ. */
function analyzeUnion(inputs: readonly LogicalPlan[]): LogicalPlan {
  const schemas = inputs.map(schemaOf);
  const first = schemas[0]!;
  for (let i = 1; i < schemas.length; i++) {
    if (schemas[i]!.length !== first.length) {
      throw new AnalysisError(
        `union needs the same number of columns on both sides: [${first.map((f) => f.name).join(', ')}] vs ` +
        `[${schemas[i]!.map((f) => f.name).join(', ')}]`,
      );
    }
  }
  const target: Field[] = first.map((f, c) => {
    let t = f.type;
    for (const s of schemas.slice(1)) {
      const o = s[c]!.type;
      if (o === t) continue;
      t = unionType(t, o, f.name, c);
    }
    return { ...f, type: t };
  });
  const aligned = inputs.map((inp, i) => {
    const s = schemas[i]!;
    const needs = s.some((f, c) => f.type !== target[c]!.type || f.name !== target[c]!.name);
    if (!needs) return inp;
    const exprs: Expr[] = s.map((f, c) => {
      const ref: Expr = { kind: 'col', name: f.name };
      const typed: Expr = f.type === target[c]!.type ? ref : { kind: 'cast', child: ref, to: target[c]!.type };
      return typed.kind === 'col' && f.name === target[c]!.name ? typed : { kind: 'alias', child: typed, name: target[c]!.name };
    });
    return { kind: 'project', input: inp, exprs } as LogicalPlan;
  });
  return { kind: 'union', inputs: aligned };
}
