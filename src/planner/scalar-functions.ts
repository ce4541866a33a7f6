// Scalar functions (Spark's names): how many arguments each takes, the types they are brought
// to and the type they return, and the value of a call on constant arguments (what constant
// folding computes). The executor generates the same semantics as loops over typed arrays
// (src/executor/codegen/math.ts), calling roundHalfUp below for round's rare slow path.
//
// Semantics (Spark 3, non-ANSI), NULL in → NULL out unless said otherwise:
//   exp(x), sqrt(x), pow(x, y), signum(x)   double; sqrt(-1) is NaN, pow follows Java's
//                                           StrictMath.pow (= JS Math.pow: pow(1, NaN) is NaN)
//   log(x), log10(x), log(base, x)          double; NULL when x <= 0 or base <= 0
//   abs(x)                                  the type of x; int32 abs(-2^31) wraps to -2^31
//   floor(x), ceil(x)                       int64 (Spark's LongType); a double NaN gives 0,
//                                           ±Infinity saturates to ±2^63 as Java's toLong
//   round(x, scale)                         the type of x; HALF_UP on the shortest decimal
//                                           text of a double (round(2.675, 2) = 2.68, as
//                                           Spark's BigDecimal(d)); NaN and ±Infinity stay
//   greatest(a, b, ...), least(a, b, ...)   the arguments' common type; NULLs are skipped
//                                           (NULL only when all are); NaN is the largest
//                                           double, as Spark orders them
import type { Expr, ScalarFn } from './expr.js';
import { type DataType, isIntegral, isNumeric } from './types.js';

/** Fewest and most arguments each function takes. */
export const SCALAR_ARITY: Readonly<Record<ScalarFn, readonly [number, number]>> = {
  exp: [1, 1], log: [1, 2], log10: [1, 1], sqrt: [1, 1], pow: [2, 2], abs: [1, 1], floor: [1, 1],
  ceil: [1, 1], round: [2, 2], signum: [1, 1], greatest: [2, Infinity], least: [2, Infinity],
};

/** Functions whose result is double whatever the (numeric) arguments. */
const DOUBLE_FNS: ReadonlySet<ScalarFn> = new Set(['exp', 'log', 'log10', 'sqrt', 'pow', 'signum']);

export interface CallSignature {
  /** The type each argument is cast to. */
  readonly args: readonly DataType[];
  readonly result: DataType;
  /** NULL is possible for non-NULL arguments (log of x <= 0). */
  readonly nullOnInvalid: boolean;
  /** NULL only when every argument is NULL (greatest/least), rather than when any is. */
  readonly nullWhenAllNull: boolean;
}

/**
 * The signature of `fn` applied to arguments of the given types (null for a NULL literal,
 * which takes any type), or an error text. `common` is the type the arguments meet at (for
 * greatest/least), null when they have none.
 */
export function callSignature(e: Extract<Expr, { kind: 'call' }>, types: readonly (DataType | null)[], common: DataType | null): CallSignature | string {
  const fn = e.func;
  const [lo, hi] = SCALAR_ARITY[fn];
  if (types.length < lo || types.length > hi) {
    const want = lo === hi ? `${lo}` : hi === Infinity ? `at least ${lo}` : `${lo} or ${hi}`;
    return `${fn}() takes ${want} argument${lo === 1 && hi === 1 ? '' : 's'}, got ${types.length}`;
  }
  const numeric = (t: DataType | null) => t === null || isNumeric(t);
  if (fn === 'greatest' || fn === 'least') {
    if (common === null) return `${fn}() arguments must have compatible types`;
    if (!isNumeric(common) && common !== 'date' && common !== 'timestamp') {
      return `${fn}() compares numbers, dates or timestamps`;
    }
    return { args: types.map(() => common), result: common, nullOnInvalid: false, nullWhenAllNull: true };
  }
  if (!types.every(numeric)) return `${fn}() needs numeric arguments`;
  if (DOUBLE_FNS.has(fn)) {
    return { args: types.map(() => 'float64'), result: 'float64', nullOnInvalid: fn === 'log' || fn === 'log10', nullWhenAllNull: false };
  }
  const t: DataType = types[0] ?? 'float64';
  switch (fn) {
    case 'abs': return { args: [t], result: t, nullOnInvalid: false, nullWhenAllNull: false };
    case 'floor': case 'ceil': {
      const a: DataType = t === 'float64' ? 'float64' : 'int64';
      return { args: [a], result: 'int64', nullOnInvalid: false, nullWhenAllNull: false };
    }
    case 'round': {
      const scale = e.args[1];
      if (!scale || scale.kind !== 'lit' || typeof scale.value !== 'number' || !Number.isInteger(scale.value) || scale.type !== 'int32') {
        return 'round() takes a constant integer scale, e.g. round(col("x"), 2)';
      }
      return { args: [t, 'int32'], result: t, nullOnInvalid: false, nullWhenAllNull: false };
    }
    default: return `internal error: no signature for ${fn}()`;
  }
}

const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const TWO_52 = 4503599627370496;

/**
 * Spark's round(x, scale) for a double: HALF_UP applied to the shortest decimal text of x
 * (Java's BigDecimal(d)). Fast path: x·10^scale is within a few ulps of that decimal's value,
 * so unless it lies next to a .5 boundary its floor decides; near one (or out of the exact
 * range) the decimal digits are rounded as text.
 */
export function roundHalfUp(x: number, scale: number): number {
  if (x !== x || x === Infinity || x === -Infinity || x === 0) return x === 0 ? 0 : x;
  const a = x < 0 ? -x : x;
  if (scale > 22 || scale < -22) return roundDecimalText(x, scale);
  const y = scale >= 0 ? a * POW10[scale]! : a / POW10[-scale]!;
  if (y >= TWO_52) return scale === 0 ? x : roundDecimalText(x, scale); // doubles >= 2^52 are integers
  const f = Math.floor(y);
  const d = y - f;
  if (Math.abs(d - 0.5) <= y * 1e-15) return roundDecimalText(x, scale);
  const m = d > 0.5 ? f + 1 : f;
  const r = scale >= 0 ? m / POW10[scale]! : m * POW10[-scale]!;
  return (x < 0 ? -r : r) + 0; // + 0: BigDecimal has no -0, round(-0.4) is 0.0
}

/** HALF_UP on the digits of x's shortest decimal text (the slow, exact path of roundHalfUp). */
function roundDecimalText(x: number, scale: number): number {
  const [mant, exp] = (x < 0 ? -x : x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const keep = Number(exp) + 1 + scale; // digits left of the rounding position
  if (keep >= digits.length) return x;
  if (keep < 0) return 0;
  let m = keep === 0 ? 0n : BigInt(digits.slice(0, keep));
  if (digits.charCodeAt(keep) >= 53 /* '5' */) m += 1n;
  const r = Number(`${m}e${-scale}`);
  return (x < 0 ? -r : r) + 0;
}

/** round(x, scale) for an integer x (exact below 2^53): HALF_UP at a negative scale. */
export function roundIntegral(x: number, scale: number): number {
  if (scale >= 0) return x;
  if (scale < -22) return 0;
  const p = POW10[-scale]!;
  const a = x < 0 ? -x : x;
  const m = a % p;
  const r = 2 * m >= p ? a - m + p : a - m;
  return (x < 0 ? -r : r) + 0;
}

/** Java's double → long conversion (NaN → 0, saturating at ±2^63 as doubles hold it). */
function toLong(x: number): number {
  if (x !== x) return 0;
  if (x >= 9223372036854775807) return 9223372036854775807;
  if (x <= -9223372036854775807) return -9223372036854775807;
  return Math.trunc(x) + 0;
}

/** Spark's ordering of doubles: NaN above everything, -0.0 = 0.0. Positive when a > b. */
function compareNum(a: number, b: number): number {
  if (a !== a) return b !== b ? 0 : 1;
  if (b !== b) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The value of `fn` on constant arguments (NULL as null), with the argument types the
 * signature cast them to and the result type; numbers only (int64 as a JS number).
 */
export function evalScalar(fn: ScalarFn, args: readonly (number | null)[], argTypes: readonly DataType[], result: DataType): number | null {
  if (fn === 'greatest' || fn === 'least') {
    let best: number | null = null;
    for (const a of args) {
      if (a === null) continue;
      if (best === null || (fn === 'greatest' ? compareNum(a, best) > 0 : compareNum(a, best) < 0)) best = a;
    }
    return best;
  }
  if (args.some((a) => a === null)) return null;
  const [x, y] = args as number[];
  switch (fn) {
    case 'exp': return Math.exp(x!);
    case 'log':
      if (args.length === 2) return x! <= 0 || y! <= 0 ? null : Math.log(y!) / Math.log(x!);
      return x! <= 0 ? null : Math.log(x!);
    case 'log10': return x! <= 0 ? null : Math.log10(x!);
    case 'sqrt': return Math.sqrt(x!);
    case 'pow': return Math.pow(x!, y!);
    case 'signum': return Math.sign(x!);
    case 'abs': return result === 'int32' ? Math.abs(x!) | 0 : Math.abs(x!);
    case 'floor': return argTypes[0] === 'float64' ? toLong(Math.floor(x!)) : x!;
    case 'ceil': return argTypes[0] === 'float64' ? toLong(Math.ceil(x!)) : x!;
    case 'round':
      if (!isIntegral(result)) return roundHalfUp(x!, y!);
      return result === 'int32' ? roundIntegral(x!, y!) | 0 : roundIntegral(x!, y!);
    default: throw new Error(`internal error: cannot evaluate ${fn}()`);
  }
}
