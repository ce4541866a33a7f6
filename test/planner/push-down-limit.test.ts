import { describe, expect, test } from 'vitest';
import { pushDownLimit, maxRows } from '../../src/planner/rules/push-down-limit.js';
import { analyze } from '../../src/planner/analyzer.js';
import {
  aggregate, as, count, filter, gt, limit, local, lit, optimized, plan, plus, project, range, rewritten, scan,
  udf, union,
} from './dsl.js';

const t = local('t', 'a:int32, b:string', 1000);

describe('push-down-limit', () => {
  test('moves a Limit below a Project', () => {
    expect(rewritten(pushDownLimit, limit(project(t, 'a', as(plus('a', lit(1)), 'a1')), 10))).toBe(plan`
      Project [a, (a + 1) AS a1]
      +- Limit 10
         +- LocalRelation t [a, b]
    `);
  });

  test('copies a Limit into every Union input and keeps the outer one', () => {
    expect(rewritten(pushDownLimit, limit(union(t, project(local('u', 'x:int32, y:string', 1000), 'x', 'y')), 10))).toBe(plan`
      Limit 10
      +- Union
         :- Limit 10
         :  +- LocalRelation t [a, b]
         +- Project [x AS a, y AS b]
            +- Project [x, y]
               +- Limit 10
                  +- LocalRelation u [x, y]
    `);
  });

  test('regression: a Union input that is a Project over a Limit is not limited again (converges)', () => {
    const once = pushDownLimit.apply(analyze(limit(union(t, project(local('u', 'x:int32, y:string', 1000), 'x', 'y')), 10)));
    expect(pushDownLimit.apply(once)).toBe(once);
  });

  test('keeps the smaller of two stacked limits, and drops one over an input that is small anyway', () => {
    expect(rewritten(pushDownLimit, limit(limit(t, 3), 5))).toBe(plan`
      Limit 3
      +- LocalRelation t [a, b]
    `);
    expect(rewritten(pushDownLimit, limit(limit(t, 8), 5))).toBe(plan`
      Limit 5
      +- LocalRelation t [a, b]
    `);
    expect(rewritten(pushDownLimit, limit(aggregate(t, [], [as(count(null), 'n')]), 5))).toBe(plan`
      Aggregate [count(*) AS n]
      +- LocalRelation t [a, b]
    `);
    expect(rewritten(pushDownLimit, limit(range(0, 4), 5))).toBe('Range (0, 4, step=1, partitions=2)');
  });

  test('moves below a lambda map (one row out per row in)', () => {
    expect(rewritten(pushDownLimit, limit(udf(t, 'map', '(r) => r', 'a:int32, b:string'), 4))).toBe(plan`
      Map (r) => r -> [a, b]
      +- Limit 4
         +- LocalRelation t [a, b]
    `);
  });

  test('never moves below a Filter, an Aggregate, flatMap, mapPartitions or a lambda filter', () => {
    const blockers = [
      filter(t, gt('a', 1)),
      aggregate(t, ['b'], [as(count(null), 'n')]),
      udf(t, 'flatMap', '(r) => [r, r]', 'a:int32, b:string'),
      udf(t, 'mapPartitions', '(rows) => rows', 'a:int32, b:string'),
      udf(t, 'filter', '(r) => r.a > 1'),
    ];
    for (const b of blockers) {
      const p = analyze(limit(b, 5));
      expect(pushDownLimit.apply(p)).toBe(p);
    }
    // Through a Project it goes, and stops above the filter.
    expect(rewritten(pushDownLimit, limit(project(filter(t, gt('a', 1)), 'b'), 5))).toBe(plan`
      Project [b]
      +- Limit 5
         +- Filter (a > 1)
            +- LocalRelation t [a, b]
    `);
  });

  test('a Limit over a scan stays: the scan reads lazily', () => {
    for (const format of ['csv', 'json', 'parquet'] as const) {
      const p = analyze(limit(scan('/in', 'a:int32', { format }), 5));
      expect(pushDownLimit.apply(p)).toBe(p);
    }
  });

  test('maxRows bounds what a plan can produce', () => {
    expect(maxRows(analyze(project(limit(t, 7), 'a')))).toBe(7);
    expect(maxRows(analyze(union(project(limit(t, 7), 'a'), range(0, 3))))).toBe(10);
    expect(maxRows(analyze(udf(limit(t, 7), 'flatMap', '(r) => [r]', 'a:int32')))).toBe(Infinity);
    expect(maxRows(analyze(scan('/in', 'a:int32')))).toBe(Infinity);
  });

  test('disabled by name, the limit stays on top', () => {
    expect(optimized(limit(project(t, as(plus('a', lit(1)), 'a1')), 10), ['push-down-limit'])).toBe(plan`
      Limit 10
      +- Project [(a + 1) AS a1]
         +- LocalRelation t [a, b]
    `);
  });
});
