// The per-worker kernel cache (codegen/cache.ts) is keyed by the expression's fingerprint: a
// kernel compiled for one special float literal must never be found under another's key (with
// JSON fingerprints, x + NaN's kernel answered x + Infinity, and x * -0.0's answered x * 0.0).
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../src/planner/expr.js';
import { type Schema, field } from '../../src/planner/types.js';
import { resolveExpr } from '../../src/planner/resolve-expr.js';
import { rowsToBatch, vecGet } from '../../src/executor/batch.js';
import { compileExpr } from '../../src/executor/codegen/compile-expr.js';
import { compileFilter } from '../../src/executor/codegen/compile-filter.js';

const sch: Schema = [field('x', 'float64')];
const batch = rowsToBatch(sch, [{ x: 1.5 }, { x: -2 }]);
const x: Expr = { kind: 'col', name: 'x' };
const num = (value: number): Expr => ({ kind: 'lit', value, type: 'float64' });
const bin = (op: '+' | '*' | '>', l: Expr, r: Expr): Expr => ({ kind: 'binary', op, left: l, right: r });

function values(e: Expr): number[] {
  const out = compileExpr(resolveExpr(e, sch, 'test').expr, sch)(batch);
  return [0, 1].map((i) => vecGet(out, i) as number);
}

describe('kernels compiled for special float literals are not shared', () => {
  it('x + NaN, x + Infinity, x + -Infinity compiled one after another each compute their own literal', () => {
    expect(values(bin('+', x, num(NaN)))).toEqual([NaN, NaN]);
    expect(values(bin('+', x, num(Infinity)))).toEqual([Infinity, Infinity]);
    expect(values(bin('+', x, num(-Infinity)))).toEqual([-Infinity, -Infinity]);
  });

  it('x * 0.0 and x * -0.0 keep the sign of zero apart', () => {
    const pos = values(bin('*', x, num(0)));
    const neg = values(bin('*', x, num(-0)));
    expect(pos.map((v) => Object.is(v, 0))).toEqual([true, false]); // -2 * 0 is -0
    expect(neg.map((v) => Object.is(v, -0))).toEqual([true, false]); // -2 * -0 is 0
  });

  it('filters x > -Infinity and x > NaN compiled one after another select differently', () => {
    const keep = (e: Expr) => {
      const sel = compileFilter(resolveExpr(e, sch, 'test').expr, sch)(batch);
      return sel === null ? [0, 1] : [...sel];
    };
    expect(keep(bin('>', x, num(-Infinity)))).toEqual([0, 1]);
    expect(keep(bin('>', x, num(NaN)))).toEqual([]);
  });
});
