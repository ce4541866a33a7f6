// Random typed column expressions for the property-based test. Each generated expression is
// built three ways at once: the Sparrow Column, the code text a person would write (printed
// when a pipeline fails) and DuckDB SQL that follows Spark's semantics (gen-spark-sql.ts). The
// generator models Sparrow's typing — numeric widening int32 < int64 < float64, `/` always
// float64, a string literal next to a date read as a date, a JS number literal typed int32 when
// it is an integer in (-2^31, 2^31) and float64 otherwise — so the SQL can spell out every
// implicit cast.
//
// int64 values are doubles inside Sparrow (exact to 2^53, a documented limit), so int64
// arithmetic is generated only where the result's magnitude provably stays below 2^53: every
// numeric expression carries a bound on its finite magnitude and its binary fraction digits
// (`frac`), which also tell whether sum/avg over it are exact (independent of the order rows
// are added in, which differs between engines and partitionings).
import { Column, coalesce, col, lit, when } from '../../src/index.js';
import type { Rand } from './gen-random.js';
import { sqlLiteral, type TypeName } from './e2e.js';
import { fracBits, literalFor } from './gen-values.js';
import { type ArithOp, arithSql, castSql, negSql, q } from './gen-spark-sql.js';

/** A column in scope: its type and what is known of its values. */
export interface ColInfo {
  readonly name: string;
  readonly type: TypeName;
  readonly bound: number;
  readonly frac: number;
  /** Values it holds (for literals that hit), when known. */
  readonly domain: readonly unknown[] | null;
}

export type Scope = readonly ColInfo[];

export interface GExpr {
  readonly type: TypeName;
  readonly bound: number;
  readonly frac: number;
  readonly col: Column;
  readonly code: string;
  readonly sql: string;
  readonly domain: readonly unknown[] | null;
  /** A NULL literal (lit(null).cast(t), or casts of one): Sparrow gives it no type of its own. */
  readonly nullLit?: boolean;
  /** Reads no column (the optimizer folds it to a literal). */
  readonly constant?: boolean;
}

const I32_MAX = 2147483647;
const INT64_SAFE = 2 ** 53 - 1;
const LONG_MAX = 9223372036854775807;
/** Rows any generated table or join can reach, as a power of two (for sum bounds). */
const MAX_ROWS_LOG2 = 20;

const NUMERIC: readonly TypeName[] = ['int32', 'int64', 'float64'];
export const isNumeric = (t: TypeName) => NUMERIC.includes(t);

/** int32 < int64 < float64; null when not both numeric. */
export function wider(a: TypeName, b: TypeName): TypeName | null {
  if (!isNumeric(a) || !isNumeric(b)) return null;
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'int64' || b === 'int64') return 'int64';
  return 'int32';
}

/** Sparrow's type of a JS literal value (resolve-expr.ts litType). */
export function jsLitType(v: unknown): TypeName {
  if (v instanceof Date) return 'timestamp';
  if (typeof v === 'bigint') return 'int64';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string' || v === null) return 'string';
  const x = v as number;
  return Number.isInteger(x) && Math.abs(x) <= I32_MAX && !Object.is(x, -0) ? 'int32' : 'float64';
}

/** Whether sum/avg over values of `e` are exact whatever the order of addition. */
export function sumSafe(e: { type: TypeName; bound: number; frac: number }): boolean {
  if (!isNumeric(e.type)) return false;
  return Math.log2(Math.max(e.bound, 1)) + e.frac + MAX_ROWS_LOG2 <= 52;
}

function isSpecialNumber(v: unknown): boolean {
  return typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0));
}

/** Whether a generated value can be a literal of type t. */
function fits(v: unknown, t: TypeName): boolean {
  switch (t) {
    case 'int32': return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v <= I32_MAX;
    case 'int64': return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= INT64_SAFE;
    case 'float64': return typeof v === 'number';
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'date': case 'timestamp': return typeof v === 'number' && Number.isInteger(v);
  }
}

// ---------------------------------------------------------------- code text of values

const MS_DAY = 86_400_000;

export function dateText(days: number): string {
  return new Date(days * MS_DAY).toISOString().slice(0, 10);
}

/** JS source text of a value (long strings abbreviated: the seed reproduces them exactly). */
export function jsText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') {
    if (v.length > 40) return `${JSON.stringify(v.slice(0, 12))} + … /* ${v.length} chars */`;
    return JSON.stringify(v);
  }
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  return String(v);
}

// ---------------------------------------------------------------- building blocks

export function colExpr(c: ColInfo): GExpr {
  return { type: c.type, bound: c.bound, frac: c.frac, col: col(c.name), code: `col(${JSON.stringify(c.name)})`, sql: q(c.name), domain: c.domain };
}

function numMeta(v: unknown): { bound: number; frac: number } {
  if (typeof v !== 'number' || !Number.isFinite(v)) return { bound: 0, frac: 0 };
  return { bound: Math.abs(v), frac: fracBits(v) };
}

/** A literal whose Sparrow type is exactly t (v is a generated value of type t). */
export function litExpr(v: unknown, t: TypeName): GExpr {
  const base = { type: t, ...numMeta(v), sql: sqlLiteral(v, t), domain: [v], constant: true };
  if (v === null) return { ...base, col: lit(null).cast(t), code: `lit(null).cast('${t}')`, nullLit: true };
  switch (t) {
    case 'int32':
      if (jsLitType(v) === 'int32') return { ...base, col: lit(v as number), code: `lit(${jsText(v)})` };
      return { ...base, col: lit(v as number).cast('int32'), code: `lit(${jsText(v)}).cast('int32')` };
    case 'int64':
      return { ...base, col: lit(BigInt(v as number)), code: `lit(${jsText(BigInt(v as number))})` };
    case 'float64':
      if (jsLitType(v) === 'float64') return { ...base, col: lit(v as number), code: `lit(${jsText(v)})` };
      return { ...base, col: lit(v as number).cast('float64'), code: `lit(${jsText(v)}).cast('float64')` };
    case 'string': case 'boolean':
      return { ...base, col: lit(v as string | boolean), code: `lit(${jsText(v)})` };
    case 'date': {
      const text = dateText(v as number);
      return { ...base, col: lit(text).cast('date'), code: `lit(${JSON.stringify(text)}).cast('date')` };
    }
    case 'timestamp':
      return { ...base, col: lit(new Date(v as number)), code: `lit(new Date(${jsText(v)}))` };
  }
}

/** `e` brought to type t the way the analyzer's implicit cast does (Column and code unchanged). */
function implicit(e: GExpr, t: TypeName): GExpr {
  if (e.type === t) return e;
  return { ...e, type: t, sql: castSql(e.sql, e.type, t) };
}

/** An explicit .cast(t). */
function explicitCast(e: GExpr, t: TypeName, meta: { bound: number; frac: number }): GExpr {
  return { type: t, ...meta, col: e.col.cast(t), code: `${e.code}.cast('${t}')`, sql: castSql(e.sql, e.type, t), domain: null, nullLit: e.nullLit, constant: e.constant };
}

const ARITH_METHOD: Record<ArithOp, 'plus' | 'minus' | 'mul' | 'div' | 'mod'> = { '+': 'plus', '-': 'minus', '*': 'mul', '/': 'div', '%': 'mod' };

function arith(op: ArithOp, l: GExpr, r: GExpr): GExpr | null {
  let t = wider(l.type, r.type)!;
  if (op === '/') t = 'float64';
  let bound: number, frac: number;
  switch (op) {
    case '+': case '-': bound = l.bound + r.bound; frac = Math.max(l.frac, r.frac); break;
    case '*': bound = l.bound * r.bound; frac = l.frac + r.frac; break;
    case '/': bound = Infinity; frac = Infinity; break;
    case '%': bound = l.bound; frac = Math.max(l.frac, r.frac); break;
  }
  if (t === 'int32') { bound = Math.min(bound, 2 ** 31); frac = 0; }
  if (t === 'int64' && bound > INT64_SAFE) return null; // past 2^53 Sparrow's int64 is inexact (documented)
  const L = implicit(l, t), R = implicit(r, t);
  const m = ARITH_METHOD[op];
  return {
    type: t, bound, frac, col: l.col[m](r.col), code: `${l.code}.${m}(${r.code})`,
    sql: arithSql(op, L.sql, R.sql, t), domain: null, constant: l.constant === true && r.constant === true,
  };
}

// ---------------------------------------------------------------- the generator

export class ExprGen {
  /**
   * @param used collects a name for every kind of expression generated ('cast:float64->int32',
   *             'arith:int32%', 'in', ...), so a test can name (and exclude) what a pipeline uses
   */
  constructor(private readonly r: Rand, private readonly scope: Scope, readonly used: Set<string> = new Set()) {}

  private colsOf(t: TypeName): ColInfo[] {
    return this.scope.filter((c) => c.type === t);
  }

  /** A value for a literal of type t, often one the expression `near` takes. */
  literalValue(t: TypeName, near: readonly unknown[] | null): unknown {
    return literalFor(this.r, t, near ? near.filter((x) => fits(x, t)) : null);
  }

  /**
   * A literal. NaN, ±Infinity and -0.0 literals are noted ('special-float-literal'): Sparrow's
   * expression fingerprint once could not tell them apart (fixed; the feature counts them).
   */
  literal(v: unknown, t: TypeName): GExpr {
    if (isSpecialNumber(v)) this.used.add('special-float-literal');
    return litExpr(v, t);
  }

  /** A leaf of type t: a column of that type when there is one, else a literal. */
  leaf(t: TypeName): GExpr {
    const cs = this.colsOf(t);
    if (cs.length > 0 && this.r.chance(0.85)) return colExpr(this.r.pick(cs));
    return this.literal(this.r.chance(0.05) ? null : this.literalValue(t, null), t);
  }

  /** Any-typed expression (types that have columns are likelier). */
  any(depth: number): GExpr {
    const types = this.scope.map((c) => c.type);
    const t = this.r.chance(0.85) && types.length > 0 ? this.r.pick(types) : this.r.pick<TypeName>(['int32', 'int64', 'float64', 'string', 'boolean']);
    return this.ofType(t, depth);
  }

  ofType(t: TypeName, depth: number): GExpr {
    if (depth <= 0 || this.r.chance(0.25)) return this.leaf(t);
    switch (t) {
      case 'int32': case 'int64': case 'float64': return this.numeric(t, depth);
      case 'boolean': return this.predicate(depth);
      case 'string': return this.stringExpr(depth);
      case 'date': case 'timestamp': return this.temporal(t, depth);
    }
  }

  private numeric(t: TypeName, depth: number): GExpr {
    const kind = this.r.weighted<string>([['arith', 6], ['neg', 1], ['cast', 3], ['case', 1], ['coalesce', 1], ['roundtrip', t === 'float64' ? 1 : 0]]);
    switch (kind) {
      case 'arith': {
        for (let attempt = 0; attempt < 4; attempt++) {
          const op = this.r.pick<ArithOp>(t === 'float64' ? ['+', '-', '*', '/', '%'] : ['+', '-', '*', '%']);
          const [lt, rt] = this.operandTypes(t, op);
          const l = this.ofType(lt, depth - 1);
          const rhs = this.r.chance(0.5) ? this.literal(this.literalValue(rt, l.domain), rt) : this.ofType(rt, depth - 1);
          const e = arith(op, l, rhs);
          if (e && e.type === t) {
            this.used.add(`arith:${t}${op}`);
            // A wider typed NULL widens the operator (Sparrow once typed it by the other
            // operand alone; fixed, the feature counts the cases).
            const nul = l.nullLit ? l : rhs.nullLit ? rhs : null;
            if (nul && op !== '/' && l.type !== rhs.type && wider(l.type, rhs.type) === nul.type) this.used.add('typed-null-widens-arith');
            // Folded by the optimizer into a literal that may be NaN, ±Infinity or -0.0.
            if (t === 'float64' && e.constant) this.used.add('special-float-literal');
            return e;
          }
        }
        return this.leaf(t);
      }
      case 'neg': {
        const c = this.ofType(t, depth - 1);
        this.used.add(`neg:${t}`);
        if (t === 'float64' && c.constant) this.used.add('special-float-literal');
        if (t === 'int64' && c.bound > INT64_SAFE) return this.leaf(t); // -(-2^63) is past what int64 holds
        return { ...c, col: c.col.negate(), code: `${c.code}.negate()`, sql: negSql(c.sql, t), domain: null, bound: t === 'int32' ? 2 ** 31 : c.bound };
      }
      case 'cast': return this.castTo(t, depth);
      case 'case': return this.caseWhen(t, depth);
      case 'coalesce': return this.coalesce(t, depth);
      default: {
        // double → string → double: Sparrow prints Java's Double.toString and parses it back;
        // the round trip is the identity (DuckDB prints doubles differently, so only the
        // round trip is checked).
        const c = this.ofType('float64', depth - 1);
        this.used.add('roundtrip:float64->string->float64');
        return { ...c, col: c.col.cast('string').cast('float64'), code: `${c.code}.cast('string').cast('float64')`, domain: null };
      }
    }
  }

  /** Operand types whose arithmetic has result type t. */
  private operandTypes(t: TypeName, op: ArithOp): [TypeName, TypeName] {
    if (op === '/') return [this.r.pick(NUMERIC), this.r.pick(NUMERIC)];
    const narrower = t === 'int32' ? ['int32'] : t === 'int64' ? ['int32', 'int64'] : NUMERIC;
    const other = this.r.pick(narrower as TypeName[]);
    return this.r.chance(0.5) ? [t, other] : [other, t];
  }

  private castTo(t: TypeName, depth: number): GExpr {
    const from = this.r.pick<TypeName>(({
      int32: ['int64', 'float64', 'boolean', 'string'],
      int64: ['int32', 'float64', 'boolean', 'string', 'timestamp'],
      float64: ['int32', 'int64', 'boolean', 'string'],
      string: ['int32', 'int64', 'boolean', 'date', 'timestamp'],
      boolean: ['int32', 'int64', 'float64', 'string'],
      date: ['timestamp'],
      timestamp: ['date', 'int64'],
    } as Record<TypeName, TypeName[]>)[t]);
    const c = this.ofType(from, depth - 1);
    let meta = { bound: 0, frac: 0 };
    if (t === 'int32') meta = { bound: 2 ** 31, frac: 0 };
    else if (t === 'int64') {
      meta = {
        // (±Infinity, which bounds do not count, saturates a double → int64 cast at ±2^63.)
        bound: from === 'int32' ? 2 ** 31 : from === 'boolean' ? 1 : from === 'timestamp' ? 3e11 : LONG_MAX,
        frac: 0,
      };
    } else if (t === 'float64') {
      meta = from === 'string' ? { bound: Infinity, frac: Infinity } : from === 'boolean' ? { bound: 1, frac: 0 } : { bound: c.bound, frac: 0 };
    }
    if (t === 'timestamp' && from === 'int64' && c.bound > 1e10) return this.leaf(t); // beyond the calendar
    // An int64 past 2^53 is inexact in Sparrow (documented): only widening to a double keeps it comparable.
    if (from === 'int64' && c.bound > INT64_SAFE && t !== 'float64' && t !== 'boolean') return this.leaf(t);
    this.used.add(`cast:${from}->${t}`);
    return explicitCast(c, t, meta);
  }

  private caseWhen(t: TypeName, depth: number): GExpr {
    this.used.add('case');
    const branches = Array.from({ length: this.r.chance(0.3) ? 2 : 1 }, () => ({ cond: this.predicate(depth - 1), value: this.ofType(t, depth - 1) }));
    const b = this.r.chance(0.8) ? this.ofType(t, depth - 1) : null;
    const values = [...branches.map((x) => x.value), ...(b ? [b] : [])];
    const meta = { bound: Math.max(...values.map((v) => v.bound)), frac: Math.max(...values.map((v) => v.frac)) };
    let c = when(branches[0]!.cond.col, branches[0]!.value.col);
    for (const x of branches.slice(1)) c = c.when(x.cond.col, x.value.col);
    return {
      type: t, ...meta, col: b ? c.otherwise(b.col) : c,
      code: `when(${branches.map((x) => `${x.cond.code}, ${x.value.code}`).join(').when(')})${b ? `.otherwise(${b.code})` : ''}`,
      sql: `(CASE ${branches.map((x) => `WHEN ${x.cond.sql} THEN ${x.value.sql}`).join(' ')}${b ? ` ELSE ${b.sql}` : ''} END)`,
      domain: branches[0]!.value.domain,
    };
  }

  private coalesce(t: TypeName, depth: number): GExpr {
    this.used.add('coalesce');
    const args = Array.from({ length: this.r.int(2, 3) }, (_, i) => (i === 0 ? this.leaf(t) : this.ofType(t, depth - 1)));
    return {
      type: t, bound: Math.max(...args.map((a) => a.bound)), frac: Math.max(...args.map((a) => a.frac)),
      col: coalesce(...args.map((a) => a.col)), code: `coalesce(${args.map((a) => a.code).join(', ')})`,
      sql: `COALESCE(${args.map((a) => a.sql).join(', ')})`, domain: args[0]!.domain,
    };
  }

  private stringExpr(depth: number): GExpr {
    const kind = this.r.weighted<string>([['cast', 3], ['case', 1], ['coalesce', 1]]);
    if (kind === 'cast') return this.castTo('string', depth);
    if (kind === 'case') return this.caseWhen('string', depth);
    return this.coalesce('string', depth);
  }

  private temporal(t: 'date' | 'timestamp', depth: number): GExpr {
    const kind = this.r.weighted<string>([['cast', 2], ['case', 1], ['coalesce', 1]]);
    if (kind === 'cast') return this.castTo(t, depth);
    if (kind === 'case') return this.caseWhen(t, depth);
    return this.coalesce(t, depth);
  }

  // ---------------------------------------------------------------- predicates

  predicate(depth: number): GExpr {
    const kind = depth <= 0
      ? this.r.weighted<string>([['cmp', 6], ['isNull', 1], ['in', 2], ['boolCol', 1]])
      : this.r.weighted<string>([['cmp', 6], ['andOr', 3], ['not', 1], ['isNull', 1], ['in', 2], ['boolCol', 1]]);
    switch (kind) {
      case 'andOr': {
        const l = this.predicate(depth - 1), rr = this.predicate(depth - 1);
        const op = this.r.pick(['and', 'or'] as const);
        return { ...boolMeta, col: l.col[op](rr.col), code: `${l.code}.${op}(${rr.code})`, sql: `(${l.sql} ${op.toUpperCase()} ${rr.sql})` };
      }
      case 'not': {
        const c = this.predicate(depth - 1);
        return { ...boolMeta, col: c.col.not(), code: `${c.code}.not()`, sql: `(NOT ${c.sql})` };
      }
      case 'isNull': {
        const c = this.any(depth - 1);
        const neg = this.r.chance(0.5);
        return {
          ...boolMeta, col: neg ? c.col.isNotNull() : c.col.isNull(), code: `${c.code}.${neg ? 'isNotNull' : 'isNull'}()`,
          sql: `(${c.sql} IS ${neg ? 'NOT ' : ''}NULL)`,
        };
      }
      case 'in': return this.inList(depth);
      case 'boolCol': {
        const cs = this.colsOf('boolean');
        if (cs.length > 0) return colExpr(this.r.pick(cs));
        return this.comparison(depth);
      }
      default: return this.comparison(depth);
    }
  }

  private comparison(depth: number): GExpr {
    const l = this.any(Math.max(0, depth - 1));
    const op = this.r.pick(['=', '!=', '<', '<=', '>', '>='] as const);
    const method = ({ '=': 'eq', '!=': 'neq', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' } as const)[op];
    // The right side: a literal (often a value the left side takes), or another expression of a comparable type.
    let rt: TypeName = l.type;
    if (isNumeric(l.type) && this.r.chance(0.3)) rt = this.r.pick(NUMERIC);
    if (l.type === 'date' && this.r.chance(0.2)) rt = 'timestamp';
    if (l.type === 'date' && this.r.chance(0.3)) {
      // A string literal next to a date is read as a date: col('d').gte('2024-01-05').
      const text = dateText(this.literalValue('date', l.domain) as number);
      return {
        ...boolMeta, col: l.col[method](text), code: `${l.code}.${method}(${JSON.stringify(text)})`,
        sql: `(${l.sql} ${op === '!=' ? '<>' : op} DATE '${text}')`,
      };
    }
    const near = l.type === 'date' && rt === 'timestamp' && l.domain ? l.domain.map((d) => (d === null ? null : (d as number) * MS_DAY)) : l.domain;
    const rr = this.r.chance(0.6) ? this.literal(this.r.chance(0.05) ? null : this.literalValue(rt, near), rt) : this.ofType(rt, Math.max(0, depth - 1));
    const ct = wider(l.type, rr.type) ?? (l.type === rr.type ? l.type : 'timestamp');
    this.used.add(`cmp:${ct}`);
    const L = implicit(l, ct), R = implicit(rr, ct);
    return {
      ...boolMeta, col: l.col[method](rr.col), code: `${l.code}.${method}(${rr.code})`,
      sql: `(${L.sql} ${op === '!=' ? '<>' : op} ${R.sql})`,
    };
  }

  private inList(depth: number): GExpr {
    const c = this.any(Math.max(0, depth - 1));
    const n = this.r.pick([1, 2, 3, 6, 8]);
    // Raw JS values, typed as Sparrow types a literal (an int column IN (2.5) compares as doubles).
    const values: unknown[] = [];
    for (let i = 0; i < n; i++) {
      if (this.r.chance(0.08)) { values.push(null); continue; }
      const v = this.literalValue(c.type, c.domain);
      values.push(c.type === 'date' ? dateText(v as number) : c.type === 'timestamp' ? new Date(v as number) : c.type === 'int64' && jsLitType(v) !== 'int32' ? BigInt(v as number) : v);
    }
    const typed = values.filter((v) => v !== null);
    if (typed.some(isSpecialNumber)) this.used.add('special-float-literal');
    let ct = c.type;
    for (const v of typed) {
      const vt = jsLitType(v);
      ct = wider(ct, vt) ?? ct; // date + date text stays date; same-type otherwise
    }
    this.used.add(`in:${ct}${typed.length >= 6 ? ':set' : ''}`);
    const sqlOf = (v: unknown): string => {
      if (v === null) return 'NULL';
      if (c.type === 'date') return `DATE '${v as string}'`;
      if (v instanceof Date) return sqlLiteral(v.getTime(), 'timestamp');
      const vt = jsLitType(v);
      return castSql(sqlLiteral(typeof v === 'bigint' ? Number(v) : v, vt), vt, ct);
    };
    return {
      ...boolMeta, col: c.col.isIn(...(values as (string | number | boolean | bigint | null | Date)[])),
      code: `${c.code}.isIn(${values.map(jsText).join(', ')})`,
      sql: `(${castSql(c.sql, c.type, ct)} IN (${values.map(sqlOf).join(', ')}))`,
    };
  }
}

const boolMeta = { type: 'boolean' as TypeName, bound: 1, frac: 0, domain: [true, false] as readonly unknown[] };
