import { describe, expect, test } from 'vitest';
import { pruneColumns } from '../../src/planner/rules/prune-columns.js';
import { analyze, schemaOf } from '../../src/planner/analyzer.js';
import type { LogicalPlan } from '../../src/planner/logical.js';
import {
  aggregate, as, col, count, eq, filter, gt, limit, local, max, mul, optimized, plan, project, rewritten,
  scan, show, sum, udf, union,
} from './dsl.js';

const orders = scan('/data/orders', 'amount:int32, quantity:int32, note:string', { partitions: 'day:string' });

describe('prune-columns', () => {
  test('narrows the scan and drops projected expressions nobody reads', () => {
    const p = aggregate(project(orders, 'amount', as(mul('quantity', col('amount')), 'x')), [], [as(sum('amount'), 'total')]);
    expect(rewritten(pruneColumns, p)).toBe(plan`
      Aggregate [sum(amount) AS total]
      +- Project [amount]
         +- Relation parquet /data/orders [amount]
    `);
  });

  test('count(*) over a scan reads zero columns, and schemaOf still works', () => {
    const out = pruneColumns.apply(analyze(aggregate(orders, [], [as(count(null), 'n')])));
    expect(show(out)).toBe(plan`
      Aggregate [count(*) AS n]
      +- Relation parquet /data/orders []
    `);
    const s = (out as Extract<LogicalPlan, { kind: 'aggregate' }>).input;
    expect(s.kind === 'scan' && s.columns).toEqual([]);
    expect(schemaOf(s)).toEqual([]);
    expect(schemaOf(out)).toEqual([{ name: 'n', type: 'int64', nullable: false }]);
  });

  test('keeps the columns a Filter reads, including partition columns, and whatever the root needs', () => {
    const p = project(filter(orders, eq('day', '2024-01-01')), 'note');
    expect(rewritten(pruneColumns, p)).toBe(plan`
      Project [note]
      +- Filter (day = '2024-01-01')
         +- Relation parquet /data/orders [note, day]
    `);
    const root = analyze(filter(orders, gt('amount', 1)));
    expect(pruneColumns.apply(root)).toBe(root);
  });

  test('drops aggregate outputs nobody reads, but a whole-dataset aggregate keeps one', () => {
    const p = project(aggregate(orders, [], [as(sum('amount'), 's'), as(max('note'), 'm')]), 'm');
    expect(rewritten(pruneColumns, p)).toBe(plan`
      Project [m]
      +- Aggregate [max(note) AS m]
         +- Relation parquet /data/orders [note]
    `);
    const none = aggregate(aggregate(orders, [], [as(sum('amount'), 's'), as(max('note'), 'm')]), [], [as(count(null), 'n')]);
    expect(rewritten(pruneColumns, none)).toBe(plan`
      Aggregate [count(*) AS n]
      +- Aggregate [sum(amount) AS s]
         +- Relation parquet /data/orders [amount]
    `);
  });

  test('does not prune the input of a mapUdf: the lambda sees whole rows', () => {
    for (const kind of ['map', 'flatMap', 'mapPartitions'] as const) {
      const p = analyze(project(udf(orders, kind, '(r) => ({ a: r.amount })', 'a:int32'), 'a'));
      expect(pruneColumns.apply(p)).toBe(p);
    }
    const lambdaFilter = project(udf(orders, 'filter', '(r) => JSON.stringify(r).length > 9'), 'amount');
    expect(rewritten(pruneColumns, lambdaFilter)).toBe(plan`
      Project [amount]
      +- LambdaFilter (r) => JSON.stringify(r).length > 9
         +- Relation parquet /data/orders [amount, quantity, note, day]
    `);
  });

  test('still prunes below a Project under a mapUdf, keeping all that Project outputs', () => {
    const p = udf(project(orders, 'amount', as(mul('quantity', 2), 'q2')), 'map', '(r) => r', 'amount:int32, q2:int32');
    expect(rewritten(pruneColumns, limit(p, 3))).toBe(plan`
      Limit 3
      +- Map (r) => r -> [amount, q2]
         +- Project [amount, (quantity * 2) AS q2]
            +- Relation parquet /data/orders [amount, quantity]
    `);
  });

  test('narrows Union inputs by position when that narrows a scan', () => {
    const other = scan('/data/old', 'amt:int32, qty:int32, text:string', { partitions: 'd:string' });
    const p = aggregate(union(orders, other), [], [as(sum('quantity'), 'q')]);
    expect(rewritten(pruneColumns, p)).toBe(plan`
      Aggregate [sum(quantity) AS q]
      +- Union
         :- Relation parquet /data/orders [quantity]
         +- Project [qty AS quantity]
            +- Relation parquet /data/old [qty]
    `);
    // A LocalRelation input cannot narrow by itself: it gets a column-selecting Project.
    const mem = local('mem', 'amount:int32, quantity:int32, note:string, day:string');
    const mixed = aggregate(union(orders, mem), [], [as(sum('quantity'), 'q')]);
    expect(rewritten(pruneColumns, mixed)).toBe(plan`
      Aggregate [sum(quantity) AS q]
      +- Union
         :- Relation parquet /data/orders [quantity]
         +- Project [quantity]
            +- LocalRelation mem [amount, quantity, note, day]
    `);
  });

  test('leaves a Union of in-memory inputs whole (narrowing them saves no work)', () => {
    const p = analyze(aggregate(union(local('x', 'a:int32, b:int32'), local('y', 'a:int32, b:int32')), [], [as(sum('a'), 's')]));
    expect(pruneColumns.apply(p)).toBe(p);
  });

  test('narrows an in-memory input of a join, sort or repartition (an Exchange would ship every column)', () => {
    const facts = local('facts', 'k:int32, v:float64, note:string');
    const dims = local('dims', 'k:int32, seg:int32, name:string');
    const j: LogicalPlan = { kind: 'join', left: facts, right: dims, on: ['k'], how: 'inner' };
    expect(rewritten(pruneColumns, aggregate(j, ['seg'], [as(sum('v'), 's')]))).toBe(plan`
      Aggregate [seg], [sum(v) AS s]
      +- Join Inner, using [k]
         :- Project [k, v]
         :  +- LocalRelation facts [k, v, note]
         +- Project [k, seg]
            +- LocalRelation dims [k, seg, name]
    `);
    // A semi join reads only the right side's keys.
    const semi: LogicalPlan = { kind: 'join', left: facts, right: dims, on: ['k'], how: 'semi' };
    expect(show(pruneColumns.apply(analyze(semi)))).toContain('+- Project [k]\n   +- LocalRelation dims [k, seg, name]');
    const sorted: LogicalPlan = { kind: 'sort', input: facts, order: [col('v')] };
    expect(rewritten(pruneColumns, project(sorted, 'k'))).toBe(plan`
      Project [k]
      +- Sort [v ASC NULLS FIRST]
         +- Project [k, v]
            +- LocalRelation facts [k, v, note]
    `);
    const rep: LogicalPlan = { kind: 'repartition', input: facts, n: 4, keys: [col('k')], shuffle: true };
    expect(rewritten(pruneColumns, project(rep, 'k'))).toBe(plan`
      Project [k]
      +- Repartition 4 by [k]
         +- Project [k]
            +- LocalRelation facts [k, v, note]
    `);
  });

  test('does not narrow an in-memory input that every column of is used, nor one under a filter or aggregate only', () => {
    const facts = local('facts', 'k:int32, v:float64');
    const j = analyze({ kind: 'join', left: facts, right: local('dims', 'k:int32, seg:int32'), on: ['k'], how: 'inner' });
    expect(pruneColumns.apply(j)).toBe(j);
    const agg = analyze(aggregate(filter(local('t', 'a:int32, b:int32, c:string'), gt('a', 1)), [], [as(sum('b'), 's')]));
    expect(show(pruneColumns.apply(agg))).not.toContain('Project');
  });

  test('is idempotent', () => {
    const p = aggregate(union(orders, local('mem', 'a:int32, b:int32, c:string, d:string')), [], [as(sum('quantity'), 'q')]);
    const once = pruneColumns.apply(analyze(p));
    expect(pruneColumns.apply(once)).toBe(once);
  });

  test('disabled by name, scans read every column', () => {
    const p = aggregate(orders, [], [as(sum('amount'), 'total')]);
    expect(optimized(p, ['prune-columns'])).toBe(plan`
      Aggregate [sum(amount) AS total]
      +- Relation parquet /data/orders [amount, quantity, note, day]
    `);
  });
});
