// k-means on generated 2-D points: the points are cached once, each iteration broadcasts the
// current centers, assigns every point to its nearest center in a lambda, and averages the
// points per center with a group-by. Prints each iteration's time and movement.
//   npm run build && node dist/examples/kmeans.js      (SPARROW_POINTS=2000000 for more)
import { Session, avg, count, col } from 'sparrow';

const N = Number(process.env.SPARROW_POINTS ?? 500_000);
const K = 5;
const ITERATIONS = 8;

async function main(): Promise<void> {
  const spark = await Session.create();
  try {
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
      const bc = spark.broadcast(centers);
      const assigned = points.map((p: { x: number; y: number }, ctx: { centers: { x: number; y: number }[] }) => {
        let best = 0, bestD = Infinity;
        for (let i = 0; i < ctx.centers.length; i++) {
          const c = ctx.centers[i]!;
          const d = (p.x - c.x) ** 2 + (p.y - c.y) ** 2;
          if (d < bestD) { bestD = d; best = i; }
        }
        return { center: best, x: p.x, y: p.y };
      }, { centers: bc });
      const rows = await assigned.groupBy('center').agg(avg('x').as('x'), avg('y').as('y'), count('*').as('n')).orderBy('center').collect();
      const next = centers.map((c, i) => {
        const r = rows.find((x) => x['center'] === i);
        return r ? { x: Number(r['x']), y: Number(r['y']) } : c;
      });
      const moved = next.reduce((s, c, i) => s + Math.hypot(c.x - centers[i]!.x, c.y - centers[i]!.y), 0);
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
