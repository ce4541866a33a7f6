// The data of the shuffle-heavy benchmarks (bench/wide.ts, bench/peers.ts), written by DuckDB
// into data/bench-wide-<rows>/ once and reused while its marker file is there:
//   fact.parquet     <rows> rows: k100 int32 (100k distinct), k2m int32 (bigDim distinct), v double
//   fact2x.parquet   the same with twice the rows (the join-scaling runs of bench/wide.ts)
//   dim100k.parquet  k100 0..99,999 with seg = k100 % 100
//   dim2m.parquet    k2m 0..bigDim-1 with seg2 = k2m % 1000
// Keys come from DuckDB's hash of the row number, so every run writes the same files.
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';

/** Rows of the big dimension for a fact table of `rows` rows: 2M at 5M rows, 40% below. */
export function bigDimRows(rows: number): number {
  return Math.min(2_000_000, Math.max(1000, Math.floor(rows * 0.4)));
}

/** Where the files for `rows` fact rows live (relative to the working directory). */
export function wideDataDir(rows: number): string {
  return path.resolve('data', `bench-wide-${rows}`);
}

/** Writes the four files into `dir` unless a finished earlier run left them there. */
export async function generateWideData(dir: string, con: DuckDBConnection, rows: number, bigDim: number): Promise<void> {
  const marker = path.join(dir, `_done-${rows}-${bigDim}`);
  try { await fs.access(marker); return; } catch { /* generate */ }
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  for (const [name, n] of [['fact', rows], ['fact2x', 2 * rows]] as const) {
    await con.run(`COPY (SELECT (hash(i, 1) % 100000)::INTEGER AS k100, (hash(i, 2) % ${bigDim})::INTEGER AS k2m,
      ((hash(i, 3) % 10000) / 100.0)::DOUBLE AS v FROM range(${n}) t(i)) TO '${dir}/${name}.parquet' (FORMAT parquet)`);
  }
  await con.run(`COPY (SELECT i::INTEGER AS k100, (i % 100)::INTEGER AS seg FROM range(100000) t(i)) TO '${dir}/dim100k.parquet' (FORMAT parquet)`);
  await con.run(`COPY (SELECT i::INTEGER AS k2m, (i % 1000)::INTEGER AS seg2 FROM range(${bigDim}) t(i)) TO '${dir}/dim2m.parquet' (FORMAT parquet)`);
  await fs.writeFile(marker, '');
}
