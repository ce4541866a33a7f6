// The demo: the batch-processing chapter's daily settlement job, end to end on worker threads.
// Generates a deterministic orders data set (orders, users, products) as Parquet, then:
//   paid orders ⋈ users (small: broadcast) ⋈ products (large: partitioned) →
//   revenue, fees and payouts per day → Parquet partitioned by date, committed atomically.
// Prints the result, the plan with the join strategies chosen, and the job's metrics.
//   npm run demo        (SPARROW_DEMO_ROWS=5000000 npm run demo for a bigger run)
import * as path from 'node:path';
import { Session, col, sum, count, countDistinct, type JobInfo } from 'sparrow';
import { generateOrders, generateProducts, generateUsers } from './orders-data.js';

const rows = Number(process.env.SPARROW_DEMO_ROWS ?? 1_000_000);
const PRODUCTS = 1_000_000;
const dataDir = path.resolve('data');
const outDir = path.resolve('out', 'settlement');

async function main(): Promise<void> {
  let t = performance.now();
  const ordersDir = path.join(dataDir, `orders-${rows}-p${PRODUCTS}`);
  await generateOrders(ordersDir, { rows, files: 4, products: PRODUCTS });
  const usersFile = await generateUsers(path.join(dataDir, 'users-100000.parquet'));
  const productsFile = await generateProducts(path.join(dataDir, `products-${PRODUCTS}.parquet`), PRODUCTS);
  console.log(`data: ${rows.toLocaleString()} orders, 100,000 users, ${PRODUCTS.toLocaleString()} products as Parquet (${sec(t)})`);

  const spark = await Session.create();
  try {
    const orders = spark.read.parquet(ordersDir);
    const users = spark.read.parquet(usersFile);
    const products = spark.read.parquet(productsFile).select('product_id', 'category', 'fee_rate', 'title');

    const settlement = orders
      .filter(col('status').eq('paid').and(col('amount').isNotNull()))
      .join(users, 'user_id')                       // small dimension: broadcast
      .join(products, 'product_id')                 // large dimension: shuffled on product_id
      .withColumn('revenue', col('amount').mul(col('quantity')))
      .withColumn('fee', col('revenue').mul(col('fee_rate')))
      .withColumn('payout', col('revenue').minus(col('fee')))
      .groupBy('order_date')
      .agg(
        count('*').as('orders'),
        countDistinct('user_id').as('buyers'),
        sum('revenue').as('revenue'),
        sum('fee').as('fees'),
        sum('payout').as('payouts'),
      )
      .orderBy('order_date');

    t = performance.now();
    await settlement.show(10);
    console.log(`(${sec(t)})`);
    printJob(spark.lastJob());
    console.log(`\n${await settlement.explain('cost')}`);

    t = performance.now();
    const written = await settlement.write.mode('overwrite').partitionBy('order_date').parquet(outDir);
    console.log(`\nwrote ${written.files.length} part files under ${outDir} (${sec(t)}); _SUCCESS marks the commit`);
    const back = await spark.read.parquet(outDir).orderBy('order_date').collect();
    console.log(`read back: ${back.length} days, revenue ${back.reduce((s, r) => s + Number(r['revenue']), 0).toFixed(2)}`);
  } finally {
    await spark.stop();
  }
}

function sec(t: number): string {
  return `${((performance.now() - t) / 1000).toFixed(2)} s`;
}

function printJob(job: JobInfo | null): void {
  if (!job) return;
  console.log(`\njob ${job.id}: ${job.durationMs.toFixed(0)} ms`);
  for (const s of job.stages) {
    console.log(`  stage ${s.id} [${s.name}]: ${s.tasks} tasks, ${s.durationMs.toFixed(0)} ms, ` +
      `${s.inputRecords.toLocaleString()} records in, ${s.outputRecords.toLocaleString()} out, ` +
      `shuffle write ${s.shuffleWriteBytes.toLocaleString()} B, read ${s.shuffleReadBytes.toLocaleString()} B, spill ${s.spillBytes} B`);
  }
  for (const d of job.decisions) console.log(`  decision: ${d}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
