// remove-redundant-project: drops a Project that changes nothing, and merges two stacked
// Projects into one (Spark's CollapseProject).
//
//   Project [a, b]              x [a, b]          (the Project outputs exactly its input:
//   +- x [a, b]          =>                        same columns, same order, same names)
//
//   Project [(y + 1) AS z]               Project [((a * 2) + 1) AS z]
//   +- Project [(a * 2) AS y, a]   =>    +- x
//      +- x
//
// Merging substitutes each reference to an inner output by the inner expression; it is
// correct because all our expressions are deterministic (push-down-filter.ts). It is skipped
// when an inner expression that does work (anything but a column or a literal) would be
// referenced more than once by the outer Project, since the merged plan would compute it
// several times per row.
import { type Expr, outputName, stripAlias } from '../expr.js';
import { type LogicalPlan, transformUp } from '../logical.js';
import { schemaOf } from '../analyzer.js';
import type { Rule } from '../optimizer/rule.js';
import { definitions, named, substitutable, substitute } from './substitute.js';

type Project = Extract<LogicalPlan, { kind: 'project' }>;

export const removeRedundantProject: Rule = {
  name: 'remove-redundant-project',
  apply(plan: LogicalPlan): LogicalPlan {
    return transformUp(plan, (p) => (p.kind === 'project' ? simplify(p) : p));
  },
};

/**
 * Drops or merges at one node until nothing applies: after a merge the result may merge with
 * the next Project down (a chain of withColumn calls collapses from the top in one pass).
 */
function simplify(p: Project): LogicalPlan {
  let current = p;
  for (;;) {
    if (isIdentity(current)) return current.input;
    if (current.input.kind !== 'project') return current;
    const merged = collapse(current, current.input);
    if (merged === null) return current;
    current = merged;
  }
}

function isIdentity(p: Project): boolean {
  const input = schemaOf(p.input);
  return p.exprs.length === input.length &&
    p.exprs.every((e, i) => e.kind === 'col' && e.name === input[i]!.name);
}

function collapse(outer: Project, inner: Project): Project | null {
  const defs = definitions(inner.exprs);
  if (!substitutable(defs, outer.exprs)) return null;
  const exprs: Expr[] = outer.exprs.map((e) => named(substitute(stripAlias(e), defs), outputName(e)));
  return { kind: 'project', input: inner.input, exprs };
}
