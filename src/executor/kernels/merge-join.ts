// Sort-merge join of two inputs already sorted ascending on their keys (by the order of
// sort-compare.ts: NaN greatest, -0.0 = 0.0, strings by bytes; NULL keys first or last),
// streamed batch by batch. Output conventions are the hash join's (join-types.ts).
//
//   for await (const out of mergeJoin(leftBatches, rightBatches, spec)) emit(out);
//
// How it walks: compare the current left and right rows. Smaller left row → unmatched left
// (emitted for left/full/anti joins); smaller right row → unmatched right (right/full).
// Equal → the right rows with that key form a group, buffered, and every following left row
// with the key pairs with the whole group. Only that group is held: it stays a view of the
// current right batch when it ends inside it, and is copied when it spans batches. Semi and
// anti joins need no group (a left row matches iff it equals the current right row).
// Rows with a NULL in any key never match: they are emitted as unmatched where the join type
// keeps them (an anti join keeps them, as Spark does) and skipped otherwise.
//
// Input batches may be borrowed: pending output that points into a batch is emitted before
// the next batch of that side is pulled. Output batches are fresh, at most spec.batchRows
// rows. A key that decreases is reported as an error naming the side.
import type { Schema } from '../../planner/types.js';
import { type Batch, type Vec, concatBatches, numRows } from '../batch.js';
import { gatherJoinOutput } from './join-gather.js';
import {
  type JoinSpec, DEFAULT_JOIN_BATCH_ROWS, joinOutputSchema, keepsUnmatchedLeft, keepsUnmatchedRight, validateJoinSpec,
} from './join-types.js';
import { anyNullAt, compareKeyCols } from './sort-compare.js';
import { gatherBatch } from './sort.js';

/** Streams the join of two key-sorted inputs. */
export function mergeJoin(left: AsyncIterable<Batch> | Iterable<Batch>, right: AsyncIterable<Batch> | Iterable<Batch>, spec: JoinSpec): AsyncGenerator<Batch, void, undefined> {
  validateJoinSpec(spec, 'merge join');
  return new MergeJoiner(spec, left, right).run();
}

/** One side's position: the current batch and the index of the current live row. */
class Cursor {
  batch: Batch | null = null;
  rows: Int32Array | null = null;
  keys: Vec[] = [];
  n = 0;
  pos = 0;
  done = false;
  private readonly it: AsyncIterator<Batch> | Iterator<Batch>;

  constructor(src: AsyncIterable<Batch> | Iterable<Batch>, private readonly keyCols: readonly number[], readonly side: string) {
    this.it = Symbol.asyncIterator in src ? src[Symbol.asyncIterator]() : (src as Iterable<Batch>)[Symbol.iterator]();
  }

  /** Physical position of the current row. */
  row(): number {
    return this.rows === null ? this.pos : this.rows[this.pos]!;
  }

  /** Moves to the next non-empty batch (or done). */
  async pull(): Promise<void> {
    for (;;) {
      const r = await this.it.next();
      if (r.done) { this.done = true; this.batch = null; this.keys = []; this.n = 0; this.pos = 0; return; }
      const b = r.value;
      const n = numRows(b);
      if (n === 0) continue;
      this.batch = b; this.rows = b.sel; this.n = n; this.pos = 0;
      this.keys = this.keyCols.map((c) => b.columns[c]!);
      return;
    }
  }

  async close(): Promise<void> {
    if (!this.done && this.it.return) await this.it.return();
  }
}

class MergeJoiner {
  private readonly schema: Schema;
  private readonly L: Cursor;
  private readonly R: Cursor;
  private readonly keepLeft: boolean;
  private readonly keepRight: boolean;
  private readonly cap: number;
  private readonly li: Int32Array;
  private readonly ri: Int32Array;
  private m = 0;
  private lRef: Batch | null = null;
  private rRef: Batch | null = null;
  private readonly ready: Batch[] = [];

  constructor(private readonly spec: JoinSpec, left: AsyncIterable<Batch> | Iterable<Batch>, right: AsyncIterable<Batch> | Iterable<Batch>) {
    this.schema = joinOutputSchema(spec);
    this.L = new Cursor(left, spec.leftKeys, 'left');
    this.R = new Cursor(right, spec.rightKeys, 'right');
    this.keepLeft = keepsUnmatchedLeft(spec.how) || spec.how === 'anti';
    this.keepRight = keepsUnmatchedRight(spec.how);
    this.cap = Math.max(1, spec.batchRows ?? DEFAULT_JOIN_BATCH_ROWS);
    this.li = new Int32Array(this.cap);
    this.ri = new Int32Array(this.cap);
  }

  async *run(): AsyncGenerator<Batch, void, undefined> {
    const L = this.L, R = this.R, how = this.spec.how;
    const semiAnti = how === 'semi' || how === 'anti';
    try {
      await L.pull();
      // A left-only join type with no left rows has nothing to do.
      if (L.done && !this.keepRight) return;
      await R.pull();
      while (!L.done && !R.done) {
        const l = L.row(), r = R.row();
        if (anyNullAt(L.keys, l)) {
          if (this.keepLeft) this.emitLeft(l);
          if (++L.pos === L.n) await this.pull(L);
        } else if (anyNullAt(R.keys, r)) {
          if (this.keepRight) this.emitRight(r);
          if (++R.pos === R.n) await this.pull(R);
        } else {
          const c = compareKeyCols(L.keys, l, R.keys, r);
          if (c < 0) {
            if (this.keepLeft) this.emitLeft(l);
            if (++L.pos === L.n) await this.pull(L);
          } else if (c > 0) {
            if (this.keepRight) this.emitRight(r);
            if (++R.pos === R.n) await this.pull(R);
          } else if (semiAnti) {
            if (how === 'semi') this.emitLeft(l);
            if (++L.pos === L.n) await this.pull(L);
          } else {
            yield* this.group();
          }
        }
        if (this.ready.length > 0) yield* this.drain();
      }
      while (!L.done && this.keepLeft) {
        this.emitLeft(L.row());
        if (++L.pos === L.n) await this.pull(L);
        if (this.ready.length > 0) yield* this.drain();
      }
      while (!R.done && this.keepRight) {
        this.emitRight(R.row());
        if (++R.pos === R.n) await this.pull(R);
        if (this.ready.length > 0) yield* this.drain();
      }
      this.flush();
      yield* this.drain();
    } finally {
      await Promise.all([L.close(), R.close()]);
    }
  }

  /**
   * The current left row equals the current right row: gather the right rows with that key,
   * then pair every left row with that key with all of them.
   */
  private async *group(): AsyncGenerator<Batch, void, undefined> {
    const L = this.L, R = this.R;
    const l0 = L.row();
    let start = R.pos;
    R.pos++;
    const pieces: Batch[] = [];
    for (;;) {
      while (R.pos < R.n) {
        const r = R.row();
        if (anyNullAt(R.keys, r)) break;
        const c = compareKeyCols(L.keys, l0, R.keys, r);
        if (c !== 0) {
          if (c > 0) throw unsorted(R);
          break;
        }
        R.pos++;
      }
      if (R.pos < R.n) break;
      // The group reaches the end of this right batch: keep a copy, read on.
      pieces.push(this.copyRows(R, start, R.n));
      await this.pull(R);
      start = 0;
      if (R.done) break;
    }
    let g: Batch, gIdx: Int32Array;
    if (pieces.length === 0) {
      g = R.batch!;
      gIdx = R.rows !== null ? R.rows.slice(start, R.pos) : range(start, R.pos);
    } else {
      if (!R.done && R.pos > start) pieces.push(this.copyRows(R, start, R.pos));
      g = pieces.length === 1 ? pieces[0]! : concatBatches(pieces[0]!.schema, pieces);
      gIdx = range(0, g.length);
    }
    const gKeys = this.spec.rightKeys.map((c) => g.columns[c]!);
    const g0 = gIdx[0]!;
    for (;;) {
      this.emitPairs(L.batch!, L.row(), g, gIdx);
      if (++L.pos === L.n) {
        await this.pull(L);
        if (L.done) break;
      }
      if (this.ready.length > 0) yield* this.drain();
      const l = L.row();
      if (anyNullAt(L.keys, l)) break;
      const c = compareKeyCols(L.keys, l, gKeys, g0);
      if (c !== 0) {
        if (c < 0) throw unsorted(L);
        break;
      }
    }
  }

  private copyRows(cur: Cursor, s: number, e: number): Batch {
    return gatherBatch(cur.batch!, cur.rows !== null ? cur.rows.slice(s, e) : range(s, e));
  }

  /** Emits pending output that points into the side's batch, then pulls its next batch. */
  private async pull(cur: Cursor): Promise<void> {
    if (this.m > 0 && (this.lRef === cur.batch || this.rRef === cur.batch)) this.flush();
    await cur.pull();
  }

  private emitLeft(l: number): void {
    this.refs(this.L.batch, null);
    this.li[this.m] = l; this.ri[this.m] = -1; this.m++;
  }

  private emitRight(r: number): void {
    this.refs(null, this.R.batch);
    this.li[this.m] = -1; this.ri[this.m] = r; this.m++;
  }

  private emitPairs(lb: Batch, l: number, g: Batch, gIdx: Int32Array): void {
    const n = gIdx.length, li = this.li, ri = this.ri, cap = this.cap;
    let k = 0;
    while (k < n) {
      this.refs(lb, g);
      const take = Math.min(cap - this.m, n - k);
      let m = this.m;
      for (let j = 0; j < take; j++) { li[m] = l; ri[m] = gIdx[k + j]!; m++; }
      this.m = m;
      k += take;
    }
  }

  /** Makes room for one more output row whose sides come from lb / rb (null = missing). */
  private refs(lb: Batch | null, rb: Batch | null): void {
    if (this.m === this.cap ||
      (this.m > 0 && ((lb !== null && this.lRef !== null && lb !== this.lRef) || (rb !== null && this.rRef !== null && rb !== this.rRef)))) {
      this.flush();
    }
    if (lb !== null) this.lRef = lb;
    if (rb !== null) this.rRef = rb;
  }

  private flush(): void {
    if (this.m > 0) this.ready.push(gatherJoinOutput(this.spec, this.schema, this.lRef, this.li, this.rRef, this.ri, this.m));
    this.m = 0;
    this.lRef = null;
    this.rRef = null;
  }

  private *drain(): Generator<Batch, void, undefined> {
    while (this.ready.length > 0) yield this.ready.shift()!;
  }
}

function range(s: number, e: number): Int32Array {
  const out = new Int32Array(e - s);
  for (let k = 0; k < out.length; k++) out[k] = s + k;
  return out;
}

function unsorted(cur: Cursor): Error {
  return new Error(`merge join: the ${cur.side} input is not sorted ascending on its join keys (a key decreases at live row ${cur.pos} of a batch); sort it first`);
}
