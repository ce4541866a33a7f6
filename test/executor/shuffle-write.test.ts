// The shuffle writer: every live row lands in exactly one bucket, by hash, round-robin or all
// in one; and a borrowed batch (a reader's reused buffers) is split at once, so overwriting its
// buffers after add() changes nothing in the buckets.
import { describe, expect, it } from 'vitest';
import { ShuffleWriter } from '../../src/executor/ops/shuffle-write.js';
import { batchToRows, makeBatch, type Batch } from '../../src/executor/batch.js';
import type { Schema } from '../../src/planner/types.js';

const schema: Schema = [{ name: 'k', type: 'int32', nullable: false }, { name: 's', type: 'string', nullable: true }];

/** A batch of rows start..start+n-1 over fresh buffers, with a NULL every 5th string. */
function batch(start: number, n: number, borrowed: boolean, sel: Int32Array | null = null): Batch {
  const k = Int32Array.from({ length: n }, (_, i) => start + i);
  const strs = Array.from({ length: n }, (_, i) => `v${start + i}`);
  const bytes = new TextEncoder().encode(strs.join(''));
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + strs[i]!.length;
  const valid = Uint8Array.from({ length: n }, (_, i) => ((start + i) % 5 === 0 ? 0 : 1));
  return makeBatch(schema, [
    { type: 'int32', length: n, values: k, offsets: null, valid: null },
    { type: 'string', length: n, values: bytes, offsets, valid },
  ], n, sel, borrowed);
}

function scribble(b: Batch): void {
  for (const c of b.columns) { c.values.fill(7); c.valid?.fill(1); }
}

const rowsOf = (buckets: Batch[][]) => buckets.map((bs) => bs.flatMap(batchToRows));

describe('ShuffleWriter', () => {
  for (const kind of ['hash', 'roundRobin', 'single'] as const) {
    it(`${kind}: borrowed and owned batches, with and without a selection, give every live row once`, () => {
      const partitioning = kind === 'hash' ? { kind, keys: [{ kind: 'col' as const, name: 'k' }], n: 4 } : kind === 'roundRobin' ? { kind, n: 4 } : { kind };
      const w = new ShuffleWriter(partitioning as never, undefined);
      const inputs = [batch(0, 100, true), batch(100, 50, false), batch(150, 80, true, Int32Array.from({ length: 40 }, (_, i) => 2 * i)), batch(230, 30, false)];
      for (const b of inputs) { w.add(b); if (b.borrowed) scribble(b); }
      const buckets = w.finish();
      expect(buckets.length).toBe(kind === 'single' ? 1 : 4);
      const got = rowsOf(buckets).flat().sort((a, b) => (a['k'] as number) - (b['k'] as number));
      const want = [...Array.from({ length: 150 }, (_, i) => i), ...Array.from({ length: 40 }, (_, i) => 150 + 2 * i), ...Array.from({ length: 30 }, (_, i) => 230 + i)]
        .map((k) => ({ k, s: k % 5 === 0 ? null : `v${k}` }));
      expect(got).toEqual(want);
      if (kind === 'hash') {
        // Equal keys always go to the same bucket: a second writer puts each key where the first did.
        const w2 = new ShuffleWriter(partitioning as never, undefined);
        w2.add(batch(0, 260, false));
        const where = new Map<number, number>();
        rowsOf(w2.finish()).forEach((rs, q) => rs.forEach((r) => where.set(r['k'] as number, q)));
        rowsOf(buckets).forEach((rs, q) => rs.forEach((r) => expect(where.get(r['k'] as number)).toBe(q)));
      }
    });
  }
});
