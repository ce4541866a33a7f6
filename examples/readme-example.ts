// The README's example, kept compiling and running: npm run build && node dist/examples/readme-example.js
import { Session, col, lit, sum, count, countDistinct } from 'sparrow';
import { generateOrders } from './orders-data.js';

await generateOrders('data/orders', { rows: 200_000 });
const spark = await Session.create({ parallelism: 2 });
const paid = spark.read.parquet('data/orders')            // a file or a key=value directory tree
  .filter(col('status').eq('paid').and(col('amount').gt(0)))
  .withColumn('revenue', col('amount').mul(col('quantity')))
  .withColumn('fee', col('revenue').mul(lit(0.03)));

const [totals] = await paid
  .agg(count('*').as('orders'), countDistinct('user_id').as('buyers'), sum('revenue').as('revenue'))
  .collect();
console.log(totals, await paid.explain());

await paid.write.mode('overwrite').partitionBy('order_date').parquet('out/paid');  // atomic commit
const big = await paid.map((o, ctx) => ({ id: o.order_id, big: (o.revenue as number) > ctx.limit }), { limit: 500 }).take(5);
console.log(big);
await spark.stop();
