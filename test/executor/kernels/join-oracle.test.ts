// Hash join (building either side) and sort-merge join against DuckDB: every join type × key
// type (and a two-column key) × duplicates × NULL keys × empty sides × a skewed key.
// DuckDB agrees with Spark on what is compared: NULL keys never match, NaN = NaN, -0.0 = 0.0,
// NOT EXISTS keeps left rows whose key is NULL (Spark's left anti join).
import { describe, it, beforeAll, afterAll } from 'vitest';
import type { DataType, Schema } from '../../../src/planner/types.js';
import type { Batch } from '../../../src/executor/batch.js';
import { hashJoin } from '../../../src/executor/kernels/join-probe.js';
import { mergeJoin } from '../../../src/executor/kernels/merge-join.js';
import { concatBatches } from '../../../src/executor/batch.js';
import { sortBatch, sortKey } from '../../../src/executor/kernels/sort.js';
import type { JoinType } from '../../../src/executor/kernels/join-types.js';
import { type Oracle, openOracle, expectSameRows } from '../../helpers/oracle.js';
import { loadRows, type TypeName } from '../../helpers/e2e.js';
import { type Row, type SideSpec, genSide, toBatches, specFor, joinSql, rowsOf, borrowing } from './join-fixtures.js';

const HOWS: JoinType[] = ['inner', 'left', 'right', 'full', 'semi', 'anti'];

interface Case {
  name: string;
  keyTypes: DataType[];
  left: Partial<SideSpec>;
  right: Partial<SideSpec>;
  batchRows?: number;
  chunk?: number;
}

const base = (n: number, from: number, to: number): Partial<SideSpec> => ({ n, from, to, nullRate: 0.12 });

const CASES: Case[] = [
  ...(['int32', 'int64', 'float64', 'string', 'date', 'timestamp'] as DataType[]).map((t): Case => ({
    name: t, keyTypes: [t], left: base(140, 0, 0.8), right: base(100, 0.2, 1),
  })),
  { name: 'boolean', keyTypes: ['boolean'], left: base(50, 0, 1), right: base(40, 0, 1) },
  // Small integral ranges: the table addresses keys directly ('dense').
  { name: 'int32 (dense range)', keyTypes: ['int32'], left: base(120, 0, 0.75), right: base(90, 0, 0.8) },
  { name: 'int64 (dense range)', keyTypes: ['int64'], left: base(120, 0.15, 0.6), right: base(90, 0.1, 0.5) },
  { name: 'int32 + string', keyTypes: ['int32', 'string'], left: base(160, 0, 0.7), right: base(120, 0.3, 1) },
  { name: 'float64 + boolean + date', keyTypes: ['float64', 'boolean', 'date'], left: base(160, 0, 1), right: base(160, 0, 1) },
  { name: 'skewed int32 (small output batches)', keyTypes: ['int32'], left: { ...base(110, 0, 1), skew: 0.7 }, right: { ...base(80, 0, 1), skew: 0.6 }, batchRows: 97, chunk: 9 },
  { name: 'skewed string', keyTypes: ['string'], left: { ...base(70, 0, 1), skew: 0.6 }, right: { ...base(90, 0, 1), skew: 0.9 }, chunk: 5 },
  { name: 'empty left', keyTypes: ['int32'], left: base(0, 0, 1), right: base(50, 0, 1) },
  { name: 'empty right', keyTypes: ['string'], left: base(50, 0, 1), right: base(0, 0, 1) },
  { name: 'both empty', keyTypes: ['float64'], left: base(0, 0, 1), right: base(0, 0, 1) },
  { name: 'all keys NULL', keyTypes: ['int64'], left: { ...base(40, 0, 1), nullRate: 1 }, right: { ...base(30, 0, 1), nullRate: 1 } },
  { name: 'no overlap', keyTypes: ['date'], left: { ...base(60, 0, 0.4), nullRate: 0 }, right: { ...base(60, 0.6, 1), nullRate: 0 } },
];

let oracle: Oracle;
beforeAll(async () => { oracle = await openOracle(1); });
afterAll(() => oracle?.close());

function duckSchema(schema: Schema): Record<string, TypeName> {
  return Object.fromEntries(schema.map((f) => [f.name, f.type]));
}

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

function check(actual: Row[], expected: Row[], what: string): void {
  for (const r of actual) {
    if (r['lid'] === -999 || r['rid'] === -999) throw new Error(`${what}: a filler row outside the batch's sel leaked into the output`);
  }
  try {
    expectSameRows(actual, expected);
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`);
  }
}

describe.each(CASES)('join on $name keys', (c) => {
  let L: { schema: Schema; rows: Row[] }, R: { schema: Schema; rows: Row[] };
  const seed = c.name.length * 7919;
  beforeAll(async () => {
    L = genSide('l', { nullRate: 0.12, from: 0, to: 1, n: 0, ...c.left, keyTypes: c.keyTypes } as SideSpec, seed);
    R = genSide('r', { nullRate: 0.12, from: 0, to: 1, n: 0, ...c.right, keyTypes: c.keyTypes } as SideSpec, seed + 1);
    await loadRows(oracle, 'L', L.rows, duckSchema(L.schema));
    await loadRows(oracle, 'R', R.rows, duckSchema(R.schema));
  });

  it.each(HOWS)('%s join: hash (build right), hash (build left), sort-merge', async (how) => {
    const expected = await oracle.query(joinSql(how, c.keyTypes.length));
    const chunk = c.chunk ?? 23;
    const lb = toBatches(L.schema, L.rows, chunk), rb = toBatches(R.schema, R.rows, chunk + 6);
    const spec = specFor(how, L.schema, R.schema, c.keyTypes.length, c.batchRows ? { batchRows: c.batchRows } : {});
    const outSchema = spec.outputs.map((o) => (o.side === 'left' ? L.schema : R.schema)[o.col]!);
    for (const buildSide of ['right', 'left'] as const) {
      const out = hashJoin(lb, rb, spec, buildSide);
      if (c.batchRows) for (const b of out) if (b.length > c.batchRows) throw new Error(`output batch of ${b.length} rows > batchRows ${c.batchRows}`);
      check(rowsOf(outSchema as Schema, out), expected, `hash join building ${buildSide}`);
    }
    // Sort-merge: sort each side on the keys (NULLs first), feed it in borrowed chunks.
    const keys = c.keyTypes.map((_, i) => sortKey(1 + i));
    const ls = sortBatch(concatBatches(L.schema, lb), keys), rs = sortBatch(concatBatches(R.schema, rb), keys);
    const out = await collect(mergeJoin(borrowing(toBatches(L.schema, rowsOf(L.schema, [ls]), chunk)), borrowing(toBatches(R.schema, rowsOf(R.schema, [rs]), chunk + 6)), spec));
    check(rowsOf(outSchema as Schema, out), expected, 'merge join');
    // And with NULLs sorted last: NULL keys are skipped wherever they sit.
    const keysLast = c.keyTypes.map((_, i) => sortKey(1 + i, true, false));
    const ls2 = sortBatch(concatBatches(L.schema, lb), keysLast), rs2 = sortBatch(concatBatches(R.schema, rb), keysLast);
    const out2 = await collect(mergeJoin([ls2], [rs2], spec));
    check(rowsOf(outSchema as Schema, out2), expected, 'merge join (NULLs last)');
  });
});
