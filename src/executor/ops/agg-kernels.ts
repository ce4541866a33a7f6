// Whole-dataset aggregation kernels (no grouping keys): update with input batches, emit this
// partition's state as a partial batch, merge partials, produce the one-row result.
//
// Accumulators:
//   count(*), count(x), sum, avg, min/max of a non-string   float64 state slots, updated by
//       ONE generated loop over the batch that evaluates every argument inline and
//       accumulates into locals (no intermediate argument columns). The per-function logic is
//       the SLOT_FNS table: code snippets over "slot k" that a grouped hash aggregate can
//       paste with slot k of the row's group instead.
//   min/max of strings                                   best bytes so far (a copy)
//   countDistinct                                        a Set of the values (SameValueZero:
//       NaN is one value, -0.0 equals 0.0); strings are held decoded.
//
// Partial layout: one column per state piece, named `<output>#<i>.<piece>`:
//   count → .count int64 | sum → .sum (result type), .count int64 (non-null inputs)
//   avg → .sum float64, .count int64 | min/max → .min/.max (argument type)
//   countDistinct → .distinct (argument type): one distinct value per row.
// The batch has max(1, largest distinct set) rows. Row 0 holds the scalar states; the other
// rows are NULL in the scalar columns, and a distinct column past its values is NULL too. A
// NULL cell means "no contribution", so merge simply folds every non-null cell of every row:
// concatenated partials merge correctly too. min/max cells are NULL when nothing was seen.
//
// Semantics: NULLs are skipped; sum/avg/min/max of no non-null input is NULL; count(*)
// counts rows; sum of int32/int64 is int64 (float64 storage, exact to 2^53), of float64
// float64; avg is float64; min/max of strings by UTF-8 bytes, of float64 with NaN larger
// than everything (so max is NaN if any NaN, min is NaN only if all are NaN).
import type { AggFn, Expr } from '../../planner/expr.js';
import { fingerprint, referencedColumns, stripAlias } from '../../planner/expr.js';
import type { DataType, Field, Schema } from '../../planner/types.js';
import {
  type Batch, type Vec, makeBatch, allocValues, VecBuilder, decodeUtf8, numRows,
} from '../batch.js';
import { Emitter, rowLoop, type NumVal } from '../codegen/emit.js';
import { compileFilter } from '../codegen/compile-filter.js';
import { compileExpr, specialize, type CompiledExpr } from '../codegen/compile-expr.js';
import { cmpBytes } from '../codegen/strings.js';

export interface AggSpec {
  readonly fn: AggFn;
  /** Resolved argument; null = count(*). */
  readonly arg: Expr | null;
  readonly resultType: DataType;
}

export interface GlobalAggregator {
  /** Consumes the live rows of an input batch. */
  update(b: Batch): void;
  /** The columns of partial() (see the layout above). */
  partialSchema(): Schema;
  /** This partition's state (including anything merged into it). */
  partial(): Batch;
  /** Folds another partition's partial (a batch of partialSchema()). */
  merge(partial: Batch): void;
  /** One row: the final values, named by outputNames. */
  result(): Batch;
}

// ------------------------------------------------------------------ per-function slot logic

/** How a function accumulates into float64 slots; `s(k)` names slot k of the current state. */
export interface SlotFn {
  /** Initial slot values. */
  readonly init: readonly number[];
  /** Statements folding one non-null value `v` (a JS number or boolean expression). */
  update(s: (k: number) => string, v: string, argType: DataType): string;
}

/** "a is smaller than b" in Spark order (NaN above everything) as JS source, by type. */
function lessSrc(a: string, b: string, t: DataType): string {
  return t === 'float64' ? `(${a} < ${b} || (${b} !== ${b} && ${a} === ${a}))` : `(${a} < ${b})`;
}

function numeric(v: string, t: DataType): string {
  return t === 'boolean' ? `(${v} ? 1 : 0)` : v;
}

export const SLOT_FNS: Record<'count' | 'sum' | 'avg' | 'min' | 'max', SlotFn> = {
  count: { init: [0], update: (s) => `${s(0)} += 1;` },
  sum: { init: [0, 0], update: (s, v) => `${s(0)} += ${v}; ${s(1)} += 1;` },
  avg: { init: [0, 0], update: (s, v) => `${s(0)} += ${v}; ${s(1)} += 1;` },
  min: {
    init: [0, 0],
    update: (s, v, t) => `if (${s(1)} === 0 || ${lessSrc(numeric(v, t), s(0), t)}) ${s(0)} = ${numeric(v, t)}; ${s(1)} = 1;`,
  },
  max: {
    init: [0, 0],
    update: (s, v, t) => `if (${s(1)} === 0 || ${lessSrc(s(0), numeric(v, t), t)}) ${s(0)} = ${numeric(v, t)}; ${s(1)} = 1;`,
  },
};

/** "a is smaller than b" in Spark order, for merging. */
function less(a: number, b: number): boolean {
  return a < b || (b !== b && a === a);
}

// ------------------------------------------------------------------ accumulators

interface Accumulator {
  fields(): Field[];
  /** Rows the partial needs (distinct values); 1 for scalar states. */
  rows(): number;
  partialVecs(rows: number): Vec[];
  /** Folds the live rows of this accumulator's partial columns. */
  merge(cols: readonly Vec[], sel: Int32Array | null, length: number): void;
  result(): Vec;
  /** Vec-based accumulators consume batches themselves; slot ones go through the fused loop. */
  update?(b: Batch): void;
}

function liveCount(sel: Int32Array | null, length: number): number {
  return sel === null ? length : sel.length;
}

function rowAt(sel: Int32Array | null, k: number): number {
  return sel === null ? k : sel[k]!;
}

/** A scalar column of `rows` rows: `x` in row 0 (NULL if x is null), NULL below. */
function scalarVec(type: DataType, x: number | null, rows: number): Vec {
  const values = allocValues(type, rows);
  let valid: Uint8Array | null = null;
  if (x !== null) values[0] = x;
  if (x === null || rows > 1) {
    valid = new Uint8Array(rows);
    valid[0] = x === null ? 0 : 1;
  }
  return { type, length: rows, values, offsets: null, valid };
}

function isNullAt(v: Vec, i: number): boolean {
  return v.valid !== null && v.valid[i] === 0;
}

class SlotAcc implements Accumulator {
  constructor(
    private readonly name: string,
    readonly fn: 'count' | 'sum' | 'avg' | 'min' | 'max',
    readonly argType: DataType | null,
    private readonly resultType: DataType,
    private readonly st: Float64Array,
    readonly off: number,
  ) {}

  fields(): Field[] {
    const f = (piece: string, type: DataType): Field => ({ name: `${this.name}.${piece}`, type, nullable: true });
    switch (this.fn) {
      case 'count': return [f('count', 'int64')];
      case 'sum': return [f('sum', this.resultType), f('count', 'int64')];
      case 'avg': return [f('sum', 'float64'), f('count', 'int64')];
      case 'min': case 'max': return [f(this.fn, this.argType!)];
    }
  }

  rows(): number { return 1; }

  partialVecs(rows: number): Vec[] {
    const s = this.st, o = this.off;
    switch (this.fn) {
      case 'count': return [scalarVec('int64', s[o]!, rows)];
      case 'sum': return [scalarVec(this.resultType, s[o]!, rows), scalarVec('int64', s[o + 1]!, rows)];
      case 'avg': return [scalarVec('float64', s[o]!, rows), scalarVec('int64', s[o + 1]!, rows)];
      case 'min': case 'max': return [scalarVec(this.argType!, s[o + 1] === 0 ? null : s[o]!, rows)];
    }
  }

  merge(cols: readonly Vec[], sel: Int32Array | null, length: number): void {
    const s = this.st, o = this.off;
    const n = liveCount(sel, length);
    const a = cols[0]!, av = a.values;
    switch (this.fn) {
      case 'count':
        for (let k = 0; k < n; k++) { const i = rowAt(sel, k); if (!isNullAt(a, i)) s[o] += av[i]!; }
        return;
      case 'sum': case 'avg': {
        const c = cols[1]!, cv = c.values;
        for (let k = 0; k < n; k++) {
          const i = rowAt(sel, k);
          if (!isNullAt(a, i)) s[o] += av[i]!;
          if (!isNullAt(c, i)) s[o + 1] += cv[i]!;
        }
        return;
      }
      case 'min': case 'max': {
        const isMin = this.fn === 'min';
        for (let k = 0; k < n; k++) {
          const i = rowAt(sel, k);
          if (isNullAt(a, i)) continue;
          const x = av[i]!;
          if (s[o + 1] === 0 || (isMin ? less(x, s[o]!) : less(s[o]!, x))) s[o] = x;
          s[o + 1] = 1;
        }
        return;
      }
    }
  }

  result(): Vec {
    const s = this.st, o = this.off;
    switch (this.fn) {
      case 'count': return scalarVec('int64', s[o]!, 1);
      case 'sum': return scalarVec(this.resultType, s[o + 1] === 0 ? null : s[o]!, 1);
      case 'avg': return scalarVec('float64', s[o + 1] === 0 ? null : s[o]! / s[o + 1]!, 1);
      case 'min': case 'max': return scalarVec(this.resultType, s[o + 1] === 0 ? null : s[o]!, 1);
    }
  }
}

class StringMinMaxAcc implements Accumulator {
  private best: Uint8Array | null = null;

  constructor(private readonly name: string, private readonly isMin: boolean, private readonly arg: CompiledExpr) {}

  fields(): Field[] {
    return [{ name: `${this.name}.${this.isMin ? 'min' : 'max'}`, type: 'string', nullable: true }];
  }

  rows(): number { return 1; }

  /** Keeps bytes [s, e) of `d` if they beat the current best. */
  private offer(d: Uint8Array, s: number, e: number): void {
    const b = this.best;
    if (b !== null) {
      const c = cmpBytes(d, s, e, b, 0, b.length);
      if (this.isMin ? c >= 0 : c <= 0) return;
    }
    this.best = d.slice(s, e);
  }

  /** Finds the batch's best row by comparing in place, then copies only that one. */
  private fold(v: Vec, sel: Int32Array | null, length: number): void {
    const n = liveCount(sel, length);
    const o = v.offsets!, d = v.values as Uint8Array, valid = v.valid;
    const sign = this.isMin ? 1 : -1;
    let bi = -1;
    for (let k = 0; k < n; k++) {
      const i = sel === null ? k : sel[k]!;
      if (valid !== null && valid[i] === 0) continue;
      if (bi < 0 || sign * cmpBytes(d, o[i]!, o[i + 1]!, d, o[bi]!, o[bi + 1]!) < 0) bi = i;
    }
    if (bi >= 0) this.offer(d, o[bi]!, o[bi + 1]!);
  }

  update(b: Batch): void {
    this.fold(this.arg(b), b.sel, b.length);
  }

  partialVecs(rows: number): Vec[] {
    return [stringVec(this.best === null ? [] : [this.best], rows)];
  }

  merge(cols: readonly Vec[], sel: Int32Array | null, length: number): void {
    this.fold(cols[0]!, sel, length);
  }

  result(): Vec {
    return stringVec(this.best === null ? [] : [this.best], 1);
  }
}

/** A string column of `rows` rows: the given byte strings first, NULL below. */
function stringVec(items: readonly Uint8Array[], rows: number): Vec {
  const b = new VecBuilder('string', rows);
  for (const x of items) b.appendBytes(x, 0, x.length);
  for (let r = items.length; r < rows; r++) b.appendNull();
  return b.finish();
}

class DistinctAcc implements Accumulator {
  private readonly set = new Set<number | string>();

  constructor(private readonly name: string, private readonly type: DataType, private readonly arg: CompiledExpr) {}

  fields(): Field[] {
    return [{ name: `${this.name}.distinct`, type: this.type, nullable: true }];
  }

  rows(): number { return this.set.size; }

  private add(v: Vec, sel: Int32Array | null, length: number): void {
    const n = liveCount(sel, length);
    const set = this.set, valid = v.valid;
    if (v.type === 'string') {
      const o = v.offsets!, d = v.values as Uint8Array;
      for (let k = 0; k < n; k++) {
        const i = sel === null ? k : sel[k]!;
        if (valid === null || valid[i] !== 0) set.add(decodeUtf8(d, o[i]!, o[i + 1]!));
      }
      return;
    }
    const vals = v.values;
    for (let k = 0; k < n; k++) {
      const i = sel === null ? k : sel[k]!;
      if (valid === null || valid[i] !== 0) set.add(vals[i]!);
    }
  }

  update(b: Batch): void {
    this.add(this.arg(b), b.sel, b.length);
  }

  partialVecs(rows: number): Vec[] {
    const size = this.set.size;
    if (this.type === 'string') {
      const b = new VecBuilder('string', rows);
      for (const x of this.set) b.appendString(x as string);
      for (let r = size; r < rows; r++) b.appendNull();
      return [b.finish()];
    }
    const values = allocValues(this.type, rows);
    let r = 0;
    for (const x of this.set) values[r++] = x as number;
    let valid: Uint8Array | null = null;
    if (size < rows) {
      valid = new Uint8Array(rows);
      valid.fill(1, 0, size);
    }
    return [{ type: this.type, length: rows, values, offsets: null, valid }];
  }

  merge(cols: readonly Vec[], sel: Int32Array | null, length: number): void {
    this.add(cols[0]!, sel, length);
  }

  result(): Vec {
    return scalarVec('int64', this.set.size, 1);
  }
}

// ------------------------------------------------------------------ the fused update loop

type FusedKernel = (b: Batch, st: Float64Array) => void;

/**
 * One generated loop for every slot accumulator: arguments are evaluated inline (each
 * distinct argument once) and folded into local copies of the slots.
 */
function fusedUpdate(accs: readonly SlotAcc[], args: readonly (Expr | null)[], input: Schema, where: Expr | null): FusedKernel | null {
  if (accs.length === 0) return null;
  const refs = new Set<string>();
  for (const a of args) if (a) referencedColumns(a, refs);
  if (where) referencedColumns(where, refs);
  const key = accs.map((a, j) => `${a.fn}@${a.off}:${args[j] ? fingerprint(args[j]!) : '*'}`).join(';') +
    (where ? `|where:${fingerprint(where)}` : '');
  return specialize(refs, key, input, 'aggregate', (em: Emitter) => {
    let load = '', store = '', perBatch = '', perRow = '';
    const seen = new Map<string, NumVal>();
    accs.forEach((acc, j) => {
      const init = SLOT_FNS[acc.fn].init.length;
      const names: string[] = [];
      for (let k = 0; k < init; k++) {
        const v = `a${acc.off + k}`;
        names.push(v);
        load += `let ${v} = st[${acc.off + k}];\n`;
        store += `st[${acc.off + k}] = ${v};\n`;
      }
      const arg = args[j];
      if (!arg && !where) { perBatch += `${names[0]} += b.sel === null ? b.length : b.sel.length;\n`; return; }
      if (!arg) { perRow += `${names[0]} += 1;\n`; return; }
      const fp = fingerprint(arg);
      let val = seen.get(fp);
      if (!val) {
        val = em.val(arg) as NumVal;
        seen.set(fp, val);
        perRow += val.code;
      }
      const upd = SLOT_FNS[acc.fn].update((k) => names[k]!, val.v, acc.argType!);
      perRow += val.n === 'false' ? `${upd}\n` : `if (!${val.n}) { ${upd} }\n`;
    });
    if (where && perRow !== '') {
      // Whole-stage fusion: the filter's test guards the accumulation, in the same loop.
      const c = em.cond(where, true);
      perRow = `${c.code}if (${c.t}) {\n${perRow}}\n`;
    }
    const loop = perRow === '' ? '' : rowLoop(perRow);
    return em.build<FusedKernel>(['st'], `${load}${perBatch}${loop}${store}`, 'aggUpdate');
  });
}

// ------------------------------------------------------------------ the aggregator

/**
 * `where`, when given, is a predicate fused into the update: only rows where it IS TRUE are
 * aggregated (the Filter below a partial aggregate, evaluated in the aggregate's own loop).
 */
export function createGlobalAggregator(specs: readonly AggSpec[], input: Schema, outputNames: readonly string[], where: Expr | null = null): GlobalAggregator {
  if (outputNames.length !== specs.length) {
    throw new Error(`aggregate: ${specs.length} aggregates but ${outputNames.length} output names`);
  }
  const typer = new Emitter(input, () => false);
  const args = specs.map((spec, i) => {
    if (spec.arg === null && spec.fn !== 'count') {
      throw new Error(`aggregate ${outputNames[i]}: ${spec.fn}(*) is not valid; only count takes '*'`);
    }
    return spec.arg === null ? null : stripAlias(spec.arg);
  });
  const argTypes = args.map((a) => (a === null ? null : typer.typeOf(a)));
  const usesSlots = (i: number) => {
    const fn = specs[i]!.fn;
    return fn !== 'countDistinct' && !((fn === 'min' || fn === 'max') && argTypes[i] === 'string');
  };
  const slotCount = specs.reduce((n, s, i) => n + (usesSlots(i) ? SLOT_FNS[s.fn as SlotAcc['fn']].init.length : 0), 0);
  const st = new Float64Array(slotCount);
  const slotAccs: SlotAcc[] = [];
  const slotArgs: (Expr | null)[] = [];
  let off = 0;
  const accs: Accumulator[] = specs.map((spec, i) => {
    const name = `${outputNames[i]}#${i}`;
    const arg = args[i]!, argType = argTypes[i]!;
    if (spec.fn === 'countDistinct') return new DistinctAcc(name, argType, compileExpr(arg, input));
    if (!usesSlots(i)) return new StringMinMaxAcc(name, spec.fn === 'min', compileExpr(arg, input));
    if ((spec.fn === 'sum' || spec.fn === 'avg') && argType !== 'int32' && argType !== 'int64' && argType !== 'float64') {
      throw new Error(`aggregate ${outputNames[i]}: ${spec.fn} needs a numeric argument, got ${argType}`);
    }
    const fn = spec.fn;
    const acc = new SlotAcc(name, fn, args[i] === null ? null : argType, spec.resultType, st, off);
    st.set(SLOT_FNS[fn].init, off);
    off += SLOT_FNS[fn].init.length;
    slotAccs.push(acc);
    slotArgs.push(args[i] ?? null);
    return acc;
  });
  const fused = fusedUpdate(slotAccs, slotArgs, input, where);
  // Accumulators outside the fused loop (distinct sets, string min/max) see the filtered rows.
  const others = accs.filter((a) => a.update);
  const filter = where && others.length > 0 ? compileFilter(where, input) : null;

  const partialFields = accs.flatMap((a) => a.fields());
  const resultSchema: Schema = specs.map((s, i) => ({
    name: outputNames[i]!, type: s.resultType, nullable: s.fn !== 'count' && s.fn !== 'countDistinct',
  }));

  return {
    update(b: Batch): void {
      if (numRows(b) === 0) return;
      if (fused) fused(b, st);
      if (others.length === 0) return;
      let rows = b;
      if (filter) {
        const sel = filter(b);
        if (sel !== null && sel !== b.sel) rows = makeBatch(b.schema, b.columns, b.length, sel);
      }
      for (const a of others) a.update!(rows);
    },
    partialSchema: () => partialFields,
    partial(): Batch {
      const rows = Math.max(1, ...accs.map((a) => a.rows()));
      return makeBatch(partialFields, accs.flatMap((a) => a.partialVecs(rows)), rows);
    },
    merge(partial: Batch): void {
      if (partial.columns.length !== partialFields.length) {
        throw new Error(`aggregate merge: partial batch has ${partial.columns.length} columns, expected ${partialFields.length} (${partialFields.map((f) => f.name).join(', ')})`);
      }
      let c = 0;
      for (const a of accs) {
        const w = a.fields().length;
        a.merge(partial.columns.slice(c, c + w), partial.sel, partial.length);
        c += w;
      }
    },
    result(): Batch {
      return makeBatch(resultSchema, accs.map((a) => a.result()), 1);
    },
  };
}
