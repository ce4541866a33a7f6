// Micro-benchmarks of the executor's hot kernels, with benny: compiled expression loops,
// row hashing, hash partitioning, sorting, Arrow conversions, shared memory and IPC, the join
// hash table and probe, grouped aggregation. Inputs are seeded and of fixed size (bench/micro-data.ts), mostly
// 2^20 rows in the engine's 65,536-row batches, so runs compare with each other.
//   npm run bench:micro
// benny writes this run to bench/results/micro.json; the run is then compared with
// bench/results/micro-baseline.json (committed), flagging cases over 25% slower than it.
// SPARROW_BENCH_SAVE_BASELINE=1 writes this run as the new baseline (take it on a quiet machine).
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import * as arrow from 'apache-arrow';
import { add, complete, configure, cycle, save, suite } from 'benny';
import { col } from '../src/dataset/functions.js';
import { resolveExpr } from '../src/planner/resolve-expr.js';
import { type Schema, field } from '../src/planner/types.js';
import { type Batch, makeBatch } from '../src/executor/batch.js';
import { compileExpr } from '../src/executor/codegen/compile-expr.js';
import { compileFilter } from '../src/executor/codegen/compile-filter.js';
import { hashRows } from '../src/executor/kernels/hash.js';
import { partitionBatch } from '../src/executor/kernels/partition.js';
import { sortIndices, sortKey } from '../src/executor/kernels/sort.js';
import { batchesToTable, tableToBatches } from '../src/executor/arrow.js';
import { toShared } from '../src/executor/wire.js';
import { JoinHashTable } from '../src/executor/kernels/join-hash-table.js';
import { HashJoinProber } from '../src/executor/kernels/join-probe.js';
import type { JoinSpec } from '../src/executor/kernels/join-types.js';
import { createGroupedAggregator } from '../src/executor/kernels/group-by.js';
import { FACT_SCHEMA, amounts, float64Vec, int32Vec, intKeys, sparseIntKeys, stringVec, toBatches } from './micro-data.js';

const ROWS = 1 << 20;
const BATCH = 65_536;
const RESULTS = path.resolve('bench', 'results');
const BASELINE = path.join(RESULTS, 'micro-baseline.json');

// The fact batches: k int32 (100k distinct), v double, s string (10k distinct).
const K = intKeys(ROWS, 100_000, 1);
const V = amounts(ROWS, 2);
const S = stringVec(ROWS, 10_000, 3);
const fact = toBatches(FACT_SCHEMA, [int32Vec(K), float64Vec(V), S], BATCH);

/** Consumes a value so the work producing it cannot be optimized away. */
let sink = 0;
const use = (x: { length: number } | number): void => { sink = (sink + (typeof x === 'number' ? x : x.length)) | 0; };

function cases() {
  return [
    add('codegen: filter k % 7 = 3', () => {
      const f = compileFilter(resolveExpr(col('k').mod(7).eq(3).expr, FACT_SCHEMA, 'micro').expr, FACT_SCHEMA);
      return () => { for (const b of fact) use(f(b) ?? 0); };
    }),
    add('codegen: v * 2 + 1', () => {
      const e = compileExpr(resolveExpr(col('v').mul(2).plus(1).expr, FACT_SCHEMA, 'micro').expr, FACT_SCHEMA);
      return () => { for (const b of fact) use(e(b).length); };
    }),
    add('codegen: v * 2 + 1 where k % 7 = 3 (selection)', () => {
      const f = compileFilter(resolveExpr(col('k').mod(7).eq(3).expr, FACT_SCHEMA, 'micro').expr, FACT_SCHEMA);
      const e = compileExpr(resolveExpr(col('v').mul(2).plus(1).expr, FACT_SCHEMA, 'micro').expr, FACT_SCHEMA);
      return () => { for (const b of fact) use(e(makeBatch(b.schema, b.columns, b.length, f(b))).length); };
    }),
    add('hash: hashRows on an int32 key', () => {
      const out = new Uint32Array(BATCH);
      return () => { for (const b of fact) use(hashRows(b, [0], out)); };
    }),
    add('hash: hashRows on a string key', () => {
      const out = new Uint32Array(BATCH);
      return () => { for (const b of fact) use(hashRows(b, [2], out)); };
    }),
    add('partition: partitionBatch into 8 buckets', () => () => { for (const b of fact) use(partitionBatch(b, [0], 8)); }),
    add('sort: sortIndices, 1M int32 keys', () => {
      const b = makeBatch([field('k', 'int32', false)], [int32Vec(intKeys(ROWS, 1 << 30, 4))], ROWS);
      return () => use(sortIndices(b, [sortKey(0)]));
    }),
    add('sort: sortIndices, 256k string keys', () => {
      const n = 1 << 18;
      const b = makeBatch([field('s', 'string', false)], [stringVec(n, n, 5)], n);
      return () => use(sortIndices(b, [sortKey(0)]));
    }),
    add('arrow: batches → Arrow table', () => () => use(batchesToTable(FACT_SCHEMA, fact).numRows)),
    add('arrow: Arrow table → batches', () => {
      const t = batchesToTable(FACT_SCHEMA, fact);
      return () => use(tableToBatches(t));
    }),
    add('wire: toShared (copy into shared memory)', () => () => { for (const b of fact) use(toShared(b).length); }),
    add('ipc: tableToIPC', () => {
      const t = batchesToTable(FACT_SCHEMA, fact);
      return () => use(arrow.tableToIPC(t));
    }),
    add('ipc: tableFromIPC', () => {
      const bytes = arrow.tableToIPC(batchesToTable(FACT_SCHEMA, fact));
      return () => use(arrow.tableFromIPC(bytes).numRows);
    }),
    add('join: build a table on 100k sparse int32 keys', () => {
      const dim = dimBatch(sparseIntKeys(100_000, 100_000, 6));
      return () => use(JoinHashTable.build([dim], [0], DIM_SCHEMA).distinctKeys);
    }),
    add('join: probe 1M rows, 100k dense keys', () => probeCase(dimBatch(rangeKeys(100_000)), fact)),
    add('join: probe 1M rows, 100k sparse int32 keys', () => {
      const keys = rangeKeys(100_000);
      const sparse = (k: Int32Array) => k.map((x) => Math.imul(x + 1, 0x9e3779b1));
      const probe = toBatches(FACT_SCHEMA, [int32Vec(sparse(K)), float64Vec(V), S], BATCH);
      return probeCase(dimBatch(sparse(keys)), probe);
    }),
    add('group-by: 1M rows, 100k int32 keys, sum + count', () => () => groupCase(0)),
    add('group-by: 1M rows, 10k string keys, sum + count', () => () => groupCase(2)),
  ];
}

const DIM_SCHEMA: Schema = [field('k', 'int32', false), field('seg', 'int32', false)];

function rangeKeys(n: number): Int32Array {
  const k = new Int32Array(n);
  for (let i = 0; i < n; i++) k[i] = i;
  return k;
}

function dimBatch(keys: Int32Array): Batch {
  const seg = keys.map((_, i) => i % 100);
  return makeBatch(DIM_SCHEMA, [int32Vec(keys), int32Vec(seg)], keys.length);
}

/** An inner join of `probe` (left) with `dim` (built, right): left k, v and right seg. */
function probeCase(dim: Batch, probe: readonly Batch[]): () => void {
  const spec: JoinSpec = {
    how: 'inner', leftSchema: FACT_SCHEMA, rightSchema: DIM_SCHEMA, leftKeys: [0], rightKeys: [0],
    outputs: [{ side: 'left', col: 0 }, { side: 'left', col: 1 }, { side: 'right', col: 1 }],
  };
  const table = JoinHashTable.build([dim], [0], DIM_SCHEMA);
  return () => {
    const prober = new HashJoinProber(table, spec, 'right');
    for (const b of probe) for (const out of prober.probe(b)) use(out.length);
    for (const out of prober.finish()) use(out.length);
  };
}

const GROUP_AGGS = [
  { fn: 'sum' as const, arg: { kind: 'col' as const, name: 'v' }, resultType: 'float64' as const },
  { fn: 'count' as const, arg: null, resultType: 'int64' as const },
];

/** A map-side grouped aggregation of the fact batches on column `keyCol`, to its partial output. */
function groupCase(keyCol: number): void {
  const name = FACT_SCHEMA[keyCol]!.name;
  const a = createGroupedAggregator([{ kind: 'col', name }], [name], GROUP_AGGS, FACT_SCHEMA, ['s', 'n']);
  for (const b of fact) a.update(b);
  use(a.partial());
}

/** Milliseconds per operation, to 3 significant digits. */
const msPerOp = (ops: number): string => (1000 / ops).toPrecision(3);

interface SavedCase { name: string; ops: number; margin: number }
interface Baseline { date: string; node: string; loadAverage: number[]; results: SavedCase[] }

async function main(): Promise<void> {
  const loadStart = os.loadavg();
  const summary = await suite(
    `Sparrow kernels (${ROWS.toLocaleString()} rows in ${BATCH.toLocaleString()}-row batches unless named)`,
    configure({ cases: { minTime: 0.05, maxTime: 1.5, minSamples: 5, delay: 0.01 }, minDisplayPrecision: 2 }),
    ...cases(),
    cycle((r) => { console.log(`${r.name.padEnd(52)} ${msPerOp(r.ops).padStart(9)} ms/op  ±${r.margin.toFixed(1)}%  (${r.samples} samples)`); }),
    complete(() => undefined),
    save({ file: 'micro', folder: RESULTS, format: 'json' }),
  );
  const loadEnd = os.loadavg();
  const results: SavedCase[] = summary.results.map((r) => ({ name: r.name, ops: r.ops, margin: r.margin }));
  console.log(`\nload average ${loadStart.map((x) => x.toFixed(1)).join(' ')} at the start, ${loadEnd.map((x) => x.toFixed(1)).join(' ')} at the end (2 cores: above ~1 the numbers are noisy)`);
  await compareWithBaseline(results);
  if (process.env.SPARROW_BENCH_SAVE_BASELINE === '1') {
    const b: Baseline = { date: new Date().toISOString(), node: process.versions.node, loadAverage: loadEnd.map((x) => Math.round(x * 100) / 100), results };
    await fs.writeFile(BASELINE, JSON.stringify(b, null, 1) + '\n');
    console.log(`baseline written to ${path.relative(process.cwd(), BASELINE)}`);
  }
  if (sink === 0.5) console.log(sink); // never true; keeps `sink` observable
}

async function compareWithBaseline(results: readonly SavedCase[]): Promise<void> {
  let base: Baseline;
  try {
    base = JSON.parse(await fs.readFile(BASELINE, 'utf8')) as Baseline;
  } catch {
    console.log(`no baseline at ${path.relative(process.cwd(), BASELINE)} (SPARROW_BENCH_SAVE_BASELINE=1 writes one)`);
    return;
  }
  console.log(`\nagainst the baseline of ${base.date.slice(0, 10)} (load average then ${base.loadAverage.join(' ')}), ms per op:`);
  const w = Math.max(...results.map((r) => r.name.length)) + 2;
  let slower = 0;
  for (const r of results) {
    const b = base.results.find((x) => x.name === r.name);
    if (!b) { console.log(`${r.name.padEnd(w)} ${msPerOp(r.ops).padStart(9)}   (new case)`); continue; }
    const ratio = b.ops / r.ops;
    const flag = ratio > 1.25 ? '  SLOWER' : ratio < 0.8 ? '  faster' : '';
    if (ratio > 1.25) slower++;
    console.log(`${r.name.padEnd(w)} ${msPerOp(r.ops).padStart(9)}   baseline ${msPerOp(b.ops).padStart(9)}   ${ratio.toFixed(2)}×${flag}`);
  }
  for (const b of base.results) if (!results.some((r) => r.name === b.name)) console.log(`${b.name.padEnd(w)} (in the baseline, not run)`);
  if (slower > 0) console.log(`\n${slower} case(s) over 25% slower than the baseline (check the load average before suspecting the code)`);
}

main().catch((err) => { console.error(err); process.exit(1); });
