// The orders ETL, once per join strategy: the same job (paid orders joined with products,
// revenue per category) with the join left to the planner, then forced to a broadcast hash
// join, a shuffled hash join and a sort-merge join by hints. Prints each plan's join line,
// the decision behind it, the time and the shuffle bytes, and checks the results agree.
//   npm run build && node dist/examples/orders-etl.js
import * as path from 'node:path';
import { Session, col, sum, count, type Dataset } from 'sparrow';
import { generateOrders, generateProducts } from './orders-data.js';

const ROWS = Number(process.env.SPARROW_ETL_ROWS ?? 1_000_000);

async function main(): Promise<void> {
  const ordersDir = path.resolve('data', `orders-${ROWS}`);
  await generateOrders(ordersDir, { rows: ROWS, files: 4 });
  const productsFile = await generateProducts(path.resolve('data', 'products-5000.parquet'), 5_000);
  const spark = await Session.create();
  try {
    const paid = spark.read.parquet(ordersDir).filter(col('status').eq('paid'));
    const products = spark.read.parquet(productsFile);
    const job = (p: Dataset) => paid.join(p, 'product_id')
      .withColumn('revenue', col('amount').mul(col('quantity')))
      .groupBy('category').agg(count('*').as('orders'), sum('revenue').as('revenue'))
      .orderBy('category');
    const variants: [string, Dataset][] = [
      ['automatic', job(products)],
      ['broadcast', job(products.hint('broadcast'))],
      ['shuffle_hash', job(products.hint('shuffle_hash'))],
      ['merge', job(products.hint('merge'))],
    ];
    let reference: string | null = null;
    for (const [name, ds] of variants) {
      await ds.collect(); // warm-up
      const t = performance.now();
      const rows = await ds.collect();
      const ms = performance.now() - t;
      const jobInfo = spark.lastJob()!;
      const shuffle = jobInfo.stages.reduce((s, st) => s + st.shuffleWriteBytes, 0);
      const joinLine = (await ds.explain()).split('\n').find((l) => /Join/.test(l))!.trim();
      const text = JSON.stringify(rows.map((r) => [r['category'], r['orders'], Number(r['revenue']).toFixed(2)]));
      reference ??= text;
      console.log(`\n[${name}] ${ms.toFixed(0)} ms, shuffle write ${(shuffle / 1048576).toFixed(1)} MiB, results ${text === reference ? 'equal' : 'DIFFER'}`);
      console.log(`  ${joinLine}`);
      for (const d of jobInfo.decisions) console.log(`  ${d}`);
    }
  } finally {
    await spark.stop();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
