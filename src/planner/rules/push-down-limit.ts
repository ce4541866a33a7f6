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
// Correct below Project and a lambda `map` because both produce exactly one output row per
// input row, in order: the first n outputs come from the first n inputs. A Union needs at most
// n rows from each input, but the outer Limit stays (the inputs together may give more).
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
    return transformDown(plan, pushOneStep);
  },
};

function pushOneStep(p: LogicalPlan): LogicalPlan {
  if (p.kind !== 'limit') return p;
  const child = p.input;
  switch (child.kind) {
    case 'limit': return { kind: 'limit', input: child.input, n: Math.min(p.n, child.n) };
    case 'project': return { ...child, input: { kind: 'limit', input: child.input, n: p.n } };
    case 'mapUdf':
      return child.udf === 'map' ? { ...child, input: { kind: 'limit', input: child.input, n: p.n } } : p;
    case 'union': {
      let changed = false;
      const inputs = child.inputs.map((x) => {
        if (x.kind === 'limit' && x.n <= p.n) return x;
        changed = true;
        return { kind: 'limit', input: x.kind === 'limit' ? x.input : x, n: p.n } as LogicalPlan;
      });
      return changed ? { ...p, input: { ...child, inputs } } : p;
    }
    case 'filter': case 'aggregate': case 'scan': case 'local': case 'range': return p;
    default: return assertNever(child, 'plan node');
  }
}
