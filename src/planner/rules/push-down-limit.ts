// push-down-limit: moves a Limit below operators that keep rows one for one, and copies it
// into the inputs of a Union, so less data is produced for rows that would be thrown away.
//
//   Limit 10                    Project [a, (a + 1) AS b]
//   +- Project [a, ...]   =>    +- Limit 10
//      +- x                        +- x
//
//   Limit 10                    Limit 10
//   +- Union              =>    +- Union
//      :- a                        :- Limit 10
//      +- b                        :  +- a
//                                  +- Limit 10
//                                     +- b
//
//   Limit 5                     Limit 3
//   +- Limit 3            =>    +- x
//      +- x
//
//   Limit 5                          Aggregate [count(*) AS n]
//   +- Aggregate [count(*) AS n]  => +- x
//      +- x
//
// Correct below Project and a lambda `map` because both produce exactly one output row per
// input row, in order: the first n outputs come from the first n inputs. A Union needs at most
// n rows from each input, but the outer Limit stays (the inputs together may give more).
// A Limit whose input yields at most n rows anyway (maxRows) returns all of it: it goes.
//
// Never pushed below a Filter, a lambda filter, flatMap or mapPartitions (they change the
// number of rows, so the first n outputs may need more than n inputs), nor below an
// Aggregate (every input row counts). A Limit over a scan stays where it is: the scan reads
// lazily and stops when its consumer has enough.
import { type LogicalPlan, transformDown } from '../logical.js';
import type { Rule } from '../optimizer/rule.js';
import { assertNever } from '../types.js';

export const pushDownLimit: Rule = {
  name: 'push-down-limit',
  apply(plan: LogicalPlan): LogicalPlan {
    return transformDown(plan, pushHere);
  },
};

/**
 * Rewrites at one node until it stops changing while a Limit is on top (Limit(Limit(Project))
 * first merges, then the merged Limit moves below the Project), so one pass does it all.
 */
function pushHere(p: LogicalPlan): LogicalPlan {
  let current = p;
  for (;;) {
    const next = pushOneStep(current);
    if (next === current || next.kind !== 'limit') return next;
    current = next;
  }
}

function pushOneStep(p: LogicalPlan): LogicalPlan {
  if (p.kind !== 'limit') return p;
  const child = p.input;
  if (maxRows(child) <= p.n) return child; // the input cannot produce more than n rows anyway
  switch (child.kind) {
    case 'limit': return { kind: 'limit', input: child.input, n: Math.min(p.n, child.n) };
    case 'project': return { ...child, input: { kind: 'limit', input: child.input, n: p.n } };
    case 'mapUdf':
      return child.udf === 'map' ? { ...child, input: { kind: 'limit', input: child.input, n: p.n } } : p;
    case 'union': {
      // An input that already yields at most n rows (say Project over Limit n, after an
      // earlier round) is left alone; this is what makes the rule converge.
      let changed = false;
      const inputs = child.inputs.map((x): LogicalPlan => {
        if (maxRows(x) <= p.n) return x;
        changed = true;
        return { kind: 'limit', input: x, n: p.n };
      });
      return changed ? { ...p, input: { ...child, inputs } } : p;
    }
    // A limit must not pass a filter, aggregate, sort, distinct or join (which rows survive
    // depends on all of them); a hint or repartition keeps every row, so it may.
    case 'hint': case 'repartition': return { ...child, input: { kind: 'limit', input: child.input, n: p.n } };
    case 'filter': case 'aggregate': case 'scan': case 'local': case 'range':
    case 'join': case 'sort': case 'distinct': case 'cached':
      return p;
    default: return assertNever(child, 'plan node');
  }
}

const maxRowsCache = new WeakMap<LogicalPlan, number>();

/** An upper bound on the rows `p` can produce (Infinity when unknown). */
export function maxRows(p: LogicalPlan): number {
  let n = maxRowsCache.get(p);
  if (n === undefined) {
    n = computeMaxRows(p);
    maxRowsCache.set(p, n);
  }
  return n;
}

function computeMaxRows(p: LogicalPlan): number {
  switch (p.kind) {
    case 'limit': return Math.min(p.n, maxRows(p.input));
    case 'project': case 'filter': return maxRows(p.input);
    case 'mapUdf': return p.udf === 'map' || p.udf === 'filter' ? maxRows(p.input) : Infinity;
    case 'aggregate': return p.groupBy.length === 0 ? 1 : maxRows(p.input);
    case 'union': return p.inputs.reduce((s, x) => s + maxRows(x), 0);
    case 'local': return p.numRows;
    case 'range': return Math.max(0, Math.ceil((p.end - p.start) / p.step));
    case 'scan': return Infinity;
    case 'join': return p.how === 'semi' || p.how === 'anti' ? maxRows(p.left) : Infinity;
    case 'sort': case 'distinct': case 'repartition': case 'hint': case 'cached': return maxRows(p.input);
    default: return assertNever(p, 'plan node');
  }
}
