// Shared data for the join kernel tests: generated sides with duplicate, NULL, NaN, ±0.0 and
// non-ASCII keys; splitting into batches that exercise `sel` and borrowed buffers; the DuckDB
// SQL each join type must agree with.
import { type DataType, type Schema, field } from '../../../src/planner/types.js';
import { type Batch, type Vec, makeBatch, rowsToBatch, batchToRows, concatBatches } from '../../../src/executor/batch.js';
import type { JoinOutput, JoinSpec, JoinType } from '../../../src/executor/kernels/join-types.js';
import { rng } from '../../helpers/rng.js';
export { rng };

export type Row = Record<string, unknown>;


/** Key values per type: overlapping pools so both sides have matched and unmatched keys. */
export const KEY_POOLS: Record<DataType, readonly unknown[]> = {
  int32: [-3, -1, 0, 1, 2, 3, 5, 8, 2147483647, -2147483648],
  int64: [-(2 ** 40), -1, 0, 1, 2, 3, 2 ** 41 + 7, 2 ** 52, 9e15],
  float64: [0, -0, NaN, 1.5, -2.25, Infinity, -Infinity, 1e300, 3, 0.1 + 0.2, 0.3],
  string: ['', 'a', 'A', 'ab', 'é', 'Zürich', '日本', '😀', '\uFF61', 'a\u0001', 'long string value beyond sixteen bytes'],
  boolean: [true, false],
  date: [0, 1, -1, 18000, 19000, 20000, -719162],
  timestamp: [0, 1, -1, 1.7e12, 1.7e12 + 1, 2e12, -6e10],
};

export interface SideSpec {
  readonly n: number;
  readonly keyTypes: readonly DataType[];
  readonly nullRate: number;
  /** Fraction of rows whose keys take one fixed value (skew). */
  readonly skew?: number;
  /** Which part of the key pools this side draws from (0..1 start, 0..1 end). */
  readonly from: number;
  readonly to: number;
}

/** Rows {id, k0.., v} of one side; `prefix` names the columns (l → lid, lk0, lv). */
export function genSide(prefix: string, s: SideSpec, seed: number): { schema: Schema; rows: Row[] } {
  const r = rng(seed);
  const schema: Schema = [
    field(`${prefix}id`, 'int32', false),
    ...s.keyTypes.map((t, i) => field(`${prefix}k${i}`, t)),
    field(`${prefix}v`, 'string'),
  ];
  const rows: Row[] = [];
  for (let i = 0; i < s.n; i++) {
    const row: Row = { [`${prefix}id`]: i };
    const skewed = s.skew !== undefined && r() < s.skew;
    s.keyTypes.forEach((t, k) => {
      const pool = KEY_POOLS[t];
      const lo = Math.floor(s.from * pool.length), hi = Math.max(lo + 1, Math.ceil(s.to * pool.length));
      let v: unknown = skewed ? pool[Math.min(1, pool.length - 1)] : pool[lo + Math.floor(r() * (hi - lo))];
      if (!skewed && r() < s.nullRate) v = null;
      row[`${prefix}k${k}`] = v;
    });
    row[`${prefix}v`] = r() < 0.1 ? null : `${prefix}${i}-${'x'.repeat(i % 5)}`;
    rows.push(row);
  }
  return { schema, rows };
}

/**
 * Splits rows into batches of `size`: every third batch carries a `sel` over interleaved
 * filler rows (id -999, which must never show up), every batch is marked borrowed.
 */
export function toBatches(schema: Schema, rows: readonly Row[], size: number): Batch[] {
  const out: Batch[] = [];
  for (let at = 0, i = 0; at < rows.length; at += size, i++) {
    const part = rows.slice(at, at + size);
    if (i % 3 === 1) {
      out.push(selBatch(schema, part));
    } else {
      const b = rowsToBatch(schema, part);
      out.push(makeBatch(schema, b.columns, b.length, null, true));
    }
  }
  return out;
}

/** A borrowed batch of `rows` whose `sel` skips interleaved filler rows (id -999). */
export function selBatch(schema: Schema, part: readonly Row[]): Batch {
  const withFiller: Row[] = [];
  const sel: number[] = [];
  for (const row of part) {
    const filler: Row = { ...row };
    filler[schema[0]!.name] = -999;
    withFiller.push(filler);
    sel.push(withFiller.length);
    withFiller.push(row);
  }
  withFiller.push({ ...part[0], [schema[0]!.name]: -999 });
  const b = rowsToBatch(schema, withFiller);
  return makeBatch(schema, b.columns, b.length, Int32Array.from(sel), true);
}

/** Overwrites a batch's buffers with junk (what a reader may do to a borrowed batch later). */
export function scribble(b: Batch): void {
  for (const c of b.columns) {
    (c.values as Uint8Array | Int32Array | Float64Array).fill(7 as never);
    if (c.valid) c.valid.fill(1);
    if (c.offsets) c.offsets.fill(0);
  }
}

/** Yields the batches, scribbling over each one once the consumer asks for the next. */
export async function* borrowing(batches: readonly Batch[]): AsyncGenerator<Batch> {
  const copies = batches.map(copyBatch);
  for (const b of copies) {
    yield b;
    scribble(b);
  }
}

export function copyBatch(b: Batch): Batch {
  const cols: Vec[] = b.columns.map((c) => ({
    type: c.type, length: c.length, values: c.values.slice(), offsets: c.offsets ? c.offsets.slice() : null, valid: c.valid ? c.valid.slice() : null,
  }));
  return makeBatch(b.schema, cols, b.length, b.sel ? b.sel.slice() : null, b.borrowed ?? false);
}

/** Join spec over generated sides: keys k0.., outputs all left columns then all right columns. */
export function specFor(how: JoinType, ls: Schema, rs: Schema, nKeys: number, extra: Partial<JoinSpec> = {}): JoinSpec {
  const leftKeys = Array.from({ length: nKeys }, (_, i) => 1 + i);
  const rightKeys = leftKeys.slice();
  const outputs: JoinOutput[] = [
    ...ls.map((_, col) => ({ side: 'left' as const, col })),
    ...(how === 'semi' || how === 'anti' ? [] : rs.map((_, col) => ({ side: 'right' as const, col }))),
  ];
  return { how, leftSchema: ls, rightSchema: rs, leftKeys, rightKeys, outputs, ...extra };
}

/** The DuckDB query for a join of tables L and R on k0.. (columns named as genSide names them). */
export function joinSql(how: JoinType, nKeys: number): string {
  const on = Array.from({ length: nKeys }, (_, i) => `l.lk${i} = r.rk${i}`).join(' AND ');
  if (how === 'semi') return `SELECT l.* FROM L l WHERE EXISTS (SELECT 1 FROM R r WHERE ${on})`;
  if (how === 'anti') return `SELECT l.* FROM L l WHERE NOT EXISTS (SELECT 1 FROM R r WHERE ${on})`;
  const kw = { inner: 'INNER', left: 'LEFT', right: 'RIGHT', full: 'FULL' }[how];
  return `SELECT l.*, r.* FROM L l ${kw} JOIN R r ON ${on}`;
}

export function rowsOf(schema: Schema, batches: readonly Batch[]): Row[] {
  return batchToRows(concatBatches(schema, batches));
}
