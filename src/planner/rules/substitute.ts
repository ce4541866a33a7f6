// Helpers shared by the rules that move expressions across a Project, an Aggregate or a
// Union (not a rule itself). Moving an expression below a node that names its outputs means
// replacing each reference to an output by the expression that computes it.
import { type Expr, outputName, stripAlias, transformExpr } from '../expr.js';

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
