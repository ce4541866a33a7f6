// Code generation for scalar function calls (exp, log, sqrt, pow, abs, floor, ceil, round,
// signum, greatest, least): straight-line JS per row over the arguments' values, calling
// Math.* directly. The semantics are Spark's, as src/planner/scalar-functions.ts states them
// and computes them for constant folding; round's exact slow path is the same function.
import type { Expr } from '../../planner/expr.js';
import type { DataType } from '../../planner/types.js';
import { callSignature, roundHalfUp, roundIntegral } from '../../planner/scalar-functions.js';

/** Functions generated code calls by name (merged into the emitter's HELPERS). */
export const MATH_HELPERS = { roundHalfUp, roundIntegral } as const;

/** An argument's per-row value (`v`), null flag (`n`: a name or 'true'/'false') and type. */
export interface MathArg {
  readonly code: string;
  readonly v: string;
  readonly n: string;
  readonly type: DataType;
}

export interface MathOut {
  readonly code: string;
  readonly v: string;
  readonly n: string;
}

/** Declares a kernel-local variable: 'n' a number, 'b' a boolean. */
export type Tmp = (kind: 'n' | 'b', prefix?: string) => string;

type Call = Extract<Expr, { kind: 'call' }>;

/** The result type of a resolved call whose arguments have `types`. */
export function callType(e: Call, types: readonly DataType[]): DataType {
  const sig = callSignature(e, types, types[0] ?? null);
  if (typeof sig === 'string') throw new Error(`cannot compile ${e.func}(): ${sig}`);
  return sig.result;
}

/** Null flags OR-ed, simplified over the constants. */
function anyNull(ns: readonly string[]): string {
  if (ns.includes('true')) return 'true';
  const live = ns.filter((n) => n !== 'false');
  if (live.length === 0) return 'false';
  return live.length === 1 ? live[0]! : `(${live.join(' || ')})`;
}

/** The code computing one row of `e` from its already-emitted arguments. */
export function emitMath(e: Call, args: readonly MathArg[], tmp: Tmp): MathOut {
  const pre = args.map((a) => a.code).join('');
  const x = args[0]!;
  if (e.func === 'greatest' || e.func === 'least') return extremum(e.func, args, pre, tmp);
  let value: string;
  let invalid: string | null = null; // a JS condition making a non-NULL input's result NULL
  switch (e.func) {
    case 'exp': value = `Math.exp(${x.v})`; break;
    case 'sqrt': value = `Math.sqrt(${x.v})`; break;
    case 'signum': value = `Math.sign(${x.v})`; break;
    case 'pow': value = `Math.pow(${x.v}, ${args[1]!.v})`; break;
    case 'log10': value = `Math.log10(${x.v})`; invalid = `${x.v} <= 0`; break;
    case 'log':
      if (args.length === 2) {
        const y = args[1]!;
        value = `Math.log(${y.v}) / Math.log(${x.v})`;
        invalid = `${x.v} <= 0 || ${y.v} <= 0`;
      } else {
        value = `Math.log(${x.v})`;
        invalid = `${x.v} <= 0`;
      }
      break;
    case 'abs': value = x.type === 'int32' ? `Math.abs(${x.v}) | 0` : `Math.abs(${x.v})`; break;
    case 'floor': value = x.type === 'float64' ? `d2l(Math.floor(${x.v}))` : x.v; break;
    case 'ceil': value = x.type === 'float64' ? `d2l(Math.ceil(${x.v}))` : x.v; break;
    case 'round': {
      const s = e.args[1];
      if (!s || s.kind !== 'lit' || typeof s.value !== 'number') throw new Error('round(): the scale must be an integer literal');
      if (x.type === 'float64') value = `roundHalfUp(${x.v}, ${s.value})`;
      else if (s.value >= 0) value = x.v;
      else value = x.type === 'int32' ? `roundIntegral(${x.v}, ${s.value}) | 0` : `roundIntegral(${x.v}, ${s.value})`;
      break;
    }
    default: throw new Error(`internal error: no code generation for ${e.func}()`);
  }
  const r = tmp('n');
  let n = anyNull(args.map((a) => a.n));
  let code = `${pre}${r} = ${value};\n`;
  if (invalid !== null && n !== 'true') {
    const rn = tmp('b', 'n');
    code += n === 'false' ? `${rn} = ${invalid};\n` : `${rn} = ${n} || ${invalid};\n`;
    n = rn;
  } else if (n !== 'true' && n !== 'false' && args.length > 1) {
    const rn = tmp('b', 'n');
    code += `${rn} = ${n};\n`;
    n = rn;
  }
  return { code, v: r, n };
}

/**
 * greatest/least: NULL arguments are skipped, ties keep the first; for doubles NaN is the
 * largest value (Spark's ordering), so `a` beats `b` when a > b, or a is NaN and b is not.
 */
function extremum(func: 'greatest' | 'least', args: readonly MathArg[], pre: string, tmp: Tmp): MathOut {
  const r = tmp('n'), rn = tmp('b', 'n');
  const dbl = args[0]!.type === 'float64';
  const beats = (a: string, b: string) => {
    if (!dbl) return `${a} ${func === 'greatest' ? '>' : '<'} ${b}`;
    return func === 'greatest' ? `${a} > ${b} || (${a} !== ${a} && ${b} === ${b})` : `${a} < ${b} || (${b} !== ${b} && ${a} === ${a})`;
  };
  let code = `${pre}${rn} = true;\n`;
  for (const a of args) {
    if (a.n === 'true') continue;
    const live = a.n === 'false' ? '' : `!${a.n} && `;
    code += `if (${live}(${rn} || ${beats(a.v, r)})) { ${r} = ${a.v}; ${rn} = false; }\n`;
  }
  return { code, v: r, n: rn };
}
