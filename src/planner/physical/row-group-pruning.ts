// Row-group (and partition-directory) pruning from min/max/null-count statistics.
//
// `mayMatch` answers "could any row of this group satisfy every predicate?" and must never
// say no wrongly: whatever it does not understand, or cannot prove from the statistics, may
// match. Each predicate is analysed for whether it can be TRUE and whether it can be FALSE
// for some row (NULL outcomes count as neither, since a filter drops them and NOT keeps them
// NULL), which makes NOT, AND and OR exact compositions.
//
// Understood: col op lit and lit op col (= != < <= > >=), IS [NOT] NULL, IN (literals), AND,
// OR, NOT. The literal side may be wrapped in a cast (resolve-expr inserts them, e.g. a
// string literal compared with a date column) and the column side in a widening cast
// (int32 → int64/float64, int64 → float64, date → timestamp).
//
// NaN: Parquet statistics exclude NaN and nothing tells whether a group holds one. Under
// Spark's semantics NaN is greater than every number (so `x > 5` can be true for it); under
// IEEE it compares false with everything (so `NOT (x > 5)` can be true for it). By default a
// float column is assumed to possibly hold a NaN that may behave either way.
import type { Expr, BinaryOp, LitValue } from '../expr.js';
import type { DataType, Schema } from '../types.js';

export interface ColumnStatsLike {
  readonly min: unknown;
  readonly max: unknown;
  readonly nullCount: number | null;
}

export interface StatsLike {
  readonly numRows: number;
  readonly columns: Readonly<Record<string, ColumnStatsLike>>;
}

export interface PruneOptions {
  /** How the engine compares NaN: 'spark' (greatest, NaN = NaN), 'ieee' (always false), or 'unknown' (either; default). */
  readonly nan?: 'spark' | 'ieee' | 'unknown';
}

/** True unless the statistics prove that no row satisfies all `predicates` (resolved conjuncts). */
export function mayMatch(stats: StatsLike, predicates: readonly Expr[], schema: Schema, opts: PruneOptions = {}): boolean {
  if (stats.numRows === 0) return false;
  const ctx: Ctx = { stats, schema, nan: opts.nan ?? 'unknown' };
  for (const p of predicates) {
    if (!outcomes(p, ctx).t) return false;
  }
  return true;
}

interface Ctx { stats: StatsLike; schema: Schema; nan: 'spark' | 'ieee' | 'unknown' }

/** Whether the predicate can be TRUE (t) / FALSE (f) for some row. */
interface Outcomes { t: boolean; f: boolean }

const ANY: Outcomes = { t: true, f: true };
const NEVER: Outcomes = { t: false, f: false };

function outcomes(e: Expr, ctx: Ctx): Outcomes {
  switch (e.kind) {
    case 'binary': {
      if (e.op === 'and') {
        const l = outcomes(e.left, ctx), r = outcomes(e.right, ctx);
        return { t: l.t && r.t, f: l.f || r.f };
      }
      if (e.op === 'or') {
        const l = outcomes(e.left, ctx), r = outcomes(e.right, ctx);
        return { t: l.t || r.t, f: l.f && r.f };
      }
      if (isComparison(e.op)) return comparison(e.op, e.left, e.right, ctx);
      return ANY;
    }
    case 'not': {
      const c = outcomes(e.child, ctx);
      return { t: c.f, f: c.t };
    }
    case 'isNull': return isNull(e.child, e.negated, ctx);
    case 'in': return inList(e.child, e.values, ctx);
    case 'lit':
      if (e.value === true) return { t: true, f: false };
      if (e.value === false) return { t: false, f: true };
      if (e.value === null) return NEVER;
      return ANY;
    default: return ANY;
  }
}

type Cmp = '=' | '!=' | '<' | '<=' | '>' | '>=';

function isComparison(op: BinaryOp): op is Cmp {
  return op === '=' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=';
}

const FLIP: Record<Cmp, Cmp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** A column reference, possibly under a monotonic widening cast, with its statistics mapped to `type`. */
interface ColSide {
  type: DataType;
  /** The column could hold NaN (a float64 column). */
  mayNaN: boolean;
  min: Scalar | undefined;
  max: Scalar | undefined;
  nullCount: number | null;
}

type Scalar = number | string | boolean;

function colSide(e: Expr, ctx: Ctx): ColSide | null {
  let to: DataType | null = null;
  let c = e;
  if (c.kind === 'cast') { to = c.to; c = c.child; }
  if (c.kind !== 'col') return null;
  const name = c.name;
  const f = ctx.schema.find((x) => x.name === name);
  if (!f) return null;
  const from = f.type;
  const type = to ?? from;
  if (to !== null && to !== from && !isWidening(from, to)) return null;
  const st = ctx.stats.columns[name];
  if (!st) return { type, mayNaN: from === 'float64', min: undefined, max: undefined, nullCount: null };
  let min = toDomain(st.min, from), max = toDomain(st.max, from);
  if (min === undefined || max === undefined) { min = undefined; max = undefined; }
  if (from === 'date' && type === 'timestamp') {
    if (min !== undefined) min = (min as number) * 86_400_000;
    if (max !== undefined) max = (max as number) * 86_400_000;
  }
  const nc = typeof st.nullCount === 'number' && st.nullCount >= 0 ? st.nullCount : null;
  return { type, mayNaN: from === 'float64', min, max, nullCount: nc };
}

function isWidening(from: DataType, to: DataType): boolean {
  return (from === 'int32' && (to === 'int64' || to === 'float64'))
    || (from === 'int64' && to === 'float64')
    || (from === 'date' && to === 'timestamp');
}

/** A literal (or a cast of one) as a value of `type`: null for SQL NULL, undefined if unknown. */
function litSide(e: Expr, type: DataType): Scalar | null | undefined {
  if (e.kind === 'lit') {
    if (e.value === null) return null;
    if (e.type !== type) return undefined;
    return toDomain(e.value, type);
  }
  if (e.kind === 'cast' && e.child.kind === 'lit' && e.to === type) {
    const v = e.child.value;
    if (v === null) return null;
    return castLit(v, e.child.type, type);
  }
  return undefined;
}

function castLit(v: LitValue, from: DataType, to: DataType): Scalar | undefined {
  if ((from === 'int32' || from === 'int64') && (to === 'int64' || to === 'float64')) {
    return typeof v === 'bigint' ? Number(v) : typeof v === 'number' && Number.isInteger(v) ? v : undefined;
  }
  if (from === 'string' && typeof v === 'string') {
    if (to === 'date') return /^\d{4}-\d{2}-\d{2}$/.test(v) ? parseDate(v) : undefined;
    if (to === 'timestamp') return parseTimestamp(v);
    return undefined;
  }
  if (from === 'date' && to === 'timestamp') {
    const d = toDomain(v, 'date');
    return typeof d === 'number' ? d * 86_400_000 : undefined;
  }
  return undefined;
}

/** Normalizes a statistic or literal into our value domain for `type`; undefined when it cannot. */
function toDomain(x: unknown, type: DataType): Scalar | undefined {
  if (x === null || x === undefined) return undefined;
  switch (type) {
    case 'int32': case 'int64': case 'float64': {
      if (typeof x === 'number') return x === x ? x : undefined;
      if (typeof x === 'bigint') return Number(x);
      if (typeof x === 'string' && /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(x)) return Number(x);
      return undefined;
    }
    case 'date': {
      if (typeof x === 'number') return Number.isInteger(x) ? x : undefined;
      if (x instanceof Date) { const t = x.getTime(); return t === t ? Math.floor(t / 86_400_000) : undefined; }
      if (typeof x === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(x)) return parseDate(x);
      return undefined;
    }
    case 'timestamp': {
      if (typeof x === 'number') return x === x ? x : undefined;
      if (typeof x === 'bigint') return Number(x);
      if (x instanceof Date) { const t = x.getTime(); return t === t ? t : undefined; }
      if (typeof x === 'string') return parseTimestamp(x);
      return undefined;
    }
    case 'string': return typeof x === 'string' ? x : undefined;
    case 'boolean':
      if (typeof x === 'boolean') return x;
      if (x === 'true') return true;
      if (x === 'false') return false;
      return undefined;
  }
}

function parseDate(s: string): number | undefined {
  const y = +s.slice(0, 4), m = +s.slice(5, 7), d = +s.slice(8, 10);
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return undefined;
  return Math.floor(t / 86_400_000);
}

/** 'YYYY-MM-DD' or 'YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z]' read as UTC; anything else is unknown. */
function parseTimestamp(s: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z?)?$/.exec(s);
  if (!m) return undefined;
  const day = parseDate(m[1]!);
  if (day === undefined) return undefined;
  const hh = m[2] ? +m[2] : 0, mi = m[3] ? +m[3] : 0, ss = m[4] ? +m[4] : 0;
  if (hh > 23 || mi > 59 || ss > 59) return undefined;
  const ms = m[5] ? +m[5].padEnd(3, '0') : 0;
  return day * 86_400_000 + ((hh * 60 + mi) * 60 + ss) * 1000 + ms;
}

/** Orders two values of one domain: numbers numerically (±0 equal), strings by code point (= UTF-8 bytes). */
function cmp(a: Scalar, b: Scalar): number {
  if (typeof a === 'string' && typeof b === 'string') return cmpCodePoints(a, b);
  const x = typeof a === 'boolean' ? (a ? 1 : 0) : (a as number);
  const y = typeof b === 'boolean' ? (b ? 1 : 0) : (b as number);
  return x < y ? -1 : x > y ? 1 : 0;
}

function cmpCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 puts surrogates (code points ≥ U+10000) below U+E000..U+FFFF; code point order puts them above.
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Whether some non-null value may exist, and the range analysis can run at all. */
function valuesState(c: ColSide, ctx: Ctx): 'none' | 'unknown' | 'range' {
  if (c.nullCount !== null && c.nullCount >= ctx.stats.numRows) return 'none';
  if (c.min === undefined || c.max === undefined) return 'unknown';
  return 'range';
}

function comparison(op: Cmp, left: Expr, right: Expr, ctx: Ctx): Outcomes {
  let c = colSide(left, ctx);
  let litE = right;
  if (!c) {
    c = colSide(right, ctx);
    if (!c) return ANY;
    litE = left;
    op = FLIP[op];
  }
  const v = litSide(litE, c.type);
  if (v === undefined) return ANY;
  if (v === null) return NEVER; // comparing with NULL is never TRUE nor FALSE
  if (typeof v === 'number' && v !== v) return ANY; // NaN literal
  const state = valuesState(c, ctx);
  if (state === 'none') return NEVER;
  if (state === 'unknown') return ANY;
  const lo = c.min!, hi = c.max!;
  const loV = cmp(lo, v), hiV = cmp(hi, v); // sign of (min - v), (max - v)
  let t: boolean, f: boolean;
  switch (op) {
    case '=': t = loV <= 0 && hiV >= 0; f = !(loV === 0 && hiV === 0); break;
    case '!=': t = !(loV === 0 && hiV === 0); f = loV <= 0 && hiV >= 0; break;
    case '<': t = loV < 0; f = hiV >= 0; break;
    case '<=': t = loV <= 0; f = hiV > 0; break;
    case '>': t = hiV > 0; f = loV <= 0; break;
    case '>=': t = hiV >= 0; f = loV < 0; break;
  }
  if (c.mayNaN) {
    const n = nanOutcome(op, ctx.nan);
    t = t || n.t; f = f || n.f;
  }
  return { t, f };
}

/** What a NaN value (vs a non-NaN literal) may give for `op`. */
function nanOutcome(op: Cmp, nan: Ctx['nan']): Outcomes {
  const spark = op === '!=' || op === '>' || op === '>='; // NaN is the greatest value
  const ieee = op === '!=';                              // every comparison but != is false
  if (nan === 'spark') return { t: spark, f: !spark };
  if (nan === 'ieee') return { t: ieee, f: !ieee };
  return { t: spark || ieee, f: !spark || !ieee };
}

function isNull(child: Expr, negated: boolean, ctx: Ctx): Outcomes {
  const c = colSide(child, ctx);
  if (!c) return ANY;
  const n = ctx.stats.numRows;
  const nc = c.nullCount;
  const someNull = nc === null || nc > 0;
  const someValue = nc === null || nc < n;
  return negated ? { t: someValue, f: someNull } : { t: someNull, f: someValue };
}

function inList(child: Expr, values: readonly Expr[], ctx: Ctx): Outcomes {
  const c = colSide(child, ctx);
  if (!c) return ANY;
  const lits: Scalar[] = [];
  for (const e of values) {
    const v = litSide(e, c.type);
    if (v === undefined) return ANY;
    if (v === null) continue; // x IN (.., NULL): NULL instead of FALSE, never TRUE by itself
    if (typeof v === 'number' && v !== v) return ANY;
    lits.push(v);
  }
  const state = valuesState(c, ctx);
  if (state === 'none') return NEVER;
  if (state === 'unknown') return ANY;
  const lo = c.min!, hi = c.max!;
  const t = lits.some((v) => cmp(lo, v) <= 0 && cmp(hi, v) >= 0);
  const single = cmp(lo, hi) === 0 && lits.some((v) => cmp(lo, v) === 0);
  // NaN never equals a non-NaN literal: it makes the test FALSE (or NULL with a NULL in the list).
  const f = !single || c.mayNaN;
  return { t, f };
}
