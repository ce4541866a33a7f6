import { describe, expect, test } from 'vitest';
import { optimize } from '../../src/planner/optimizer/optimizer.js';
import { BATCHES, ALL_RULE_NAMES } from '../../src/planner/optimizer/batches.js';
import { analyze, schemaOf } from '../../src/planner/analyzer.js';
import type { LogicalPlan } from '../../src/planner/logical.js';
import {
  aggregate, and, as, cast, coalesce, col, eq, filter, gt, isIn, limit, local, lit, lt, mul, nul, optimized,
  or, plan, plus, project, range, scan, show, sum, udf, union, when,
} from './dsl.js';

const orders = scan('/data/orders', 'amount:int32, quantity:int32, note:string, price:float64', { partitions: 'day:string' });
const users = local('users', 'id:int64, name:string, age:int32', 500);

/** A tall plan built like a chain of withColumn + filter calls, with a limit every third level. */
function tall(levels: number, limits = true): LogicalPlan {
  let p: LogicalPlan = scan('/data/t', 'a:int32, b:string, junk:string');
  const names = ['a', 'b', 'junk'];
  for (let i = 0; i < levels; i++) {
    const prev = i === 0 ? 'a' : `c${i - 1}`;
    p = project(p, ...names, as(plus(prev, lit(1)), `c${i}`));
    names.push(`c${i}`);
    p = filter(p, gt(`c${i}`, i));
    if (limits && i % 3 === 2) p = limit(p, 1000 - i);
  }
  return project(p, 'b', `c${levels - 1}`);
}

/** Plans exercising every rule; used for the idempotence and schema checks. */
const SAMPLES: Record<string, LogicalPlan> = {
  'brief example': aggregate(
    filter(project(orders, 'amount', as(mul('amount', col('quantity')), 'x')), gt('amount', 50)), [], [as(sum('amount'), 'total')],
  ),
  'stacked filters over a scan': filter(filter(filter(orders, gt('amount', 1)), eq('day', '2024-01-01')), lt('price', 9.5)),
  'limit over a union of projects': limit(union(project(orders, 'amount', 'note'), project(users, 'age', 'name')), 10),
  'filter over union with casts': filter(union(project(users, 'id'), range(0, 100)), gt('id', 5)),
  'grouped aggregate with a key filter': filter(aggregate(orders, ['day'], [as(sum('price'), 's')]), and(eq('day', 'x'), gt('s', 1))),
  'constants everywhere': filter(project(users, as(plus(lit(1), lit(2)), 'three'), as(coalesce(nul('int32'), col('age')), 'age2'),
    as(when([[lit(false), lit('a')]], lit('b')), 'w')), or(eq(lit(1), lit(2)), isIn('age2', 1, 2))),
  'lambdas block': limit(filter(udf(project(orders, 'amount', 'note'), 'flatMap', '(r) => [r]', 'amount:int32, note:string'), gt('amount', 1)), 3),
  'map under a limit': limit(project(udf(orders, 'map', '(r) => r', 'amount:int32'), as(cast('amount', 'int64'), 'a64')), 5),
  'tall': tall(12),
};

describe('optimize (all batches)', () => {
  test('the brief example: the filter reaches the scan, which reads one column', () => {
    expect(optimized(SAMPLES['brief example']!)).toBe(plan`
      Aggregate [sum(amount) AS total]
      +- Filter (amount > 50)
         +- Relation parquet /data/orders [amount] PushedFilters: [(amount > 50)]
    `);
  });

  test('a tall withColumn/filter chain: projects collapse, filters stop at limits, scan narrows', () => {
    expect(optimized(tall(6))).toBe(plan`
      Project [b, ((((((a + 1) + 1) + 1) + 1) + 1) + 1) AS c5]
      +- Limit 995
         +- Filter (((((((a + 1) + 1) + 1) + 1) > 3) AND ((((((a + 1) + 1) + 1) + 1) + 1) > 4)) AND (((((((a + 1) + 1) + 1) + 1) + 1) + 1) > 5))
            +- Limit 998
               +- Filter ((((a + 1) > 0) AND (((a + 1) + 1) > 1)) AND ((((a + 1) + 1) + 1) > 2))
                  +- Relation parquet /data/t [a, b]
    `);
  });

  test('reaches a fixed point on a tall plan, in rounds that do not grow with its height', () => {
    const run = (p: LogicalPlan) => {
      const { plan: out, trace } = optimize(analyze(p));
      const rounds = Math.max(...trace.filter((t) => t.batch === 'Operator optimization').map((t) => t.iteration));
      // Optimizing the result again changes nothing.
      const again = optimize(out);
      expect(again.trace).toEqual([]);
      expect(again.plan).toBe(out);
      return { out, rounds };
    };
    // Each rule does all it can in one pass, so the height costs no extra rounds...
    const noLimits = run(tall(60, false));
    expect(noLimits.rounds).toBe(run(tall(6, false)).rounds);
    expect(noLimits.rounds).toBeLessThanOrEqual(4);
    const lines = show(noLimits.out).split('\n');
    expect(lines.map((l) => l.replace(/ [[(].*$/, ''))).toEqual(['Project', '+- Filter', '   +- Relation parquet /data/t']);
    expect(lines[2]).toBe('   +- Relation parquet /data/t [a, b]');
    // ...but each Limit in a chain of projections costs one: the projections above it merge
    // first, then the limit moves below them, then they merge with the next ones.
    expect(run(tall(60)).rounds).toBeLessThanOrEqual(20 + 4);
  });

  test('every rule is idempotent on its own output', () => {
    const rules = BATCHES.flatMap((b) => b.rules);
    for (const [name, p] of Object.entries(SAMPLES)) {
      const analyzed = analyze(p);
      for (const rule of rules) {
        const once = rule.apply(analyzed);
        const twice = rule.apply(once);
        expect(twice === once ? 'same' : `${rule.name} changed '${name}' again:\n${show(once)}\n---\n${show(twice)}`).toBe('same');
      }
    }
  });

  test('keeps the output schema (names and types) of every sample', () => {
    for (const p of Object.values(SAMPLES)) {
      const analyzed = analyze(p);
      const shape = (q: LogicalPlan) => schemaOf(q).map((f) => `${f.name}:${f.type}`);
      expect(shape(optimize(analyzed).plan)).toEqual(shape(analyzed));
    }
  });

  test('every registered rule can be disabled by name; disabling all leaves the plan as analyzed', () => {
    expect([...ALL_RULE_NAMES].sort()).toEqual([
      'combine-filters', 'constant-folding', 'prune-columns', 'push-down-filter', 'push-down-limit', 'remove-redundant-project',
      'rewrite-distinct-aggregates',
    ]);
    for (const p of Object.values(SAMPLES)) {
      const analyzed = analyze(p);
      expect(optimize(analyzed, [...ALL_RULE_NAMES]).plan).toBe(analyzed);
    }
    expect(() => optimize(analyze(users), ['push-down-filters'])).toThrow(/unknown optimizer rule 'push-down-filters'/);
  });

  test('other samples, as text', () => {
    expect(optimized(SAMPLES['limit over a union of projects']!)).toBe(plan`
      Limit 10
      +- Union
         :- Limit 10
         :  +- Relation parquet /data/orders [amount, note]
         +- Project [age AS amount, name AS note]
            +- Limit 10
               +- LocalRelation users [id, name, age]
    `);
    expect(optimized(SAMPLES['filter over union with casts']!)).toBe(plan`
      Union
      :- Project [id]
      :  +- Filter (id > 5L)
      :     +- LocalRelation users [id, name, age]
      +- Filter (id > 5L)
         +- Range (0, 100, step=1, partitions=2)
    `);
    expect(optimized(SAMPLES['grouped aggregate with a key filter']!)).toBe(plan`
      Filter (s > 1.0)
      +- Aggregate [day], [sum(price) AS s]
         +- Filter (day = 'x')
            +- Relation parquet /data/orders [price, day] PushedFilters: [(day = 'x')]
    `);
    expect(optimized(SAMPLES['constants everywhere']!)).toBe(plan`
      Project [3 AS three, age AS age2, 'b' AS w]
      +- Filter (age IN (1, 2))
         +- LocalRelation users [id, name, age]
    `);
    expect(optimized(SAMPLES['lambdas block']!)).toBe(plan`
      Limit 3
      +- Filter (amount > 1)
         +- FlatMap (r) => [r] -> [amount, note]
            +- Relation parquet /data/orders [amount, note]
    `);
    expect(optimized(SAMPLES['map under a limit']!)).toBe(plan`
      Project [CAST(amount AS int64) AS a64]
      +- Map (r) => r -> [amount]
         +- Limit 5
            +- Relation parquet /data/orders [amount, quantity, note, price, day]
    `);
  });
});
