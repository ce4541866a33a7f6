// The probe side of a hash join: streams batches of one side against a JoinHashTable built
// over the other, and emits output batches (join-types.ts describes the spec and outputs).
//
//   const table = JoinHashTable.build(rightBatches, spec.rightKeys, spec.rightSchema);
//   const prober = new HashJoinProber(table, spec, 'right');   // build side = right
//   for (const b of leftBatches) for (const out of prober.probe(b)) emit(out);
//   for (const out of prober.finish()) emit(out);             // unmatched / marked build rows
//
// Every (join type, build side) pair works:
//   probe-side rows without a match    emitted at once with NULLs   (left join building right,
//                                                                   right join building left, full)
//   build-side rows without a match    emitted by finish()          (right join building right,
//                                                                   left join building left, full)
//   semi / anti building right         each left row at most once, no chain walk
//   semi / anti building left          probes mark matched keys; finish() emits the marked
//                                      (semi) or unmarked (anti, incl. NULL keys) left rows
// An anti join keeps left rows whose key has a NULL (Spark's NOT EXISTS semantics).
//
// The table is only read; the matched flags live in the prober. A join that emits from the
// build side in finish() (build-side outer/semi/anti) needs ONE prober to see the whole
// stream side, so that side must not be split over tasks sharing a broadcast table.
//
// probe(b) is a generator: consume it fully before pulling the next input batch (a borrowed
// batch is valid only until then). Where each stream row gives at most one output row (semi /
// anti, or unique build keys without build-side outer rows) and most rows survive, the output
// is the stream batch itself plus the placed build columns and a selection vector
// (join-probe-rows.ts), always borrowed: it views buffers reused for the next batch. Otherwise output batches are fresh, at
// most spec.batchRows rows, and a key with many matches on both sides streams out in several
// batches rather than one.
import type { Schema } from '../../planner/types.js';
import { type Batch, numRows, own } from '../batch.js';
import { JoinHashTable, type LookupScratch, newLookupScratch } from './join-hash-table.js';
import { gatherJoinOutput } from './join-gather.js';
import { type KeepRows, PlaceScratch, keptRows, streamOrderOutput } from './join-probe-rows.js';
import {
  type JoinSide, type JoinSpec, DEFAULT_JOIN_BATCH_ROWS, joinOutputSchema, keepsUnmatchedLeft, keepsUnmatchedRight, validateJoinSpec,
} from './join-types.js';

type Mode = 'pairs' | 'probeSemi' | 'probeAnti' | 'markKeys';

export class HashJoinProber {
  readonly schema: Schema;
  private readonly table: JoinHashTable;
  private readonly spec: JoinSpec;
  private readonly buildSide: JoinSide;
  private readonly probeKeys: readonly number[];
  private readonly mode: Mode;
  private readonly probeOuter: boolean;
  /** Per build row: 1 once matched (build-side outer joins). */
  private readonly matched: Uint8Array | null;
  /** Per build row: 1 when its chain head was hit (build-side semi/anti). */
  private readonly markedHeads: Uint8Array | null;
  private readonly batchRows: number;
  private readonly buildIdx: Int32Array;
  private readonly probeIdx: Int32Array;
  private heads = new Int32Array(1024);
  private readonly scratch: LookupScratch = newLookupScratch();
  /** Rows the stream-order output keeps (join-probe-rows.ts), or null when it does not apply. */
  private readonly streamOrder: KeepRows | null;
  private readonly placeScratch = new PlaceScratch();
  private finished = false;
  // Resumable probe position: the k-th live row of the current batch and the chain cursor.
  private k = 0;
  private chain = 0;

  constructor(table: JoinHashTable, spec: JoinSpec, buildSide: JoinSide) {
    validateJoinSpec(spec, 'hash join');
    const buildKeys = buildSide === 'left' ? spec.leftKeys : spec.rightKeys;
    const buildSchema = buildSide === 'left' ? spec.leftSchema : spec.rightSchema;
    if (table.keyCols.length !== buildKeys.length || table.keyCols.some((c, i) => c !== buildKeys[i])) {
      throw new Error(`hash join: the table is keyed on columns [${table.keyCols.join(', ')}] but the spec's ${buildSide} keys are [${buildKeys.join(', ')}]`);
    }
    if (table.schema.length !== buildSchema.length || table.schema.some((f, i) => f.type !== buildSchema[i]!.type)) {
      throw new Error(`hash join: the table's schema does not match the spec's ${buildSide} schema`);
    }
    this.table = table;
    this.spec = spec;
    this.buildSide = buildSide;
    this.schema = joinOutputSchema(spec);
    this.probeKeys = buildSide === 'left' ? spec.rightKeys : spec.leftKeys;
    this.batchRows = Math.max(1, spec.batchRows ?? DEFAULT_JOIN_BATCH_ROWS);
    const probeSideKeeps = buildSide === 'right' ? keepsUnmatchedLeft(spec.how) : keepsUnmatchedRight(spec.how);
    const buildSideKeeps = buildSide === 'right' ? keepsUnmatchedRight(spec.how) : keepsUnmatchedLeft(spec.how);
    const semiAnti = spec.how === 'semi' || spec.how === 'anti';
    this.mode = !semiAnti ? 'pairs' : buildSide === 'left' ? 'markKeys' : spec.how === 'semi' ? 'probeSemi' : 'probeAnti';
    this.probeOuter = probeSideKeeps;
    this.matched = buildSideKeeps ? new Uint8Array(table.rows) : null;
    this.markedHeads = this.mode === 'markKeys' ? new Uint8Array(table.rows) : null;
    this.buildIdx = new Int32Array(this.batchRows);
    this.probeIdx = new Int32Array(this.batchRows);
    // Every stream row gives at most one output row: semi / anti joins probing the stream, and
    // inner or stream-side outer joins whose build keys are unique and whose build rows need
    // no match marks. Their output can keep the stream batch's row positions.
    const uniqueKeys = table.distinctKeys === table.keyedRows;
    if (this.mode === 'probeSemi') this.streamOrder = 'matched';
    else if (this.mode === 'probeAnti') this.streamOrder = 'unmatched';
    else if (this.mode === 'pairs' && uniqueKeys && this.matched === null && !spec.coalesceKeys) this.streamOrder = this.probeOuter ? 'all' : 'matched';
    else this.streamOrder = null;
  }

  /** Joins one batch of the stream side; yields output batches (consume before the next pull). */
  *probe(b: Batch): Generator<Batch, void, undefined> {
    if (this.finished) throw new Error('hash join: probe() called after finish()');
    const n = numRows(b);
    if (n === 0) return;
    if (this.heads.length < n) this.heads = new Int32Array(Math.max(n, this.heads.length * 2));
    const rows = b.sel;
    const matched = this.table.lookup(b, this.probeKeys, rows, n, this.heads, this.scratch);
    if (this.mode === 'markKeys') {
      const heads = this.heads, marked = this.markedHeads!;
      for (let k = 0; k < n; k++) { const h = heads[k]!; if (h !== 0) marked[h - 1] = 1; }
      return;
    }
    if (this.streamOrder !== null) {
      const kept = keptRows(matched, n, this.streamOrder);
      // Worth it unless few rows survive: then dense output is cheaper for what follows.
      if (kept * 4 >= b.length) {
        if (kept > 0) yield streamOrderOutput(this.spec, this.schema, this.buildSide, this.table.batch, b, this.heads, n, this.streamOrder, kept, matched === n, this.placeScratch);
        return;
      }
    }
    this.k = 0;
    this.chain = 0;
    while (this.k < n) {
      const m = this.mode === 'pairs' ? this.fillPairs(rows, n) : this.fillSemiAnti(rows, n, this.mode === 'probeSemi');
      if (m > 0) yield this.output(b, m);
    }
  }

  /** After the last probe: the build rows a build-side outer, semi or anti join still owes. */
  *finish(): Generator<Batch, void, undefined> {
    if (this.finished) return;
    this.finished = true;
    let keep: Uint8Array | null = null;
    if (this.matched !== null) {
      keep = this.matched;
      for (let r = 0; r < keep.length; r++) keep[r] = keep[r] === 0 ? 1 : 0; // unmatched rows
    } else if (this.markedHeads !== null) {
      keep = this.markedRows(this.spec.how === 'semi');
    }
    if (keep === null) return;
    const cap = this.batchRows, bi = this.buildIdx, pi = this.probeIdx;
    let m = 0;
    for (let r = 0; r < keep.length; r++) {
      if (keep[r] === 0) continue;
      bi[m] = r; pi[m] = -1; m++;
      if (m === cap) { yield this.output(null, m); m = 0; }
    }
    if (m > 0) yield this.output(null, m);
  }

  /** Rows (1 = emit) for a build-side semi (marked chains) or anti (the rest) join. */
  private markedRows(semi: boolean): Uint8Array {
    const t = this.table, next = t.next, marked = this.markedHeads!;
    const keep = new Uint8Array(t.rows);
    if (!semi) keep.fill(1);
    const want = semi ? 1 : 0;
    t.forEachChain((h) => {
      if (marked[h - 1] === 0) return;
      for (let c = h; c !== 0; c = next[c - 1]!) keep[c - 1] = want;
    });
    return keep;
  }

  /** Fills the index buffers with (build, probe) pairs from the resume point; returns the count. */
  private fillPairs(rows: Int32Array | null, n: number): number {
    const heads = this.heads, next = this.table.next, bi = this.buildIdx, pi = this.probeIdx;
    const matched = this.matched, outer = this.probeOuter, cap = this.batchRows;
    const unique = this.table.distinctKeys === this.table.keyedRows;
    let k = this.k, c = this.chain, m = 0;
    while (k < n) {
      const p = rows === null ? k : rows[k]!;
      if (c === 0) {
        const h = heads[k]!;
        if (h === 0) {
          if (outer) {
            if (m === cap) break;
            bi[m] = -1; pi[m] = p; m++;
          }
          k++;
          continue;
        }
        c = h;
      }
      if (unique) {
        // Every chain has one row: no need to read `next` (a cache miss per match on big tables).
        if (m === cap) break;
        const r = c - 1; bi[m] = r; pi[m] = p; m++; c = 0;
        if (matched !== null) matched[r] = 1;
      } else if (matched === null) {
        while (c !== 0 && m < cap) { const r = c - 1; bi[m] = r; pi[m] = p; m++; c = next[r]!; }
      } else {
        while (c !== 0 && m < cap) { const r = c - 1; bi[m] = r; pi[m] = p; m++; matched[r] = 1; c = next[r]!; }
      }
      if (c !== 0) break; // output full in the middle of a chain
      k++;
    }
    this.k = k; this.chain = c;
    return m;
  }

  private fillSemiAnti(rows: Int32Array | null, n: number, semi: boolean): number {
    const heads = this.heads, bi = this.buildIdx, pi = this.probeIdx, cap = this.batchRows;
    let k = this.k, m = 0;
    for (; k < n && m < cap; k++) {
      if ((heads[k] !== 0) === semi) { bi[m] = -1; pi[m] = rows === null ? k : rows[k]!; m++; }
    }
    this.k = k;
    return m;
  }

  private output(probe: Batch | null, m: number): Batch {
    const build = this.table.batch;
    return this.buildSide === 'right'
      ? gatherJoinOutput(this.spec, this.schema, probe, this.probeIdx, build, this.buildIdx, m)
      : gatherJoinOutput(this.spec, this.schema, build, this.buildIdx, probe, this.probeIdx, m);
  }
}

/** Convenience: the whole hash join of in-memory sides, building on `buildSide`. */
export function hashJoin(left: readonly Batch[], right: readonly Batch[], spec: JoinSpec, buildSide: JoinSide): Batch[] {
  const [build, stream] = buildSide === 'right' ? [right, left] : [left, right];
  const table = JoinHashTable.build(build, buildSide === 'left' ? spec.leftKeys : spec.rightKeys, buildSide === 'left' ? spec.leftSchema : spec.rightSchema);
  const prober = new HashJoinProber(table, spec, buildSide);
  const out: Batch[] = [];
  for (const b of stream) for (const o of prober.probe(b)) out.push(own(o));
  for (const o of prober.finish()) out.push(own(o));
  return out;
}
