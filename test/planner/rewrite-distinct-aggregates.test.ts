import { describe, expect, test } from 'vitest';
import type { Expr } from '../../src/planner/expr.js';
import { rewriteDistinctAggregates } from '../../src/planner/rules/rewrite-distinct-aggregates.js';
import { analyze } from '../../src/planner/analyzer.js';
import type { LogicalPlan } from '../../src/planner/logical.js';
import {
  aggregate, as, avg, col, count, filter, gt, local, max, min, mod, optimized, plan, project, rewritten, sum,
} from './dsl.js';

const countDistinct = (arg: Expr | string): Expr => ({ kind: 'agg', fn: 'countDistinct', arg: typeof arg === 'string' ? col(arg) : arg });
const t = local('t', 'k:int32, x:string, v:int32, w:float64');

/** The rule applied once to the analyzed plan returns it unchanged. */
function unchanged(p: LogicalPlan): void {
  const analyzed = analyze(p);
  expect(rewriteDistinctAggregates.apply(analyzed)).toBe(analyzed);
}

describe('rewrite-distinct-aggregates', () => {
  test('before: one aggregate holds the distinct sets', () => {
    const p = aggregate(t, ['k'], [as(countDistinct('x'), 'd'), as(sum('v'), 's')]);
    expect(optimized(p, ['rewrite-distinct-aggregates'])).toBe(plan`
      Aggregate [k], [count(DISTINCT x) AS d, sum(v) AS s]
      +- LocalRelation t [k, x, v, w]
    `);
  });

  test('after: group by the keys and the distinct argument, then by the keys', () => {
    const p = aggregate(t, ['k'], [as(countDistinct('x'), 'd'), as(sum('v'), 's'), as(max('w'), 'mx')]);
    expect(rewritten(rewriteDistinctAggregates, p)).toBe(plan`
      Aggregate [k], [count(x) AS d, sum(_sum0) AS s, max(_max1) AS mx]
      +- Aggregate [k, x], [sum(v) AS _sum0, max(w) AS _max1]
         +- LocalRelation t [k, x, v, w]
    `);
  });

  test('counts become sums of counts (0 when there are none), avg a ratio of sums; shared partials computed once', () => {
    const p = aggregate(t, ['k'], [
      as(count(null), 'n'), as(countDistinct('x'), 'd'), as(sum('v'), 's'), as(avg('v'), 'a'), as(count('v'), 'cv'), as(min('w'), 'lo'),
    ]);
    expect(rewritten(rewriteDistinctAggregates, p)).toBe(plan`
      Project [k, coalesce(_count0, 0L) AS n, d, s, (CAST(_sum3 AS float64) / CAST(_count3 AS float64)) AS a, coalesce(_count4, 0L) AS cv, lo]
      +- Aggregate [k], [sum(_count0) AS _count0, count(x) AS d, sum(_sum1) AS s, sum(_sum1) AS _sum3, sum(_count2) AS _count3, sum(_count2) AS _count4, min(_min3) AS lo]
         +- Aggregate [k, x], [count(*) AS _count0, sum(v) AS _sum1, count(v) AS _count2, min(w) AS _min3]
            +- LocalRelation t [k, x, v, w]
    `);
  });

  test('a whole-dataset aggregate, a distinct expression, several countDistinct of it', () => {
    const p = aggregate(t, [], [as(countDistinct(mod('v', 7)), 'd'), as(countDistinct(mod('v', 7)), 'd2'), as(max('x'), 'mx')]);
    expect(rewritten(rewriteDistinctAggregates, p)).toBe(plan`
      Aggregate [count(_distinct) AS d, count(_distinct) AS d2, max(_max0) AS mx]
      +- Aggregate [(v % 7) AS _distinct], [max(x) AS _max0]
         +- LocalRelation t [k, x, v, w]
    `);
  });

  test('runs after filters moved: the filter on a key ends up below both aggregates', () => {
    const p = filter(aggregate(t, ['k'], [as(countDistinct('x'), 'd')]), gt('k', 3));
    expect(optimized(p)).toBe(plan`
      Aggregate [k], [count(x) AS d]
      +- Aggregate [k, x], []
         +- Filter (k > 3)
            +- LocalRelation t [k, x, v, w]
    `);
  });

  test('does not fire without countDistinct, for two distinct arguments, or for a distinct grouping key', () => {
    unchanged(aggregate(t, ['k'], [as(sum('v'), 's'), as(count(null), 'n')]));
    unchanged(aggregate(t, ['k'], [as(countDistinct('x'), 'dx'), as(countDistinct('v'), 'dv')]));
    unchanged(aggregate(t, ['k'], [as(countDistinct('k'), 'dk'), as(sum('v'), 's')]));
  });

  test('does not fire when the input is already partitioned on the grouping keys (no shuffle needed)', () => {
    const byK: LogicalPlan = { kind: 'repartition', input: t, n: 4, keys: [col('k')], shuffle: true };
    unchanged(aggregate(byK, ['k'], [as(countDistinct('x'), 'd')]));
    unchanged(aggregate(project(filter(byK, gt('v', 0)), 'k', 'x'), ['k'], [as(countDistinct('x'), 'd')]));
    unchanged(aggregate(aggregate(t, ['k'], [as(max('x'), 'x')]), ['k'], [as(countDistinct('x'), 'd')]));
    // Partitioned on other keys, or only coalesced: it fires.
    const byV: LogicalPlan = { kind: 'repartition', input: t, n: 4, keys: [col('v')], shuffle: true };
    const coalesced: LogicalPlan = { kind: 'repartition', input: t, n: 1, keys: [], shuffle: false };
    for (const input of [byV, coalesced]) {
      const analyzed = analyze(aggregate(input, ['k'], [as(countDistinct('x'), 'd')]));
      expect(rewriteDistinctAggregates.apply(analyzed)).not.toBe(analyzed);
    }
  });

  test('disabled by name, the aggregate stays one', () => {
    const p = aggregate(t, ['k'], [as(count(null), 'n'), as(countDistinct('x'), 'd')]);
    expect(optimized(p, ['rewrite-distinct-aggregates'])).toBe(plan`
      Aggregate [k], [count(*) AS n, count(DISTINCT x) AS d]
      +- LocalRelation t [k, x, v, w]
    `);
  });
});
