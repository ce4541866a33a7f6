// Expression fingerprints (expr.ts, canonical-key.ts) tell every literal value apart — NaN,
// ±Infinity, -0.0 and 0.0 were all confused when the fingerprint was JSON — and the rules that
// drop repeated conjuncts by fingerprint (combine-filters, push-down-filter into a scan,
// constant-folding of scan filters) keep filters that differ only in such a literal.
import { describe, expect, test } from 'vitest';
import { type Expr, exprEquals, fingerprint } from '../../src/planner/expr.js';
import { canonicalKey } from '../../src/planner/canonical-key.js';
import { planEquals } from '../../src/planner/logical.js';
import { combineFilters } from '../../src/planner/rules/combine-filters.js';
import { col, filter, gt, local, lit, optimized, plan, plus, rewritten, scan } from './dsl.js';

const NUMBERS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 1.5, 2 ** 53, 2 ** 53 + 2, 5e-324, Number.MAX_VALUE];

/** NaN with a payload other than JavaScript's own NaN's. */
const otherNaN = new Float64Array(new BigUint64Array([0x7ff8_0000_0000_0001n]).buffer)[0]!;

describe('fingerprint', () => {
  test('literals of different values have different fingerprints (NaN, ±Infinity, -0.0 and 0.0 included)', () => {
    const prints = NUMBERS.map((v) => fingerprint(lit(v, 'float64')));
    expect(new Set(prints).size).toBe(NUMBERS.length);
    const inTrees = NUMBERS.map((v) => fingerprint(plus(col('x'), lit(v, 'float64'))));
    expect(new Set(inTrees).size).toBe(NUMBERS.length);
  });

  test('a literal equals only itself: NaN is NaN whatever its bits, -0.0 is not 0.0', () => {
    expect(Number.isNaN(otherNaN)).toBe(true);
    expect(exprEquals(lit(NaN, 'float64'), lit(otherNaN, 'float64'))).toBe(true);
    expect(exprEquals(lit(-Infinity, 'float64'), lit(-Infinity, 'float64'))).toBe(true);
    expect(exprEquals(lit(-0, 'float64'), lit(0, 'float64'))).toBe(false);
    expect(exprEquals(gt('x', lit(-Infinity, 'float64')), gt('x', lit(NaN, 'float64')))).toBe(false);
  });

  test('values of different kinds never share a fingerprint, nor does a literal with its type changed', () => {
    const exprs: Expr[] = [
      lit(null, 'string'), lit(null, 'int64'), lit('null'), lit('NaN'), lit(NaN, 'float64'), lit('Infinity'),
      lit(Infinity, 'float64'), lit(5, 'int64'), lit(5n, 'int64'), lit('5n'), lit(5, 'int32'), lit('5'), lit(true),
      lit('true'), lit('-0'), lit(-0, 'float64'), lit('"x"'), lit('x'), lit('a\u0000b'), lit('a b'),
    ];
    expect(new Set(exprs.map(fingerprint)).size).toBe(exprs.length);
  });

  test('equal trees give equal fingerprints whatever order their properties were written in', () => {
    const a: Expr = { kind: 'binary', op: '>', left: { kind: 'col', name: 'x' }, right: { kind: 'lit', value: NaN, type: 'float64' } };
    const b = { right: { type: 'float64', value: NaN, kind: 'lit' }, left: { name: 'x', kind: 'col' }, op: '>', kind: 'binary' } as unknown as Expr;
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint(a)).toBe(fingerprint(structuredClone(a)));
  });
});

describe('canonicalKey', () => {
  test('is lossless where JSON is not', () => {
    const values: unknown[] = [
      NaN, Infinity, -Infinity, 0, -0, null, undefined, 1n, '1n', 1, '1', [], {}, [undefined], [null], { a: null },
      new Date(0), new Date(1), '1970-01-01T00:00:00.000Z', true, 'true', { 'a"b': 1 }, { 'a\\"b': 1 }, ['a,b'], ['a', 'b'],
    ];
    expect(new Set(values.map(canonicalKey)).size).toBe(values.length);
  });

  test('an undefined property is an absent one, as in JSON', () => {
    expect(canonicalKey({ a: undefined, b: 1 })).toBe(canonicalKey({ b: 1 }));
  });

  test('refuses values whose contents are not properties', () => {
    expect(() => canonicalKey(new Map([[1, 2]]))).toThrow(/Map or a Set/);
    expect(() => canonicalKey({ f: () => 1 })).toThrow(/cannot key a function/);
  });

  test('planEquals tells plans apart by a NaN or -0.0 literal', () => {
    const t = local('t', 'x:float64');
    expect(planEquals(filter(t, gt('x', lit(NaN, 'float64'))), filter(t, gt('x', lit(Infinity, 'float64'))))).toBe(false);
    expect(planEquals(filter(t, gt('x', lit(-0, 'float64'))), filter(t, gt('x', lit(0, 'float64'))))).toBe(false);
    expect(planEquals(filter(t, gt('x', lit(NaN, 'float64'))), filter(t, gt('x', lit(NaN, 'float64'))))).toBe(true);
  });
});

describe('rules that drop repeated conjuncts keep filters differing only in a special literal', () => {
  const t = local('t', 'x:float64');

  test('combine-filters keeps x > -Infinity and x > NaN, and x > -0.0 and x > 0.0', () => {
    const p = filter(filter(t, gt('x', lit(-Infinity, 'float64'))), gt('x', lit(NaN, 'float64')));
    expect(rewritten(combineFilters, p)).toBe(plan`
      Filter ((x > -Infinity) AND (x > NaN))
      +- LocalRelation t [x]
    `);
    const z = filter(filter(t, gt('x', lit(-0, 'float64'))), gt('x', lit(0, 'float64')));
    expect(rewritten(combineFilters, z)).toBe(plan`
      Filter ((x > -0.0) AND (x > 0.0))
      +- LocalRelation t [x]
    `);
  });

  test('combine-filters still drops a real repeat (x > NaN twice)', () => {
    const p = filter(filter(t, gt('x', lit(NaN, 'float64'))), gt('x', lit(NaN, 'float64')));
    expect(rewritten(combineFilters, p)).toBe(plan`
      Filter (x > NaN)
      +- LocalRelation t [x]
    `);
  });

  test('filters pushed into a scan keep both x > Infinity and x > NaN', () => {
    const p = filter(filter(scan('/data/t', 'x:float64'), gt('x', lit(Infinity, 'float64'))), gt('x', lit(NaN, 'float64')));
    const text = optimized(p);
    expect(text).toContain('(x > Infinity)');
    expect(text).toContain('(x > NaN)');
  });
});
