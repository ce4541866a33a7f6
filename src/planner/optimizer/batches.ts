// Every optimizer rule, registered once, in order. The driver (optimizer.ts) runs the batches
// top to bottom; a 'fixedPoint' batch repeats its rules, in the listed order, until none of
// them changes the plan. Any rule can be switched off by name (Session disabledRules), which
// is how tests and benchmarks A/B a rule.
import type { Batch } from './rule.js';
import { constantFolding } from '../rules/constant-folding.js';
import { combineFilters } from '../rules/combine-filters.js';
import { pushDownFilter } from '../rules/push-down-filter.js';
import { pushDownLimit } from '../rules/push-down-limit.js';
import { removeRedundantProject } from '../rules/remove-redundant-project.js';
import { pruneColumns } from '../rules/prune-columns.js';
import { rewriteDistinctAggregates } from '../rules/rewrite-distinct-aggregates.js';

export const BATCHES: readonly Batch[] = [
  {
    // Moves and simplifies operators. Every rule here only moves work down or removes it, so
    // the batch converges. Each rule does all it can in one pass, so the number of rounds does
    // not grow with the plan's height, except that each Limit inside a chain of projections
    // costs a round (the projections above it merge, then it moves below them, then they
    // merge with the next ones). The order makes each round do as much as it can:
    name: 'Operator optimization',
    strategy: 'fixedPoint',
    rules: [
      // First, so the rules after it see plain conditions: CAST(5 AS int64) becomes the
      // literal 5L (making `a > 5L` pushable into a scan), and always-true filters vanish.
      constantFolding,
      // Before pushing: stacked filters then move as one, and repeated conjuncts are dropped.
      combineFilters,
      // Filters never cross a Limit, so the order between these two does not matter for
      // correctness; pushing filters first keeps the rows they drop out of the limit's input
      // wherever the limit allowed it (through projects and unions).
      pushDownFilter,
      pushDownLimit,
      // Last: pushing filters and limits through projects can leave two projects stacked
      // (or a project that only repeats its input); they are merged or dropped here.
      removeRedundantProject,
    ],
  },
  {
    // Once, after filters have moved below the aggregate: countDistinct becomes two
    // aggregates (group by the keys and the distinct argument, then by the keys).
    name: 'Distinct aggregate rewrite',
    strategy: 'once',
    rules: [rewriteDistinctAggregates],
  },
  {
    // Once, after everything has moved: which columns a node needs depends on where the
    // filters ended up (a filter pushed into a subtree needs its columns there).
    name: 'Column pruning',
    strategy: 'once',
    rules: [
      pruneColumns,
      // Narrowing can turn a project into one that repeats its input (Project [a] over a scan
      // now reading only [a]); drop it.
      removeRedundantProject,
    ],
  },
];

export const ALL_RULE_NAMES: readonly string[] = [...new Set(BATCHES.flatMap((b) => b.rules.map((r) => r.name)))];
