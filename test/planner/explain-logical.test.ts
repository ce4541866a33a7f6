import { describe, expect, test } from 'vitest';
import { logicalTreeString, lambdaPreview } from '../../src/planner/explain-logical.js';
import { analyze } from '../../src/planner/analyzer.js';
import type { LogicalPlan } from '../../src/planner/logical.js';
import {
  aggregate, as, col, count, filter, gt, limit, local, mul, plan, project, range, scan, sum, udf, union,
} from './dsl.js';

describe('logicalTreeString', () => {
  test('prints one node per line with Spark-like tree markers and optional stats', () => {
    const orders = scan('/data/orders', 'amount:int32, quantity:int32, note:string');
    const withPushed: LogicalPlan = { ...(orders as Extract<LogicalPlan, { kind: 'scan' }>), filters: [gt('amount', 50)] };
    const p = analyze(aggregate(
      filter(project(withPushed, 'amount', as(mul('amount', col('quantity')), 'x')), gt('amount', 50)),
      [], [as(sum('amount'), 'total')],
    ));
    expect(logicalTreeString(p)).toBe(plan`
      Aggregate [sum(amount) AS total]
      +- Filter (amount > 50)
         +- Project [amount, (amount * quantity) AS x]
            +- Relation parquet /data/orders [amount, quantity, note] PushedFilters: [(amount > 50)]
    `);
    // 10000 rows (Parquet footer); the filter guesses 1/2; the global aggregate gives 1 row.
    expect(logicalTreeString(p, { stats: true })).toBe(plan`
      Aggregate [sum(amount) AS total]  rows=1 bytes=8 B
      +- Filter (amount > 50)  rows=5000 bytes=39.1 KiB
         +- Project [amount, (amount * quantity) AS x]  rows=10000 bytes=78.1 KiB
            +- Relation parquet /data/orders [amount, quantity, note] PushedFilters: [(amount > 50)]  rows=10000 bytes=273.4 KiB
    `);
  });

  test('draws every non-last child with ":- " and continues its subtree with ":  "', () => {
    const p = analyze(limit(union(
      filter(local('a', 'k:int32'), gt('k', 1)),
      range(0, 10),
      project(local('c', 'id:int64'), 'id'),
    ), 5));
    expect(logicalTreeString(p)).toBe(plan`
      Limit 5
      +- Union
         :- Project [CAST(k AS int64) AS k]
         :  +- Filter (k > 1)
         :     +- LocalRelation a [k]
         :- Project [id AS k]
         :  +- Range (0, 10, step=1, partitions=2)
         +- Project [id AS k]
            +- Project [id]
               +- LocalRelation c [id]
    `);
  });

  test('names lambda nodes by kind, with the start of their source and their output columns', () => {
    const base = local('t', 'a:int32, b:string');
    const src = '(row, ctx) => ({ a: row.a * ctx.factor, b: row.b.toUpperCase(), c: 1 })';
    expect(logicalTreeString(analyze(udf(base, 'map', src, 'a:int32, b:string, c:int32')))).toBe(plan`
      Map (row, ctx) => ({ a: row.a * ctx.factor,... -> [a, b, c]
      +- LocalRelation t [a, b]
    `);
    expect(logicalTreeString(udf(base, 'filter', '(r) =>\n    r.a > 1'))).toBe(plan`
      LambdaFilter (r) => r.a > 1
      +- LocalRelation t [a, b]
    `);
    expect(logicalTreeString(udf(base, 'flatMap', '(r) => [r, r]', 'a:int32, b:string')).split('\n')[0])
      .toBe('FlatMap (r) => [r, r] -> [a, b]');
    expect(logicalTreeString(udf(base, 'mapPartitions', '(rows) => rows', 'a:int32')).split('\n')[0])
      .toBe('MapPartitions (rows) => rows -> [a]');
    expect(lambdaPreview('x'.repeat(41))).toBe(`${'x'.repeat(40)}...`);
  });

  test('prints grouping keys before aggregates, and a scan that reads no column as []', () => {
    const s: LogicalPlan = { ...(scan('/in', 'k:string, v:float64', { format: 'csv' }) as Extract<LogicalPlan, { kind: 'scan' }>), columns: [] };
    expect(logicalTreeString(aggregate(s, [], [as(count(null), 'n')]))).toBe(plan`
      Aggregate [count(*) AS n]
      +- Relation csv /in []
    `);
    const g = analyze(aggregate(local('t', 'k:string, v:float64'), ['k'], [as(sum('v'), 's'), as(count(null), 'n')]));
    expect(logicalTreeString(g)).toBe(plan`
      Aggregate [k], [sum(v) AS s, count(*) AS n]
      +- LocalRelation t [k, v]
    `);
  });
});
