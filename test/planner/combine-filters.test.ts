import { describe, expect, test } from 'vitest';
import { combineFilters } from '../../src/planner/rules/combine-filters.js';
import { analyze } from '../../src/planner/analyzer.js';
import { and, eq, filter, gt, isNotNull, limit, local, lt, optimized, plan, project, rewritten } from './dsl.js';

const t = local('t', 'a:int32, b:string');

describe('combine-filters', () => {
  test('merges two stacked filters into one, the lower condition first', () => {
    const p = filter(filter(t, gt('a', 1)), eq('b', 'x'));
    expect(rewritten(combineFilters, p)).toBe(plan`
      Filter ((a > 1) AND (b = 'x'))
      +- LocalRelation t [a, b]
    `);
  });

  test('merges a whole stack in one pass and drops repeated conjuncts', () => {
    const p = filter(filter(filter(t, gt('a', 1)), and(isNotNull('b'), gt('a', 1))), lt('a', 9));
    expect(rewritten(combineFilters, p)).toBe(plan`
      Filter (((a > 1) AND (b IS NOT NULL)) AND (a < 9))
      +- LocalRelation t [a, b]
    `);
  });

  test('does not merge filters separated by another node', () => {
    const p = filter(limit(filter(t, gt('a', 1)), 5), lt('a', 9));
    const analyzed = analyze(p);
    expect(combineFilters.apply(analyzed)).toBe(analyzed);
    const q = analyze(filter(project(filter(t, gt('a', 1)), 'a'), lt('a', 9)));
    expect(combineFilters.apply(q)).toBe(q);
  });

  test('disabled by name, stacked filters stay stacked', () => {
    const p = filter(filter(t, gt('a', 1)), eq('b', 'x'));
    expect(optimized(p, ['combine-filters'])).toBe(plan`
      Filter (b = 'x')
      +- Filter (a > 1)
         +- LocalRelation t [a, b]
    `);
  });
});
