// The stream-order output of the hash join prober (join-probe-rows.ts): when it applies, what
// it shares with the stream batch, and that it falls back to dense output when few rows survive.
import { describe, expect, it } from 'vitest';
import { field, type Schema } from '../../../src/planner/types.js';
import { type Batch, batchToRows, makeBatch, numRows, own, rowsToBatch } from '../../../src/executor/batch.js';
import { JoinHashTable } from '../../../src/executor/kernels/join-hash-table.js';
import { HashJoinProber } from '../../../src/executor/kernels/join-probe.js';
import type { JoinType } from '../../../src/executor/kernels/join-types.js';
import { specFor } from './join-fixtures.js';

const L: Schema = [field('lid', 'int32', false), field('lk0', 'int32'), field('lv', 'string')];
const R: Schema = [field('rid', 'int32', false), field('rk0', 'int32'), field('rv', 'string')];

// Dimension side: unique keys 0..9 (key 7 has a NULL value), plus a row with a NULL key.
const dim = rowsToBatch(R, [
  ...Array.from({ length: 10 }, (_, i) => ({ rid: 100 + i, rk0: i, rv: i === 7 ? null : `d${i}` })),
  { rid: 200, rk0: null, rv: 'nullkey' },
]);

/** Fact rows: keys cycle over 0..11 (10 and 11 never match), every 13th key NULL. */
function fact(n: number): Batch {
  return rowsToBatch(L, Array.from({ length: n }, (_, i) => ({ lid: i, lk0: i % 13 === 12 ? null : i % 12, lv: `f${i}` })));
}

function probeAll(how: JoinType, stream: Batch, buildSide: 'left' | 'right' = 'right'): Batch[] {
  const spec = specFor(how, L, R, 1);
  const table = buildSide === 'right' ? JoinHashTable.build([dim], spec.rightKeys, R) : JoinHashTable.build([stream], spec.leftKeys, L);
  const prober = new HashJoinProber(table, spec, buildSide);
  const out: Batch[] = [];
  for (const o of prober.probe(buildSide === 'right' ? stream : dim)) out.push(o);
  for (const o of prober.finish()) out.push(own(o));
  return out;
}

/** Expected rows by a nested loop, in stream order. */
function expected(how: JoinType, stream: Batch): Record<string, unknown>[] {
  const d = batchToRows(dim);
  return batchToRows(stream).flatMap((l) => {
    const m = l['lk0'] === null ? undefined : d.find((r) => r['rk0'] === l['lk0']);
    if (how === 'semi') return m ? [l] : [];
    if (how === 'anti') return m ? [] : [l];
    if (!m) return how === 'left' ? [{ ...l, rid: null, rk0: null, rv: null }] : [];
    return [{ ...l, ...m }];
  });
}

describe('stream-order join output', () => {
  const stream = fact(40);
  const unmatched = rowsToBatch(L, Array.from({ length: 40 }, (_, i) => ({ lid: i, lk0: i % 4 === 0 ? 3 : null, lv: `u${i}` })));
  for (const how of ['inner', 'left', 'semi', 'anti'] as const) {
    it(`${how} join over unique build keys keeps the stream batch's columns and positions`, () => {
      const input = how === 'anti' ? unmatched : stream; // most rows must survive
      const out = probeAll(how, input);
      expect(out).toHaveLength(1);
      const b = out[0]!;
      expect(b.borrowed).toBe(true);
      expect(b.length).toBe(input.length);
      // Stream columns are passed through, not copied.
      const lvAt = b.schema.findIndex((f) => f.name === 'lv');
      expect(b.columns[lvAt]).toBe(input.columns[2]);
      expect(batchToRows(own(b))).toEqual(expected(how, input));
    });
  }

  it('reads only the live rows of a stream batch with a selection vector', () => {
    const full = fact(40);
    const sel = Int32Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 3 !== 1);
    const selected = makeBatch(full.schema, full.columns, full.length, sel);
    const out = probeAll('left', selected);
    expect(out).toHaveLength(1);
    expect(batchToRows(own(out[0]!))).toEqual(expected('left', own(selected)));
  });

  it('reuses its buffers from one batch to the next (the output is valid until the next pull)', () => {
    const spec = specFor('inner', L, R, 1);
    const prober = new HashJoinProber(JoinHashTable.build([dim], spec.rightKeys, R), spec, 'right');
    const a = [...prober.probe(fact(40))][0]!;
    const aRows = batchToRows(own(a));
    const b = [...prober.probe(fact(40))][0]!;
    const rvAt = a.schema.findIndex((f) => f.name === 'rv');
    expect(b.columns[rvAt]!.offsets!.buffer).toBe(a.columns[rvAt]!.offsets!.buffer);
    expect(batchToRows(own(b))).toEqual(aRows);
  });

  it('falls back to dense fresh output when fewer than a quarter of the rows survive', () => {
    // Keys 50.. never match except the one row with key 3.
    const rows = Array.from({ length: 40 }, (_, i) => ({ lid: i, lk0: i === 5 ? 3 : 50 + i, lv: `f${i}` }));
    const out = probeAll('inner', rowsToBatch(L, rows));
    expect(out).toHaveLength(1);
    expect(out[0]!.sel).toBeNull();
    expect(out[0]!.borrowed).toBeFalsy();
    expect(numRows(out[0]!)).toBe(1);
    expect(batchToRows(out[0]!)).toEqual([{ lid: 5, lk0: 3, lv: 'f5', rid: 103, rk0: 3, rv: 'd3' }]);
  });

  it('does not apply when build keys repeat or build rows must be marked', () => {
    const dup = rowsToBatch(R, [{ rid: 1, rk0: 1, rv: 'a' }, { rid: 2, rk0: 1, rv: 'b' }]);
    const spec = specFor('inner', L, R, 1);
    const prober = new HashJoinProber(JoinHashTable.build([dup], spec.rightKeys, R), spec, 'right');
    const out = [...prober.probe(fact(40))];
    expect(out.every((b) => b.sel === null && !b.borrowed)).toBe(true);
    expect(out.reduce((s, b) => s + numRows(b), 0)).toBe(2 * 3); // key 1 appears 3 times in 0..39 cycling by 12
    // A right join building right marks build rows: dense pair output.
    const rspec = specFor('right', L, R, 1);
    const rprober = new HashJoinProber(JoinHashTable.build([dim], rspec.rightKeys, R), rspec, 'right');
    expect([...rprober.probe(fact(40))].every((b) => b.sel === null && !b.borrowed)).toBe(true);
  });
});
