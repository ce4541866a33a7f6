import { describe, expect, test } from 'vitest';
import { pushDownFilter, isPushable } from '../../src/planner/rules/push-down-filter.js';
import { analyze } from '../../src/planner/analyzer.js';
import {
  aggregate, and, as, col, count, eq, filter, gt, gte, isIn, isNull, limit, local, lit, lt, mul, or,
  optimized, plan, plus, project, rewritten, scan, sum, udf, union,
} from './dsl.js';

const t = local('t', 'a:int32, b:string, c:float64');
const orders = scan('/data/orders', 'amount:int32, status:string, price:float64', { partitions: 'day:string' });

describe('push-down-filter', () => {
  test('pushes through a Project, replacing aliases by their definitions', () => {
    const p = filter(project(t, 'a', as(mul('a', lit(2)), 'x')), and(gt('x', 10), eq('a', 3)));
    expect(rewritten(pushDownFilter, p)).toBe(plan`
      Project [a, (a * 2) AS x]
      +- Filter (((a * 2) > 10) AND (a = 3))
         +- LocalRelation t [a, b, c]
    `);
  });

  test('pushes a copy into every Union input, renaming columns by position', () => {
    const p = filter(union(t, local('u', 'k:int32, s:string, f:float64')), gt('a', 1));
    expect(rewritten(pushDownFilter, p)).toBe(plan`
      Union
      :- Filter (a > 1)
      :  +- LocalRelation t [a, b, c]
      +- Project [k AS a, s AS b, f AS c]
         +- Filter (k > 1)
            +- LocalRelation u [k, s, f]
    `);
  });

  test('pushes below an Aggregate only the conjuncts on grouping keys', () => {
    const p = filter(
      aggregate(t, ['b', as(plus('a', lit(1)), 'a1')], [as(sum('c'), 'total')]),
      and(and(eq('b', 'x'), gt('total', 9)), gt('a1', 5)),
    );
    expect(rewritten(pushDownFilter, p)).toBe(plan`
      Filter (total > CAST(9 AS float64))
      +- Aggregate [b, (a + 1) AS a1], [sum(c) AS total]
         +- Filter ((b = 'x') AND ((a + 1) > 5))
            +- LocalRelation t [a, b, c]
    `);
  });

  test('does not push below an Aggregate a conjunct that reads an aggregate output', () => {
    const p = analyze(filter(aggregate(t, ['b'], [as(sum('c'), 'total')]), or(eq('b', 'x'), gt('total', 9))));
    expect(pushDownFilter.apply(p)).toBe(p);
  });

  test('does not push anything below a whole-dataset Aggregate, not even a constant', () => {
    // Filter false over count(*) yields no row; count(*) over no rows yields one row (0).
    const p = analyze(filter(aggregate(t, [], [as(count(null), 'n')]), eq(lit(1), lit(2))));
    expect(pushDownFilter.apply(p)).toBe(p);
  });

  test('records the pushable conjuncts in the Scan and keeps the Filter', () => {
    const p = filter(orders, and(and(and(and(and(
      gt('amount', 100), lt(lit(5), col('amount'))), isIn('status', 'open', 'paid')), isNull('price')),
      or(eq('day', '2024-01-01'), eq('day', '2024-01-02'))),
      gt('price', col('amount'))));
    expect(rewritten(pushDownFilter, p)).toBe(plan`
      Filter ((((((amount > 100) AND (5 < amount)) AND (status IN ('open', 'paid'))) AND (price IS NULL)) AND ((day = '2024-01-01') OR (day = '2024-01-02'))) AND (price > CAST(amount AS float64)))
      +- Relation parquet /data/orders [amount, status, price, day] PushedFilters: [(amount > 100), (5 < amount), (status IN ('open', 'paid')), (price IS NULL), ((day = '2024-01-01') OR (day = '2024-01-02'))]
    `);
  });

  test('the pushable shapes: column against literals only', () => {
    const cols = new Set(['a', 'b']);
    expect(isPushable(gt('a', 1), cols)).toBe(true);
    expect(isPushable(isIn('b', 'x', 'y'), cols)).toBe(true);
    expect(isPushable(or(gt('a', 1), isNull('b')), cols)).toBe(true);
    expect(isPushable(gt('a', col('b')), cols)).toBe(false);
    expect(isPushable(gt(plus('a', lit(1)), 2), cols)).toBe(false);
    expect(isPushable(or(gt('a', 1), gt('a', col('b'))), cols)).toBe(false);
    expect(isPushable(gt('zzz', 1), cols)).toBe(false);
  });

  test('does not record a conjunct twice when applied again (converges)', () => {
    const once = pushDownFilter.apply(analyze(filter(orders, gt('amount', 100))));
    expect(pushDownFilter.apply(once)).toBe(once);
  });

  test('never pushes below a Limit', () => {
    const p = analyze(filter(limit(t, 10), gt('a', 1)));
    expect(pushDownFilter.apply(p)).toBe(p);
    // Not even through a Project that sits on the limit: it stops right above it.
    expect(rewritten(pushDownFilter, filter(project(limit(t, 10), 'a'), gt('a', 1)))).toBe(plan`
      Project [a]
      +- Filter (a > 1)
         +- Limit 10
            +- LocalRelation t [a, b, c]
    `);
  });

  test('never pushes into or through a mapUdf', () => {
    for (const kind of ['map', 'flatMap', 'mapPartitions'] as const) {
      const p = analyze(filter(udf(orders, kind, '(r) => r', 'amount:int32'), gt('amount', 1)));
      expect(pushDownFilter.apply(p)).toBe(p);
    }
    const lambdaFilter = analyze(filter(udf(orders, 'filter', '(r) => r.amount > 0'), gt('amount', 1)));
    expect(pushDownFilter.apply(lambdaFilter)).toBe(lambdaFilter);
    // Through a Project it goes, but it stops above the lambda, and the scan below records nothing.
    const p = filter(project(udf(orders, 'map', '(r) => r', 'amount:int32, status:string'), 'status'), eq('status', 'x'));
    expect(optimized(p)).toBe(plan`
      Project [status]
      +- Filter (status = 'x')
         +- Map (r) => r -> [amount, status]
            +- Relation parquet /data/orders [amount, status, price, day]
    `);
  });

  test('goes all the way down in one pass and into the scan, with the whole optimizer', () => {
    const p = filter(project(filter(project(orders, 'amount', 'price'), gte('price', 1.5)), as(col('amount'), 'n')), gt('n', 7));
    expect(optimized(p)).toBe(plan`
      Project [amount AS n]
      +- Filter ((price >= 1.5) AND (amount > 7))
         +- Relation parquet /data/orders [amount, price] PushedFilters: [(price >= 1.5), (amount > 7)]
    `);
  });

  test('disabled by name, the filter stays where the user put it', () => {
    const p = filter(project(orders, as(col('amount'), 'n')), gt('n', 7));
    expect(optimized(p, ['push-down-filter'])).toBe(plan`
      Filter (n > 7)
      +- Project [amount AS n]
         +- Relation parquet /data/orders [amount]
    `);
  });
});
