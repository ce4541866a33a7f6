// Benchmark: the settlement job under each join strategy (the chapter's hands-on).
//   1. orders (fact) ⋈ users (100k, small) ⋈ products (1M, medium), aggregated per day, with both
//      joins forced to broadcast hash, shuffled hash or sort-merge (a hint on both dimension
//      sides), and left to the planner (auto);
//   2. the same with the orders doubled;
//   3. at the first size, with 10% of task attempts failing (Session faults), and over a CSV copy
//      of the orders with some records corrupted (read with badRecordsPath), with and without
//      the failures.
// Every run records the chapter's metrics: batch.job.duration, batch.shuffle_bytes,
// executor.memory_peak_mb (the engine's per-task count, and the process RSS) and
// batch.result.diff_count (a multiset diff against the fault-free run of the same input, whose
// output is itself checked against DuckDB running the job as SQL). Prints tables, writes
// bench/results/joins.json and the scaling chart bench/results/joins.svg; exits 1 when any diff
// is not 0.
//   npm run bench:joins     (SPARROW_BENCH_ORDERS=1000000 orders by default, SPARROW_BENCH_REPS=3
//                            timed runs of each, SPARROW_BENCH_BAD_RATE=0.001 corrupted records,
//                            SPARROW_BENCH_OUT=bench/results)
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Session, type Row } from 'sparrow';
import type { SettlementFiles } from '../examples/orders-data.js';
import { ORDERS_CSV_SCHEMA, writeBadOrdersCsv } from './bad-orders.js';
import {
  SHORT_JOIN, STRATEGIES, type RunMetrics, type Strategy, describeJoins, diffCount, duckdbSettlement, envInt, machine, mb, measure, median, ms,
  parquetSources, settlementFiles, settlementJob, textTable,
} from './settlement-job.js';
import { lineChartSvg } from './svg-chart.js';

const ORDERS = envInt('SPARROW_BENCH_ORDERS', 1_000_000);
const REPS = envInt('SPARROW_BENCH_REPS', 3);
const BAD_RATE = Number(process.env['SPARROW_BENCH_BAD_RATE'] ?? 0.001);
const OUT = path.resolve(process.env['SPARROW_BENCH_OUT'] ?? path.join('bench', 'results'));
const FAULTS = { taskFailureRate: 0.1, seed: 1 } as const;

interface RunRecord {
  readonly phase: 'scaling' | 'task failures' | 'bad records' | 'bad records + task failures';
  readonly orders: number;
  readonly strategy: Strategy;
  readonly input: 'parquet' | 'csv with bad records';
  readonly faults: typeof FAULTS | null;
  /** Every timed run's batch.job.duration (ms). */
  readonly durationsMs: number[];
  readonly medianMs: number;
  /** Metrics of the last timed run (shuffle bytes and joins do not vary between runs; RSS is the max). */
  readonly metrics: RunMetrics;
  /** batch.result.diff_count against the fault-free run of the same input (the worst of the runs, untimed ones included). */
  readonly diffCount: number;
}

async function main(): Promise<void> {
  const before = machine();
  const sizes = [ORDERS, 2 * ORDERS];
  console.log(`join strategies on the settlement job: ${sizes.map((n) => n.toLocaleString('en-US')).join(' and ')} orders ⋈ 100,000 users ⋈ 1,000,000 products`);
  console.log(`${REPS} timed run(s) of each, strategies interleaved; load average ${before.loadAverage.join(', ')} on ${before.cpus} cores\n`);
  const files = new Map<number, SettlementFiles>();
  for (const n of sizes) files.set(n, await settlementFiles(n));

  const records: RunRecord[] = [];
  const reference = new Map<number, Row[]>();
  const oracleDiff = new Map<number, number>();
  const session = await Session.create({ progress: false });
  const faulty = await Session.create({ progress: false, faults: FAULTS });
  try {
    // 1–2. Each strategy at each size: an untimed round first (workers start, each strategy's
    //      code paths compile), whose auto run is the size's fault-free reference, checked
    //      against DuckDB; then REPS timed rounds, strategies interleaved so that the machine's
    //      noise hits them alike. Every output, untimed ones included, is diffed.
    for (const n of sizes) {
      const src = parquetSources(session, files.get(n)!);
      const ref = await measure(session, settlementJob(src, 'auto'), `${n} auto (reference, untimed)`);
      reference.set(n, ref.rows);
      oracleDiff.set(n, diffCount(ref.rows, await duckdbSettlement(files.get(n)!)));
      const runs = new Map<Strategy, { ms: number[]; diff: number; metrics: RunMetrics; rss: number }>();
      for (const s of STRATEGIES.filter((x) => x !== 'auto')) {
        const warm = await measure(session, settlementJob(src, s), `${n} ${s} (untimed)`);
        runs.set(s, { ms: [], diff: diffCount(warm.rows, ref.rows), metrics: warm.metrics, rss: 0 });
      }
      for (let r = 0; r < REPS; r++) {
        for (const s of STRATEGIES) {
          const run = await measure(session, settlementJob(src, s), `${n} ${s}`);
          const prev = runs.get(s);
          runs.set(s, {
            ms: [...(prev?.ms ?? []), run.metrics.durationMs],
            diff: Math.max(prev?.diff ?? 0, diffCount(run.rows, ref.rows)),
            metrics: run.metrics,
            rss: Math.max(prev?.rss ?? 0, run.metrics.rssPeakMb),
          });
        }
      }
      for (const s of STRATEGIES) {
        const r = runs.get(s)!;
        records.push({
          phase: 'scaling', orders: n, strategy: s, input: 'parquet', faults: null, durationsMs: r.ms, medianMs: median(r.ms),
          metrics: { ...r.metrics, rssPeakMb: r.rss }, diffCount: r.diff,
        });
      }
    }

    // 3. Failures at the first size: injected task failures under each strategy, then the CSV
    //    copy with corrupted records, fault-free and with the failures.
    const n = sizes[0]!;
    const src = parquetSources(faulty, files.get(n)!);
    const warmDiff = new Map<Strategy, number>();
    for (const s of STRATEGIES) { // an untimed round: this session has workers of its own to warm
      const warm = await measure(faulty, settlementJob(src, s), `${n} ${s} with faults (untimed)`);
      warmDiff.set(s, diffCount(warm.rows, reference.get(n)!));
    }
    for (const s of STRATEGIES) {
      const run = await measure(faulty, settlementJob(src, s), `${n} ${s} with faults`);
      const diff = Math.max(warmDiff.get(s)!, diffCount(run.rows, reference.get(n)!));
      records.push(single('task failures', n, s, 'parquet', FAULTS, run.metrics, diff));
    }

    const bad = await writeBadOrdersCsv(files.get(n)!.ordersDir, BAD_RATE);
    const quarantine = await fs.mkdtemp(path.join(os.tmpdir(), 'sparrow-bench-bad-records-'));
    try {
      const csvJob = (ss: Session) => settlementJob({
        ...parquetSources(ss, files.get(n)!),
        orders: ss.read.csv(bad.dir, { schema: ORDERS_CSV_SCHEMA, badRecordsPath: quarantine }),
      }, 'auto');
      const clean = await measure(session, csvJob(session), 'csv with bad records');
      const expected = await duckdbSettlement(files.get(n)!, bad.badOrderIds);
      const quarantined = await countLines(clean.metrics.badRecordDirs);
      records.push(single('bad records', n, 'auto', 'csv with bad records', null, clean.metrics, diffCount(clean.rows, expected)));
      const withFaults = await measure(faulty, csvJob(faulty), 'csv with bad records and faults');
      const quarantinedFaulty = await countLines(withFaults.metrics.badRecordDirs);
      records.push(single('bad records + task failures', n, 'auto', 'csv with bad records', FAULTS, withFaults.metrics, diffCount(withFaults.rows, clean.rows)));

      const after = machine();
      const badCheck: BadRecordCheck = { corrupted: bad.badOrderIds.length, rows: bad.rows, quarantined, quarantinedFaulty };
      const problems = report(records, sizes, oracleDiff, badCheck);
      await writeResults(records, sizes, oracleDiff, before, after, badCheck);
      console.log(`\nload average after: ${after.loadAverage.join(', ')}; wrote ${path.relative(process.cwd(), path.join(OUT, 'joins.json'))} and joins.svg`);
      if (problems.length > 0) {
        for (const p of problems) console.error(`FAIL: ${p}`);
        process.exitCode = 1;
      }
    } finally {
      await fs.rm(quarantine, { recursive: true, force: true });
    }
  } finally {
    await session.stop();
    await faulty.stop();
  }
}

function single(phase: RunRecord['phase'], orders: number, strategy: Strategy, input: RunRecord['input'], faults: RunRecord['faults'], m: RunMetrics, diff: number): RunRecord {
  return { phase, orders, strategy, input, faults, durationsMs: [m.durationMs], medianMs: m.durationMs, metrics: m, diffCount: diff };
}

interface BadRecordCheck {
  readonly corrupted: number;
  readonly rows: number;
  readonly quarantined: number;
  readonly quarantinedFaulty: number;
}

/** Prints the tables and the verdict on automatic selection; returns what went wrong. */
function report(records: readonly RunRecord[], sizes: readonly number[], oracleDiff: ReadonlyMap<number, number>, bad: BadRecordCheck): string[] {
  const problems: string[] = [];
  const fmtFaults = (f: RunRecord['faults']) => (f ? `${f.taskFailureRate * 100}% tasks fail` : 'none');
  console.log(textTable(
    ['phase', 'orders', 'strategy', 'joins as run', 'input', 'faults', `batch.job.duration ms${REPS > 1 ? ' (median)' : ''}`, 'min–max',
      'batch.shuffle_bytes MB', 'executor.memory_peak_mb', 'rss peak MB', 'failed tasks', 'batch.result.diff_count'],
    records.map((r) => [
      r.phase, r.orders, r.strategy, describeJoins(r.metrics.joins), r.input, fmtFaults(r.faults), ms(r.medianMs),
      r.durationsMs.length > 1 ? `${ms(Math.min(...r.durationsMs))}–${ms(Math.max(...r.durationsMs))}` : '',
      mb(r.metrics.shuffleBytes), Math.round(r.metrics.memoryPeakMb * 10) / 10, Math.round(r.metrics.rssPeakMb), r.metrics.failedTasks, r.diffCount,
    ]),
  ));
  console.log('(executor.memory_peak_mb: the largest peak the engine counted in one task; rss peak: the whole process, driver and workers, sampled every 5 ms)');

  console.log('');
  for (const n of sizes) {
    const at = records.filter((r) => r.phase === 'scaling' && r.orders === n);
    const auto = at.find((r) => r.strategy === 'auto')!;
    const forced = at.filter((r) => r.strategy !== 'auto').sort((a, b) => a.medianMs - b.medianMs);
    const fastest = forced[0]!;
    const verdict = auto.medianMs <= fastest.medianMs
      ? `as fast as or faster than the fastest forced strategy (${fastest.strategy}, ${ms(fastest.medianMs)} ms)`
      : `${(auto.medianMs / fastest.medianMs).toFixed(2)}× the fastest forced strategy (${fastest.strategy}, ${ms(fastest.medianMs)} ms)`;
    console.log(`${n.toLocaleString('en-US')} orders: auto ran ${describeJoins(auto.metrics.joins)} in ${ms(auto.medianMs)} ms: ${verdict}`);
    for (const d of auto.metrics.decisions) if (/^Join |adaptive: .*(broadcast|join)/i.test(d)) console.log(`  decision: ${d}`);
    console.log(`  fault-free output vs DuckDB running the job as SQL: ${oracleDiff.get(n)} rows differ`);
    if (oracleDiff.get(n) !== 0) problems.push(`${n} orders: the fault-free output differs from DuckDB's in ${oracleDiff.get(n)} rows`);
  }
  const [a, b] = sizes;
  const scale = (s: Strategy) => {
    const t = (n: number | undefined) => records.find((r) => r.phase === 'scaling' && r.orders === n && r.strategy === s)!.medianMs;
    return (t(b) / t(a)).toFixed(2);
  };
  console.log(`time at 2× the orders / time at 1×: ${STRATEGIES.map((s) => `${s} ${scale(s)}×`).join(', ')}`);
  console.log(`bad records: ${bad.corrupted} of ${bad.rows.toLocaleString('en-US')} CSV records corrupted; quarantined ${bad.quarantined} (fault-free run) and ${bad.quarantinedFaulty} (with task failures)`);
  if (bad.quarantined !== bad.corrupted || bad.quarantinedFaulty !== bad.corrupted) {
    problems.push(`bad records: ${bad.corrupted} corrupted but ${bad.quarantined} / ${bad.quarantinedFaulty} quarantined`);
  }
  for (const r of records) {
    if (r.diffCount !== 0) problems.push(`${r.phase}, ${r.orders} orders, ${r.strategy}: batch.result.diff_count ${r.diffCount}`);
  }
  return problems;
}

async function writeResults(
  records: readonly RunRecord[], sizes: readonly number[], oracleDiff: ReadonlyMap<number, number>,
  before: ReturnType<typeof machine>, after: ReturnType<typeof machine>, bad: BadRecordCheck,
): Promise<void> {
  await fs.mkdir(OUT, { recursive: true });
  const json = {
    bench: 'joins', date: new Date().toISOString(), machineBefore: before, loadAverageAfter: after.loadAverage,
    config: { orders: sizes, users: 100_000, products: 1_000_000, reps: REPS, badRecordRate: BAD_RATE, faults: FAULTS },
    oracleDiff: Object.fromEntries(oracleDiff), badRecords: bad,
    runs: records.map((r) => ({
      phase: r.phase, orders: r.orders, strategy: r.strategy, input: r.input, faults: r.faults,
      joins: r.metrics.joins,
      'batch.job.duration_ms': { median: ms(r.medianMs), runs: r.durationsMs.map(ms) },
      'engine.job.duration_ms': ms(r.metrics.engineDurationMs),
      'batch.shuffle_bytes': r.metrics.shuffleBytes,
      'executor.memory_peak_mb': Math.round(r.metrics.memoryPeakMb * 10) / 10,
      'process.rss_peak_mb': Math.round(r.metrics.rssPeakMb),
      'batch.result.diff_count': r.diffCount,
      failedTasks: r.metrics.failedTasks, retriedTasks: r.metrics.retriedTasks, droppedMalformed: r.metrics.droppedMalformed,
    })),
  };
  await fs.writeFile(path.join(OUT, 'joins.json'), `${JSON.stringify(json, null, 2)}\n`);
  const label = (s: Strategy) => {
    if (s !== 'auto') return { broadcast: 'broadcast hash', shuffle_hash: 'shuffled hash', merge: 'sort-merge' }[s];
    const ran = records.filter((x) => x.phase === 'scaling' && x.strategy === 'auto')
      .map((r) => r.metrics.joins.map((j) => SHORT_JOIN[j.operator]).join(' + '));
    return `auto (${[...new Set(ran)].join(' / ')})`;
  };
  const svg = lineChartSvg({
    title: `Settlement job: time against input size (${REPS > 1 ? `median of ${REPS} runs` : 'one run'})`,
    xLabel: 'orders (⋈ 100k users ⋈ 1M products)',
    yLabel: 'batch.job.duration (ms)',
    subtitle: `${new Date().toISOString().slice(0, 10)}, ${before.cpus} cores, load average ${before.loadAverage[0]} before and ${after.loadAverage[0]} after the run`,
    series: STRATEGIES.map((s) => ({
      name: label(s),
      points: sizes.map((n) => [n, ms(records.find((r) => r.phase === 'scaling' && r.orders === n && r.strategy === s)!.medianMs)] as const),
    })),
  });
  await fs.writeFile(path.join(OUT, 'joins.svg'), svg);
}

/** Lines in the files under each quarantine directory (one malformed record a line). */
async function countLines(dirs: readonly string[]): Promise<number> {
  let lines = 0;
  for (const d of dirs) {
    for (const f of await fs.readdir(d)) {
      if (f.startsWith('.') || f.startsWith('_')) continue;
      const text = await fs.readFile(path.join(d, f), 'utf8');
      lines += text.split('\n').filter((l) => l.trim() !== '').length;
    }
  }
  return lines;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
