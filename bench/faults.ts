// Benchmark: the settlement job under injected faults (Session option `faults`,
// src/executor/faults.ts): 0%, 1% and 5% of task attempts failing, worker threads crashing,
// shuffle map outputs lost, and all three at once, each with several seeds. Each configuration
// gets its own session and runs the job SPARROW_BENCH_RUNS times (the first run also starts the
// workers; the median of the others is the time reported); every output is diffed against the
// fault-free output (batch.result.diff_count), itself checked against DuckDB running the job as SQL.
// Prints a table, writes bench/results/faults.json; exits 1 when any diff count is not 0.
//   npm run bench:faults    (SPARROW_BENCH_ORDERS=1000000 orders by default,
//                            SPARROW_BENCH_SEEDS=3 seeds per faulty configuration, SPARROW_BENCH_RUNS=3)
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Session, type Row } from 'sparrow';
import {
  type Run, type RunMetrics, describeJoins, diffCount, duckdbSettlement, envInt, machine, mb, measure, median, ms,
  parquetSources, settlementFiles, settlementJob, textTable,
} from './settlement-job.js';

const ORDERS = envInt('SPARROW_BENCH_ORDERS', 1_000_000);
const SEEDS = envInt('SPARROW_BENCH_SEEDS', 3);
const RUNS = envInt('SPARROW_BENCH_RUNS', 3);
const OUT = path.resolve(process.env['SPARROW_BENCH_OUT'] ?? path.join('bench', 'results'));

interface Config {
  readonly name: string;
  readonly taskFailureRate?: number;
  readonly workerCrashRate?: number;
  readonly blockLossRate?: number;
}

const CONFIGS: readonly Config[] = [
  { name: '1% task failures', taskFailureRate: 0.01 },
  { name: '5% task failures', taskFailureRate: 0.05 },
  { name: '5% worker crashes', workerCrashRate: 0.05 },
  { name: '25% lost map outputs', blockLossRate: 0.25 },
  { name: 'all three (5%, 5%, 25%)', taskFailureRate: 0.05, workerCrashRate: 0.05, blockLossRate: 0.25 },
];

interface Result {
  readonly config: string;
  readonly seed: number | null;
  /** batch.job.duration (ms): the median of the runs after the first (which also starts the workers). */
  readonly durationMs: number;
  readonly metrics: RunMetrics;
  /** Faults met over all the runs. */
  readonly failedTasks: number;
  readonly recomputedTasks: number;
  readonly fetchFailures: number;
  /** The largest batch.result.diff_count of the runs. */
  readonly diffCount: number;
}

async function main(): Promise<void> {
  const before = machine();
  const files = await settlementFiles(ORDERS);
  console.log(`the settlement job (${ORDERS.toLocaleString('en-US')} orders ⋈ 100,000 users ⋈ 1,000,000 products) under injected faults, ${SEEDS} seed(s) each`);
  console.log(`load average ${before.loadAverage.join(', ')} on ${before.cpus} cores\n`);

  const runAll = async (faults: { config: Config; seed: number } | null, reference: Row[] | null) => {
    const rates = faults && {
      taskFailureRate: faults.config.taskFailureRate, workerCrashRate: faults.config.workerCrashRate,
      blockLossRate: faults.config.blockLossRate, seed: faults.seed,
    };
    const session = await Session.create({ progress: false, ...(rates ? { faults: rates } : {}) });
    try {
      const src = parquetSources(session, files);
      const label = faults ? `${faults.config.name}, seed ${faults.seed}` : 'no faults';
      const runs: Run[] = [];
      for (let i = 1; i <= RUNS; i++) runs.push(await measure(session, settlementJob(src, 'auto'), `${label} (${i})`));
      const ref = reference ?? runs[0]!.rows;
      const total = (k: 'failedTasks' | 'recomputedTasks' | 'fetchFailures') => runs.reduce((s, r) => s + r.metrics[k], 0);
      const timed = runs.length > 1 ? runs.slice(1) : runs;
      const result: Result = {
        config: faults?.config.name ?? 'no faults', seed: faults?.seed ?? null,
        durationMs: median(timed.map((r) => r.metrics.durationMs)), metrics: runs[runs.length - 1]!.metrics,
        failedTasks: total('failedTasks'), recomputedTasks: total('recomputedTasks'), fetchFailures: total('fetchFailures'),
        diffCount: Math.max(...runs.map((r) => diffCount(r.rows, ref))),
      };
      return { result, rows: runs[0]!.rows };
    } finally {
      await session.stop();
    }
  };

  const clean = await runAll(null, null);
  const oracleDiff = diffCount(clean.rows, await duckdbSettlement(files));
  const results: Result[] = [clean.result];
  for (const c of CONFIGS) {
    for (let seed = 1; seed <= SEEDS; seed++) results.push((await runAll({ config: c, seed }, clean.rows)).result);
  }

  const base = clean.result.durationMs;
  console.log(textTable(
    ['faults', 'seed', 'batch.job.duration ms', 'vs no faults', 'failed tasks', 'recomputed map tasks', 'fetch failures',
      'batch.shuffle_bytes MB', 'executor.memory_peak_mb', 'batch.result.diff_count'],
    results.map((r) => [
      r.config, r.seed ?? '-', ms(r.durationMs), `${(r.durationMs / base).toFixed(2)}×`, r.failedTasks, r.recomputedTasks, r.fetchFailures,
      mb(r.metrics.shuffleBytes), Math.round(r.metrics.memoryPeakMb * 10) / 10, r.diffCount,
    ]),
  ));
  console.log(`(each configuration: a new session running the job ${RUNS} times; time: median of the runs after the first; faults and diffs: over all runs; joins as run: ${describeJoins(clean.result.metrics.joins)})`);
  console.log(`fault-free output vs DuckDB running the job as SQL: ${oracleDiff} rows differ`);
  const after = machine();
  console.log(`load average after: ${after.loadAverage.join(', ')}`);

  await fs.mkdir(OUT, { recursive: true });
  await fs.writeFile(path.join(OUT, 'faults.json'), `${JSON.stringify({
    bench: 'faults', date: new Date().toISOString(), machineBefore: before, loadAverageAfter: after.loadAverage,
    config: { orders: ORDERS, seeds: SEEDS, runs: RUNS, faults: CONFIGS }, oracleDiff,
    runs: results.map((r) => ({
      faults: r.config, seed: r.seed, 'batch.job.duration_ms': ms(r.durationMs),
      'batch.shuffle_bytes': r.metrics.shuffleBytes, 'executor.memory_peak_mb': Math.round(r.metrics.memoryPeakMb * 10) / 10,
      'process.rss_peak_mb': Math.round(r.metrics.rssPeakMb),
      failedTasks: r.failedTasks, recomputedTasks: r.recomputedTasks, fetchFailures: r.fetchFailures, 'batch.result.diff_count': r.diffCount,
    })),
  }, null, 2)}\n`);

  const bad = results.filter((r) => r.diffCount !== 0);
  for (const r of bad) console.error(`FAIL: ${r.config}, seed ${r.seed}: batch.result.diff_count ${r.diffCount}`);
  if (oracleDiff !== 0) console.error(`FAIL: the fault-free output differs from DuckDB's in ${oracleDiff} rows`);
  if (bad.length > 0 || oracleDiff !== 0) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
