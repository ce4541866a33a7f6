// The adaptive bypass of partial aggregation: once a task's table barely combines rows, later
// rows are turned into partial rows as they are (group-bypass.ts). Checked with the
// thresholds lowered: every aggregate kind (slots, string min/max, countDistinct), NULLs, a
// fused filter, selections, borrowed input, partial → merge and result() straight away, all
// against a plain-JS reference; and that a table that combines well never gives way.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Expr } from '../../../src/planner/expr.js';
import { type Schema, field } from '../../../src/planner/types.js';
import { type Batch, makeBatch, rowsToBatch, batchToRows } from '../../../src/executor/batch.js';
import type { AggSpec } from '../../../src/executor/ops/agg-kernels.js';
import { BYPASS, createGroupedAggregator } from '../../../src/executor/kernels/group-by.js';
import { rng } from '../../helpers/rng.js';

const c = (name: string): Expr => ({ kind: 'col', name });
const SCH: Schema = [field('k', 'int32'), field('s', 'string'), field('v', 'int32'), field('x', 'float64')];
const AGGS: AggSpec[] = [
  { fn: 'count', arg: null, resultType: 'int64' }, { fn: 'sum', arg: c('v'), resultType: 'int64' },
  { fn: 'avg', arg: c('x'), resultType: 'float64' }, { fn: 'min', arg: c('x'), resultType: 'float64' },
  { fn: 'max', arg: c('s'), resultType: 'string' }, { fn: 'countDistinct', arg: c('v'), resultType: 'int64' },
  { fn: 'count', arg: c('s'), resultType: 'int64' },
];
const NAMES = ['n', 'sv', 'ax', 'mx', 'ms', 'dv', 'cs'];
const WHERE: Expr = { kind: 'binary', op: '>', left: c('v'), right: { kind: 'lit', value: 2, type: 'int32' } };

type Row = { k: number | null; s: string | null; v: number | null; x: number | null };

function genRows(n: number, keys: number, seed: number): Row[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({
    k: r() < 0.02 ? null : Math.floor(r() * keys) * 7,
    s: r() < 0.1 ? null : `s${Math.floor(r() * 30)}`,
    v: r() < 0.1 ? null : Math.floor(r() * 10),
    x: r() < 0.1 ? null : Math.round(r() * 1000) / 10,
  }));
}

function reference(rows: readonly Row[], where: boolean): Map<string, unknown[]> {
  const m = new Map<string, { n: number; sv: number; cv: number; sx: number; cx: number; mx: number; ms: string | null; dv: Set<number>; cs: number }>();
  for (const row of rows) {
    if (where && !(row.v !== null && row.v > 2)) continue;
    const key = String(row.k);
    const e = m.get(key) ?? { n: 0, sv: 0, cv: 0, sx: 0, cx: 0, mx: Infinity, ms: null, dv: new Set<number>(), cs: 0 };
    e.n++;
    if (row.v !== null) { e.sv += row.v; e.cv++; e.dv.add(row.v); }
    if (row.x !== null) { e.sx += row.x; e.cx++; e.mx = Math.min(e.mx, row.x); }
    if (row.s !== null) { e.cs++; if (e.ms === null || row.s > e.ms) e.ms = row.s; }
    m.set(key, e);
  }
  return new Map([...m].map(([k, e]) => [k, [
    e.n, e.cv === 0 ? null : e.sv, e.cx === 0 ? null : e.sx / e.cx, e.cx === 0 ? null : e.mx, e.ms, e.dv.size, e.cs,
  ]]));
}

function asMap(batches: Batch[]): Map<string, unknown[]> {
  return new Map(batches.flatMap(batchToRows).map((r) => [String(r.k), NAMES.map((n) => {
    const x = r[n];
    return typeof x === 'number' && n === 'ax' ? Math.round(x * 1e9) / 1e9 : x;
  })]));
}

function rounded(m: Map<string, unknown[]>): Map<string, unknown[]> {
  return new Map([...m].map(([k, v]) => [k, v.map((x, i) => (typeof x === 'number' && NAMES[i] === 'ax' ? Math.round(x * 1e9) / 1e9 : x))]));
}

/** Batches of `size` rows; every third one with a selection, every other one borrowed. */
function batches(rows: readonly Row[], size: number): Batch[] {
  const out: Batch[] = [];
  for (let at = 0, j = 0; at < rows.length; at += size, j++) {
    const b = rowsToBatch(SCH, rows.slice(at, at + size) as Record<string, unknown>[]);
    const sel = j % 3 === 1 ? Int32Array.from({ length: b.length }, (_, i) => i) : null;
    out.push(makeBatch(SCH, b.columns, b.length, sel, j % 2 === 1));
  }
  return out;
}

const saved = { ...BYPASS };
beforeEach(() => Object.assign(BYPASS, { minRows: 1000, minGroups: 500, ratio: 0.5 }));
afterEach(() => Object.assign(BYPASS, saved));

describe('partial aggregation bypass', () => {
  for (const where of [false, true]) {
    it(`nearly unique keys: rows are converted; partial → merge and result() match a reference${where ? ' (fused filter)' : ''}`, () => {
      const rows = genRows(6000, 100_000, 3);
      const w = where ? WHERE : null;
      const mk = () => createGroupedAggregator([c('k')], ['k'], AGGS, SCH, NAMES, w);
      const a = mk(), whole = mk();
      for (const b of batches(rows, 500)) { a.update(b); whole.update(b); }
      const parts = a.partial();
      const partialRows = parts.reduce((s, p) => s + p.length, 0);
      const want = rounded(reference(rows, where));
      // The same input without the bypass: fewer partial rows (converted rows are not combined).
      Object.assign(BYPASS, { minRows: Infinity });
      const kept = mk();
      for (const b of batches(rows, 500)) kept.update(b);
      expect(partialRows).toBeGreaterThan(kept.partial().reduce((s, p) => s + p.length, 0));
      expect(Math.max(...parts.map((p) => p.length))).toBeLessThanOrEqual(65_536);
      const f = mk();
      for (const p of parts) f.merge(p);
      expect(asMap(f.result())).toEqual(want);
      expect(asMap(whole.result())).toEqual(want); // update then result: converted rows folded in
    });
  }

  it('converted rows own their memory (a borrowed batch may be overwritten after update)', () => {
    const rows = genRows(3000, 100_000, 4);
    const a = createGroupedAggregator([c('k')], ['k'], AGGS, SCH, NAMES);
    for (const b of batches(rows, 500)) {
      const lent = makeBatch(SCH, b.columns.map((v) => ({ ...v, values: v.values.slice(), offsets: v.offsets?.slice() ?? null, valid: v.valid?.slice() ?? null })), b.length, b.sel, true);
      a.update(lent);
      for (const v of lent.columns) v.values.fill(0);
    }
    expect(asMap(a.result())).toEqual(rounded(reference(rows, false)));
  });

  it('a table that combines well never gives way', () => {
    const rows = genRows(6000, 400, 5);
    const slots = AGGS.slice(0, 4);
    const a = createGroupedAggregator([c('k')], ['k'], slots, SCH, NAMES.slice(0, 4));
    for (const b of batches(rows, 500)) a.update(b);
    expect(a.partial().reduce((s, p) => s + p.length, 0)).toBe(reference(rows, false).size); // one row per group
  });
});
