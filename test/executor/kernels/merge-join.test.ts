// Sort-merge join streaming behaviour beyond the oracle matrix: key groups spanning many
// borrowed batches on both sides, output batch limits, unsorted input, early stop.
import { describe, it, expect } from 'vitest';
import { type Schema, field } from '../../../src/planner/types.js';
import { type Batch, rowsToBatch, batchToRows } from '../../../src/executor/batch.js';
import { mergeJoin } from '../../../src/executor/kernels/merge-join.js';
import { hashJoin } from '../../../src/executor/kernels/join-probe.js';
import type { JoinSpec, JoinType } from '../../../src/executor/kernels/join-types.js';
import { borrowing, toBatches } from './join-fixtures.js';

const ls: Schema = [field('lid', 'int32', false), field('k', 'string'), field('lx', 'float64')];
const rs: Schema = [field('rid', 'int32', false), field('k', 'string'), field('rx', 'int64')];
const spec = (how: JoinType, extra: Partial<JoinSpec> = {}): JoinSpec => ({
  how, leftSchema: ls, rightSchema: rs, leftKeys: [1], rightKeys: [1],
  outputs: how === 'semi' || how === 'anti'
    ? [{ side: 'left', col: 0 }]
    : [{ side: 'left', col: 0 }, { side: 'right', col: 0 }, { side: 'left', col: 1, name: 'lk' }, { side: 'right', col: 1, name: 'rk' }],
  ...extra,
});

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

const canon = (bs: readonly Batch[]) => bs.flatMap((b) => batchToRows(b)).map((r) => JSON.stringify(r)).sort();

// Sorted by k (NULLs first); groups of 'b' and 'd' span batch boundaries on both sides.
const lk = [null, null, 'a', 'b', 'b', 'b', 'b', 'b', 'c', 'd', 'd', 'd', 'é', 'é', '😀'];
const rk = [null, 'a', 'a', 'b', 'b', 'b', 'd', 'd', 'd', 'd', 'd', 'e', 'z', 'é'];
const leftRows = lk.map((k, i) => ({ lid: i, k, lx: i / 2 }));
const rightRows = rk.map((k, i) => ({ rid: i, k, rx: i * 10 }));

describe('mergeJoin', () => {
  it.each(['inner', 'left', 'right', 'full', 'semi', 'anti'] as JoinType[])('%s join over 1- and 2-row borrowed batches equals the hash join', async (how) => {
    const expected = hashJoin([rowsToBatch(ls, leftRows)], [rowsToBatch(rs, rightRows)], spec(how), 'right');
    for (const [lsz, rsz] of [[1, 2], [2, 1], [3, 4], [100, 100]]) {
      const out = await collect(mergeJoin(borrowing(toBatches(ls, leftRows, lsz!)), borrowing(toBatches(rs, rightRows, rsz!)), spec(how, { batchRows: 3 })));
      expect(out.every((b) => b.length <= 3)).toBe(true);
      expect(canon(out)).toEqual(canon(expected));
    }
  });

  it('takes plain iterables and batches with sel', async () => {
    const out = await collect(mergeJoin(toBatches(ls, leftRows, 4), toBatches(rs, rightRows, 5), spec('full')));
    const expected = hashJoin([rowsToBatch(ls, leftRows)], [rowsToBatch(rs, rightRows)], spec('full'), 'left');
    expect(canon(out)).toEqual(canon(expected));
  });

  it('reports unsorted input, naming the side', async () => {
    const bad = [{ lid: 0, k: 'b', lx: 0 }, { lid: 1, k: 'b', lx: 0 }, { lid: 2, k: 'a', lx: 0 }];
    const right = [{ rid: 0, k: 'b', rx: 0 }];
    await expect(collect(mergeJoin([rowsToBatch(ls, bad)], [rowsToBatch(rs, right)], spec('inner'))))
      .rejects.toThrow(/merge join: the left input is not sorted ascending on its join keys/);
    const badR = [{ rid: 0, k: 'b', rx: 0 }, { rid: 1, k: 'b', rx: 0 }, { rid: 2, k: 'a', rx: 0 }];
    await expect(collect(mergeJoin([rowsToBatch(ls, [{ lid: 0, k: 'b', lx: 0 }])], [rowsToBatch(rs, badR)], spec('inner'))))
      .rejects.toThrow(/the right input is not sorted/);
  });

  it('closes both inputs when the consumer stops early', async () => {
    const closed: string[] = [];
    async function* src(name: string, bs: Batch[]) {
      try { for (const b of bs) yield b; } finally { closed.push(name); }
    }
    const many = Array.from({ length: 50 }, (_, i) => ({ lid: i, k: 'b', lx: 0 }));
    const it = mergeJoin(src('left', toBatches(ls, many, 5)), src('right', toBatches(rs, many.map((r) => ({ rid: r.lid, k: 'b', rx: 0 })), 5)), spec('inner', { batchRows: 10 }));
    for await (const b of it) { expect(b.length).toBe(10); break; }
    expect(closed.sort()).toEqual(['left', 'right']);
  });
});
