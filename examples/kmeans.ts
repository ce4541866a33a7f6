// k-means on generated 2-D points: the points are cached once, each iteration broadcasts the
// current centers, assigns every point to its nearest center in a lambda, and averages the
// points per center with a group-by. Prints each iteration's time and movement. The distance
// helpers live in kmeans-udfs.ts, a UDF module registered with the session: lambdas call them
// through ctx, imported once per worker.
//   npm run build && node dist/examples/kmeans.js      (SPARROW_POINTS=2000000 for more)
//   npx tsx examples/kmeans.ts                          (from the TypeScript sources)
import { Session, avg, count, col, type LambdaCtx } from 'sparrow';
import type * as Udfs from './kmeans-udfs.js';

const N = Number(process.env.SPARROW_POINTS ?? 500_000);
const K = 5;
const ITERATIONS = 8;

async function main(): Promise<void> {
  const spark = await Session.create();
  try {
    // './kmeans-udfs.js' is the compiled file next to dist/examples/kmeans.js; run from the
    // sources (tsx), the session finds kmeans-udfs.ts in its place.
    const udfs = await spark.registerModule<typeof Udfs>('kmeans', new URL('./kmeans-udfs.js', import.meta.url));
    // Points around K true centers, deterministic: a hash of the id gives the cluster and noise.
    const points = spark.range(N)
      .withColumn('cluster', col('id').mod(K))
      .withColumn('x', col('cluster').mul(10).plus(col('id').mul(7919).mod(1000).div(250)))
      .withColumn('y', col('cluster').mul(-6).plus(col('id').mul(104729).mod(1000).div(250)))
      .select('x', 'y')
      .as<{ x: number; y: number }>()
      .cache();
    let centers: { x: number; y: number }[] = Array.from({ length: K }, (_, i) => ({ x: i * 3, y: i }));
    for (let it = 1; it <= ITERATIONS; it++) {
      const t = performance.now();
      const ctx = { udfs, centers: spark.broadcast(centers) };
      const assigned = points.map((p, c: LambdaCtx<typeof ctx>) => ({ center: c.udfs.nearest(p, c.centers), x: p.x, y: p.y }), ctx);
      const rows = await assigned.groupBy('center').agg(avg('x').as('x'), avg('y').as('y'), count('*').as('n')).orderBy('center').collect();
      const next = centers.map((c, i) => {
        const r = rows.find((x) => x['center'] === i);
        return r ? { x: Number(r['x']), y: Number(r['y']) } : c;
      });
      const moved = udfs.exports.movement(centers, next);
      centers = next;
      console.log(`iteration ${it}: ${(performance.now() - t).toFixed(0)} ms, centers moved ${moved.toFixed(4)}` +
        (it === 1 ? ' (includes computing and caching the points)' : ''));
      if (moved < 1e-9) break;
    }
    console.log('centers:', centers.map((c) => `(${c.x.toFixed(2)}, ${c.y.toFixed(2)})`).join(' '));
    console.log('cache:', spark.cacheStats());
  } finally {
    await spark.stop();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
