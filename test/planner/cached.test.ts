// A persisted dataset is a leaf to the optimizer: every query over it must read the same
// cached rows, so no filter, limit or column pruning reaches inside it.
import { describe, expect, it } from 'vitest';
import type { LogicalPlan } from '../../src/planner/logical.js';
import { col, filter, gt, limit, lit, optimized, plan, project, scan } from './dsl.js';

const cached = (input: LogicalPlan): LogicalPlan => ({ kind: 'cached', input, cacheId: 7, level: 'MEMORY_ONLY' });

describe('cached datasets in the optimizer', () => {
  it('a filter above a cached dataset stays above it (not pushed into its scan)', () => {
    const p = filter(cached(scan('/d', 'a: int32, b: string')), gt(col('a'), lit(5)));
    expect(optimized(p)).toBe(plan`
      Filter (a > 5)
      +- InMemoryRelation #7 [a, b], MEMORY_ONLY (not computed yet)
    `);
  });

  it('columns are not pruned below it, and a limit is not pushed into it', () => {
    const p = limit(project(cached(scan('/d', 'a: int32, b: string, c: float64')), 'a'), 3);
    expect(optimized(p)).toBe(plan`
      Project [a]
      +- Limit 3
         +- InMemoryRelation #7 [a, b, c], MEMORY_ONLY (not computed yet)
    `);
  });
});
