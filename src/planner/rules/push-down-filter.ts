// push-down-filter: moves filter conditions towards the data, so fewer rows flow through the
// plan and scans can skip whole files and row groups.
//
// Through a Project (references to its outputs are replaced by their definitions):
//
//   Filter (x > 5)                          Project [a, (a * 2) AS x]
//   +- Project [a, (a * 2) AS x]    =>      +- Filter ((a * 2) > 5)
//      +- r                                    +- r
//
//   Correct when every substituted definition is deterministic (it gives the same value
//   when evaluated again below); all our expressions are, see `deterministic`.
//
// Through a Union (a copy into every input, columns renamed by position):
//
//   Filter (k > 1)                          Union
//   +- Union                        =>      :- Filter (k > 1)
//      :- a [k]                             :  +- a [k]
//      +- b [key]                           +- Filter (key > 1)
//                                              +- b [key]
//
//   Correct because UNION ALL just concatenates rows: a row is kept iff it is kept in its input.
//
// Below an Aggregate, only the conjuncts that read grouping keys and nothing else:
//
//   Filter ((k > 1) AND (total > 9))        Filter (total > 9)
//   +- Aggregate [k], [sum(v) AS total]  => +- Aggregate [k], [sum(v) AS total]
//      +- r                                    +- Filter (k > 1)
//                                                 +- r
//
//   Correct because every row of a group has the same key, so the condition drops or keeps
//   whole groups. A conjunct reading an aggregate output stays above, and so does one that
//   reads no column at all: below a whole-dataset aggregate `false` would turn its one
//   output row (count = 0) into none, so nothing is pushed below a global aggregate.
//
// Into a Scan (the Filter stays; the scan records the conjuncts it can use to skip data):
//
//   Filter ((a > 5) AND (b = c))            Filter ((a > 5) AND (b = c))
//   +- Relation [a, b, c]           =>      +- Relation [a, b, c] PushedFilters: [(a > 5)]
//
//   A pushable conjunct is `col op literal`, `literal op col`, `col IS [NOT] NULL`,
//   `col IN (literals)`, or an AND/OR of pushable parts; it may read data or partition
//   columns (the latter prune whole files). The scan treats them as hints (it skips only what
//   cannot match), which is why the Filter must stay. Conjuncts already recorded are not
//   added again, so the rule converges.
//
// Never pushed: below a Limit (a filter above a limit sees only the first n rows; below it,
// it would change which rows those are), into or through a mapUdf (the lambda sees whole
// rows and may have any effect; its output columns are not expressions we can substitute).
import {
  type Expr, conjoin, exprChildren, fingerprint, referencedColumns, splitConjuncts,
} from '../expr.js';
import { type LogicalPlan, transformUp } from '../logical.js';
import { schemaOf } from '../analyzer.js';
import type { Rule } from '../optimizer/rule.js';
import { assertNever } from '../types.js';
import { definitions, substitute } from './substitute.js';

type Filter = Extract<LogicalPlan, { kind: 'filter' }>;

export const pushDownFilter: Rule = {
  name: 'push-down-filter',
  apply(plan: LogicalPlan): LogicalPlan {
    // Bottom-up, and each filter is pushed as deep as it goes at once: a lower filter has
    // already moved when an upper one follows it, so one pass does everything this rule can
    // (two filters that end up stacked are merged by combine-filters; the merged one then
    // moves on in the next round of the batch).
    return transformUp(plan, (p) => (p.kind === 'filter' ? pushDeep(p) : p));
  },
};

/** Moves the filter `f` as far down as it may go; returns `f` itself when it cannot move. */
function pushDeep(f: Filter): LogicalPlan {
  const child = f.input;
  switch (child.kind) {
    case 'project': return throughProject(f, child);
    case 'union': return throughUnion(f, child);
    case 'aggregate': return belowAggregate(f, child);
    case 'scan': return intoScan(f, child);
    // filter: combine-filters merges them; limit, mapUdf: never; leaves: nowhere to go.
    // cached: every query must see the same cached rows, so nothing goes into it.
    case 'filter': case 'limit': case 'mapUdf': case 'local': case 'range': case 'cached': return f;
    case 'join': return throughJoin(f, child);
    // Rows keep or lose the condition wherever they are: a filter commutes with these.
    case 'sort': case 'distinct': case 'repartition': case 'hint':
      return { ...child, input: pushDeep({ ...f, input: child.input }) };
    default: return assertNever(child, 'plan node');
  }
}

function filterOver(input: LogicalPlan, parts: readonly Expr[]): Filter {
  return { kind: 'filter', input, condition: conjoin(parts)! };
}

function throughProject(f: Filter, proj: Extract<LogicalPlan, { kind: 'project' }>): LogicalPlan {
  const defs = definitions(proj.exprs);
  const down: Expr[] = [];
  const stay: Expr[] = [];
  for (const c of splitConjuncts(f.condition)) {
    const refs = [...referencedColumns(c)];
    if (refs.every((r) => defs.has(r) && deterministic(defs.get(r)!))) down.push(substitute(c, defs));
    else stay.push(c);
  }
  if (down.length === 0) return f;
  const pushed: LogicalPlan = { ...proj, input: pushDeep(filterOver(proj.input, down)) };
  return stay.length === 0 ? pushed : filterOver(pushed, stay);
}

function throughUnion(f: Filter, u: Extract<LogicalPlan, { kind: 'union' }>): LogicalPlan {
  const out = schemaOf(u);
  const inputs: LogicalPlan[] = [];
  for (const input of u.inputs) {
    const s = schemaOf(input);
    // The analyzer aligns input types; if a later rewrite broke that, stay put rather than
    // build a condition of the wrong type.
    if (s.length !== out.length || s.some((fd, i) => fd.type !== out[i]!.type)) return f;
    const rename = new Map<string, Expr>(out.map((fd, i) => [fd.name, { kind: 'col', name: s[i]!.name }]));
    inputs.push(pushDeep({ kind: 'filter', input, condition: substitute(f.condition, rename) }));
  }
  return { kind: 'union', inputs };
}

/**
 * Into the sides of an equi-join (USING keys). A conjunct over one side's own columns goes to
 * that side unless the side is null-supplying (the right of a left join, the left of a right
 * join, both of a full join): there, a row the filter removes would come back as NULLs.
 * A conjunct over key columns only goes to both sides, except for a full join, whose output
 * key is coalesce(left.k, right.k):
 *
 *   Filter (k > 5 AND a = 1 AND b = 2)            Join Inner using [k]
 *   +- Join Inner using [k]             =>        :- Filter ((k > 5) AND (a = 1))
 *      :- L [k, a]                                 :  +- L [k, a]
 *      +- R [k, b]                                 +- Filter ((k > 5) AND (b = 2))
 *                                                     +- R [k, b]
 */
function throughJoin(f: Filter, j: Extract<LogicalPlan, { kind: 'join' }>): LogicalPlan {
  const keys = new Set(j.on);
  const leftCols = new Set(schemaOf(j.left).map((x) => x.name));
  const rightCols = new Set(schemaOf(j.right).map((x) => x.name));
  const leftOk = j.how === 'inner' || j.how === 'left' || j.how === 'semi' || j.how === 'anti';
  const rightOk = j.how === 'inner' || j.how === 'right';
  const toLeft: Expr[] = [], toRight: Expr[] = [], stay: Expr[] = [];
  for (const c of splitConjuncts(f.condition)) {
    const refs = [...referencedColumns(c)];
    if (!deterministic(c) || refs.length === 0) { stay.push(c); continue; }
    if (refs.every((r) => keys.has(r))) {
      if (j.how === 'full') { stay.push(c); continue; }
      toLeft.push(c);
      toRight.push(c);
    } else if (leftOk && refs.every((r) => leftCols.has(r))) {
      toLeft.push(c);
    } else if (rightOk && refs.every((r) => rightCols.has(r) && !leftCols.has(r))) {
      toRight.push(c);
    } else {
      stay.push(c);
    }
  }
  if (toLeft.length === 0 && toRight.length === 0) return f;
  const left = toLeft.length > 0 ? pushDeep(filterOver(j.left, toLeft)) : j.left;
  const right = toRight.length > 0 ? pushDeep(filterOver(j.right, toRight)) : j.right;
  const pushed: LogicalPlan = { ...j, left, right };
  return stay.length === 0 ? pushed : filterOver(pushed, stay);
}

function belowAggregate(f: Filter, agg: Extract<LogicalPlan, { kind: 'aggregate' }>): LogicalPlan {
  if (agg.groupBy.length === 0) return f;
  const keys = definitions(agg.groupBy);
  const down: Expr[] = [];
  const stay: Expr[] = [];
  for (const c of splitConjuncts(f.condition)) {
    const refs = [...referencedColumns(c)];
    if (refs.length > 0 && refs.every((r) => keys.has(r) && deterministic(keys.get(r)!))) down.push(substitute(c, keys));
    else stay.push(c);
  }
  if (down.length === 0) return f;
  const pushed: LogicalPlan = { ...agg, input: pushDeep(filterOver(agg.input, down)) };
  return stay.length === 0 ? pushed : filterOver(pushed, stay);
}

function intoScan(f: Filter, scan: Extract<LogicalPlan, { kind: 'scan' }>): LogicalPlan {
  const cols = new Set(schemaOf(scan).map((fd) => fd.name));
  const seen = new Set(scan.filters.map(fingerprint));
  const added: Expr[] = [];
  for (const c of splitConjuncts(f.condition)) {
    if (!isPushable(c, cols)) continue;
    const key = fingerprint(c);
    if (seen.has(key)) continue;
    seen.add(key);
    added.push(c);
  }
  if (added.length === 0) return f;
  return { ...f, input: { ...scan, filters: [...scan.filters, ...added] } };
}

/**
 * Whether a scan can use `e` to skip data: simple comparisons of a column with literals. The
 * analyzer's implicit casts are looked through: a literal cast to the column's type
 * (`order_date >= CAST('2024-01-03' AS date)`) and a column widened to the literal's
 * (`CAST(quantity AS float64) > 2.5`); row-group pruning understands both.
 */
export function isPushable(e: Expr, cols: ReadonlySet<string>): boolean {
  const isCol = (x: Expr): boolean =>
    (x.kind === 'col' && cols.has(x.name)) || (x.kind === 'cast' && (x.to === 'int64' || x.to === 'float64') && isCol(x.child));
  const isLit = (x: Expr): boolean => x.kind === 'lit' || (x.kind === 'cast' && x.child.kind === 'lit');
  switch (e.kind) {
    case 'binary':
      switch (e.op) {
        case 'and': case 'or': return isPushable(e.left, cols) && isPushable(e.right, cols);
        case '=': case '!=': case '<': case '<=': case '>': case '>=':
          return (isCol(e.left) && isLit(e.right)) || (isLit(e.left) && isCol(e.right));
        default: return false;
      }
    case 'isNull': return isCol(e.child);
    case 'in': return isCol(e.child) && e.values.every(isLit);
    default: return false;
  }
}

/**
 * Whether evaluating `e` twice, or in another place, gives the same value. Every expression
 * kind we have is; a future rand() or lambda expression must answer false here.
 */
export function deterministic(e: Expr): boolean {
  switch (e.kind) {
    case 'col': case 'lit': return true;
    case 'binary': case 'not': case 'neg': case 'isNull': case 'in': case 'cast': case 'case':
    case 'coalesce': case 'call': case 'alias': case 'agg': case 'sortKey':
      return exprChildren(e).every(deterministic);
    default: return assertNever(e, 'expression');
  }
}
