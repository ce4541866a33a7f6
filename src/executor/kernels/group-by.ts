// Grouped hash aggregation: the partial side (update with input rows, emit one state row per
// group) and the final side (merge partial states, emit keys + final values). The same
// per-function logic as the whole-dataset aggregator (agg-kernels.ts: SLOT_FNS, the partial
// pieces and their merge, planAggregates), run per group:
//   slot aggregates (count, sum, avg, min/max of non-strings)  float64 slots per group in the
//       GroupTable, updated inside the generated lookup loop (group-kernel.ts)
//   min/max of strings                                          GroupStringMinMax
//   countDistinct                                               GroupDistinct
//
// Partial layout: the key columns (named by the caller), then the state columns exactly as
// the whole-dataset partial names them (`<output>#<i>.<piece>`). Without countDistinct a
// group is one row. With it, group g takes max(1, largest distinct set of g) consecutive rows
// with the same key: the first holds the scalar states, every row holds at most one distinct
// value per countDistinct column, and all other cells are NULL. A NULL cell contributes
// nothing, so merge folds every non-null cell of every row, whatever batches or order the
// rows arrive in. Batches hold at most 65,536 rows.
//
// Keys: NULL is a key like any other (all NULLs of a key form one group); -0.0 and 0.0 are
// one key (output as 0.0), and so is every NaN. Groups come out in order of first appearance.
import { type Expr, stripAlias } from '../../planner/expr.js';
import type { DataType, Field, Schema } from '../../planner/types.js';
import { type Batch, type Vec, allocValues, makeBatch, numRows } from '../batch.js';
import { Emitter } from '../codegen/emit.js';
import { compileExpr, type CompiledExpr } from '../codegen/compile-expr.js';
import {
  type AggSpec, type AggPlan, type SlotFnName, planAggregates, planFields, resultField,
  initialSlots, slotPiece, mergeSlotPiece, slotResult,
} from '../ops/agg-kernels.js';
import { GroupTable } from './group-table.js';
import { groupKernel, type GroupKernel, type GroupKernelSpec } from './group-kernel.js';
import { GroupDistinct } from './group-distinct.js';
import { GroupStringMinMax } from './group-minmax.js';

export interface GroupedAggregator {
  /** Consumes the live rows of b (keys and arguments are evaluated from the input schema). */
  update(b: Batch): void;
  /** The group key columns (named by the caller), then the state columns. */
  partialSchema(): Schema;
  /** This task's state: one row per group (more with countDistinct), in batches of <= 65,536 rows. */
  partial(): Batch[];
  /** Folds partial states from other tasks (a batch of partialSchema()). */
  merge(partial: Batch): void;
  /** The keys and the final values, named keyNames then outputNames. */
  result(): Batch[];
  groups(): number;
  /** Approximate bytes held. */
  memoryBytes(): number;
}

/** Rows per emitted batch. */
export const GROUP_BATCH_ROWS = 65_536;

type Other =
  | { readonly plan: AggPlan; readonly kind: 'distinct'; readonly acc: GroupDistinct; readonly arg: CompiledExpr }
  | { readonly plan: AggPlan; readonly kind: 'stringMinMax'; readonly acc: GroupStringMinMax; readonly arg: CompiledExpr };

/**
 * @param keys        resolved key expressions over `input` (usually plain columns)
 * @param keyNames    the key columns' names in partials and results
 * @param specs       the aggregates
 * @param outputNames their result names
 * @param where       a predicate fused into update: only rows where it IS TRUE are aggregated
 *                    (and only they create groups)
 */
export function createGroupedAggregator(
  keys: readonly Expr[], keyNames: readonly string[], specs: readonly AggSpec[], input: Schema,
  outputNames: readonly string[], where: Expr | null = null,
): GroupedAggregator {
  if (keys.length === 0) throw new Error('group by: no grouping keys (use the whole-dataset aggregator)');
  if (keyNames.length !== keys.length) throw new Error(`group by: ${keys.length} keys but ${keyNames.length} key names`);
  const { plans, slotCount } = planAggregates(specs, input, outputNames, 'group by aggregate');
  const keyExprs = keys.map((k) => stripAlias(k));
  const typer = new Emitter(input, () => false);
  const keyTypes = keyExprs.map((k) => typer.typeOf(k));
  const keyFields: Field[] = keyExprs.map((k, j) => ({
    name: keyNames[j]!, type: keyTypes[j]!,
    nullable: k.kind === 'col' ? input.find((f) => f.name === k.name)!.nullable : true,
  }));
  const partialFields: Schema = [...keyFields, ...plans.flatMap(planFields)];
  const resultSchema: Schema = [...keyFields, ...plans.map((p, i) => resultField(p, outputNames[i]!))];

  // One int32/date/boolean key read straight from a column can use a direct-addressed table.
  const directCol = keyExprs.length === 1 && keyExprs[0]!.kind === 'col' && isDirectType(keyTypes[0]!)
    ? input.findIndex((f) => f.name === (keyExprs[0] as { name: string }).name) : -1;
  const S = slotCount;
  const T = new GroupTable(keyTypes, S, initialSlots(plans, slotCount), directCol >= 0);

  const others: Other[] = [];
  for (const p of plans) {
    if (p.kind === 'distinct') others.push({ plan: p, kind: 'distinct', acc: new GroupDistinct(p.argType!), arg: compileExpr(p.arg!, input) });
    if (p.kind === 'stringMinMax') others.push({ plan: p, kind: 'stringMinMax', acc: new GroupStringMinMax(p.fn === 'min'), arg: compileExpr(p.arg!, input) });
  }
  const slotPlans = plans.filter((p) => p.kind === 'slot');

  // Kernels, built on first use: update (input rows → groups + slot updates) and lookup
  // (partial rows → group ids), each in hash and direct mode.
  const kernels = new Map<string, GroupKernel>();
  // The merge lookup reads a partial's key columns by position: under internal names, so
  // keys may share a name (as Spark allows).
  const mergeSchema: Schema = partialFields.map((f, j) => (j < keyFields.length ? { ...f, name: `#key${j}` } : f));
  const partialKeys = keyFields.map((_, j): Expr => ({ kind: 'col', name: `#key${j}` }));
  const kernel = (forMerge: boolean, mode: 'hash' | 'direct'): GroupKernel => {
    const id = `${forMerge}|${mode}`;
    let k = kernels.get(id);
    if (!k) {
      const spec: GroupKernelSpec = forMerge
        ? { keys: partialKeys, plans: [], S, where: null, mode, gids: true }
        : { keys: keyExprs, plans: slotPlans, S, where, mode, gids: others.length > 0 };
      k = groupKernel(spec, forMerge ? mergeSchema : input);
      kernels.set(id, k);
    }
    return k;
  };

  let gids = new Int32Array(1024);
  const gidsFor = (n: number) => {
    if (gids.length < n) gids = new Int32Array(Math.max(n, gids.length * 2));
    return gids;
  };

  /** Runs a kernel over b's live rows (direct mode first sizes its table from column `col`). */
  const lookup = (b: Batch, forMerge: boolean, col: number): Int32Array => {
    const n = numRows(b);
    const g = gidsFor(n);
    if (T.mode === 'direct') T.prepareDirect(b.columns[col]!, b.sel, n);
    kernel(forMerge, T.mode)(b, T, g);
    return g;
  };

  return {
    update(b: Batch): void {
      if (numRows(b) === 0) return;
      const g = lookup(b, false, directCol);
      for (const o of others) {
        o.acc.ensureGroups(T.n);
        o.acc.add(o.arg(b), b.sel, b.length, g);
      }
    },

    partialSchema: () => partialFields,

    merge(partial: Batch): void {
      if (partial.columns.length !== partialFields.length) {
        throw new Error(`group by merge: partial batch has ${partial.columns.length} columns, expected ${partialFields.length} (${partialFields.map((f) => f.name).join(', ')})`);
      }
      partialFields.forEach((f, c) => {
        if (partial.columns[c]!.type !== f.type) {
          throw new Error(`group by merge: partial column ${c} ('${f.name}') is ${partial.columns[c]!.type}, expected ${f.type}`);
        }
      });
      const n = numRows(partial);
      if (n === 0) return;
      const g = lookup(partial, true, 0);
      const sel = partial.sel;
      let c = keyFields.length;
      for (const p of plans) {
        const width = planFields(p).length;
        if (p.kind === 'slot') {
          for (let piece = 0; piece < width; piece++) mergeSlotColumn(p, piece, partial.columns[c + piece]!, sel, n, g, T, S);
        } else {
          const o = others.find((x) => x.plan === p)!;
          o.acc.ensureGroups(T.n);
          o.acc.add(partial.columns[c]!, sel, partial.length, g);
        }
        c += width;
      }
    },

    partial(): Batch[] {
      const G = T.n;
      // Rows per group: 1, or the largest distinct set of the group.
      const distincts = others.filter((o) => o.kind === 'distinct') as Extract<Other, { kind: 'distinct' }>[];
      const listings = distincts.map((o) => { o.acc.ensureGroups(G); return o.acc.byGroup(G); });
      let total = G;
      let rowStart: Int32Array | null = null;
      if (distincts.length > 0) {
        rowStart = new Int32Array(G + 1);
        for (let g = 0; g < G; g++) {
          let r = 1;
          for (const o of distincts) r = Math.max(r, o.acc.counts[g]!);
          rowStart[g + 1] = rowStart[g]! + r;
        }
        total = rowStart[G]!;
      }
      const out: Batch[] = [];
      let g = 0;
      for (let r0 = 0; r0 < total; r0 += GROUP_BATCH_ROWS) {
        const rows = Math.min(GROUP_BATCH_ROWS, total - r0);
        // Each row's group, and the row's index within its group.
        const groupOf = new Int32Array(rows), rowJ = new Int32Array(rows);
        for (let r = 0; r < rows; r++) {
          if (rowStart === null) { groupOf[r] = r0 + r; continue; }
          while (rowStart[g + 1]! <= r0 + r) g++;
          groupOf[r] = g;
          rowJ[r] = r0 + r - rowStart[g]!;
        }
        const firsts = new Int32Array(rows); // the group on its first row, -1 below
        for (let r = 0; r < rows; r++) firsts[r] = rowJ[r] === 0 ? groupOf[r]! : -1;
        const cols: Vec[] = keyFields.map((_, j) => T.keyVec(j, groupOf));
        for (const p of plans) {
          if (p.kind === 'slot') {
            planFields(p).forEach((f, piece) => cols.push(slotPieceVec(p, piece, f.type, firsts, T, S)));
          } else if (p.kind === 'stringMinMax') {
            cols.push((others.find((x) => x.plan === p)!.acc as GroupStringMinMax).vec(firsts));
          } else {
            const a = distincts.findIndex((x) => x.plan === p);
            const { start, order } = listings[a]!;
            const counts = distincts[a]!.acc.counts;
            const entries = new Int32Array(rows);
            for (let r = 0; r < rows; r++) {
              const gg = groupOf[r]!, j = rowJ[r]!;
              entries[r] = j < counts[gg]! ? order[start[gg]! + j]! : -1;
            }
            cols.push(distincts[a]!.acc.valueVec(entries));
          }
        }
        out.push(makeBatch(partialFields, cols, rows));
      }
      return out;
    },

    result(): Batch[] {
      const G = T.n;
      for (const o of others) o.acc.ensureGroups(G);
      const out: Batch[] = [];
      for (let g0 = 0; g0 < G; g0 += GROUP_BATCH_ROWS) {
        const rows = Math.min(GROUP_BATCH_ROWS, G - g0);
        const groups = new Int32Array(rows);
        for (let r = 0; r < rows; r++) groups[r] = g0 + r;
        const cols: Vec[] = keyFields.map((_, j) => T.keyVec(j, groups));
        for (const p of plans) {
          if (p.kind === 'slot') cols.push(slotResultVec(p, groups, T, S));
          else if (p.kind === 'stringMinMax') cols.push((others.find((x) => x.plan === p)!.acc as GroupStringMinMax).vec(groups));
          else {
            const counts = (others.find((x) => x.plan === p)!.acc as GroupDistinct).counts;
            const values = new Float64Array(rows);
            for (let r = 0; r < rows; r++) values[r] = counts[g0 + r]!;
            cols.push({ type: 'int64', length: rows, values, offsets: null, valid: null });
          }
        }
        out.push(makeBatch(resultSchema, cols, rows));
      }
      return out;
    },

    groups: () => T.n,

    memoryBytes: () => T.bytes() + gids.byteLength + others.reduce((s, o) => s + o.acc.bytes(), 0),
  };
}

function isDirectType(t: DataType): boolean {
  return t === 'int32' || t === 'date' || t === 'boolean';
}

/** Folds the non-null cells of one partial piece column into the rows' groups. */
function mergeSlotColumn(p: AggPlan, piece: number, v: Vec, sel: Int32Array | null, n: number, gids: Int32Array, T: GroupTable, S: number): void {
  const fn = p.fn as SlotFnName, st = T.st, off = p.off, x = v.values, valid = v.valid;
  for (let k = 0; k < n; k++) {
    const i = sel === null ? k : sel[k]!;
    if (valid !== null && valid[i] === 0) continue;
    mergeSlotPiece(fn, st, gids[k]! * S + off, piece, x[i]!);
  }
}

/** Piece `piece` of the state of the groups in `firsts` (-1 = a NULL cell). */
function slotPieceVec(p: AggPlan, piece: number, type: DataType, firsts: Int32Array, T: GroupTable, S: number): Vec {
  const n = firsts.length, fn = p.fn as SlotFnName, st = T.st;
  const values = allocValues(type, n), valid = new Uint8Array(n);
  let nulls = 0;
  for (let r = 0; r < n; r++) {
    const g = firsts[r]!;
    const x = g < 0 ? null : slotPiece(fn, st, g * S + p.off, piece);
    if (x === null) { nulls++; continue; }
    values[r] = x;
    valid[r] = 1;
  }
  return { type, length: n, values, offsets: null, valid: nulls === 0 ? null : valid };
}

/** The final values of one slot aggregate for the given groups. */
function slotResultVec(p: AggPlan, groups: Int32Array, T: GroupTable, S: number): Vec {
  const n = groups.length, fn = p.fn as SlotFnName, st = T.st;
  const values = allocValues(p.resultType, n), valid = new Uint8Array(n);
  let nulls = 0;
  for (let r = 0; r < n; r++) {
    const x = slotResult(fn, st, groups[r]! * S + p.off);
    if (x === null) { nulls++; continue; }
    values[r] = x;
    valid[r] = 1;
  }
  return { type: p.resultType, length: n, values, offsets: null, valid: nulls === 0 ? null : valid };
}
