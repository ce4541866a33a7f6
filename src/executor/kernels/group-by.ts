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
// one key (output as 0.0), and so is every NaN. Groups come out in order of first appearance,
// except in a keyed table (one int32/date/boolean key, slot aggregates only: group-table.ts),
// where they come out in key order, NULL first.
import { type Expr, stripAlias } from '../../planner/expr.js';
import type { DataType, Field, Schema } from '../../planner/types.js';
import { type Batch, type Vec, allocValues, batchBytes, makeBatch, numRows } from '../batch.js';
import { Emitter } from '../codegen/emit.js';
import { compileExpr, type CompiledExpr } from '../codegen/compile-expr.js';
import {
  type AggSpec, type AggPlan, planAggregates, planFields, resultField, initialSlots,
} from '../ops/agg-kernels.js';
import { GroupTable, isKeyedType } from './group-table.js';
import { groupKernel, type GroupKernel, type GroupKernelSpec } from './group-kernel.js';
import { GroupDistinct } from './group-distinct.js';
import { GroupStringMinMax } from './group-minmax.js';
import { type BypassConverter, bypassConverter, limitRows } from './group-bypass.js';

export interface GroupedAggregator {
  /** Consumes the live rows of b (keys and arguments are evaluated from the input schema). */
  update(b: Batch): void;
  /** The group key columns (named by the caller), then the state columns. */
  partialSchema(): Schema;
  /**
   * This task's state: one row per group (more with countDistinct), in batches of <= 65,536
   * rows. Like result(), it ends the aggregator's use of its table's memory: the next
   * aggregation of this thread that takes memory reclaims it (group-buffers.ts), after which
   * any call but groups() and memoryBytes() throws. Updating or merging again before that
   * keeps the memory.
   */
  partial(): Batch[];
  /** Folds partial states from other tasks (a batch of partialSchema()). */
  merge(partial: Batch): void;
  /** The keys and the final values, named keyNames then outputNames (see partial() on memory). */
  result(): Batch[];
  groups(): number;
  /** Approximate bytes held. */
  memoryBytes(): number;
}

/** Rows per emitted batch. */
export const GROUP_BATCH_ROWS = 65_536;

/**
 * Adaptive bypass of the partial aggregation (group-bypass.ts): once an aggregator has taken
 * at least `minRows` live rows with update(), and its table holds at least `minGroups` groups
 * and more than `ratio` groups per row taken, later rows are turned into partial rows as they
 * are instead of being looked up. A small table is cheap (cache-resident) whatever it
 * combines, so it never gives way. Measured on 5M rows over 2 tasks, cached: ~1.9M distinct
 * keys, the map stage 1267 → 578 ms with the final stage unchanged; 500k keys (the table
 * still combines 5×) and 100k keys never give way. Mutable for tests.
 */
export const BYPASS = { minRows: 1 << 19, minGroups: 1 << 17, ratio: 0.75 };

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

  const others: Other[] = [];
  for (const p of plans) {
    if (p.kind === 'distinct') others.push({ plan: p, kind: 'distinct', acc: new GroupDistinct(p.argType!), arg: compileExpr(p.arg!, input) });
    if (p.kind === 'stringMinMax') others.push({ plan: p, kind: 'stringMinMax', acc: new GroupStringMinMax(p.fn === 'min'), arg: compileExpr(p.arg!, input) });
  }
  const slotPlans = plans.filter((p) => p.kind === 'slot');

  // One int32/date/boolean key read straight from a column, and only slot aggregates (which
  // need no group ids): a keyed table, addressed by the key itself.
  const keyCol = keyExprs.length === 1 && keyExprs[0]!.kind === 'col' && isKeyedType(keyTypes[0]!) && others.length === 0
    ? input.findIndex((f) => f.name === (keyExprs[0] as { name: string }).name) : -1;
  const S = slotCount;
  const T = new GroupTable(keyTypes, S, initialSlots(plans, slotCount), keyCol >= 0);

  // Kernels, built on first use: update (input rows → groups + slot updates) and merge
  // (partial rows → groups + slot merges), each in hash and keyed mode.
  const kernels = new Map<string, GroupKernel>();
  // The merge lookup reads a partial's key columns by position: under internal names, so
  // keys may share a name (as Spark allows).
  const mergeSchema: Schema = partialFields.map((f, j) => (j < keyFields.length ? { ...f, name: `#key${j}` } : f));
  const partialKeys = keyFields.map((_, j): Expr => ({ kind: 'col', name: `#key${j}` }));
  const gidsNeeded = others.length > 0;
  const kernel = (forMerge: boolean, mode: 'hash' | 'keyed'): GroupKernel => {
    const id = `${forMerge}|${mode}`;
    let k = kernels.get(id);
    if (!k) {
      const spec: GroupKernelSpec = forMerge
        ? { keys: partialKeys, plans: slotPlans, S, where: null, mode, gids: gidsNeeded, merge: true }
        : { keys: keyExprs, plans: slotPlans, S, where, mode, gids: gidsNeeded, merge: false };
      k = groupKernel(spec, forMerge ? mergeSchema : input);
      kernels.set(id, k);
    }
    return k;
  };

  let gids = new Int32Array(gidsNeeded ? 1024 : 0);
  const gidsFor = (n: number) => {
    if (gids.length < n) gids = new Int32Array(Math.max(n, gids.length * 2));
    return gids;
  };

  /**
   * Runs the update or merge kernel over b's live rows; a keyed table widens its range (or
   * turns into a hash table) whenever the kernel stops at a key outside it.
   */
  const run = (b: Batch, forMerge: boolean): Int32Array => {
    const n = numRows(b);
    const g = gidsNeeded ? gidsFor(n) : gids;
    let from = 0;
    for (;;) {
      from = kernel(forMerge, T.mode)(b, T, g, from);
      if (from < 0) return g;
      T.widen(b.columns[forMerge ? 0 : keyCol]!, b.sel, from, n);
    }
  };

  /** The output columns of the groups with the given handles (see partial()). */
  const partialCols = (handles: Int32Array): Vec[] => {
    const cols: Vec[] = keyFields.map((_, j) => T.keyVec(j, handles));
    for (const p of plans) {
      if (p.kind === 'slot') planFields(p).forEach((f, piece) => cols.push(slotPieceVec(p, piece, f.type, handles, T.st, S)));
      else if (p.kind === 'stringMinMax') cols.push((others.find((x) => x.plan === p)!.acc as GroupStringMinMax).vec(handles));
    }
    return cols;
  };

  // Rows converted since the table gave way (partial side), and how many rows update() took.
  let bypassed: Batch[] | null = null;
  let bypassedRows = 0, bypassedBytes = 0, updatedRows = 0;
  let convert: BypassConverter | null = null;
  const bypass = (b: Batch) => {
    convert ??= bypassConverter(keyExprs, plans, input, partialFields, where);
    const c = convert(b);
    for (const part of limitRows(c, GROUP_BATCH_ROWS)) bypassed!.push(part);
    bypassedRows += c.length;
    bypassedBytes += batchBytes(c);
  };

  const live = (what: string) => {
    if (T.revoked) throw new Error(`group by: ${what} after the aggregator's output was built and its memory went to another aggregation`);
    if (what === 'update' || what === 'merge') T.unretire();
  };

  return {
    update(b: Batch): void {
      live('update');
      if (numRows(b) === 0) return;
      if (bypassed !== null) { bypass(b); return; }
      const g = run(b, false);
      for (const o of others) {
        o.acc.ensureGroups(T.n);
        o.acc.add(o.arg(b), b.sel, b.length, g);
      }
      updatedRows += numRows(b);
      if (updatedRows >= BYPASS.minRows && T.n >= BYPASS.minGroups && T.n > BYPASS.ratio * updatedRows) bypassed = [];
    },

    partialSchema: () => partialFields,

    merge(partial: Batch): void {
      live('merge');
      mergePartial(partial);
    },

    partial(): Batch[] {
      live('partial');
      const out = partialBatches();
      if (bypassed !== null) out.push(...bypassed);
      T.retire();
      return out;
    },

    result(): Batch[] {
      live('result');
      // Rows converted by a bypass are partial rows of this aggregator: fold them in first.
      if (bypassed !== null && bypassed.length > 0) {
        const rows = bypassed;
        bypassed = [];
        bypassedRows = 0;
        bypassedBytes = 0;
        for (const r of rows) mergePartial(r);
      }
      const out = resultBatches();
      T.retire();
      return out;
    },

    // Converted rows count as groups: a flush (partial() and a new aggregator) frees them too.
    groups: () => T.n + bypassedRows,

    memoryBytes: () => T.bytes() + gids.byteLength + others.reduce((s, o) => s + o.acc.bytes(), 0) + bypassedBytes,
  };

  function mergePartial(partial: Batch): void {
    if (partial.columns.length !== partialFields.length) {
      throw new Error(`group by merge: partial batch has ${partial.columns.length} columns, expected ${partialFields.length} (${partialFields.map((f) => f.name).join(', ')})`);
    }
    partialFields.forEach((f, c) => {
      if (partial.columns[c]!.type !== f.type) {
        throw new Error(`group by merge: partial column ${c} ('${f.name}') is ${partial.columns[c]!.type}, expected ${f.type}`);
      }
    });
    if (numRows(partial) === 0) return;
    // Slot states are folded inside the kernel; distinct values and string extremes here.
    const g = run(partial, true);
    if (others.length === 0) return;
    let c = keyFields.length;
    for (const p of plans) {
      const width = planFields(p).length;
      if (p.kind !== 'slot') {
        const o = others.find((x) => x.plan === p)!;
        o.acc.ensureGroups(T.n);
        o.acc.add(partial.columns[c]!, partial.sel, partial.length, g);
      }
      c += width;
    }
  }

  function partialBatches(): Batch[] {
    const G = T.n;
    const out: Batch[] = [];
    const distincts = others.filter((o) => o.kind === 'distinct') as Extract<Other, { kind: 'distinct' }>[];
    if (distincts.length === 0) {
      // One row per group.
      const handles = T.groupHandles();
      for (let r0 = 0; r0 < G; r0 += GROUP_BATCH_ROWS) {
        const rows = Math.min(GROUP_BATCH_ROWS, G - r0);
        out.push(makeBatch(partialFields, partialCols(handles.subarray(r0, r0 + rows)), rows));
      }
      return out;
    }
    // Rows per group: the largest distinct set of the group (at least 1). Hash mode: the
    // handles are the group ids.
    const listings = distincts.map((o) => { o.acc.ensureGroups(G); return o.acc.byGroup(G); });
    const rowStart = new Int32Array(G + 1);
    for (let g = 0; g < G; g++) {
      let r = 1;
      for (const o of distincts) r = Math.max(r, o.acc.counts[g]!);
      rowStart[g + 1] = rowStart[g]! + r;
    }
    const total = rowStart[G]!;
    let g = 0;
    for (let r0 = 0; r0 < total; r0 += GROUP_BATCH_ROWS) {
      const rows = Math.min(GROUP_BATCH_ROWS, total - r0);
      // Each row's group, and the row's index within its group.
      const groupOf = new Int32Array(rows), rowJ = new Int32Array(rows);
      for (let r = 0; r < rows; r++) {
        while (rowStart[g + 1]! <= r0 + r) g++;
        groupOf[r] = g;
        rowJ[r] = r0 + r - rowStart[g]!;
      }
      const firsts = new Int32Array(rows); // the group on its first row, -1 below
      for (let r = 0; r < rows; r++) firsts[r] = rowJ[r] === 0 ? groupOf[r]! : -1;
      const cols: Vec[] = keyFields.map((_, j) => T.keyVec(j, groupOf));
      for (const p of plans) {
        if (p.kind === 'slot') {
          planFields(p).forEach((f, piece) => cols.push(slotPieceVec(p, piece, f.type, firsts, T.st, S)));
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
  }

  function resultBatches(): Batch[] {
    const G = T.n;
    for (const o of others) o.acc.ensureGroups(G);
    const handles = T.groupHandles();
    const out: Batch[] = [];
    for (let r0 = 0; r0 < G; r0 += GROUP_BATCH_ROWS) {
      const rows = Math.min(GROUP_BATCH_ROWS, G - r0);
      const hs = handles.subarray(r0, r0 + rows);
      const cols: Vec[] = keyFields.map((_, j) => T.keyVec(j, hs));
      for (const p of plans) {
        if (p.kind === 'slot') cols.push(slotResultVec(p, hs, T.st, S));
        else if (p.kind === 'stringMinMax') cols.push((others.find((x) => x.plan === p)!.acc as GroupStringMinMax).vec(hs));
        else {
          const counts = (others.find((x) => x.plan === p)!.acc as GroupDistinct).counts;
          const values = new Float64Array(rows);
          for (let r = 0; r < rows; r++) values[r] = counts[hs[r]!]!;
          cols.push({ type: 'int64', length: rows, values, offsets: null, valid: null });
        }
      }
      out.push(makeBatch(resultSchema, cols, rows));
    }
    return out;
  }
}

/** Piece `piece` of the state of the groups with the given handles (-1 = a NULL cell). */
function slotPieceVec(p: AggPlan, piece: number, type: DataType, handles: Int32Array, st: Float64Array, S: number): Vec {
  const n = handles.length, off = p.off;
  const values = allocValues(type, n);
  let valid: Uint8Array | null = null;
  const minMax = p.fn === 'min' || p.fn === 'max';
  const at = off + (minMax ? 0 : piece);
  for (let r = 0; r < n; r++) {
    const h = handles[r]!;
    if (h < 0 || (minMax && st[h * S + off + 1] === 0)) {
      if (valid === null) { valid = new Uint8Array(n); valid.fill(1, 0, r); }
      continue;
    }
    values[r] = st[h * S + at]!;
    if (valid !== null) valid[r] = 1;
  }
  return { type, length: n, values, offsets: null, valid };
}

/** The final values of one slot aggregate for the groups with the given handles. */
function slotResultVec(p: AggPlan, handles: Int32Array, st: Float64Array, S: number): Vec {
  const n = handles.length, off = p.off, type = p.resultType;
  const values = allocValues(type, n);
  if (p.fn === 'count') {
    for (let r = 0; r < n; r++) values[r] = st[handles[r]! * S + off]!;
    return { type, length: n, values, offsets: null, valid: null };
  }
  // sum/min/max: NULL without a value (slot off + 1 counts them); avg: sum / count.
  const avg = p.fn === 'avg';
  let valid: Uint8Array | null = null;
  for (let r = 0; r < n; r++) {
    const o = handles[r]! * S + off;
    const c = st[o + 1]!;
    if (c === 0) {
      if (valid === null) { valid = new Uint8Array(n); valid.fill(1, 0, r); }
      continue;
    }
    values[r] = avg ? st[o]! / c : st[o]!;
    if (valid !== null) valid[r] = 1;
  }
  return { type, length: n, values, offsets: null, valid };
}
