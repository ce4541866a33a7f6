// NULL literals in the resolver's common type (resolve-expr.ts): an untyped lit(null) takes the
// type of the operands it meets, while a NULL an explicit cast typed counts with its type as
// Spark's CAST(NULL AS BIGINT) does — lit(null).cast('int64') - int32 column is int64 (it was
// int32: every NULL literal used to be skipped).
import { describe, expect, test } from 'vitest';
import { exprToString, type Expr, type ScalarFn } from '../../src/planner/expr.js';
import { resolveExpr } from '../../src/planner/resolve-expr.js';
import { AnalysisError } from '../../src/planner/errors.js';
import { cast, coalesce, col, eq, gt, lit, minus, mod, mul, plus, div, schema, when } from './dsl.js';

const s = schema('a:int32, big:int64, x:float64, str:string, d:date');

const call = (func: ScalarFn, ...args: (Expr | string)[]): Expr =>
  ({ kind: 'call', func, args: args.map((a) => (typeof a === 'string' ? col(a) : a)) });
/** NULL as the DSL's lit(null) builds it (no type of its own). */
const NULL = lit(null);
const typedNull = (to: Parameters<typeof cast>[1]): Expr => cast(NULL, to);

function resolved(e: Expr): { text: string; type: string } {
  const r = resolveExpr(e, s, 'test');
  return { text: exprToString(r.expr), type: r.type };
}

describe('a NULL typed by a cast counts with its type', () => {
  test('arithmetic widens to the typed NULL (the column is cast up)', () => {
    expect(resolved(minus(typedNull('int64'), col('a')))).toEqual({ text: '(null - CAST(a AS int64))', type: 'int64' });
    expect(resolved(plus(col('a'), typedNull('float64')))).toEqual({ text: '(CAST(a AS float64) + null)', type: 'float64' });
    expect(resolved(mul(typedNull('int64'), col('a'))).type).toBe('int64');
    expect(resolved(mod(col('a'), typedNull('int64'))).type).toBe('int64');
    expect(resolved(div(col('a'), typedNull('int64'))).type).toBe('float64');
  });

  test('a narrower typed NULL does not narrow the other side', () => {
    expect(resolved(plus(typedNull('int32'), col('big')))).toEqual({ text: '(null + big)', type: 'int64' });
    expect(resolved(minus(col('x'), typedNull('int64'))).type).toBe('float64');
  });

  test('comparison, IN, CASE, coalesce and greatest widen to it too', () => {
    expect(resolved(eq(col('a'), typedNull('int64'))).text).toBe('(CAST(a AS int64) = null)');
    expect(resolved({ kind: 'in', child: col('a'), values: [lit(1), typedNull('int64')] }).text).toBe('(CAST(a AS int64) IN (CAST(1 AS int64), null))');
    expect(resolved(when([[gt('a', 0), typedNull('int64')]], col('a'))).type).toBe('int64');
    expect(resolved(coalesce(typedNull('int64'), col('a')))).toEqual({ text: 'coalesce(null, CAST(a AS int64))', type: 'int64' });
    expect(resolved(call('greatest', typedNull('int64'), 'a')).type).toBe('int64');
  });

  test('a scalar function sees the typed NULL argument\'s type', () => {
    expect(resolved(call('abs', typedNull('int64'))).type).toBe('int64');
    expect(resolved(call('abs', NULL)).type).toBe('float64');
    expect(resolved(call('floor', typedNull('float64'))).type).toBe('int64');
  });

  test('a NULL cast to string is a string: arithmetic with it is refused, as with any string', () => {
    expect(() => resolveExpr(minus(typedNull('string'), col('a')), s, 'test')).toThrow(AnalysisError);
    expect(() => resolveExpr(minus(lit('1'), col('a')), s, 'test')).toThrow(AnalysisError);
    // ... and next to a date it is read as a date, as a string literal is.
    expect(resolved(gt(col('d'), typedNull('string'))).type).toBe('boolean');
  });
});

describe('an untyped NULL takes the type of what it meets', () => {
  test('in arithmetic, comparisons, CASE and coalesce', () => {
    expect(resolved(minus(NULL, col('a')))).toEqual({ text: '(null - a)', type: 'int32' });
    expect(resolved(plus(col('big'), NULL)).type).toBe('int64');
    expect(resolved(eq(col('str'), NULL)).text).toBe('(str = null)');
    expect(resolved(when([[gt('a', 0), NULL]], col('x'))).type).toBe('float64');
    expect(resolved(coalesce(NULL, col('a'))).type).toBe('int32');
    expect(resolved(coalesce(NULL, NULL)).type).toBe('string');
  });
});

describe('resolving a resolved expression changes nothing', () => {
  const exprs: Expr[] = [
    minus(typedNull('int64'), col('a')), plus(NULL, col('a')), coalesce(typedNull('int64'), col('a'), NULL),
    when([[gt('a', 0), typedNull('int64')]], NULL), call('abs', typedNull('int64')), eq(col('str'), NULL),
    plus(plus(NULL, col('a')), typedNull('float64')),
  ];
  test.each(exprs.map((e) => [exprToString(e), e] as const))('%s', (_name, e) => {
    const once = resolveExpr(e, s, 'test');
    const twice = resolveExpr(once.expr, s, 'test');
    expect(exprToString(twice.expr)).toBe(exprToString(once.expr));
    expect(twice.type).toBe(once.type);
  });
});
