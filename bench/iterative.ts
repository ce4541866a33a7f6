// Benchmark: iterative jobs with and without caching, after the RDD paper (Zaharia et al.,
// NSDI 2012, §6): logistic regression over points stored as CSV text, and PageRank.
//
//   Logistic regression (examples/logistic-regression.ts), 1M points × 8 features as CSV files:
//     (a) no cache       every iteration reads and parses the CSV again (Hadoop's situation)
//     (b) cache          the parsed points are kept as MEMORY_ONLY blocks after the first pass
//     (c) half cached    the same, with memoryBudgetMb holding only about half of those blocks:
//                        evicted partitions are recomputed from the CSV each iteration, so the
//                        time should land between (a) and (b) — graceful degradation
//   The first iteration and the later ones are timed apart; the three contenders run their
//   iteration k one after the other (interleaved), so the machine's noise hits them alike, and
//   all three must compute the same weights.
//
//   PageRank (examples/pagerank.ts) over an edge list stored as CSV: links hash-partitioned by
//   source and cached (every join with the ranks is co-partitioned) against links read, joined
//   with the out-degrees and shuffled again every iteration. Broadcast joins are off for this
//   part: at this size the ranks table is small enough to broadcast, which hides the shuffle of
//   the links the comparison is about; in the paper's graphs the ranks are far too large for it.
//
//   npm run bench:iterative
//   SPARROW_BENCH_POINTS=20000 SPARROW_BENCH_PAGES=2000 SPARROW_BENCH_ITERATIONS=3 npx tsx bench/iterative.ts   (smoke run)
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { Session, type Dataset } from 'sparrow';
import { FEATURES, FEATURE_NAMES, generatePoints, gradient, type Point } from '../examples/logistic-regression.js';
import { generateEdges, pageRank } from '../examples/pagerank.js';

const POINTS = Number(process.env.SPARROW_BENCH_POINTS ?? 1_000_000);
const ITERATIONS = Number(process.env.SPARROW_BENCH_ITERATIONS ?? 8);
// 300k pages: at 50k an iteration takes ~50 ms and the fixed cost of scheduling its jobs hides
// the shuffle the comparison is about (measured 1.76× there, 2.55× at 300k).
const PAGES = Number(process.env.SPARROW_BENCH_PAGES ?? 300_000);
const PAGERANK_ITERATIONS = Number(process.env.SPARROW_BENCH_PAGERANK_ITERATIONS ?? 6);
const FILES = 16;
const LEARNING_RATE = 10;

/** The points and the edge list as CSV files, written once per size. */
async function writeInputs(dir: string): Promise<void> {
  const marker = path.join(dir, `_done-${POINTS}-${PAGES}`);
  try { await fs.access(marker); return; } catch { /* write them */ }
  const spark = await Session.create({ parallelism: 2 });
  try {
    await generatePoints(spark, POINTS, FILES).write.mode('overwrite').csv(path.join(dir, 'points'));
    await generateEdges(spark, PAGES).write.mode('overwrite').csv(path.join(dir, 'edges'));
  } finally {
    await spark.stop();
  }
  await fs.writeFile(marker, '');
}

/** One partition per CSV file of `dir`, as the paper's HDFS blocks (see below). */
async function readFiles(spark: Session, dir: string, schema: Record<string, string>): Promise<Dataset> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.csv')).sort();
  return files.map((f) => spark.read.csv(path.join(dir, f), { schema })).reduce((all, d) => all.union(d));
}

interface Contender {
  readonly name: string;
  readonly spark: Session;
  readonly points: Dataset<Point>;
  readonly w: number[];
  readonly times: number[];
  /** Partitions recomputed after eviction, per iteration. */
  readonly recomputed: number[];
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const dir = path.resolve('data', `bench-iterative-${POINTS}-${PAGES}`);
  await writeInputs(dir);
  const csvDir = path.join(dir, 'points');
  const schema = Object.fromEntries([...FEATURE_NAMES, 'y'].map((c) => [c, 'float64']));
  // One partition per file, as the paper's HDFS blocks (a scan of the whole directory would pack
  // the files into as few partitions as there are workers): eviction and recomputation then
  // work on sixteenths of the data, and recomputing them keeps both workers busy.
  const read = async (spark: Session) => (await readFiles(spark, csvDir, schema)).as<Point>();

  // Size of the cached blocks, to give (c) a budget that holds about half of them.
  const probe = await Session.create({ parallelism: 2 });
  await (await read(probe)).persist('MEMORY_ONLY').count();
  const cachedBytes = probe.cacheStats().bytesInMemory;
  await probe.stop();
  const halfMb = cachedBytes / 2 / (1024 * 1024);

  // A session each: its own workers, so no contender finds kernels another one compiled (the
  // weights are literals, new every iteration).
  const [none, full, half] = await Promise.all([
    Session.create({ parallelism: 2 }), Session.create({ parallelism: 2 }), Session.create({ parallelism: 2, memoryBudgetMb: halfMb }),
  ]);
  // Start the pools' workers before anything is timed.
  for (const s of [none, full, half]) await s.range(1000).count();
  const contender = (name: string, spark: Session, points: Dataset<Point>): Contender =>
    ({ name, spark, points, w: new Array<number>(FEATURES + 1).fill(0), times: [], recomputed: [] });
  const cs = [
    contender('(a) no cache', none, await read(none)),
    contender('(b) cache, MEMORY_ONLY', full, (await read(full)).persist('MEMORY_ONLY')),
    contender(`(c) cache, budget ${halfMb.toFixed(0)} MB (~half)`, half, (await read(half)).persist('MEMORY_ONLY')),
  ];
  console.log(`logistic regression: ${POINTS.toLocaleString()} points × ${FEATURES} features in ${FILES} CSV files, ` +
    `${ITERATIONS} iterations, 2 workers; cached points take ${(cachedBytes / 2 ** 20).toFixed(0)} MB`);
  for (let it = 1; it <= ITERATIONS; it++) {
    for (const c of cs) {
      const before = c.spark.cacheStats().recomputedPartitions;
      const t = performance.now();
      const step = await gradient(c.points, c.w);
      c.times.push(performance.now() - t);
      c.recomputed.push(c.spark.cacheStats().recomputedPartitions - before);
      for (let j = 0; j < c.w.length; j++) c.w[j]! -= (LEARNING_RATE * step.gradient[j]!) / step.n;
    }
    process.stdout.write(`  iteration ${it}: ${cs.map((c) => `${c.times[it - 1]!.toFixed(0)} ms`).join(' / ')}\n`);
  }
  const same = cs.every((c) => c.w.every((x, j) => Math.abs(x - cs[0]!.w[j]!) <= 1e-9 * Math.max(1, Math.abs(x))));

  console.log(`\n${'contender'.padEnd(34)} ${'first iteration'.padStart(16)} ${'later (median)'.padStart(15)}  partitions recomputed per later iteration`);
  for (const c of cs) {
    const later = c.times.slice(1);
    console.log(`${c.name.padEnd(34)} ${`${c.times[0]!.toFixed(0)} ms`.padStart(16)} ${`${median(later).toFixed(0)} ms`.padStart(15)}  ${median(c.recomputed.slice(1))}`);
  }
  const [a, b, h] = cs.map((c) => median(c.times.slice(1))) as [number, number, number];
  console.log(`\nuncached / cached, later iterations: ${(a / b).toFixed(1)}× (target ≥ 10×)`);
  console.log(`half cached sits at ${(((h - b) / (a - b)) * 100).toFixed(0)}% of the way from cached to uncached`);
  console.log(`all three computed the same weights: ${same ? 'yes' : 'NO'}`);
  await Promise.all([none.stop(), full.stop(), half.stop()]);

  // PageRank: co-partitioned cached links vs links recomputed and shuffled, alternating runs.
  const pr = await Session.create({ parallelism: 2, autoBroadcastJoinThreshold: -1 });
  const edges = await readFiles(pr, path.join(dir, 'edges'), { src: 'int64', dst: 'int64' });
  console.log(`\nPageRank, ${PAGES.toLocaleString()} pages (edge list in CSV), ${PAGERANK_ITERATIONS} iterations, 2 workers, ` +
    'broadcast joins off; runs alternating:');
  const laterOf = (xs: number[]) => median(xs.slice(1));
  const co: number[] = [], plain: number[] = [];
  const opts = { edges, iterations: PAGERANK_ITERATIONS, log: () => { /* progress lines off */ } };
  for (let round = 0; round < 2; round++) {
    co.push(laterOf(await pageRank(pr, true, opts)));
    plain.push(laterOf(await pageRank(pr, false, opts)));
  }
  const coMs = Math.min(...co), plainMs = Math.min(...plain);
  console.log(`co-partitioned cached links  later iterations ${coMs.toFixed(0)} ms (runs: ${co.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`links recomputed, shuffled   later iterations ${plainMs.toFixed(0)} ms (runs: ${plain.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`speed-up: ${(plainMs / coMs).toFixed(2)}× (target ≥ 2×)`);
  await pr.stop();
}

main().catch((err) => { console.error(err); process.exit(1); });
