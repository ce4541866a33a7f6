// In-memory sort kernels: every type ascending/descending with NULLs first/last against
// DuckDB's ORDER BY (ties broken by row id, which a stable sort must reproduce), multi-key
// orders, large random inputs against a reference comparator (radix paths), byte-prefix edge
// cases for strings, and the k-way merge of sorted runs.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { type DataType, type Schema, field } from '../../../src/planner/types.js';
import { type Batch, rowsToBatch, batchToRows, makeBatch, encodeUtf8 } from '../../../src/executor/batch.js';
import { sortIndices, sortBatch, mergeSortedRuns, sortKey, setSortScratchLimit, type SortKey } from '../../../src/executor/kernels/sort.js';
import { type Oracle, openOracle } from '../../helpers/oracle.js';
import { loadRows, type TypeName } from '../../helpers/e2e.js';
import { KEY_POOLS, rng, selBatch } from './join-fixtures.js';

const TYPES: DataType[] = ['int32', 'int64', 'float64', 'string', 'boolean', 'date', 'timestamp'];
const SCHEMA: Schema = [field('rid', 'int32', false), ...TYPES.map((t) => field(`c_${t}`, t))];
const N = 1500;

function genRows(n: number, seed: number): Record<string, unknown>[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, rid) => {
    const row: Record<string, unknown> = { rid };
    for (const t of TYPES) {
      const pool = KEY_POOLS[t];
      let v: unknown = r() < 0.1 ? null : pool[Math.floor(r() * pool.length)];
      // Plenty of distinct values too, so every radix digit matters.
      if (v !== null && r() < 0.5) {
        if (t === 'int32') v = Math.floor(r() * 2 ** 32) - 2 ** 31;
        else if (t === 'date') v = Math.floor(r() * 3_600_000) - 700_000; // years 1..9999 for DuckDB
        else if (t === 'int64') v = Math.floor((r() - 0.5) * 2 ** 53);
        else if (t === 'timestamp') v = Math.floor((r() - 0.5) * 4e14);
        else if (t === 'float64') v = (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
        else if (t === 'string') v = String.fromCodePoint(...Array.from({ length: Math.floor(r() * 9) }, () => [0x41, 0x61, 0xe9, 0x65e5, 0x1f600, 0xff61][Math.floor(r() * 6)]!));
      }
      row[`c_${t}`] = v;
    }
    return row;
  });
}

let oracle: Oracle;
const rows = genRows(N, 42);
let batch: Batch;

beforeAll(async () => {
  oracle = await openOracle(1);
  await loadRows(oracle, 'T', rows, Object.fromEntries(SCHEMA.map((f) => [f.name, f.type as TypeName])));
  // One batch with a selection vector over interleaved filler rows.
  batch = selBatch(SCHEMA, rows);
});
afterAll(() => oracle?.close());

function ridsOf(b: Batch, idx: Int32Array): number[] {
  const rid = b.columns[0]!.values;
  return Array.from(idx, (i) => rid[i]!);
}

const orderSql = (keys: readonly SortKey[]) =>
  keys.map((k) => `${SCHEMA[k.col]!.name} ${k.ascending ? 'ASC' : 'DESC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`).join(', ');

async function expectDuckOrder(b: Batch, keys: readonly SortKey[]): Promise<void> {
  const expected = (await oracle.query(`SELECT rid FROM T ORDER BY ${orderSql(keys)}, rid`)).map((r) => r['rid']);
  expect(ridsOf(b, sortIndices(b, keys)), orderSql(keys)).toEqual(expected);
}

describe('sortIndices against DuckDB ORDER BY', () => {
  it.each(TYPES)('%s: asc/desc × NULLs first/last, stable', async (t) => {
    const col = SCHEMA.findIndex((f) => f.name === `c_${t}`);
    for (const asc of [true, false]) for (const nf of [true, false]) await expectDuckOrder(batch, [sortKey(col, asc, nf)]);
  });

  it('several keys in mixed directions', async () => {
    const col = (t: DataType) => SCHEMA.findIndex((f) => f.name === `c_${t}`);
    await expectDuckOrder(batch, [sortKey(col('boolean')), sortKey(col('string'), false), sortKey(col('float64'), true, false)]);
    await expectDuckOrder(batch, [sortKey(col('boolean'), false, true), sortKey(col('date')), sortKey(col('int64'), false)]);
    await expectDuckOrder(batch, [sortKey(col('string')), sortKey(col('timestamp'), false, true)]);
  });

  it('returns physical positions of the live rows only', () => {
    const idx = sortIndices(batch, [sortKey(1)]);
    expect(idx.length).toBe(N);
    const live = new Set(batch.sel!);
    expect(Array.from(idx).every((i) => live.has(i))).toBe(true);
  });
});

/** Spark order for doubles with an index tie-break: the reference for the radix paths. */
function refOrder(values: ArrayLike<number>, asc: boolean): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  const cmp = (x: number, y: number) => {
    if (x !== x || y !== y) return x !== x && y !== y ? 0 : x !== x ? 1 : -1;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return idx.sort((a, b) => (asc ? cmp(values[a]!, values[b]!) : -cmp(values[a]!, values[b]!)) || a - b);
}

describe('radix paths on large random inputs', () => {
  const n = 40_000;
  const r = rng(7);
  const specials = [NaN, -0, 0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE];
  const f = Float64Array.from({ length: n }, () => (r() < 0.05 ? specials[Math.floor(r() * specials.length)]! : (r() - 0.5) * 2 ** Math.floor(r() * 100 - 50)));
  const i = Int32Array.from({ length: n }, () => (r() < 0.3 ? Math.floor(r() * 10) : Math.floor(r() * 2 ** 32) - 2 ** 31));
  const small = Float64Array.from({ length: n }, () => Math.floor(r() * 1000)); // int64-like: most digits constant
  const mk = (type: DataType, values: Float64Array | Int32Array) =>
    makeBatch([field('x', type)], [{ type, length: n, values, offsets: null, valid: null }], n);

  it.each([['float64', f], ['int32', i], ['int64', small]] as const)('%s', (type, values) => {
    for (const [asc, limit] of [[true, 1 << 21], [false, 1 << 21], [true, 1000]] as const) {
      setSortScratchLimit(limit); // 1000: larger sorts use fresh buffers instead of the kept scratch
      const got = sortIndices(mk(type, values), [sortKey(0, asc)]), want = refOrder(values, asc);
      let bad = -1;
      for (let k = 0; k < n && bad < 0; k++) if (got[k] !== want[k]) bad = k;
      expect(bad, bad < 0 ? '' : `first difference at ${bad}: row ${got[bad]} (${values[got[bad]!]}) vs row ${want[bad]} (${values[want[bad]!]})`).toBe(-1);
    }
    setSortScratchLimit(1 << 21);
  });
});

describe('strings', () => {
  it('order by UTF-8 bytes, including prefixes that differ only past 6 bytes or by NUL', () => {
    const words = ['a', 'a\u0000', 'a\u0000\u0000', '', '\u0000', 'abcdef', 'abcdefg', 'abcdef\u0000', 'abcdeg', 'abcdefh', '\uFF61', '😀', 'é', 'z', 'ab', 'abcdef', 'a'];
    const b = rowsToBatch([field('s', 'string'), field('i', 'int32')], words.map((s, i) => ({ s, i })));
    const byBytes = (x: string, y: string) => Buffer.compare(Buffer.from(encodeUtf8(x)), Buffer.from(encodeUtf8(y)));
    const expected = words.map((s, i) => ({ s, i })).sort((x, y) => byBytes(x.s, y.s) || x.i - y.i);
    expect(batchToRows(sortBatch(b, [sortKey(0)]))).toEqual(expected);
    const desc = words.map((s, i) => ({ s, i })).sort((x, y) => byBytes(y.s, x.s) || x.i - y.i);
    expect(batchToRows(sortBatch(b, [sortKey(0, false)]))).toEqual(desc);
  });

  it('order strings sharing a long common prefix (the prefix is skipped)', () => {
    const r = rng(11);
    for (const words of [
      Array.from({ length: 300 }, () => `customer#${'é'.repeat(Math.floor(r() * 3))}${Math.floor(r() * 1e6)}`).concat(['customer#', 'customer#']),
      Array.from({ length: 50 }, () => 'same'),
      ['pre', 'prefix', 'pre\u0001', 'prea', 'pre', 'pre\u0000z'],
    ]) {
      const b = rowsToBatch([field('s', 'string'), field('i', 'int32')], words.map((s, i) => ({ s, i })));
      const byBytes = (x: string, y: string) => Buffer.compare(Buffer.from(encodeUtf8(x)), Buffer.from(encodeUtf8(y)));
      for (const asc of [true, false]) {
        const expected = words.map((s, i) => ({ s, i })).sort((x, y) => (asc ? byBytes(x.s, y.s) : byBytes(y.s, x.s)) || x.i - y.i);
        expect(batchToRows(sortBatch(b, [sortKey(0, asc)]))).toEqual(expected);
      }
    }
  });
});

describe('mergeSortedRuns', () => {
  it('merges sorted runs into the order of one stable sort', () => {
    const keys = [sortKey(4), sortKey(3, false), sortKey(2, true, false)];
    const runs: Batch[] = [];
    for (let at = 0; at < N; at += 317) runs.push(sortBatch(rowsToBatch(SCHEMA, rows.slice(at, at + 317)), keys));
    const merged = mergeSortedRuns(runs, keys);
    const whole = sortBatch(rowsToBatch(SCHEMA, rows), keys);
    expect(batchToRows(merged)).toEqual(batchToRows(whole));
  });

  it('handles empty runs and a single run', () => {
    const empty = rowsToBatch(SCHEMA, []);
    const one = sortBatch(rowsToBatch(SCHEMA, rows.slice(0, 50)), [sortKey(1)]);
    expect(mergeSortedRuns([empty, empty], [sortKey(1)]).length).toBe(0);
    expect(batchToRows(mergeSortedRuns([empty, one, empty], [sortKey(1)]))).toEqual(batchToRows(one));
  });
});
