// combine-filters: two stacked filters become one whose condition is the AND of both.
//
//   Filter b                    Filter (a AND b)
//   +- Filter a          =>     +- x
//      +- x
//
// Correct because a row survives both filters exactly when `a` and `b` are both TRUE, which
// is when `a AND b` is TRUE (SQL NULL included: NULL AND TRUE is NULL, dropped either way).
// The lower condition comes first so that it keeps being evaluated first. A conjunct of `b`
// that `a` already contains is dropped instead of being repeated.
import { conjoin, fingerprint, splitConjuncts } from '../expr.js';
import { type LogicalPlan, transformUp } from '../logical.js';
import type { Rule } from '../optimizer/rule.js';

export const combineFilters: Rule = {
  name: 'combine-filters',
  apply(plan: LogicalPlan): LogicalPlan {
    return transformUp(plan, (p) => {
      if (p.kind !== 'filter' || p.input.kind !== 'filter') return p;
      const lower = splitConjuncts(p.input.condition);
      const seen = new Set(lower.map(fingerprint));
      const upper = splitConjuncts(p.condition).filter((c) => !seen.has(fingerprint(c)));
      return { kind: 'filter', input: p.input.input, condition: conjoin([...lower, ...upper])! };
    });
  },
};
