// rewrite-distinct-aggregates: an aggregate with countDistinct(x) becomes two aggregates, as
// Spark plans a single distinct aggregate: first group by the keys and x (folding the other
// aggregates there too), then group by the keys alone and count the x groups.
//
//   Aggregate [k] [count(*) AS n, countDistinct(x) AS d, sum(v) AS s]
//   +- t
//                 =>
//   Project [k, coalesce(n, 0) AS n, d, s]                       (only for count and avg)
//   +- Aggregate [k] [sum(_n) AS n, count(x) AS d, sum(_s) AS s]
//      +- Aggregate [k, x] [count(*) AS _n, sum(v) AS _s]
//         +- t
//
// Why: without it, each task's partial state of a group carries every distinct x it saw, in
// rows otherwise full of NULL state cells, and ONE final task per group key merges all of a
// key's x values in a hash set. After it, the (k, x) groups are shuffled on (k, x), spread
// over every reduce task, with dense rows; the second shuffle carries one row per key and task.
//
// Correct because every function folds associatively over the (k, x) groups: count(x) of the
// groups' x is the number of distinct non-NULL x (the NULL-x group is skipped); count(*) and
// count(y) are sums of per-group counts (coalesce(…, 0): a whole-dataset aggregate over no
// rows has no groups, so the sum is NULL where a count is 0); sum of sums (NULL only when
// every value was NULL); min of mins, max of maxes; avg is sum(sums) / sum(counts) (NULL / 0
// is NULL when there were no values). Floating-point sums may round differently, as any
// change of summation order does.
//
// Fires only when every countDistinct has the same argument and that argument is not a
// grouping key. Several different distinct arguments would need Spark's Expand (one copy of
// each row per distinct argument); a distinct count of a grouping key is 0 or 1 per group.
// Nor when the input is already hash-partitioned on exactly the grouping keys (a
// repartition(n, keys), an aggregate or a join on them, cached blocks partitioned so): there
// the aggregate needs no shuffle at all, and the physical planner would have to shuffle both
// aggregates of the rewrite (it moves a shuffle only for exactly the same keys).
import { schemaOf } from '../analyzer.js';
import { type Expr, fingerprint, outputName, stripAlias } from '../expr.js';
import { type LogicalPlan, transformUp } from '../logical.js';
import { resolveExpr } from '../resolve-expr.js';
import type { Rule } from '../optimizer/rule.js';

export const rewriteDistinctAggregates: Rule = {
  name: 'rewrite-distinct-aggregates',
  apply(plan: LogicalPlan): LogicalPlan {
    return transformUp(plan, (p) => (p.kind === 'aggregate' ? rewrite(p) : p));
  },
};

type AggregateNode = Extract<LogicalPlan, { kind: 'aggregate' }>;
type AggExpr = Extract<Expr, { kind: 'agg' }>;

const col = (name: string): Expr => ({ kind: 'col', name });
const alias = (child: Expr, name: string): Expr => ({ kind: 'alias', child, name });
const agg = (fn: AggExpr['fn'], arg: Expr | null): Expr => ({ kind: 'agg', fn, arg });

function rewrite(p: AggregateNode): LogicalPlan {
  const aggs = p.aggs.map((a) => stripAlias(a) as AggExpr);
  const distinct = aggs.filter((a) => a.fn === 'countDistinct');
  if (distinct.length === 0) return p;
  const x = distinct[0]!.arg!;
  const fx = fingerprint(x);
  if (distinct.some((a) => fingerprint(a.arg!) !== fx)) return p;
  if (p.groupBy.some((k) => fingerprint(stripAlias(k)) === fx)) return p;
  if (p.groupBy.length > 0 && p.groupBy.every((k) => k.kind === 'col') && partitionedOn(p.input, p.groupBy.map(outputName))) return p;

  // Output names: the keys keep theirs; the inner aggregate's other columns and the outer
  // aggregate's temporary ones get names that clash with nothing in their node.
  const keyNames = p.groupBy.map(outputName);
  const innerNames = new Set(keyNames), outerNames = new Set([...keyNames, ...p.aggs.map(outputName)]);
  const fresh = (base: string, taken: Set<string>): string => {
    let name = base;
    while (taken.has(name)) name = `_${name}`;
    taken.add(name);
    return name;
  };
  // The distinct argument is an inner key: a column keeps its name, an expression gets one.
  const plainX = x.kind === 'col' && !keyNames.includes(x.name);
  const xName = plainX ? x.name : fresh('_distinct', innerNames);
  innerNames.add(xName);
  const innerKeys = [...p.groupBy, plainX ? x : alias(x, xName)];

  const innerAggs: Expr[] = [];
  const innerByFp = new Map<string, string>();
  /** The inner column computing fn(arg) (one per distinct function and argument). */
  const inner = (fn: AggExpr['fn'], arg: Expr | null): string => {
    const fp = fingerprint(agg(fn, arg));
    let n = innerByFp.get(fp);
    if (n === undefined) {
      n = fresh(`_${fn}${innerAggs.length}`, innerNames);
      innerAggs.push(alias(agg(fn, arg), n));
      innerByFp.set(fp, n);
    }
    return n;
  };
  const outerAggs: Expr[] = [];
  /** Per original aggregate: its final expression over the outer aggregate's columns, or null (the column as is). */
  const finals: (Expr | null)[] = [];
  aggs.forEach((a, i) => {
    const name = outputName(p.aggs[i]!);
    switch (a.fn) {
      case 'countDistinct':
        outerAggs.push(alias(agg('count', col(xName)), name));
        finals.push(null);
        return;
      case 'count': {
        const o = fresh(`_count${i}`, outerNames);
        outerAggs.push(alias(agg('sum', col(inner('count', a.arg))), o));
        finals.push({ kind: 'coalesce', args: [col(o), { kind: 'lit', value: 0, type: 'int64' }] });
        return;
      }
      case 'sum': case 'min': case 'max':
        outerAggs.push(alias(agg(a.fn, col(inner(a.fn, a.arg))), name));
        finals.push(null);
        return;
      case 'avg': {
        const os = fresh(`_sum${i}`, outerNames), oc = fresh(`_count${i}`, outerNames);
        outerAggs.push(alias(agg('sum', col(inner('sum', a.arg))), os), alias(agg('sum', col(inner('count', a.arg))), oc));
        finals.push({ kind: 'binary', op: '/', left: col(os), right: col(oc) });
        return;
      }
    }
  });

  const below: LogicalPlan = { kind: 'aggregate', input: p.input, groupBy: innerKeys, aggs: innerAggs };
  const outer: LogicalPlan = { kind: 'aggregate', input: below, groupBy: keyNames.map(col), aggs: outerAggs };
  if (finals.every((f) => f === null)) return outer;
  // The final expressions, resolved (casts made explicit) like everything the analyzer produced.
  const outSchema = schemaOf(outer);
  const exprs = [...keyNames.map(col), ...aggs.map((_, i) => {
    const name = outputName(p.aggs[i]!);
    const f = finals[i];
    return f === null || f === undefined ? col(name) : alias(resolveExpr(f, outSchema, 'rewrite-distinct-aggregates').expr, name);
  })];
  return { kind: 'project', input: outer, exprs };
}

/**
 * Whether the physical plan of `p` will be hash-partitioned on exactly these key columns (as
 * physical/partitioning.ts sees it), so that an aggregate on them needs no Exchange.
 */
function partitionedOn(p: LogicalPlan, keys: readonly string[]): boolean {
  const same = (names: readonly string[]) => names.length === keys.length && names.every((n, i) => n === keys[i]);
  switch (p.kind) {
    case 'repartition': return p.shuffle && p.keys.length > 0 && same(p.keys.map(outputName));
    case 'aggregate': return p.groupBy.length > 0 && same(p.groupBy.map(outputName));
    case 'join': return same(p.on);
    case 'local': return p.hashPartitioned !== undefined && same(p.hashPartitioned.keys);
    case 'cached': case 'filter': case 'hint': return partitionedOn(p.input, keys);
    case 'project':
      return keys.every((k) => p.exprs.some((e) => e.kind === 'col' && e.name === k)) && partitionedOn(p.input, keys);
    default: return false;
  }
}
