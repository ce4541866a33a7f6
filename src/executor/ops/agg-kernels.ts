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
// The slot logic (SLOT_FNS, the partial pieces and their merge, the final values), the
// planning of specs into slot / string min-max / distinct accumulators and the per-row update
// code are exported for the grouped aggregator (src/executor/kernels/group-by.ts), which runs
// the same logic per group.
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

export type SlotFnName = keyof typeof SLOT_FNS;

/** The partial columns of a slot function's state, named `<name>.<piece>`. */
export function slotFields(name: string, fn: SlotFnName, argType: DataType | null, resultType: DataType): Field[] {
  const f = (piece: string, type: DataType): Field => ({ name: `${name}.${piece}`, type, nullable: true });
  switch (fn) {
    case 'count': return [f('count', 'int64')];
    case 'sum': return [f('sum', resultType), f('count', 'int64')];
    case 'avg': return [f('sum', 'float64'), f('count', 'int64')];
    case 'min': case 'max': return [f(fn, argType!)];
  }
}

/** Partial piece p of the state at st[o..] (see slotFields), or null for a NULL cell. */
export function slotPiece(fn: SlotFnName, st: Float64Array, o: number, p: number): number | null {
  if (fn === 'min' || fn === 'max') return st[o + 1] === 0 ? null : st[o]!;
  return st[o + p]!;
}

/** Folds a non-null partial cell x of piece p into the state at st[o..]. */
export function mergeSlotPiece(fn: SlotFnName, st: Float64Array, o: number, p: number, x: number): void {
  if (fn === 'min' || fn === 'max') {
    if (st[o + 1] === 0 || (fn === 'min' ? less(x, st[o]!) : less(st[o]!, x))) st[o] = x;
    st[o + 1] = 1;
    return;
  }
  st[o + p] += x;
}

/** The final value of the state at st[o..], or null. */
export function slotResult(fn: SlotFnName, st: Float64Array, o: number): number | null {
  switch (fn) {
    case 'count': return st[o]!;
    case 'sum': case 'min': case 'max': return st[o + 1] === 0 ? null : st[o]!;
    case 'avg': return st[o + 1] === 0 ? null : st[o]! / st[o + 1]!;
  }
}

// ------------------------------------------------------------------ planning

/** One aggregate, checked and typed, with the accumulator kind that runs it. */
export interface AggPlan {
  /** Prefix of its partial columns: `<output>#<i>`. */
  readonly name: string;
  readonly fn: AggFn;
  /** The argument without its alias; null = count(*). */
  readonly arg: Expr | null;
  readonly argType: DataType | null;
  readonly resultType: DataType;
  /** float64 slots in the fused loop, a string min/max, or a distinct set. */
  readonly kind: 'slot' | 'stringMinMax' | 'distinct';
  /** First slot (kind 'slot'); -1 otherwise. */
  readonly off: number;
}

/** Checks and types the specs and lays their slots out; `what` prefixes errors. */
export function planAggregates(specs: readonly AggSpec[], input: Schema, outputNames: readonly string[], what = 'aggregate'): { plans: AggPlan[]; slotCount: number } {
  if (outputNames.length !== specs.length) {
    throw new Error(`${what}: ${specs.length} aggregates but ${outputNames.length} output names`);
  }
  const typer = new Emitter(input, () => false);
  let off = 0;
  const plans = specs.map((spec, i): AggPlan => {
    if (spec.arg === null && spec.fn !== 'count') {
      throw new Error(`${what} ${outputNames[i]}: ${spec.fn}(*) is not valid; only count takes '*'`);
    }
    const arg = spec.arg === null ? null : stripAlias(spec.arg);
    const argType = arg === null ? null : typer.typeOf(arg);
    const base = { name: `${outputNames[i]}#${i}`, fn: spec.fn, arg, argType, resultType: spec.resultType };
    if (spec.fn === 'countDistinct') return { ...base, kind: 'distinct', off: -1 };
    if ((spec.fn === 'min' || spec.fn === 'max') && argType === 'string') return { ...base, kind: 'stringMinMax', off: -1 };
    if ((spec.fn === 'sum' || spec.fn === 'avg') && argType !== 'int32' && argType !== 'int64' && argType !== 'float64') {
      throw new Error(`${what} ${outputNames[i]}: ${spec.fn} needs a numeric argument, got ${argType}`);
    }
    const plan: AggPlan = { ...base, kind: 'slot', off };
    off += SLOT_FNS[spec.fn].init.length;
    return plan;
  });
  return { plans, slotCount: off };
}

/** The partial columns of one planned aggregate. */
export function planFields(p: AggPlan): Field[] {
  switch (p.kind) {
    case 'slot': return slotFields(p.name, p.fn as SlotFnName, p.argType, p.resultType);
    case 'stringMinMax': return [{ name: `${p.name}.${p.fn}`, type: 'string', nullable: true }];
    case 'distinct': return [{ name: `${p.name}.distinct`, type: p.argType!, nullable: true }];
  }
}

/** The result column of one planned aggregate. */
export function resultField(p: AggPlan, outputName: string): Field {
  return { name: outputName, type: p.resultType, nullable: p.fn !== 'count' && p.fn !== 'countDistinct' };
}

/** The initial values of `slotCount` slots laid out by planAggregates. */
export function initialSlots(plans: readonly AggPlan[], slotCount: number): Float64Array {
  const st = new Float64Array(slotCount);
  for (const p of plans) if (p.kind === 'slot') st.set(SLOT_FNS[p.fn as SlotFnName].init, p.off);
  return st;
}

/**
 * Per-row statements (inside a row loop emitted with `em`) folding every slot plan's argument
 * into its slots; `slot(j)` names slot j (absolute, as laid out by planAggregates). Each
 * distinct argument is evaluated once; count(*) adds 1.
 */
export function slotUpdateCode(em: Emitter, plans: readonly AggPlan[], slot: (j: number) => string): string {
  let perRow = '';
  const seen = new Map<string, NumVal>();
  for (const p of plans) {
    if (p.kind !== 'slot') continue;
    const s = (k: number) => slot(p.off + k);
    if (p.arg === null) { perRow += `${s(0)} += 1;\n`; continue; }
    const fp = fingerprint(p.arg);
    let val = seen.get(fp);
    if (!val) {
      val = em.val(p.arg) as NumVal;
      seen.set(fp, val);
      perRow += val.code;
    }
    const upd = SLOT_FNS[p.fn as SlotFnName].update(s, val.v, p.argType!);
    perRow += val.n === 'false' ? `${upd}\n` : `if (!${val.n}) { ${upd} }\n`;
  }
  return perRow;
}

/**
 * Per-row statements folding a partial's state columns (named as planFields names them) into
 * the slots, as mergeSlotPiece does: count/sum/avg pieces add, a min/max cell competes. NULL
 * cells contribute nothing.
 */
export function slotMergeCode(em: Emitter, plans: readonly AggPlan[], slot: (j: number) => string): string {
  let perRow = '';
  for (const p of plans) {
    if (p.kind !== 'slot') continue;
    const fn = p.fn as SlotFnName;
    planFields(p).forEach((f, piece) => {
      const val = em.val({ kind: 'col', name: f.name }) as NumVal;
      perRow += val.code;
      const upd = fn === 'min' || fn === 'max'
        ? SLOT_FNS[fn].update((k) => slot(p.off + k), val.v, p.argType!)
        : `${slot(p.off + piece)} += ${val.v};`;
      perRow += val.n === 'false' ? `${upd}\n` : `if (!${val.n}) { ${upd} }\n`;
    });
  }
  return perRow;
}

/** The cache key part naming what slotUpdateCode generates for these plans. */
export function slotPlansKey(plans: readonly AggPlan[]): string {
  return plans.filter((p) => p.kind === 'slot').map((p) => `${p.fn}@${p.off}:${p.arg ? fingerprint(p.arg) : '*'}`).join(';');
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
  constructor(private readonly plan: AggPlan, private readonly st: Float64Array) {}

  get fn(): SlotFnName { return this.plan.fn as SlotFnName; }

  fields(): Field[] { return planFields(this.plan); }

  rows(): number { return 1; }

  partialVecs(rows: number): Vec[] {
    return this.fields().map((f, p) => scalarVec(f.type, slotPiece(this.fn, this.st, this.plan.off, p), rows));
  }

  merge(cols: readonly Vec[], sel: Int32Array | null, length: number): void {
    const fn = this.fn, st = this.st, o = this.plan.off;
    const n = liveCount(sel, length);
    cols.forEach((a, p) => {
      const av = a.values;
      for (let k = 0; k < n; k++) {
        const i = rowAt(sel, k);
        if (!isNullAt(a, i)) mergeSlotPiece(fn, st, o, p, av[i]!);
      }
    });
  }

  result(): Vec {
    return scalarVec(this.plan.resultType, slotResult(this.fn, this.st, this.plan.off), 1);
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
function fusedUpdate(plans: readonly AggPlan[], slotCount: number, input: Schema, where: Expr | null): FusedKernel | null {
  const slots = plans.filter((p) => p.kind === 'slot');
  if (slots.length === 0) return null;
  const refs = new Set<string>();
  for (const p of slots) if (p.arg) referencedColumns(p.arg, refs);
  if (where) referencedColumns(where, refs);
  const key = slotPlansKey(slots) + (where ? `|where:${fingerprint(where)}` : '');
  return specialize(refs, key, input, 'aggregate', (em: Emitter) => {
    let load = '', store = '', perBatch = '';
    for (let j = 0; j < slotCount; j++) {
      load += `let a${j} = st[${j}];\n`;
      store += `st[${j}] = a${j};\n`;
    }
    // count(*) without a filter counts the batch's live rows at once.
    const perRowPlans = slots.filter((p) => p.arg !== null || where !== null);
    for (const p of slots) if (p.arg === null && !where) perBatch += `a${p.off} += b.sel === null ? b.length : b.sel.length;\n`;
    let perRow = slotUpdateCode(em, perRowPlans, (j) => `a${j}`);
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
  const { plans, slotCount } = planAggregates(specs, input, outputNames);
  const st = initialSlots(plans, slotCount);
  const accs: Accumulator[] = plans.map((p) => {
    switch (p.kind) {
      case 'distinct': return new DistinctAcc(p.name, p.argType!, compileExpr(p.arg!, input));
      case 'stringMinMax': return new StringMinMaxAcc(p.name, p.fn === 'min', compileExpr(p.arg!, input));
      case 'slot': return new SlotAcc(p, st);
    }
  });
  const fused = fusedUpdate(plans, slotCount, input, where);
  // Accumulators outside the fused loop (distinct sets, string min/max) see the filtered rows.
  const others = accs.filter((a) => a.update);
  const filter = where && others.length > 0 ? compileFilter(where, input) : null;

  const partialFields = accs.flatMap((a) => a.fields());
  const resultSchema: Schema = plans.map((p, i) => resultField(p, outputNames[i]!));

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
