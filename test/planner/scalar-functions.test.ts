// Scalar function calls in the planner: typing (argument casts, result types, nullability),
// constant folding, and round's HALF_UP fast path checked against exact decimal rounding.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { constantFolding, foldExpr } from '../../src/planner/rules/constant-folding.js';
import { exprToString, type Expr, type ScalarFn } from '../../src/planner/expr.js';
import { resolveExpr } from '../../src/planner/resolve-expr.js';
import { roundHalfUp } from '../../src/planner/scalar-functions.js';
import { as, col, filter, gt, lit, local, nul, plan, project, rewritten, schema } from './dsl.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { rng } from '../helpers/rng.js';

const call = (func: ScalarFn, ...args: (Expr | string)[]): Expr =>
  ({ kind: 'call', func, args: args.map((a) => (typeof a === 'string' ? col(a) : a)) });

const t = local('t', 'a:int32, x:float64, big:int64, s:string');
const s = schema('a:int32, x:float64, big:int64, s:string');

function resolved(e: Expr): { text: string; type: string; nullable: boolean } {
  const r = resolveExpr(e, s, 'test');
  return { text: exprToString(r.expr), type: r.type, nullable: r.nullable };
}

function folded(e: Expr): string {
  return exprToString(foldExpr(resolveExpr(e, s, 'test').expr, s));
}

describe('scalar function typing', () => {
  test('double functions cast their arguments to float64; floor/ceil give int64; abs/round keep the type', () => {
    expect(resolved(call('exp', 'a'))).toEqual({ text: 'exp(CAST(a AS float64))', type: 'float64', nullable: true });
    expect(resolved(call('pow', 'a', lit(2)))).toEqual({ text: 'pow(CAST(a AS float64), CAST(2 AS float64))', type: 'float64', nullable: true });
    expect(resolved(call('floor', 'a')).text).toBe('floor(CAST(a AS int64))');
    expect(resolved(call('floor', 'a')).type).toBe('int64');
    expect(resolved(call('ceil', 'x')).type).toBe('int64');
    expect(resolved(call('abs', 'a')).type).toBe('int32');
    expect(resolved(call('round', 'big', lit(-2))).type).toBe('int64');
    expect(resolved(call('greatest', 'a', 'big', 'x'))).toEqual({
      text: 'greatest(CAST(a AS float64), CAST(big AS float64), x)', type: 'float64', nullable: true,
    });
  });

  test('nullability: log may be NULL for any input; greatest is NULL only when every argument may be', () => {
    const ns = [{ name: 'n', type: 'float64', nullable: false }, { name: 'm', type: 'float64', nullable: true }] as const;
    const r = (e: Expr) => resolveExpr(e, ns, 'test').nullable;
    expect(r(call('exp', 'n'))).toBe(false);
    expect(r(call('log', 'n'))).toBe(true);
    expect(r(call('pow', 'n', 'm'))).toBe(true);
    expect(r(call('greatest', 'n', 'm'))).toBe(false);
    expect(r(call('least', 'm', 'm'))).toBe(true);
  });

  test('errors name the call and what was wrong', () => {
    expect(() => resolved(call('sqrt', 's'))).toThrow(/sqrt\(s\): sqrt\(\) needs numeric arguments \(string\)/);
    expect(() => resolved(call('pow', 'x'))).toThrow(/pow\(\) takes 2 arguments, got 1/);
    expect(() => resolved(call('log', 'x', 'x', 'x'))).toThrow(/log\(\) takes 1 or 2 arguments, got 3/);
    expect(() => resolved(call('round', 'x', 'a'))).toThrow(/round\(\) takes a constant integer scale/);
    expect(() => resolved(call('greatest', 'x', 's'))).toThrow(/greatest\(\) arguments must have compatible types/);
  });
});

describe('constant folding of scalar functions', () => {
  test('exp(0) folds to 1.0 in a projection and in a filter, keeping the output name', () => {
    const p = filter(project(t, as(call('exp', lit(0)), 'one'), 'x'), gt('x', call('sqrt', lit(16))));
    expect(rewritten(constantFolding, p)).toBe(plan`
      Filter (x > 4.0)
      +- Project [1.0 AS one, x]
         +- LocalRelation t [a, x, big, s]
    `);
  });

  test('folds with Spark semantics: log of <= 0 is NULL, round HALF_UP, floor to int64, greatest skips NULL', () => {
    expect(folded(call('log', lit(-1)))).toBe('null');
    expect(folded(call('log10', lit(1000)))).toBe('3.0');
    expect(folded(call('log', lit(2), lit(8)))).toBe('3.0');
    expect(folded(call('round', lit(2.675), lit(2)))).toBe('2.68');
    expect(folded(call('round', lit(-2.5), lit(0)))).toBe('-3.0');
    expect(folded(call('round', lit(125), lit(-1)))).toBe('130');
    expect(folded(call('floor', lit(-2.5)))).toBe('-3L');
    expect(folded(call('ceil', lit(7)))).toBe('7L');
    expect(folded(call('abs', lit(-2147483648, 'int32')))).toBe('-2147483648'); // wraps, as Java
    expect(folded(call('greatest', lit(1), nul('int32'), lit(3)))).toBe('3');
    expect(folded(call('least', nul('float64'), nul('float64')))).toBe('null');
    expect(folded(call('pow', lit(2), lit(10)))).toBe('1024.0');
    expect(folded(call('exp', nul('float64')))).toBe('null');
  });

  test('NaN and infinite results are left to the engine; calls over columns stay', () => {
    expect(folded(call('sqrt', lit(-1)))).toBe('sqrt(-1.0)');
    expect(folded(call('exp', lit(1000)))).toBe('exp(1000.0)');
    expect(folded(call('exp', 'x'))).toBe('exp(x)');
    expect(folded(call('floor', lit(1e17)))).toBe('floor(100000000000000000.0)'); // beyond 2^53: not exact as int64
  });
});

describe('round(x, scale) on doubles: HALF_UP of the shortest decimal text (Spark\'s BigDecimal(d))', () => {
  let db: Oracle;
  beforeAll(async () => { db = await openOracle(); });
  afterAll(() => db?.close());

  test('matches DuckDB rounding the DECIMAL of the text, on random values and on half-way values', async () => {
    const rnd = rng(7);
    const xs: number[] = [];
    for (let k = 0; k < 3000; k++) {
      const mag = 10 ** (Math.floor(rnd() * 16) - 6);
      xs.push((rnd() - 0.5) * mag);
      // x.xx5-style values: exactly half-way in decimal, rarely so in binary.
      const sc = Math.floor(rnd() * 5);
      xs.push((Math.floor(rnd() * 1e6) - 5e5 + 0.5) / 10 ** sc);
    }
    const scales = [-2, 0, 1, 2, 3, 5];
    const values = xs.map((x) => `(${x.toExponential()}::DOUBLE)`).join(',');
    const cols = scales.map((sc, j) => `CAST(round(CAST(CAST(x AS VARCHAR) AS DECIMAL(38, 18)), ${sc}) AS DOUBLE) AS r${j}`).join(', ');
    const rows = await db.query(`SELECT x, ${cols} FROM (VALUES ${values}) v(x)`);
    let checked = 0;
    for (const row of rows) {
      const x = row['x'] as number;
      scales.forEach((sc, j) => {
        const want = row[`r${j}`] as number;
        const got = roundHalfUp(x, sc);
        if (got !== want && !(got === 0 && want === 0)) throw new Error(`round(${x}, ${sc}) = ${got}, DuckDB's decimal rounding says ${want}`);
        checked++;
      });
    }
    expect(checked).toBe(xs.length * scales.length);
  });
});
