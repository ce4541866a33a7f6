// PageRank on a generated graph, as in the RDD paper: the links are hash-partitioned by source
// once and cached, so each iteration's join with the ranks reads them in place (no shuffle of
// the links); only the small rank contributions move. Run it also without that (links read from
// their plan every iteration) to compare the time per iteration.
//   npm run build && node dist/examples/pagerank.js      (SPARROW_PAGES=200000 for more)
import { pathToFileURL } from 'node:url';
import { Session, col, count, lit, sum, type Dataset } from 'sparrow';

const PAGES = Number(process.env.SPARROW_PAGES ?? 50_000);
const ITERATIONS = 5;

export interface PageRankOptions {
  readonly pages?: number;
  readonly iterations?: number;
  /** The graph as (src, dst) rows; default generateEdges(spark, pages). */
  readonly edges?: Dataset;
  /** Receives the progress lines (default console.log). */
  readonly log?: (line: string) => void;
}

/** Every page links to 1–8 others (a deterministic hash of the page and the link number). */
export function generateEdges(spark: Session, pages = PAGES): Dataset {
  return spark.range(pages * 8)
    .withColumn('src', col('id').mod(pages))
    .withColumn('k', col('id').div(pages).cast('int64'))
    .filter(col('k').lt(col('src').mod(8).plus(1)))
    .withColumn('dst', col('src').mul(7919).plus(col('k').mul(col('k')).mul(104729)).plus(col('src').mod(97).mul(col('k')).mul(31)).mod(pages))
    .select('src', 'dst');
}

/** Runs PageRank; returns each iteration's milliseconds. Also used by bench/iterative.ts. */
export async function pageRank(spark: Session, copartitioned: boolean, opts: PageRankOptions = {}): Promise<number[]> {
  const n = spark.options.shufflePartitions;
  const iterations = opts.iterations ?? ITERATIONS;
  const log = opts.log ?? console.log;
  const edges = opts.edges ?? generateEdges(spark, opts.pages ?? PAGES);
  const outDegree = edges.groupBy('src').agg(count('*').as('deg'));
  let links: Dataset = edges.join(outDegree, 'src').withColumn('share', lit(1).div(col('deg'))).select('src', 'dst', 'share');
  if (copartitioned) links = links.repartition(n, 'src').cache();
  let ranks: Dataset = links.select('src').distinct().withColumn('rank', lit(1.0));
  const times: number[] = [];
  for (let it = 1; it <= iterations; it++) {
    const t = performance.now();
    const contribs = links.join(ranks, 'src').withColumn('c', col('rank').mul(col('share')));
    const next = contribs.groupBy('dst').agg(sum('c').as('s'))
      .select(col('dst').as('src'), lit(0.15).plus(col('s').mul(0.85)).as('rank'))
      .cache();
    const total = await next.agg(sum('rank').as('total')).collect();
    if (it > 1) ranks.unpersist();
    ranks = next;
    times.push(performance.now() - t);
    log(`  iteration ${it}: ${times[times.length - 1]!.toFixed(0)} ms, rank mass ${Number(total[0]!['total']).toFixed(2)}`);
  }
  const top = await ranks.orderBy(col('rank').desc()).limit(3).collect();
  log(`  top pages: ${top.map((r) => `${r['src']} (${Number(r['rank']).toFixed(3)})`).join(', ')}`);
  ranks.unpersist();
  links.unpersist();
  return times;
}

async function main(): Promise<void> {
  const spark = await Session.create();
  try {
    console.log(`PageRank, ${PAGES.toLocaleString()} pages: links partitioned by source and cached`);
    const fast = await pageRank(spark, true);
    console.log('PageRank: links recomputed and shuffled every iteration');
    const slow = await pageRank(spark, false);
    const later = (xs: number[]) => xs.slice(1).reduce((s, x) => s + x, 0) / (xs.length - 1);
    console.log(`\nlater iterations: ${later(fast).toFixed(0)} ms vs ${later(slow).toFixed(0)} ms → ${(later(slow) / later(fast)).toFixed(2)}× faster with co-partitioned cached links`);
  } finally {
    await spark.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => { console.error(err); process.exit(1); });
}
