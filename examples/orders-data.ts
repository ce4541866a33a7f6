// A deterministic orders data set, the batch-processing chapter's domain: orders with a user,
// a product, an amount, a quantity, a status and a date. DuckDB writes the Parquet files (its
// job in this project is file I/O); every value is a hash of the order id and a seed, so the
// same arguments always give byte-identical files.
import { DuckDBInstance } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface OrdersSpec {
  readonly rows: number;
  /** Number of Parquet files the rows are spread over. */
  readonly files?: number;
  readonly users?: number;
  readonly products?: number;
  readonly seed?: number;
  /** Rows per Parquet row group (DuckDB's default is 122,880). */
  readonly rowGroupSize?: number;
}

/** Writes <dir>/part-0000N.parquet; returns the paths. Skips the work if the files exist. */
export async function generateOrders(dir: string, spec: OrdersSpec): Promise<string[]> {
  const files = spec.files ?? 4;
  const users = spec.users ?? 100_000;
  const products = spec.products ?? 5_000;
  const seed = spec.seed ?? 42;
  const rg = spec.rowGroupSize ?? 122_880;
  const marker = path.join(dir, `_spec-${spec.rows}-${files}-${users}-${products}-${seed}-${rg}`);
  const out = Array.from({ length: files }, (_, i) => path.join(dir, `part-${String(i).padStart(5, '0')}.parquet`));
  try {
    await fs.access(marker);
    return out;
  } catch { /* generate */ }
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    for (let f = 0; f < files; f++) {
      const from = Math.floor((spec.rows * f) / files);
      const to = Math.floor((spec.rows * (f + 1)) / files);
      const h = (k: number) => `hash(i * 7919 + ${seed * 31 + k})`;
      await con.run(`
        COPY (
          SELECT
            i::BIGINT AS order_id,
            (${h(1)} % ${users})::INTEGER AS user_id,
            (${h(2)} % ${products})::INTEGER AS product_id,
            CASE WHEN ${h(3)} % 50 = 0 THEN NULL
                 ELSE round(((${h(4)} % 100000) / 100.0 + 1.0)::DOUBLE, 2) END AS amount,
            (1 + ${h(5)} % 5)::INTEGER AS quantity,
            CASE ${h(6)} % 10 WHEN 0 THEN 'cancelled' WHEN 1 THEN 'refunded' WHEN 2 THEN 'pending' ELSE 'paid' END AS status,
            (DATE '2024-01-01' + (${h(7)} % 7)::INTEGER) AS order_date
          FROM range(${from}, ${to}) t(i)
          ORDER BY i
        ) TO '${out[f]!.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${rg})`);
    }
  } finally {
    con.closeSync();
    db.closeSync();
  }
  await fs.writeFile(marker, '');
  return out;
}

/** A deterministic dimension table as one Parquet file, written by DuckDB from a SELECT over range(n). */
async function generateDimension(file: string, select: string, rows: number): Promise<string> {
  try {
    await fs.access(file);
    return file;
  } catch { /* generate */ }
  await fs.mkdir(path.dirname(file), { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const tmp = `${file}.tmp`;
    await con.run(`COPY (SELECT ${select} FROM range(${rows}) t(i) ORDER BY i) TO '${tmp.replace(/'/g, "''")}' (FORMAT parquet)`);
    await fs.rename(tmp, file);
  } finally {
    con.closeSync();
    db.closeSync();
  }
  return file;
}

/** users(user_id, country, tier): small, the side a join broadcasts. */
export function generateUsers(file: string, users = 100_000): Promise<string> {
  return generateDimension(file, `i::INTEGER AS user_id,
    ['KR', 'JP', 'US', 'DE', 'BR'][((hash(i, 11) % 5) + 1)::BIGINT] AS country,
    CASE WHEN hash(i, 12) % 10 = 0 THEN 'gold' ELSE 'basic' END AS tier`, users);
}

/** products(product_id, category, fee_rate, title): the larger dimension, joined partitioned. */
export function generateProducts(file: string, products = 5_000): Promise<string> {
  return generateDimension(file, `i::INTEGER AS product_id,
    ['food', 'books', 'games', 'garden', 'tools', 'toys'][((hash(i, 21) % 6) + 1)::BIGINT] AS category,
    (0.02 + (hash(i, 22) % 9) / 100.0)::DOUBLE AS fee_rate,
    'product ' || i || ' ' || repeat('x', (hash(i, 23) % 40)::INTEGER) AS title`, products);
}

/** Where the settlement job's inputs live (examples/demo.ts and the benches). */
export interface SettlementFiles {
  readonly ordersDir: string;
  readonly usersFile: string;
  readonly productsFile: string;
}

/**
 * The settlement job's three inputs under `dataDir`, named as examples/demo.ts names them
 * (orders-<rows>-p<products>/, users-100000.parquet, products-<products>.parquet): `rows`
 * orders in 4 files, 100,000 users, `products` products. Each is generated once and reused.
 */
export async function generateSettlementData(dataDir: string, rows: number, products: number): Promise<SettlementFiles> {
  const ordersDir = path.join(dataDir, `orders-${rows}-p${products}`);
  await generateOrders(ordersDir, { rows, files: 4, products });
  const usersFile = await generateUsers(path.join(dataDir, 'users-100000.parquet'));
  const productsFile = await generateProducts(path.join(dataDir, `products-${products}.parquet`), products);
  return { ordersDir, usersFile, productsFile };
}
