import { describe, expect, test } from 'vitest';
import { constantFolding, foldExpr } from '../../src/planner/rules/constant-folding.js';
import { analyze } from '../../src/planner/analyzer.js';
import { exprToString, type Expr } from '../../src/planner/expr.js';
import { resolveExpr } from '../../src/planner/resolve-expr.js';
import {
  aggregate, and, as, cast, coalesce, col, div, eq, filter, gt, gte, isIn, isNull, lit, local, lt, mod, mul,
  neg, neq, not, nul, optimized, or, plan, plus, project, rewritten, schema, scan, show, minus, sum, when,
} from './dsl.js';

const t = local('t', 'a:int32, b:string, x:float64, big:int64, flag:boolean');
const s = schema('a:int32, b:string, x:float64, big:int64, flag:boolean');

/** Resolves `e` against t's columns (inserting casts as the analyzer would), folds, prints. */
function folded(e: Expr): string {
  return exprToString(foldExpr(resolveExpr(e, s, 'test').expr, s));
}

describe('constant-folding', () => {
  test('folds literal subtrees in projections and filters, keeping the output names', () => {
    const p = filter(project(t, as(plus(lit(2), lit(3)), 'five'), 'big'), and(gt('big', 5), eq(lit(1), lit(1))));
    expect(show(analyze(p))).toBe(plan`
      Filter ((big > CAST(5 AS int64)) AND (1 = 1))
      +- Project [(2 + 3) AS five, big]
         +- LocalRelation t [a, b, x, big, flag]
    `);
    expect(rewritten(constantFolding, p)).toBe(plan`
      Filter (big > 5L)
      +- Project [5 AS five, big]
         +- LocalRelation t [a, b, x, big, flag]
    `);
    // An unnamed expression keeps the name the analyzer gave it.
    expect(rewritten(constantFolding, project(t, mul(lit(6), lit(7))))).toBe(plan`
      Project [42 AS (6 * 7)]
      +- LocalRelation t [a, b, x, big, flag]
    `);
  });

  test('arithmetic follows the engine: int32 wraps, x / 0 and x % 0 are NULL, int64 only while exact', () => {
    expect(folded(plus(lit(2147483647), lit(1)))).toBe('-2147483648');
    expect(folded(mul(lit(65536), lit(65536)))).toBe('0');
    expect(folded(minus(lit(-7), lit(2)))).toBe('-9');
    expect(folded(mod(lit(-7), lit(2)))).toBe('-1');
    expect(folded(div(lit(7), lit(2)))).toBe('3.5');
    expect(folded(div(lit(1), lit(0)))).toBe('null');
    expect(folded(mod(lit(1), lit(0)))).toBe('null');
    expect(folded(mod(lit(5.5), lit(2)))).toBe('1.5');
    expect(folded(plus(lit(2n ** 40n), lit(1)))).toBe('1099511627777L');
    // Beyond 2^53 the engine's double arithmetic is not exact: left for it to compute.
    expect(folded(mul(lit(2n ** 40n), lit(2n ** 20n)))).toBe('(1099511627776L * 1048576L)');
    expect(folded(neg(lit(-2147483648, 'int32')))).toBe('-2147483648'); // wraps
    expect(folded(neg(neg(col('a'))))).toBe('a');
    expect(folded(plus('a', nul('int32')))).toBe('null');
    expect(folded(plus(plus('a', lit(1)), lit(2)))).toBe('((a + 1) + 2)'); // not reassociated
  });

  test('comparisons: strings by UTF-8 bytes, never with NaN', () => {
    expect(folded(lt(lit('apple'), lit('banana')))).toBe('true');
    // U+FF61 sorts before U+1F600 in UTF-8 (EF.. < F0..) but after it in UTF-16 (FF61 > D83D).
    expect(folded(lt(lit('\uff61'), lit('\u{1f600}')))).toBe('true');
    expect(folded(eq(lit(1), lit(1.0)))).toBe('true');
    expect(folded(gte(lit(-0.5), lit(0)))).toBe('false');
    expect(folded(eq(lit(NaN), lit(NaN)))).toBe('(NaN = NaN)');
    expect(folded(eq(lit(true), lit(false)))).toBe('false');
    expect(folded(neq('b', nul('string')))).toBe('null');
    expect(folded(isIn(lit(2), 1, 2))).toBe('true');
    expect(folded(isIn(lit(3), 1, 2, null))).toBe('null');
    expect(folded(isIn(lit(3), 1, 2))).toBe('false');
    expect(folded(isNull(lit(null)))).toBe('true');
  });

  test('casts of literals fold only where the result is certain', () => {
    expect(folded(cast(lit(5), 'int64'))).toBe('5L');
    expect(folded(cast(lit(2.7), 'int32'))).toBe('2');
    expect(folded(cast(lit(-2.7), 'int64'))).toBe('-2L');
    expect(folded(cast(lit(3e10), 'int32'))).toBe('CAST(30000000000.0 AS int32)');
    expect(folded(cast(lit(12), 'string'))).toBe("'12'");
    expect(folded(cast(lit(true), 'int32'))).toBe('1');
    expect(folded(cast(lit(0), 'boolean'))).toBe('false');
    expect(folded(cast(lit('12'), 'int32'))).toBe("CAST('12' AS int32)");
    expect(folded(cast(lit(1.5), 'string'))).toBe("CAST(1.5 AS string)");
  });

  test('boolean logic under SQL NULL semantics', () => {
    const p = gt('a', 1);
    expect(folded(and(p, lit(true)))).toBe('(a > 1)');
    expect(folded(and(p, lit(false)))).toBe('false');
    expect(folded(or(lit(true), p))).toBe('true');
    expect(folded(or(p, lit(false)))).toBe('(a > 1)');
    expect(folded(and(p, nul('boolean')))).toBe('((a > 1) AND null)');
    expect(folded(and(nul('boolean'), lit(false)))).toBe('false');
    expect(folded(or(nul('boolean'), lit(true)))).toBe('true');
    expect(folded(and(nul('boolean'), lit(true)))).toBe('null');
    expect(folded(not(not(col('flag'))))).toBe('flag');
    expect(folded(not(lit(null, 'boolean')))).toBe('null');
    expect(folded(not(lt('a', 5)))).toBe('(a >= 5)');
    expect(folded(not(eq('b', 'x')))).toBe("(b != 'x')");
    // Not for doubles: the rewrite is only valid when no NaN can be involved.
    expect(folded(not(lt('x', 5)))).toBe('NOT (x < 5.0)');
  });

  test('CASE and coalesce', () => {
    expect(folded(when([[lit(true), lit('first')], [gt('a', 1), lit('second')]], lit('other')))).toBe("'first'");
    expect(folded(when([[lit(false), lit(1)], [gt('a', 1), lit(2)], [lit(true), lit(3)], [gt('a', 5), lit(4)]])))
      .toBe('CASE WHEN (a > 1) THEN 2 ELSE 3 END');
    expect(folded(when([[eq(lit(1), lit(2)), lit(1)]]))).toBe('null');
    expect(folded(when([[nul('boolean'), col('a')]], col('a')))).toBe('a');
    expect(folded(coalesce(nul('int32'), col('a'), lit(5), col('a')))).toBe('coalesce(a, 5)');
    expect(folded(coalesce(nul('int32'), col('a')))).toBe('a');
    expect(folded(coalesce(lit(1), col('a')))).toBe('1');
    expect(folded(coalesce(nul('int32'), nul('int32')))).toBe('null');
  });

  test('a filter that is always TRUE goes; one that is false or NULL stays as Filter false', () => {
    expect(rewritten(constantFolding, filter(t, or(eq(lit(1), lit(1)), gt('a', 1))))).toBe(plan`
      LocalRelation t [a, b, x, big, flag]
    `);
    expect(rewritten(constantFolding, filter(t, and(gt('a', 1), eq(lit(1), lit(2)))))).toBe(plan`
      Filter false
      +- LocalRelation t [a, b, x, big, flag]
    `);
    expect(rewritten(constantFolding, filter(t, and(gt('a', 1), eq('a', nul('int32')))))).toBe(plan`
      Filter false
      +- LocalRelation t [a, b, x, big, flag]
    `);
  });

  test('folds inside aggregates and in pushed scan filters', () => {
    const p = aggregate(t, [as(plus(lit(1), lit(1)), 'two')], [as(sum(mul('a', plus(lit(1), lit(2)))), 's')]);
    expect(rewritten(constantFolding, p)).toBe(plan`
      Aggregate [2 AS two], [sum((a * 3)) AS s]
      +- LocalRelation t [a, b, x, big, flag]
    `);
    const sc = scan('/d', 'a:int32');
    const withFilters = { ...(sc as Extract<typeof sc, { kind: 'scan' }>), filters: [gt('a', plus(lit(1), lit(1))), gt('a', 2), eq(lit(1), lit(1))] };
    expect(rewritten(constantFolding, withFilters)).toBe('Relation parquet /d [a] PushedFilters: [(a > 2)]');
  });

  test('leaves a plan without constants as the very same object', () => {
    const p = analyze(filter(project(t, 'a', as(plus('a', lit(1)), 'a1')), gt('a1', 3)));
    expect(constantFolding.apply(p)).toBe(p);
  });

  test('disabled by name, literals are computed per row', () => {
    expect(optimized(project(t, as(plus(lit(2), lit(3)), 'five')), ['constant-folding'])).toBe(plan`
      Project [(2 + 3) AS five]
      +- LocalRelation t [a, b, x, big, flag]
    `);
  });
});
