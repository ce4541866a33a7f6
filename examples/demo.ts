// The demo job: generate a deterministic orders data set as Parquet, then run a real
// filter → compute → aggregate job over it on worker threads, print the result, the plan and
// the job's metrics, and write the enriched paid orders with the atomic writer, partitioned
// by date.  Run: npm run demo   (SPARROW_DEMO_ROWS=5000000 npm run demo for a bigger run)
import * as path from 'node:path';
import { Session, col, lit, sum, count, avg, countDistinct, max, when } from 'sparrow';
import { generateOrders } from './orders-data.js';

const rows = Number(process.env.SPARROW_DEMO_ROWS ?? 1_000_000);
const dataDir = path.resolve('data', `orders-${rows}`);
const outDir = path.resolve('out', 'paid-orders');

async function main(): Promise<void> {
  let t = performance.now();
  await generateOrders(dataDir, { rows, files: 4 });
  console.log(`orders: ${rows.toLocaleString()} rows as Parquet in ${dataDir} (${((performance.now() - t) / 1000).toFixed(2)} s)`);

  const spark = await Session.create();
  try {
    const orders = spark.read.parquet(dataDir);
    const paid = orders
      .filter(col('status').eq('paid').and(col('amount').isNotNull()))
      .withColumn('revenue', col('amount').mul(col('quantity')))
      .withColumn('fee', col('revenue').mul(lit(0.03)))
      .withColumn('payout', col('revenue').minus(col('fee')))
      .withColumn('size', when(col('revenue').gte(1000), 'large').when(col('revenue').gte(100), 'medium').otherwise('small'));

    const settlement = paid.agg(
      count('*').as('orders'),
      countDistinct('user_id').as('buyers'),
      sum('revenue').as('revenue'),
      sum('fee').as('fees'),
      sum('payout').as('payouts'),
      avg('amount').as('avg_amount'),
      max('revenue').as('largest_order'),
    );

    t = performance.now();
    const [result] = await settlement.collect();
    console.log(`\nsettlement over paid orders (${((performance.now() - t) / 1000).toFixed(3)} s):`);
    console.table(result);
    console.log(await settlement.explain('simple'));
    printJob(spark);

    t = performance.now();
    const written = await paid.select('order_id', 'user_id', 'product_id', 'revenue', 'fee', 'payout', 'size', 'order_date')
      .write.mode('overwrite').partitionBy('order_date').parquet(outDir);
    console.log(`\nwrote ${written.files.length} part files under ${outDir} (${((performance.now() - t) / 1000).toFixed(2)} s); _SUCCESS marks the commit`);
    const back = await spark.read.parquet(outDir).count();
    console.log(`read back: ${back.toLocaleString()} rows`);
  } finally {
    await spark.stop();
  }
}

function printJob(spark: Session): void {
  const job = spark.lastJob();
  if (!job) return;
  console.log(`\njob ${job.id}: ${job.durationMs.toFixed(1)} ms`);
  for (const s of job.stages) {
    console.log(`  stage ${s.id} [${s.name}]: ${s.tasks} tasks, ${s.durationMs.toFixed(1)} ms, ` +
      `${s.inputRecords.toLocaleString()} records in, ${s.outputRecords.toLocaleString()} out, shuffle write ${s.shuffleWriteBytes} B`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
