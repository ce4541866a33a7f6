// Benchmark: filter + computed column + sum over 5M orders, in memory and straight from Parquet.
// Sparrow with 1 and 2 workers against DuckDB (2 threads) and a hand-written typed-array loop,
// in one process so the machine's noise hits all of them alike. Prints medians and ratios.
//   npm run bench                       (SPARROW_BENCH_ROWS=200000 for a quick smoke run)
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Session, col, sum } from 'sparrow';
import { generateOrders } from '../examples/orders-data.js';

const ROWS = Number(process.env.SPARROW_BENCH_ROWS ?? 5_000_000);
const REPS = Number(process.env.SPARROW_BENCH_REPS ?? 7);

/**
 * Runs every contender once per round, round after round, and keeps each one's median: on a
 * shared machine, noise then hits all contenders alike instead of whichever ran last.
 */
async function interleaved(reps: number, contenders: readonly [string, () => Promise<unknown>][]): Promise<[string, { ms: number; value: unknown }][]> {
  const times = contenders.map(() => [] as number[]);
  const values: unknown[] = contenders.map(() => undefined);
  for (const [, f] of contenders) await f(); // warm-up: compile, first-touch memory
  for (let r = 0; r < reps; r++) {
    for (let c = 0; c < contenders.length; c++) {
      const t = performance.now();
      values[c] = await contenders[c]![1]();
      times[c]!.push(performance.now() - t);
    }
  }
  return contenders.map(([name], c) => {
    const sorted = times[c]!.sort((a, b) => a - b);
    return [name, { ms: sorted[Math.floor(sorted.length / 2)]!, value: values[c] }];
  });
}

async function main(): Promise<void> {
  const dir = path.resolve('data', `bench-orders-${ROWS}`);
  const [file] = await generateOrders(dir, { rows: ROWS, files: 1 });
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await db.connect();
  await con.run(`CREATE TABLE orders AS SELECT amount, quantity FROM read_parquet('${file}')`);
  const sql = (from: string) => `SELECT sum(amount * quantity) AS s FROM ${from} WHERE amount > 50`;
  const duck = async (from: string) => Number((await con.runAndReadAll(sql(from))).getRowObjectsJS()[0]!['s']);

  const s1 = await Session.create({ parallelism: 1 });
  const s2 = await Session.create({ parallelism: 2 });
  const table = await s2.read.parquet(file!).select('amount', 'quantity').toArrow();
  const query = (s: Session, src: 'memory' | 'parquet') => {
    const base = src === 'memory' ? memo.get(s)! : s.read.parquet(file!);
    return base.filter(col('amount').gt(50)).withColumn('x', col('amount').mul(col('quantity'))).agg(sum('x').as('s'));
  };
  const memo = new Map([[s1, s1.fromArrow(table)], [s2, s2.fromArrow(table)]]);
  const run = async (s: Session, src: 'memory' | 'parquet') => Number((await query(s, src).collect())[0]!['s']);

  // Hand-written loop over the same Arrow columns (the "native JS" ceiling).
  const amount = table.getChild('amount')!;
  const quantity = table.getChild('quantity')!;
  const loop = async () => {
    let acc = 0;
    for (let b = 0; b < amount.data.length; b++) {
      const a = amount.data[b]!.values as Float64Array;
      const q = quantity.data[b]!.values as Int32Array;
      const nulls = amount.data[b]!.nullBitmap;
      const off = amount.data[b]!.offset;
      for (let i = 0; i < a.length; i++) {
        if (nulls && nulls.length > 0 && ((nulls[(i + off) >> 3]! >> ((i + off) & 7)) & 1) === 0) continue;
        if (a[i]! > 50) acc += a[i]! * q[i]!;
      }
    }
    return acc;
  };

  const results = await interleaved(REPS, [
    ['DuckDB in-memory table (2 threads)', () => duck('orders')],
    ['hand-written typed-array loop (1 thread)', loop],
    ['Sparrow in memory, 1 worker', () => run(s1, 'memory')],
    ['Sparrow in memory, 2 workers', () => run(s2, 'memory')],
    ['DuckDB from Parquet (2 threads)', () => duck(`read_parquet('${file}')`)],
    ['Sparrow from Parquet, 2 workers', () => run(s2, 'parquet')],
  ]);
  const ref = Number(results[0]![1].value);
  console.log(`filter + computed column + sum over ${ROWS.toLocaleString()} rows; median of ${REPS} runs\n`);
  for (const [name, r] of results) {
    const ok = Math.abs(Number(r.value) - ref) <= 1e-6 * Math.abs(ref) ? 'ok' : `MISMATCH ${r.value} vs ${ref}`;
    console.log(`${name.padEnd(44)} ${r.ms.toFixed(1).padStart(8)} ms   ${ok}`);
  }
  const get = (n: string) => results.find((r) => r[0] === n)![1].ms;
  console.log(`\nspeed-up 2 workers vs 1 (in memory):        ${(get('Sparrow in memory, 1 worker') / get('Sparrow in memory, 2 workers')).toFixed(2)}x`);
  console.log(`Sparrow 2 workers / DuckDB (in memory):      ${(get('Sparrow in memory, 2 workers') / get('DuckDB in-memory table (2 threads)')).toFixed(2)}x`);
  console.log(`Sparrow 2 workers / DuckDB (from Parquet):   ${(get('Sparrow from Parquet, 2 workers') / get('DuckDB from Parquet (2 threads)')).toFixed(2)}x`);
  await s1.stop();
  await s2.stop();
  con.closeSync();
  db.closeSync();
}

main().catch((err) => { console.error(err); process.exit(1); });
