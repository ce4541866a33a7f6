// partitionRouted (a shuffle writer's whole output split at once) against the one-batch split
// it replaces: partitionBatchByIndex per batch, then the pieces of each bucket concatenated.
// Every column type, NULLs, long and empty strings, selections, empty batches and buckets.
import { describe, it, expect } from 'vitest';
import { type Schema, field } from '../../../src/planner/types.js';
import { type Batch, makeBatch, rowsToBatch, batchToRows, concatBatches } from '../../../src/executor/batch.js';
import { partitionBatchByIndex, partitionRouted, type Routed } from '../../../src/executor/kernels/partition.js';
import { rng } from '../../helpers/rng.js';

const SCHEMA: Schema = [
  field('id', 'int32', false), field('i', 'int32'), field('l', 'int64'), field('x', 'float64'), field('s', 'string'),
  field('b', 'boolean'), field('d', 'date'), field('ts', 'timestamp'),
];
const WORDS = ['', 'a', 'é', 'Zürich', '日本語', '😀', 'y'.repeat(40), 'paid'];

function genBatch(n: number, seed: number, nulls: boolean): Batch {
  const r = rng(seed);
  const maybe = <T>(f: () => T): T | null => (nulls && r() < 0.2 ? null : f());
  return rowsToBatch(SCHEMA, Array.from({ length: n }, (_, id) => ({
    id: seed * 1000 + id,
    i: maybe(() => Math.floor(r() * 50) - 25),
    l: maybe(() => Math.floor(r() * 2e12)),
    x: maybe(() => (r() < 0.1 ? NaN : r() * 10)),
    s: maybe(() => WORDS[Math.floor(r() * WORDS.length)]!),
    b: maybe(() => r() < 0.5),
    d: maybe(() => 19000 + Math.floor(r() * 30)),
    ts: maybe(() => 1.7e12 + Math.floor(r() * 20) * 1000),
  })));
}

/** The old way: each batch split on its own, each bucket's pieces concatenated. */
function viaPieces(routed: readonly Routed[], n: number): Record<string, unknown>[][] {
  const pieces: Batch[][] = Array.from({ length: n }, () => []);
  for (const { batch, bucketOf } of routed) partitionBatchByIndex(batch, bucketOf, n).forEach((p, q) => pieces[q]!.push(p));
  return pieces.map((ps) => batchToRows(concatBatches(SCHEMA, ps)));
}

describe('partitionRouted', () => {
  it('equals splitting batch by batch and concatenating, for every type, NULLs and selections', () => {
    const r = rng(11);
    for (const n of [1, 3, 8]) {
      const routed: Routed[] = [];
      for (let j = 0; j < 5; j++) {
        const full = genBatch(j === 2 ? 0 : 40 + j * 17, j + 1, j !== 1); // batch 1 has no NULLs, batch 2 no rows
        const sel = j === 3 ? Int32Array.from({ length: full.length }, (_, i) => i).filter((i) => i % 3 !== 0) : null;
        const batch = makeBatch(SCHEMA, full.columns, full.length, sel);
        const live = sel === null ? full.length : sel.length;
        // Bucket n - 1 stays empty when n > 1.
        const bucketOf = Int32Array.from({ length: live }, () => Math.floor(r() * Math.max(1, n - 1)));
        routed.push({ batch, bucketOf });
      }
      const got = partitionRouted(SCHEMA, routed, n);
      expect(got.length).toBe(n);
      expect(got.map(batchToRows)).toEqual(viaPieces(routed, n));
      if (n > 1) expect(got[n - 1]!.length).toBe(0);
      // Exact sizes: every array holds just its bucket's rows.
      for (const b of got) for (const v of b.columns) {
        if (v.type !== 'string') expect(v.values.length).toBe(b.length);
        if (v.valid) expect(v.valid.length).toBe(b.length);
      }
    }
  });

  it('keeps no validity array for a bucket without NULLs', () => {
    const b = rowsToBatch([field('k', 'int32')], [{ k: 1 }, { k: null }, { k: 3 }]);
    const [p0, p1] = partitionRouted(b.schema, [{ batch: b, bucketOf: Int32Array.from([0, 1, 0]) }], 2);
    expect(p0!.columns[0]!.valid).toBeNull();
    expect(Array.from(p1!.columns[0]!.valid!)).toEqual([0]);
  });

  it('names a bucket out of range, too short an index and a foreign batch', () => {
    const b = rowsToBatch([field('k', 'int32')], [{ k: 1 }, { k: 2 }]);
    expect(() => partitionRouted(b.schema, [{ batch: b, bucketOf: Int32Array.from([0, 3]) }], 3)).toThrow(/live row 1 has bucket 3, outside \[0, 3\)/);
    expect(() => partitionRouted(b.schema, [{ batch: b, bucketOf: Int32Array.from([0]) }], 3)).toThrow(/1 bucket indexes for 2 live rows/);
    expect(() => partitionRouted(SCHEMA, [{ batch: b, bucketOf: Int32Array.from([0, 0]) }], 3)).toThrow(/a batch has 1 columns, expected 8/);
    expect(() => partitionRouted(b.schema, [], 0)).toThrow(/positive integer, got 0/);
  });
});
