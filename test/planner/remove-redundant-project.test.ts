import { describe, expect, test } from 'vitest';
import { removeRedundantProject } from '../../src/planner/rules/remove-redundant-project.js';
import { analyze } from '../../src/planner/analyzer.js';
import { as, col, filter, gt, local, lit, mul, optimized, plan, plus, project, rewritten } from './dsl.js';

const t = local('t', 'a:int32, b:string');

describe('remove-redundant-project', () => {
  test('removes a Project that outputs exactly its input', () => {
    expect(rewritten(removeRedundantProject, filter(project(t, 'a', 'b'), gt('a', 1)))).toBe(plan`
      Filter (a > 1)
      +- LocalRelation t [a, b]
    `);
  });

  test('keeps a Project that reorders, renames or drops columns', () => {
    for (const p of [project(t, 'b', 'a'), project(t, 'a', as(col('b'), 'c')), project(t, 'a')]) {
      const a = analyze(p);
      expect(removeRedundantProject.apply(a)).toBe(a);
    }
  });

  test('merges stacked Projects by substituting the inner expressions', () => {
    const p = project(project(t, as(mul('a', lit(2)), 'y'), 'a', 'b'), as(plus('y', lit(1)), 'z'), 'b', as(col('a'), 'a2'));
    expect(rewritten(removeRedundantProject, p)).toBe(plan`
      Project [((a * 2) + 1) AS z, b, a AS a2]
      +- LocalRelation t [a, b]
    `);
  });

  test('does not merge when a computed inner expression would be evaluated twice', () => {
    const p = analyze(project(project(t, as(mul('a', lit(2)), 'y')), as(plus('y', col('y')), 'z')));
    expect(removeRedundantProject.apply(p)).toBe(p);
    // A bare column may be referenced any number of times.
    expect(rewritten(removeRedundantProject, project(project(t, as(col('a'), 'y')), as(plus('y', col('y')), 'z')))).toBe(plan`
      Project [(a + a) AS z]
      +- LocalRelation t [a, b]
    `);
  });

  test('disabled by name, both projects stay', () => {
    expect(optimized(project(project(t, as(col('a'), 'y'), 'b'), 'y'), ['remove-redundant-project'])).toBe(plan`
      Project [y]
      +- Project [a AS y]
         +- LocalRelation t [a, b]
    `);
  });
});
