// Helpers shared by the rules that move expressions across a Project, an Aggregate or a
// Union (not a rule itself). Moving an expression below a node that names its outputs means
// replacing each reference to an output by the expression that computes it.
import { type Expr, exprChildren, outputName, stripAlias, transformExpr } from '../expr.js';
import { deterministic } from './push-down-filter.js';

/** Output name → the expression computing it (alias stripped), for a list of named exprs. */
export function definitions(exprs: readonly Expr[]): Map<string, Expr> {
  const m = new Map<string, Expr>();
  for (const e of exprs) m.set(outputName(e), stripAlias(e));
  return m;
}

/** Replaces every column reference that `defs` knows by its definition. */
export function substitute(e: Expr, defs: ReadonlyMap<string, Expr>): Expr {
  return transformExpr(e, (x) => (x.kind === 'col' ? defs.get(x.name) ?? x : x));
}

/** `body` named `name`: a bare column of that name stays bare, anything else gets an alias. */
export function named(body: Expr, name: string): Expr {
  return body.kind === 'col' && body.name === name ? body : { kind: 'alias', child: body, name };
}

/** How many times each column is referenced (referencedColumns gives the set, not the count). */
export function countUses(e: Expr, uses: Map<string, number>): void {
  if (e.kind === 'col') uses.set(e.name, (uses.get(e.name) ?? 0) + 1);
  for (const k of exprChildren(e)) countUses(k, uses);
}

/**
 * Whether `users` can take `defs` in place of their column references without changing
 * results or multiplying work: every definition used is deterministic, and one that does work
 * (anything but a column or a literal) is used at most once — else the merged expressions
 * would compute it several times per row.
 */
export function substitutable(defs: ReadonlyMap<string, Expr>, users: readonly Expr[]): boolean {
  const uses = new Map<string, number>();
  for (const e of users) countUses(e, uses);
  for (const [name, n] of uses) {
    const d = defs.get(name);
    if (d === undefined) continue;
    if (!deterministic(d)) return false;
    if (n > 1 && d.kind !== 'col' && d.kind !== 'lit') return false;
  }
  return true;
}
