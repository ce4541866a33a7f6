// What a join kernel is asked to do, shared by the hash join (join-probe.ts) and the sort-merge
// join (merge-join.ts): the join type, the key columns of each side, and the output projection.
//
// Output rows are described by `outputs`, a list of (side, column) picks; the output schema is
// those fields in that order. For a USING-style join the caller lists the left columns and the
// right non-key columns. Rows missing on one side (outer joins) read as NULL, unless
// `coalesceKeys` is set: then a pick of a key column of a missing side takes the matching key
// of the other side instead (Spark's USING join merges its keys as coalesce(l.k, r.k)).
// Semi and anti joins output left columns only.
import type { JoinType } from '../../planner/logical.js';
import type { DataType, Field, Schema } from '../../planner/types.js';

export type { JoinType };

export type JoinSide = 'left' | 'right';

export interface JoinOutput {
  readonly side: JoinSide;
  readonly col: number;
  /** Output field name; defaults to the input field's name. */
  readonly name?: string;
}

export interface JoinSpec {
  readonly how: JoinType;
  readonly leftSchema: Schema;
  readonly rightSchema: Schema;
  /** Key columns, pairwise equal: leftKeys[k] = rightKeys[k]. Same types on both sides. */
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly outputs: readonly JoinOutput[];
  /** A pick of a key column on a missing side reads the other side's key (default false). */
  readonly coalesceKeys?: boolean;
  /**
   * The output schema to stamp on batches (e.g. the planner's); it must match `outputs` in
   * count and types. Default: joinOutputSchema(spec).
   */
  readonly outputSchema?: Schema;
  /** Largest output batch, in rows (default 65536). */
  readonly batchRows?: number;
}

export const DEFAULT_JOIN_BATCH_ROWS = 65536;

/** True when the join emits left rows that have no match. */
export function keepsUnmatchedLeft(how: JoinType): boolean {
  return how === 'left' || how === 'full';
}

/** True when the join emits right rows that have no match. */
export function keepsUnmatchedRight(how: JoinType): boolean {
  return how === 'right' || how === 'full';
}

/** Checks a spec (key counts, key types, column ranges, semi/anti outputs); throws naming the problem. */
export function validateJoinSpec(spec: JoinSpec, where: string): void {
  const { leftSchema: ls, rightSchema: rs, leftKeys: lk, rightKeys: rk } = spec;
  if (lk.length === 0) throw new Error(`${where}: a join needs at least one key column`);
  if (lk.length !== rk.length) {
    throw new Error(`${where}: ${lk.length} left key columns but ${rk.length} right key columns`);
  }
  for (let k = 0; k < lk.length; k++) {
    const lf = ls[lk[k]!], rf = rs[rk[k]!];
    if (!lf) throw new Error(`${where}: left key column ${lk[k]} is out of range (the left side has ${ls.length} columns)`);
    if (!rf) throw new Error(`${where}: right key column ${rk[k]} is out of range (the right side has ${rs.length} columns)`);
    if (lf.type !== rf.type) {
      throw new Error(`${where}: join key ${k} has type ${lf.type} on the left ('${lf.name}') but ${rf.type} on the right ('${rf.name}'); cast one side first`);
    }
  }
  for (const o of spec.outputs) {
    const s = o.side === 'left' ? ls : rs;
    if (!s[o.col]) throw new Error(`${where}: output column ${o.side}[${o.col}] is out of range (${s.length} columns)`);
    if ((spec.how === 'semi' || spec.how === 'anti') && o.side === 'right') {
      throw new Error(`${where}: a ${spec.how} join outputs left columns only, got right[${o.col}] ('${s[o.col]!.name}')`);
    }
  }
}

/**
 * The output schema: spec.outputSchema if given, else the picked fields, nullable where the
 * join can leave their side missing (a coalesced key: where either side's key is nullable).
 */
export function joinOutputSchema(spec: JoinSpec): Schema {
  if (spec.outputSchema) {
    const s = spec.outputSchema;
    if (s.length !== spec.outputs.length) throw new Error(`join: outputSchema has ${s.length} fields but ${spec.outputs.length} outputs are picked`);
    spec.outputs.forEach((o, i) => {
      const f = (o.side === 'left' ? spec.leftSchema : spec.rightSchema)[o.col]!;
      if (f.type !== s[i]!.type) throw new Error(`join: outputSchema field '${s[i]!.name}' is ${s[i]!.type} but the picked ${o.side} column '${f.name}' is ${f.type}`);
    });
    return s;
  }
  const leftMissing = keepsUnmatchedRight(spec.how);
  const rightMissing = keepsUnmatchedLeft(spec.how);
  return spec.outputs.map((o): Field => {
    const f = (o.side === 'left' ? spec.leftSchema : spec.rightSchema)[o.col]!;
    let nullable = f.nullable || (o.side === 'left' ? leftMissing : rightMissing);
    const other = spec.coalesceKeys ? otherKey(spec, o) : -1;
    if (other >= 0) {
      const g = (o.side === 'left' ? spec.rightSchema : spec.leftSchema)[other]!;
      nullable = f.nullable || g.nullable;
    }
    return { name: o.name ?? f.name, type: f.type, nullable };
  });
}

/** For a pick of key column k on one side, the other side's key column k; -1 if not a key. */
export function otherKey(spec: JoinSpec, o: JoinOutput): number {
  const mine = o.side === 'left' ? spec.leftKeys : spec.rightKeys;
  const theirs = o.side === 'left' ? spec.rightKeys : spec.leftKeys;
  const k = mine.indexOf(o.col);
  return k < 0 ? -1 : theirs[k]!;
}

/** Key types of a spec (validated equal on both sides). */
export function keyTypes(spec: JoinSpec): DataType[] {
  return spec.leftKeys.map((c) => spec.leftSchema[c]!.type);
}
