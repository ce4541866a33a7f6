// The code emitter: turns a resolved expression into straight-line JS statements that compute
// one row's value and null flag, reading the input columns' typed arrays at position `i`.
// compile-expr.ts / compile-filter.ts / the aggregate kernels wrap that per-row code in a
// loop over the live rows and build the function with `new Function`.
//
// Per-row representation inside generated code:
//   numeric, date, timestamp   a JS number              (`v`)
//   boolean                    a JS boolean             (`v`)
//   string                     a byte range d[s..e)     (`d`, `s`, `e`; d is a Uint8Array)
//   null flag                  a JS boolean             (`n`), or the constants 'true'/'false'
// Every `v`/`n` the emitter hands out is a variable, a constant or a parenthesised expression,
// so it can be pasted anywhere. Variables are declared once at the top of the kernel with a
// value of their final type (keeps V8's feedback monomorphic). Expressions without column
// references are folded to literals at compile time (e.g. the implicit CAST('2024-01-01' AS
// date) the resolver puts next to a date column).
//
// Semantics (Spark, non-ANSI): three-valued AND/OR with short-circuit; arithmetic on NULL is
// NULL; x / 0 and x % 0 are NULL; int32 arithmetic wraps (|0, Math.imul); int64 (float64
// storage) is exact to 2^53 and does not wrap; float64 comparison treats NaN = NaN and NaN
// as larger than everything, -0.0 = 0.0; strings compare by unsigned UTF-8 bytes. Casts: see
// strings.ts; numeric ones follow the JVM (double → int truncates and saturates, NaN → 0;
// int64 → int32 keeps the low 32 bits), int64 ↔ timestamp counts seconds (as Spark),
// timestamp → date floors to the UTC day.
import { type Expr, type BinaryOp, type LitValue, exprToString, referencedColumns } from '../../planner/expr.js';
import { type DataType, type Schema, assertNever } from '../../planner/types.js';
import { decodeUtf8, encodeUtf8 } from '../batch.js';
import {
  PARSE_FAILED, EMPTY_BYTES, cmpBytes, eqBytes, eqBytesAt, asciiInto, growBytes, newScratch,
  parseIntegral, parseDouble, parseBoolean, parseDate, parseTimestamp, parseDoubleText,
  parseDateText, parseTimestampText, formatDate, formatTimestamp, formatDouble, formatInt, d2i, d2l,
} from './strings.js';
import { MATH_HELPERS, callType, emitMath } from './math.js';

/** The functions and constants every generated kernel can call by name. */
export const HELPERS = {
  cmpBytes, eqBytes, eqBytesAt, asciiInto, growBytes, parseIntegral, parseDouble, parseBoolean,
  parseDate, parseTimestamp, formatDate, formatTimestamp, formatDouble, formatInt, d2i, d2l,
  decodeUtf8, PF: PARSE_FAILED, EMPTY: EMPTY_BYTES, ...MATH_HELPERS,
} as const;

export interface NumVal {
  readonly str: false;
  readonly code: string;
  readonly v: string;
  readonly n: string;
}

export interface StrVal {
  readonly str: true;
  readonly code: string;
  readonly d: string;
  readonly s: string;
  readonly e: string;
  readonly n: string;
  /** The bytes, when the value is a literal (enables inline comparisons). */
  readonly lit: Uint8Array | null;
}

export type Val = NumVal | StrVal;

/** `t` is a JS boolean: the expression IS TRUE (or IS FALSE, per the request); never NULL. */
export interface Cond {
  readonly code: string;
  readonly t: string;
}

const ARITH = new Set<BinaryOp>(['+', '-', '*', '/', '%']);

function num(code: string, v: string, n: string): NumVal {
  return { str: false, code, v, n };
}

function numLit(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '(-Infinity)';
  if (Object.is(x, -0)) return '(-0)';
  return x < 0 ? `(${x})` : String(x);
}

/** Null flags OR-ed, simplified over the constants. */
function orN(...ns: string[]): string {
  if (ns.includes('true')) return 'true';
  const live = ns.filter((n) => n !== 'false');
  if (live.length === 0) return 'false';
  if (live.length === 1) return live[0]!;
  return `(${live.join(' || ')})`;
}

function notN(n: string): string {
  return n === 'true' ? 'false' : n === 'false' ? 'true' : `(!${n})`;
}

/** `a && b` over JS boolean expressions, simplified over the constants. */
function andT(a: string, b: string): string {
  if (a === 'false' || b === 'false') return 'false';
  if (a === 'true') return b;
  if (b === 'true') return a;
  return `(${a} && ${b})`;
}

/** A finite numeric literal as numLit writes it. */
const NUM_RE = /^\(?-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\)?$/;

function isSimple(x: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(x) || NUM_RE.test(x) || x === 'NaN' || x === 'Infinity';
}

function mayBeNaN(v: string): boolean {
  return !NUM_RE.test(v) && v !== 'Infinity' && v !== '(-Infinity)';
}

export function columnIndex(input: Schema, name: string, where: string): number {
  const idx = input.findIndex((f) => f.name === name);
  if (idx < 0) {
    throw new Error(`${where}: column '${name}' is not in the input (${input.map((f) => f.name).join(', ') || 'no columns'})`);
  }
  return idx;
}

export class Emitter {
  private readonly decls: string[] = [];
  private readonly consts: unknown[] = [];
  private readonly hoisted = new Map<number, string>();
  private next = 0;

  /**
   * @param input    the schema of the batches the kernel reads
   * @param hasValid whether input column `idx` carries a validity array in these batches
   * @param fold     fold column-free subtrees to literals (off inside the folder itself)
   */
  constructor(
    readonly input: Schema,
    private readonly hasValid: (idx: number) => boolean,
    private readonly fold = true,
  ) {}

  // ------------------------------------------------------------------ kernel assembly

  /** Declares a per-call local; kind fixes its initial value (and so its JS type). */
  tmp(kind: 'n' | 'b' | 'd', prefix = 't'): string {
    const name = `${prefix}${this.next++}`;
    this.decls.push(`let ${name} = ${kind === 'n' ? '0' : kind === 'b' ? 'false' : 'EMPTY'};`);
    return name;
  }

  /** A compile-time constant made visible to the generated code under a fresh name. */
  konst(x: unknown): string {
    this.consts.push(x);
    return `k${this.consts.length - 1}`;
  }

  /**
   * Builds `function kernel(b, ...params)`; `body` is the kernel's code after the prologue
   * (hoisted column arrays and declarations). Column arrays are read from `b`.
   */
  build<F>(params: readonly string[], body: string, name = 'kernel'): F {
    const helperNames = Object.keys(HELPERS).join(', ');
    const constDecls = this.consts.map((_, j) => `const k${j} = K[${j}];`).join('\n');
    const src = `"use strict";
const { ${helperNames} } = H;
${constDecls}
return function ${name}(${['b', ...params].join(', ')}) {
${[...this.hoisted.values()].join('\n')}
${this.decls.join('\n')}
${body}
};`;
    try {
      const fn = new Function('H', 'K', src)(HELPERS, this.consts) as F;
      // Kept for debugging: kernelSource(f) shows what was generated.
      Object.defineProperty(fn, 'source', { value: src });
      return fn;
    } catch (err) {
      throw new Error(`internal error: generated kernel does not compile (${(err as Error).message}):\n${src}`);
    }
  }

  // ------------------------------------------------------------------ typing

  typeOf(e: Expr): DataType {
    switch (e.kind) {
      case 'col': return this.input[columnIndex(this.input, e.name, 'expression')]!.type;
      case 'lit': return e.type;
      case 'binary':
        if (e.op === '/') return 'float64';
        return ARITH.has(e.op) ? this.typeOf(e.left) : 'boolean';
      case 'not': case 'isNull': case 'in': return 'boolean';
      case 'neg': case 'alias': case 'sortKey': return this.typeOf(e.child);
      case 'cast': return e.to;
      case 'case': return this.typeOf(e.branches[0]?.then ?? e.otherwise!);
      case 'coalesce': return this.typeOf(e.args[0]!);
      case 'call': return callType(e, e.args.map((a) => this.typeOf(a)));
      case 'agg': throw new Error(`cannot compile aggregate ${exprToString(e)} as a row expression`);
      default: return assertNever(e, 'expression');
    }
  }

  // ------------------------------------------------------------------ values

  val(e: Expr): Val {
    switch (e.kind) {
      case 'alias': return this.val(e.child);
      case 'col': return this.col(e.name);
      case 'lit': return this.lit(e.value, e.type);
      case 'agg': case 'sortKey':
        throw new Error(`cannot compile ${exprToString(e)}: '${e.kind}' is not a row expression`);
      default: break;
    }
    if (this.fold && referencedColumns(e).size === 0) return this.folded(e);
    switch (e.kind) {
      case 'binary': {
        if (e.op === 'and' || e.op === 'or') return this.logic(e.op, e.left, e.right);
        const t = this.typeOf(e.left);
        const L = this.val(e.left), R = this.val(e.right);
        if (ARITH.has(e.op)) return this.arith(e.op, L as NumVal, R as NumVal, t);
        const r = this.tmp('b');
        const n = this.varN(orN(L.n, R.n));
        return num(`${L.code}${R.code}${n.code}${r} = ${this.cmp(e.op, L, R, t)};\n`, r, n.n);
      }
      case 'not': {
        const c = this.val(e.child) as NumVal;
        return num(c.code, `(!${c.v})`, c.n);
      }
      case 'neg': {
        const c = this.val(e.child) as NumVal;
        const t = this.typeOf(e.child);
        const r = this.tmp('n');
        const x = t === 'int32' ? `(-${c.v}) | 0` : t === 'float64' ? `-${c.v}` : `0 - ${c.v}`;
        return num(`${c.code}${r} = ${x};\n`, r, c.n);
      }
      case 'isNull': {
        const c = this.val(e.child);
        return num(c.code, e.negated ? notN(c.n) : c.n, 'false');
      }
      case 'in': return this.inList(e.child, e.values);
      case 'cast': return this.cast(e.child, e.to);
      case 'case': return this.caseWhen(e.branches, e.otherwise, this.typeOf(e));
      case 'coalesce': return this.coalesce(e.args, this.typeOf(e));
      case 'call': {
        // Per-function code: math.ts.
        const args = e.args.map((a) => ({ ...(this.val(a) as NumVal), type: this.typeOf(a) }));
        const out = emitMath(e, args, (kind, prefix) => this.tmp(kind, prefix));
        return num(out.code, out.v, out.n);
      }
      default: return assertNever(e, 'expression');
    }
  }

  private col(name: string): Val {
    const idx = columnIndex(this.input, name, 'expression');
    const type = this.input[idx]!.type;
    const base = `c${idx}`;
    if (!this.hoisted.has(idx)) {
      const parts = [`const ${base}v = b.columns[${idx}].values;`];
      if (type === 'string') parts.push(`const ${base}o = b.columns[${idx}].offsets;`);
      if (this.hasValid(idx)) parts.push(`const ${base}n = b.columns[${idx}].valid;`);
      this.hoisted.set(idx, parts.join(' '));
    }
    let code = '';
    let n = 'false';
    if (this.hasValid(idx)) {
      n = this.tmp('b', 'n');
      code += `${n} = ${base}n[i] === 0;\n`;
    }
    if (type === 'string') {
      const s = this.tmp('n', 's'), e = this.tmp('n', 'e');
      code += `${s} = ${base}o[i]; ${e} = ${base}o[i + 1];\n`;
      return { str: true, code, d: `${base}v`, s, e, n, lit: null };
    }
    const v = this.tmp(type === 'boolean' ? 'b' : 'n', 'v');
    code += type === 'boolean' ? `${v} = ${base}v[i] !== 0;\n` : `${v} = ${base}v[i];\n`;
    return num(code, v, n);
  }

  private lit(value: LitValue, type: DataType): Val {
    const x = normalizeLit(value, type);
    if (x === null) {
      if (type === 'string') return { str: true, code: '', d: 'EMPTY', s: '0', e: '0', n: 'true', lit: null };
      return num('', type === 'boolean' ? 'false' : '0', 'true');
    }
    if (type === 'string') {
      const bytes = encodeUtf8(x as string);
      return { str: true, code: '', d: this.konst(bytes), s: '0', e: String(bytes.length), n: 'false', lit: bytes };
    }
    if (type === 'boolean') return num('', x ? 'true' : 'false', 'false');
    return num('', numLit(x as number), 'false');
  }

  /** Evaluates a column-free expression once, at compile time. */
  private folded(e: Expr): Val {
    const sub = new Emitter([], () => false, false);
    const v = sub.val(e);
    const type = this.typeOf(e);
    const out = v.str ? `decodeUtf8(${v.d}, ${v.s}, ${v.e})` : v.v;
    const f = sub.build<(b: null) => [boolean, unknown]>([], `const i = 0;\n${v.code}return [${v.n}, ${out}];`, 'constant');
    const [isNull, value] = f(null);
    if (isNull) return this.lit(null, type);
    if (type === 'string') return this.lit(value as string, 'string');
    if (type === 'boolean') return this.lit(value as boolean, 'boolean');
    return num('', numLit(value as number), 'false');
  }

  /** Assigns a compound null flag to a variable (so it is computed once). */
  private varN(n: string): { code: string; n: string } {
    if (isSimple(n) || n === 'true' || n === 'false') return { code: '', n };
    const r = this.tmp('b', 'n');
    return { code: `${r} = ${n};\n`, n: r };
  }

  private arith(op: BinaryOp, L: NumVal, R: NumVal, t: DataType): NumVal {
    const a = L.v, b = R.v;
    let x: string;
    if (t === 'int32' && op !== '/') {
      x = op === '*' ? `Math.imul(${a}, ${b})` : `(${a} ${op} ${b}) | 0`;
    } else if (t === 'int64' && op === '%') {
      x = `(${a} % ${b}) + 0`;
    } else {
      x = `${a} ${op} ${b}`;
    }
    let n = orN(L.n, R.n);
    if ((op === '/' || op === '%') && !(R.n === 'false' && NUM_RE.test(b) && Number(b.replace(/[()]/g, '')) !== 0)) {
      n = orN(n, `${b} === 0`);
    }
    const nv = this.varN(n);
    const r = this.tmp('n');
    return num(`${L.code}${R.code}${nv.code}${r} = ${x};\n`, r, nv.n);
  }

  /** A JS boolean expression comparing two non-null values of type t. */
  cmp(op: BinaryOp, L: Val, R: Val, t: DataType): string {
    if (L.str || R.str) {
      const l = L as StrVal, r = R as StrVal;
      if (op === '=' || op === '!=') {
        const eq = this.strEq(l, r);
        return op === '=' ? eq : `(!${eq})`;
      }
      return `(cmpBytes(${l.d}, ${l.s}, ${l.e}, ${r.d}, ${r.s}, ${r.e}) ${op} 0)`;
    }
    const a = L.v, b = R.v;
    if (t === 'float64') {
      const an = mayBeNaN(a), bn = mayBeNaN(b);
      switch (op) {
        case '=': return an && bn ? `(${a} === ${b} || (${a} !== ${a} && ${b} !== ${b}))` : `(${a} === ${b})`;
        case '!=': return an && bn ? `(${a} !== ${b} && (${a} === ${a} || ${b} === ${b}))` : `(${a} !== ${b})`;
        case '<':
          if (!bn) return `(${a} < ${b})`;
          return an ? `(${a} < ${b} || (${b} !== ${b} && ${a} === ${a}))` : `(${a} < ${b} || ${b} !== ${b})`;
        case '<=': return bn ? `(${a} <= ${b} || ${b} !== ${b})` : `(${a} <= ${b})`;
        case '>':
          if (!an) return `(${a} > ${b})`;
          return bn ? `(${a} > ${b} || (${a} !== ${a} && ${b} === ${b}))` : `(${a} > ${b} || ${a} !== ${a})`;
        case '>=': return an ? `(${a} >= ${b} || ${a} !== ${a})` : `(${a} >= ${b})`;
        default: throw new Error(`internal error: '${op}' is not a comparison`);
      }
    }
    if (t === 'boolean' && op !== '=' && op !== '!=') return `((+${a}) ${op} (+${b}))`;
    const jsOp = op === '=' ? '===' : op === '!=' ? '!==' : op;
    return `(${a} ${jsOp} ${b})`;
  }

  private strEq(l: StrVal, r: StrVal): string {
    if (l.lit && !r.lit) return this.strEq(r, l);
    if (r.lit) {
      const bytes = r.lit;
      const len = `${l.e} - ${l.s} === ${bytes.length}`;
      if (bytes.length === 0) return `(${l.e} === ${l.s})`;
      if (bytes.length <= 12) {
        const parts = Array.from(bytes, (x, k) => `${l.d}[${l.s}${k ? ` + ${k}` : ''}] === ${x}`);
        return `(${len} && ${parts.join(' && ')})`;
      }
      return `(${len} && eqBytesAt(${l.d}, ${l.s}, ${r.d}, ${bytes.length}))`;
    }
    return `eqBytes(${l.d}, ${l.s}, ${l.e}, ${r.d}, ${r.s}, ${r.e})`;
  }

  /** Three-valued AND / OR, evaluating the right side only when it can change the result. */
  private logic(op: 'and' | 'or', left: Expr, right: Expr): NumVal {
    const L = this.val(left) as NumVal, R = this.val(right) as NumVal;
    const r = this.tmp('b'), rn = this.tmp('b', 'n');
    // A side decides the result when it is non-null and equals `decider`.
    const decider = op === 'or';
    const decides = (x: NumVal) => andT(notN(x.n), decider ? x.v : `(!${x.v})`);
    const code = `${L.code}if (${decides(L)}) { ${r} = ${decider}; ${rn} = false; } else {
${R.code}if (${decides(R)}) { ${r} = ${decider}; ${rn} = false; } else { ${r} = ${!decider}; ${rn} = ${orN(L.n, R.n)}; }
}
`;
    return num(code, r, rn);
  }

  private cast(child: Expr, to: DataType): Val {
    const from = this.typeOf(child);
    const c = this.val(child);
    if (from === to) return c;
    if (to === 'string') {
      const v = (c as NumVal).v;
      let text: string;
      switch (from) {
        case 'int32': case 'int64': text = `formatInt(${v})`; break;
        case 'float64': text = `formatDouble(${v})`; break;
        case 'boolean': text = `(${v} ? 'true' : 'false')`; break;
        case 'date': text = `formatDate(${v})`; break;
        case 'timestamp': text = `formatTimestamp(${v})`; break;
        default: throw new Error(`cannot cast ${from} to string`);
      }
      const scr = this.konst(newScratch());
      const d = this.tmp('d', 'd'), e = this.tmp('n', 'e');
      const body = `${e} = asciiInto(${scr}, ${text}); ${d} = ${scr}.buf;`;
      // Skip the formatting work for NULL rows.
      const code = c.n === 'false' ? `${c.code}${body}\n` : `${c.code}if (${c.n}) { ${e} = 0; ${d} = EMPTY; } else { ${body} }\n`;
      return { str: true, code, d, s: '0', e, n: c.n, lit: null };
    }
    if (from === 'string') {
      const s = c as StrVal;
      const args = `${s.d}, ${s.s}, ${s.e}`;
      let call: string;
      switch (to) {
        case 'int32': call = `parseIntegral(${args}, -2147483648, 2147483647)`; break;
        case 'int64': call = `parseIntegral(${args}, -9223372036854775808, 9223372036854775807)`; break;
        case 'float64': call = `parseDouble(${args})`; break;
        case 'boolean': call = `parseBoolean(${args})`; break;
        case 'date': call = `parseDate(${args})`; break;
        case 'timestamp': call = `parseTimestamp(${args})`; break;
        default: return assertNever(to, 'type');
      }
      const r = this.tmp(to === 'boolean' ? 'b' : 'n'), rn = this.tmp('b', 'n');
      const code = c.n === 'false'
        ? `${c.code}${r} = ${call}; ${rn} = PF[0] !== 0;\n`
        : `${c.code}if (${c.n}) { ${rn} = true; } else { ${r} = ${call}; ${rn} = PF[0] !== 0; }\n`;
      return num(code, r, rn);
    }
    const v = (c as NumVal).v;
    const x = castNumeric(from, to, v);
    if (x === null) throw new Error(`cannot cast ${from} to ${to} (in ${exprToString(child)})`);
    if (isSimple(x)) return num(c.code, x, c.n);
    const r = this.tmp(to === 'boolean' ? 'b' : 'n');
    return num(`${c.code}${r} = ${x};\n`, r, c.n);
  }

  private inList(child: Expr, values: readonly Expr[]): NumVal {
    const t = this.typeOf(child);
    const C = this.val(child);
    const r = this.tmp('b'), rn = this.tmp('b', 'n');
    const lits = values.filter((v) => v.kind === 'lit');
    let staticNull = lits.some((v) => v.kind === 'lit' && normalizeLit(v.value, v.type) === null);
    const others = values.filter((v) => v.kind !== 'lit');
    const nonNullLits = lits.filter((v) => v.kind === 'lit' && normalizeLit(v.value, v.type) !== null);
    let body: string;
    if (others.length === 0 && nonNullLits.length >= 6 && t !== 'string') {
      // A Set's SameValueZero equality is Spark's here: NaN matches NaN, -0.0 matches 0.0.
      const set = new Set(nonNullLits.map((v) => normalizeLit((v as { value: LitValue }).value, t)));
      const name = this.konst(set);
      body = `${r} = ${name}.has(${(C as NumVal).v}); ${rn} = ${staticNull ? `!${r}` : 'false'};`;
    } else {
      // A chain: the first equal value decides; a NULL value seen on the way makes a miss NULL.
      const sawNull = this.tmp('b', 'sn');
      const parts: { code: string; hit: string; n: string }[] = [];
      for (const ve of values) {
        const V = this.val(ve);
        if (V.n === 'true') { staticNull = true; continue; }
        parts.push({ code: V.code, hit: andT(notN(V.n), this.cmp('=', C, V, t)), n: V.n });
      }
      let chain = `${r} = false; ${rn} = ${staticNull ? 'true' : sawNull};`;
      for (let j = parts.length - 1; j >= 0; j--) {
        const p = parts[j]!;
        const noteNull = p.n === 'false' ? '' : `if (${p.n}) ${sawNull} = true;\n`;
        chain = `${p.code}if (${p.hit}) { ${r} = true; ${rn} = false; } else {\n${noteNull}${chain}\n}`;
      }
      body = `${sawNull} = false;\n${chain}`;
    }
    const code = C.n === 'false' ? `${C.code}${body}\n` : `${C.code}if (${C.n}) { ${r} = false; ${rn} = true; } else {\n${body}\n}\n`;
    return num(code, r, rn);
  }

  /** Declares result variables of type t and returns the statements assigning `x` to them. */
  private resultVars(t: DataType): { vars: Val; assign: (x: Val) => string; assignNull: string } {
    const rn = this.tmp('b', 'n');
    if (t === 'string') {
      const d = this.tmp('d', 'd'), s = this.tmp('n', 's'), e = this.tmp('n', 'e');
      return {
        vars: { str: true, code: '', d, s, e, n: rn, lit: null },
        assign: (x) => { const y = x as StrVal; return `${d} = ${y.d}; ${s} = ${y.s}; ${e} = ${y.e}; ${rn} = ${y.n};`; },
        assignNull: `${rn} = true;`,
      };
    }
    const r = this.tmp(t === 'boolean' ? 'b' : 'n');
    return {
      vars: num('', r, rn),
      assign: (x) => `${r} = ${(x as NumVal).v}; ${rn} = ${x.n};`,
      assignNull: `${rn} = true;`,
    };
  }

  private caseWhen(branches: readonly { when: Expr; then: Expr }[], otherwise: Expr | null, t: DataType): Val {
    const res = this.resultVars(t);
    let tail: string;
    if (otherwise) {
      const o = this.val(otherwise);
      tail = `${o.code}${res.assign(o)}`;
    } else {
      tail = res.assignNull;
    }
    const conds = branches.map((b) => ({ w: this.cond(b.when, true), v: this.val(b.then) }));
    for (let j = conds.length - 1; j >= 0; j--) {
      const { w, v } = conds[j]!;
      tail = `${w.code}if (${w.t}) {\n${v.code}${res.assign(v)}\n} else {\n${tail}\n}`;
    }
    return { ...res.vars, code: tail + '\n' };
  }

  private coalesce(args: readonly Expr[], t: DataType): Val {
    const vals = args.map((a) => this.val(a));
    if (vals.length === 1) return vals[0]!;
    const res = this.resultVars(t);
    let tail = `${vals[vals.length - 1]!.code}${res.assign(vals[vals.length - 1]!)}`;
    for (let j = vals.length - 2; j >= 0; j--) {
      const v = vals[j]!;
      if (v.n === 'true') continue;
      if (v.n === 'false') { tail = `${v.code}${res.assign(v)}`; continue; }
      tail = `${v.code}if (!${v.n}) { ${res.assign(v)} } else {\n${tail}\n}`;
    }
    return { ...res.vars, code: tail + '\n' };
  }

  // ------------------------------------------------------------------ conditions

  /** Code computing whether `e` IS TRUE (want = true) or IS FALSE (want = false). */
  cond(e: Expr, want: boolean): Cond {
    switch (e.kind) {
      case 'alias': return this.cond(e.child, want);
      case 'not': return this.cond(e.child, !want);
      case 'lit': {
        const x = normalizeLit(e.value, e.type);
        return { code: '', t: x === null ? 'false' : x === want ? 'true' : 'false' };
      }
      default: break;
    }
    if (this.fold && referencedColumns(e).size === 0) {
      const v = this.folded(e) as NumVal;
      return { code: '', t: v.n === 'true' ? 'false' : (v.v === 'true') === want ? 'true' : 'false' };
    }
    if (e.kind === 'binary' && (e.op === 'and' || e.op === 'or')) {
      // IS TRUE of AND / IS FALSE of OR need both sides; the other two need either side.
      const both = (e.op === 'and') === want;
      const L = this.cond(e.left, want), R = this.cond(e.right, want);
      const jsOp = both ? '&&' : '||';
      if (R.code === '') return { code: L.code, t: `(${L.t} ${jsOp} ${R.t})` };
      const t = this.tmp('b', 'c');
      const guard = both ? t : `!${t}`;
      return { code: `${L.code}${t} = ${L.t};\nif (${guard}) {\n${R.code}${t} = ${R.t};\n}\n`, t };
    }
    if (e.kind === 'binary' && !ARITH.has(e.op)) {
      const t = this.typeOf(e.left);
      const L = this.val(e.left), R = this.val(e.right);
      const c = this.cmp(e.op, L, R, t);
      const cmp = want ? c : `(!${c})`;
      return { code: L.code + R.code, t: andT(notN(orN(L.n, R.n)), cmp) };
    }
    if (e.kind === 'isNull') {
      const c = this.val(e.child);
      const isNullTrue = e.negated !== want; // want IS NULL true ⇔ n; negated flips
      return { code: c.code, t: isNullTrue ? c.n : notN(c.n) };
    }
    const v = this.val(e) as NumVal;
    return { code: v.code, t: andT(notN(v.n), want ? v.v : `(!${v.v})`) };
  }
}

/** The JS expression converting a non-null `v` between non-string types, or null if unsupported. */
function castNumeric(from: DataType, to: DataType, v: string): string | null {
  switch (to) {
    case 'int32':
      if (from === 'int64') return `(${v} | 0)`;
      if (from === 'float64') return `d2i(${v})`;
      if (from === 'boolean') return `(${v} ? 1 : 0)`;
      return null;
    case 'int64':
      if (from === 'int32') return v;
      if (from === 'float64') return `d2l(${v})`;
      if (from === 'boolean') return `(${v} ? 1 : 0)`;
      if (from === 'timestamp') return `Math.floor(${v} / 1000)`;
      return null;
    case 'float64':
      if (from === 'int32' || from === 'int64') return v;
      if (from === 'boolean') return `(${v} ? 1 : 0)`;
      return null;
    case 'boolean':
      if (from === 'int32' || from === 'int64' || from === 'float64') return `(${v} !== 0)`;
      return null;
    case 'date':
      if (from === 'timestamp') return `Math.floor(${v} / 86400000)`;
      return null;
    case 'timestamp':
      if (from === 'date') return `(${v} * 86400000)`;
      if (from === 'int64') return `(${v} * 1000)`;
      return null;
    case 'string':
      return null;
    default:
      return assertNever(to, 'type');
  }
}

/**
 * A literal's value as the generated code holds it (number, boolean or string), or null
 * for NULL. Tolerates literal values given in another JS form (a bigint int64, a date or
 * timestamp written as text); text that does not parse is NULL, as a cast would give.
 */
export function normalizeLit(value: LitValue, type: DataType): number | boolean | string | null {
  if (value === null) return null;
  switch (type) {
    case 'string':
      if (typeof value === 'number') return Number.isInteger(value) ? formatInt(value) : formatDouble(value);
      return String(value);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') return parseBooleanText(value);
      return Number(value) !== 0;
    case 'date':
      if (typeof value === 'string') return parseDateText(value.trim());
      return Number(value);
    case 'timestamp':
      if (typeof value === 'string') return parseTimestampText(value.trim());
      return Number(value);
    case 'int32': case 'int64': case 'float64':
      if (typeof value === 'string') return parseDoubleText(value.trim());
      if (typeof value === 'boolean') return value ? 1 : 0;
      return Number(value);
    default:
      return assertNever(type, 'type');
  }
}

function parseBooleanText(s: string): boolean | null {
  const t = s.trim().toLowerCase();
  if (['t', 'true', 'y', 'yes', '1'].includes(t)) return true;
  if (['f', 'false', 'n', 'no', '0'].includes(t)) return false;
  return null;
}

/** The generated source of a kernel built by Emitter.build (for debugging). */
export function kernelSource(f: unknown): string | undefined {
  return (f as { source?: string }).source;
}

/** The rows loop: dense (no selection) and selected variants of the same per-row body. */
export function rowLoop(body: string, selBody = body, selAfter = ''): string {
  return `const sel = b.sel;
if (sel === null) {
const nRows = b.length;
for (let i = 0; i < nRows; i++) {
${body}
}
} else {
const nSel = sel.length;
for (let k = 0; k < nSel; k++) {
const i = sel[k];
${selBody}
}
${selAfter}
}
`;
}
