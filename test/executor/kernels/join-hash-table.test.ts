// The hash table and prober beyond the oracle matrix: which layout a key gets, lookups at the
// edges (-0.0, NaN, fractions against a dense table), one table shared by several probes,
// USING-style key coalescing, output batch limits, and the errors.
import { describe, it, expect } from 'vitest';
import { type Schema, field } from '../../../src/planner/types.js';
import { type Batch, rowsToBatch, batchToRows, makeBatch } from '../../../src/executor/batch.js';
import { JoinHashTable, newLookupScratch } from '../../../src/executor/kernels/join-hash-table.js';
import { HashJoinProber, hashJoin } from '../../../src/executor/kernels/join-probe.js';
import { joinOutputSchema, type JoinSpec } from '../../../src/executor/kernels/join-types.js';

const rows = (b: readonly Batch[]) => b.flatMap((x) => batchToRows(x));

/** Reference join of {k, v} rows on k (NULL never matches) → sorted JSON rows {v, w}. */
function nestedLoopJoin(l: Record<string, unknown>[], r: Record<string, unknown>[], how: string): string[] {
  const out: Record<string, unknown>[] = [];
  const eq = (a: unknown, b: unknown) => a !== null && b !== null && a === b;
  const rMatched = new Set<number>();
  for (const x of l) {
    const ms = r.map((y, j) => [y, j] as const).filter(([y]) => eq(x['k'], y['k']));
    if (how === 'semi') { if (ms.length) out.push({ v: x['v'] }); continue; }
    if (how === 'anti') { if (!ms.length) out.push({ v: x['v'] }); continue; }
    for (const [y, j] of ms) { out.push({ v: x['v'], w: y['v'] }); rMatched.add(j); }
    if (!ms.length && (how === 'left' || how === 'full')) out.push({ v: x['v'], w: null });
  }
  if (how === 'right' || how === 'full') r.forEach((y, j) => { if (!rMatched.has(j)) out.push({ v: null, w: y['v'] }); });
  return out.map((o) => JSON.stringify(o)).sort();
}

function table(type: 'int32' | 'int64' | 'float64' | 'string', keys: unknown[]): JoinHashTable {
  const schema: Schema = [field('k', type), field('id', 'int32')];
  return JoinHashTable.build([rowsToBatch(schema, keys.map((k, id) => ({ k, id })))], [0], schema);
}

function heads(t: JoinHashTable, type: 'int32' | 'int64' | 'float64' | 'string', probe: unknown[]): number[] {
  const schema: Schema = [field('k', type)];
  const b = rowsToBatch(schema, probe.map((k) => ({ k })));
  const out = new Int32Array(probe.length);
  t.lookup(b, [0], null, probe.length, out, newLookupScratch());
  return Array.from(out);
}

describe('JoinHashTable', () => {
  it('picks a layout per key type and range', () => {
    expect(table('int32', [1, 2, 3, 2]).kind).toBe('dense');
    expect(table('int32', [1, 2e9, -2e9]).kind).toBe('i32');
    expect(table('int64', [5, 6, 7]).kind).toBe('dense');
    expect(table('int64', [0, 2 ** 50]).kind).toBe('f64');
    expect(table('float64', [0.5, 1]).kind).toBe('f64');
    expect(table('string', ['a']).kind).toBe('general');
  });

  it('counts rows, keyed rows and distinct keys; NULL keys are kept but not inserted', () => {
    const t = table('int32', [1, null, 2, 1, null, 1]);
    expect([t.rows, t.keyedRows, t.distinctKeys]).toEqual([6, 4, 2]);
    expect(t.memoryBytes()).toBeGreaterThan(0);
    // Chains list duplicates in build order.
    const h = heads(t, 'int32', [1])[0]!;
    const chain: number[] = [];
    for (let c = h; c !== 0; c = t.next[c - 1]!) chain.push(c - 1);
    expect(chain).toEqual([0, 3, 5]);
  });

  it('matches -0.0 with 0.0 and NaN with NaN, never fractions or NaN against a dense table', () => {
    const f = table('float64', [0, NaN, 1.5, -0]);
    expect(heads(f, 'float64', [-0, 0, NaN, 1.5, 2, null])).toEqual([1, 1, 2, 3, 0, 0]);
    const d = table('float64', [0, 1, 2, 3]);
    expect(d.kind).toBe('dense');
    expect(heads(d, 'float64', [-0, 1.5, NaN, 3, 4, -1, Infinity, null])).toEqual([1, 0, 0, 4, 0, 0, 0, 0]);
    const i = table('int32', [-2147483648, 2147483647, 0]);
    expect(heads(i, 'int32', [2147483647, -2147483648, 0, 1])).toEqual([2, 1, 3, 0]);
  });

  it('an empty build side matches nothing', () => {
    const t = table('string', []);
    expect(t.rows).toBe(0);
    expect(heads(t, 'string', ['a', null])).toEqual([0, 0]);
  });
});

describe('HashJoinProber', () => {
  const ls: Schema = [field('k', 'int32'), field('a', 'string')];
  const rs: Schema = [field('k', 'int32'), field('b', 'float64')];
  const left = rowsToBatch(ls, [{ k: 1, a: 'x' }, { k: 2, a: 'y' }, { k: null, a: 'n' }, { k: 4, a: 'z' }]);
  const right = rowsToBatch(rs, [{ k: 1, b: 0.5 }, { k: 3, b: 1.5 }, { k: null, b: 9 }, { k: 1, b: 2.5 }]);

  it('coalesces USING keys in a full join, whichever side built', () => {
    const spec: JoinSpec = {
      how: 'full', leftSchema: ls, rightSchema: rs, leftKeys: [0], rightKeys: [0], coalesceKeys: true,
      outputs: [{ side: 'left', col: 0 }, { side: 'left', col: 1 }, { side: 'right', col: 1 }],
    };
    const expected = [
      { k: 1, a: 'x', b: 0.5 }, { k: 1, a: 'x', b: 2.5 }, { k: 2, a: 'y', b: null }, { k: null, a: 'n', b: null },
      { k: 4, a: 'z', b: null }, { k: 3, a: null, b: 1.5 }, { k: null, a: null, b: 9 },
    ];
    const sortRows = (r: Record<string, unknown>[]) => r.map((x) => JSON.stringify(x)).sort();
    for (const side of ['left', 'right'] as const) {
      expect(sortRows(rows(hashJoin([left], [right], spec, side)))).toEqual(sortRows(expected));
    }
    expect(joinOutputSchema(spec).map((f) => `${f.name}:${f.nullable}`)).toEqual(['k:true', 'a:true', 'b:true']);
  });

  it('serves several probes from one shared table (broadcast), with per-probe state', () => {
    const spec: JoinSpec = {
      how: 'left', leftSchema: ls, rightSchema: rs, leftKeys: [0], rightKeys: [0],
      outputs: [{ side: 'left', col: 1 }, { side: 'right', col: 1 }],
    };
    const t = JoinHashTable.build([right], [0], rs);
    const p1 = new HashJoinProber(t, spec, 'right'), p2 = new HashJoinProber(t, spec, 'right');
    const a = [...p1.probe(left)], b = [...p2.probe(left)], c = [...p1.probe(left)];
    expect(rows(a)).toEqual(rows(b));
    expect(rows(c)).toEqual(rows(a));
    expect(rows(a)).toEqual([
      { a: 'x', b: 0.5 }, { a: 'x', b: 2.5 }, { a: 'y', b: null }, { a: 'n', b: null }, { a: 'z', b: null },
    ]);
    expect([...p1.finish()]).toEqual([]);
  });

  it('streams a skewed key in output batches of at most batchRows', () => {
    const n = 300;
    const s: Schema = [field('k', 'string'), field('i', 'int32')];
    const b = makeBatch(s, rowsToBatch(s, Array.from({ length: n }, (_, i) => ({ k: 'same', i }))).columns, n);
    const spec: JoinSpec = {
      how: 'inner', leftSchema: s, rightSchema: s, leftKeys: [0], rightKeys: [0], batchRows: 1000,
      outputs: [{ side: 'left', col: 1 }, { side: 'right', col: 1 }],
    };
    const out = hashJoin([b], [b], spec, 'right');
    expect(out.every((x) => x.length <= 1000)).toBe(true);
    expect(out.reduce((a, x) => a + x.length, 0)).toBe(n * n);
    // Every pair once, in probe order then build order.
    const r = rows(out);
    expect(r[0]).toEqual({ i: 0 });
    const pairs = new Set(out.flatMap((x) => {
      const li = x.columns[0]!.values, ri = x.columns[1]!.values;
      return Array.from({ length: x.length }, (_, k) => li[k]! * n + ri[k]!);
    }));
    expect(pairs.size).toBe(n * n);
  });

  it('unique build keys (no chains) in every layout and join type, against nested loops', () => {
    const n = 200;
    const layouts: [string, 'int32' | 'int64' | 'float64' | 'string', (i: number) => unknown][] = [
      ['dense', 'int64', (i) => i], ['f64', 'int64', (i) => i * 7_919_123_456], ['f64 fractions', 'float64', (i) => i + 0.5],
      ['i32', 'int32', (i) => (i * 10_000_019) | 0], ['general', 'string', (i) => `key${i}`],
    ];
    for (const [name, type, key] of layouts) {
      const s: Schema = [field('k', type), field('v', 'int32')];
      const build = rowsToBatch(s, Array.from({ length: n }, (_, i) => ({ k: i % 17 === 3 ? null : key(i), v: i })));
      const probe = rowsToBatch(s, Array.from({ length: n }, (_, i) => ({ k: i % 13 === 5 ? null : key((i * 37) % (2 * n)), v: 1000 + i })));
      for (const how of ['inner', 'left', 'right', 'full', 'semi', 'anti'] as const) {
        const spec: JoinSpec = {
          how, leftSchema: s, rightSchema: s, leftKeys: [0], rightKeys: [0],
          outputs: how === 'semi' || how === 'anti' ? [{ side: 'left', col: 1 }] : [{ side: 'left', col: 1 }, { side: 'right', col: 1, name: 'w' }],
        };
        const expected = nestedLoopJoin(batchToRows(probe), batchToRows(build), how);
        for (const side of ['left', 'right'] as const) {
          const got = rows(hashJoin([probe], [build], spec, side)).map((r) => JSON.stringify(r)).sort();
          expect(got, `${name} ${how} building ${side}`).toEqual(expected);
        }
      }
    }
  });

  it('semi and anti joins building the left side emit left rows once, at finish', () => {
    const dup = rowsToBatch(rs, [{ k: 1, b: 0 }, { k: 1, b: 1 }, { k: 2, b: 2 }]);
    const mk = (how: 'semi' | 'anti'): JoinSpec => ({
      how, leftSchema: ls, rightSchema: rs, leftKeys: [0], rightKeys: [0], outputs: [{ side: 'left', col: 1 }],
    });
    const semi = hashJoin([left], [dup, dup], mk('semi'), 'left');
    expect(rows(semi)).toEqual([{ a: 'x' }, { a: 'y' }]);
    const anti = hashJoin([left], [dup], mk('anti'), 'left');
    expect(rows(anti)).toEqual([{ a: 'n' }, { a: 'z' }]);
  });

  it('says what is wrong with a spec', () => {
    const bad = (spec: Partial<JoinSpec>) => () => new HashJoinProber(JoinHashTable.build([right], [0], rs), {
      how: 'inner', leftSchema: ls, rightSchema: rs, leftKeys: [0], rightKeys: [0], outputs: [], ...spec,
    } as JoinSpec, 'right');
    expect(bad({ leftKeys: [1] })).toThrow(/join key 0 has type string on the left \('a'\) but int32 on the right/);
    expect(bad({ how: 'semi', outputs: [{ side: 'right', col: 1 }] })).toThrow(/semi join outputs left columns only/);
    expect(bad({ outputs: [{ side: 'left', col: 5 }] })).toThrow(/output column left\[5\] is out of range/);
    expect(() => new HashJoinProber(JoinHashTable.build([right], [1], rs), {
      how: 'inner', leftSchema: ls, rightSchema: rs, leftKeys: [0], rightKeys: [0], outputs: [],
    }, 'right')).toThrow(/table is keyed on columns \[1\] but the spec's right keys are \[0\]/);
    expect(() => JoinHashTable.build([right], [7], rs)).toThrow(/key column 7 is out of range/);
    const p = new HashJoinProber(JoinHashTable.build([right], [0], rs), {
      how: 'inner', leftSchema: ls, rightSchema: rs, leftKeys: [0], rightKeys: [0], outputs: [],
    }, 'right');
    [...p.finish()];
    expect(() => [...p.probe(left)]).toThrow(/probe\(\) called after finish\(\)/);
  });
});
