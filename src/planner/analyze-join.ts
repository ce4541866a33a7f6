// Analysis of an equi-join on columns named alike on both sides (SQL USING, Spark's
// `join(other, ['k'], how)`). The output has each key once — the left's for inner, left, semi
// and anti joins, the right's for a right join, coalesce(left, right) for a full join — then the
// left's other columns, then the right's; semi and anti joins output the left's columns as is.
import { AnalysisError, suggestName } from './errors.js';
import type { Expr } from './expr.js';
import type { JoinType, LogicalPlan } from './logical.js';
import { resolveExpr } from './resolve-expr.js';
import type { Field, Schema } from './types.js';

/** The output schema of a (resolved) join. */
export function joinSchema(left: Schema, right: Schema, on: readonly string[], how: JoinType): Schema {
  if (how === 'semi' || how === 'anti') return left;
  const keys = on.map((k): Field => {
    const l = left.find((f) => f.name === k)!;
    const r = right.find((f) => f.name === k)!;
    switch (how) {
      case 'right': return r;
      case 'full': return { ...l, nullable: l.nullable && r.nullable };
      default: return l;
    }
  });
  const nullableLeft = how === 'right' || how === 'full';
  const nullableRight = how === 'left' || how === 'full';
  return [
    ...keys,
    ...left.filter((f) => !on.includes(f.name)).map((f) => (nullableLeft ? { ...f, nullable: true } : f)),
    ...right.filter((f) => !on.includes(f.name)).map((f) => (nullableRight ? { ...f, nullable: true } : f)),
  ];
}

/**
 * Checks the keys exist on both sides, that no other column name is on both sides, and gives
 * both sides' keys one type (casting the narrower side, as the analyzer does for comparisons).
 */
export function analyzeJoin(left: LogicalPlan, right: LogicalPlan, ls: Schema, rs: Schema, on: readonly string[], how: JoinType): LogicalPlan {
  if (on.length === 0) throw new AnalysisError('join needs at least one key column (cross joins are not supported)');
  if (new Set(on).size !== on.length) throw new AnalysisError(`join keys repeat a column: ${on.join(', ')}`);
  for (const k of on) {
    for (const [side, s] of [['left', ls], ['right', rs]] as const) {
      if (!s.some((f) => f.name === k)) {
        const hint = suggestName(k, s.map((f) => f.name));
        throw new AnalysisError(
          `join key '${k}' is not a column of the ${side} side${hint ? `; did you mean '${hint}'?` : ''} ` +
          `(${side} columns: ${s.map((f) => f.name).join(', ')})`,
        );
      }
    }
  }
  if (how !== 'semi' && how !== 'anti') {
    for (const f of ls) {
      if (!on.includes(f.name) && rs.some((g) => g.name === f.name)) {
        throw new AnalysisError(
          `column '${f.name}' is on both sides of the join but is not a join key; rename one side's with ` +
          `withColumnRenamed('${f.name}', ...) or drop it before joining`,
        );
      }
    }
  }
  let castLeft = false, castRight = false;
  const keyType = new Map<string, Field['type']>();
  for (const k of on) {
    const l = ls.find((f) => f.name === k)!, r = rs.find((f) => f.name === k)!;
    if (l.type === r.type) { keyType.set(k, l.type); continue; }
    let t;
    try {
      t = resolveExpr({ kind: 'binary', op: '=', left: { kind: 'col', name: 'l' }, right: { kind: 'col', name: 'r' } },
        [{ ...l, name: 'l' }, { ...r, name: 'r' }], 'join').expr;
    } catch {
      throw new AnalysisError(`join key '${k}' has type ${l.type} on the left and ${r.type} on the right; cast one side`);
    }
    // After resolution both operands have the common type: the left's cast target, or (when only
    // the right was cast) the left's own type.
    const common = t.kind === 'binary' && t.left.kind === 'cast' ? t.left.to : l.type;
    keyType.set(k, common);
    if (l.type !== common) castLeft = true;
    if (r.type !== common) castRight = true;
  }
  const align = (p: LogicalPlan, s: Schema): LogicalPlan => ({
    kind: 'project', input: p,
    exprs: s.map((f): Expr => {
      const t = keyType.get(f.name);
      return t && t !== f.type ? { kind: 'alias', child: { kind: 'cast', child: { kind: 'col', name: f.name }, to: t }, name: f.name } : { kind: 'col', name: f.name };
    }),
  });
  return {
    kind: 'join', on, how,
    left: castLeft ? align(left, ls) : left,
    right: castRight ? align(right, rs) : right,
  };
}
