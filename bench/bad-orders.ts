// A CSV copy of the orders with some records corrupted, for the benches' bad-input runs: one CSV
// file per Parquet file of the orders, written by DuckDB, where a deterministic sample of the
// orders (a hash of order_id and the seed under `rate`) gets one of three faults — an amount
// that is not a number, a quantity with a letter in it, a date that is not a date. Every such
// record is malformed under ORDERS_CSV_SCHEMA; `badOrderIds` lists them, so the expected output
// of a job that drops them is the job over the clean orders without those ids.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** The orders' columns as a CSV schema (by position, as Spark maps an explicit CSV schema). */
export const ORDERS_CSV_SCHEMA: Readonly<Record<string, string>> = {
  order_id: 'int64', user_id: 'int32', product_id: 'int32', amount: 'float64',
  quantity: 'int32', status: 'string', order_date: 'date',
};

export interface BadOrders {
  /** The directory of CSV files (with a header line each). */
  readonly dir: string;
  /** order_id of every corrupted record, ascending. */
  readonly badOrderIds: readonly number[];
  readonly rows: number;
}

/** Writes (once; reused while the same arguments ask for it) the corrupted CSV copy of `ordersDir`. */
export async function writeBadOrdersCsv(ordersDir: string, rate: number, seed = 7): Promise<BadOrders> {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`writeBadOrdersCsv: rate must be between 0 and 1, got ${rate}`);
  const dir = `${ordersDir}-csv-bad-${rate}-${seed}`;
  const idsFile = path.join(dir, '_bad_ids.json');
  try {
    return JSON.parse(await fs.readFile(idsFile, 'utf8')) as BadOrders;
  } catch { /* write it */ }
  const parts = (await fs.readdir(ordersDir)).filter((f) => f.endsWith('.parquet')).sort();
  if (parts.length === 0) throw new Error(`writeBadOrdersCsv: no .parquet files in ${ordersDir}`);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const q = (p: string) => `'${p.replace(/'/g, "''")}'`;
  const threshold = Math.round(rate * 1_000_000);
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const tagged = (file: string) => `(SELECT *, hash(order_id, ${seed}) % 1000000 < ${threshold} AS bad,
      hash(order_id, ${seed + 1}) % 3 AS fault FROM read_parquet(${q(file)}))`;
    for (const part of parts) {
      const csv = path.join(dir, part.replace(/\.parquet$/, '.csv'));
      await con.run(`COPY (
        SELECT order_id, user_id, product_id,
          CASE WHEN bad AND fault = 0 THEN 'twelve' ELSE amount::VARCHAR END AS amount,
          CASE WHEN bad AND fault = 1 THEN quantity::VARCHAR || 'x' ELSE quantity::VARCHAR END AS quantity,
          status,
          CASE WHEN bad AND fault = 2 THEN 'not-a-date' ELSE strftime(order_date, '%Y-%m-%d') END AS order_date
        FROM ${tagged(path.join(ordersDir, part))} ORDER BY order_id
      ) TO ${q(csv)} (FORMAT csv, HEADER true)`);
    }
    const all = parts.map((p) => tagged(path.join(ordersDir, p))).join(' UNION ALL ');
    const ids = (await con.runAndReadAll(`SELECT order_id FROM (${all}) WHERE bad ORDER BY order_id`)).getColumnsJS()[0] ?? [];
    const rows = Number((await con.runAndReadAll(`SELECT count(*) FROM (${all})`)).getColumnsJS()[0]![0]);
    const out: BadOrders = { dir, badOrderIds: ids.map((x) => Number(x)), rows };
    await fs.writeFile(idsFile, JSON.stringify(out));
    return out;
  } finally {
    con.closeSync();
    db.closeSync();
  }
}
