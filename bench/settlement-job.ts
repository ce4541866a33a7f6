// The batch-processing chapter's settlement job as a benchmark subject, shared by bench/joins.ts
// and bench/faults.ts: the job itself (with its two joins forced to one strategy or left to the
// planner), one measured run of it with the chapter's metrics, the multiset diff of two outputs,
// and DuckDB running the same job as SQL (the reference the fault-free output is checked against).
//
// The job is examples/demo.ts's, grouped finer (per day, country and category: 210 rows instead
// of 7, so a diff has something to count) and with money summed in whole cents: round(amount ×
// 100) × quantity and the fee in hundredths of a cent are integers far below 2^53, so their sums
// are exact in any order, and the dollars are one division of an exact sum. The output is then
// bit-identical whatever the join strategy, the partitioning, the retries or the engine, and
// `batch.result.diff_count` can demand exact equality.
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Session, col, count, countDistinct, round, sum, type Dataset, type JobInfo, type Row, type StageNode } from 'sparrow';
import { generateSettlementData, type SettlementFiles } from '../examples/orders-data.js';

/** How the two joins run: forced by a hint on both dimension sides, or chosen by the planner. */
export type Strategy = 'auto' | 'broadcast' | 'shuffle_hash' | 'merge';
export const STRATEGIES: readonly Strategy[] = ['auto', 'broadcast', 'shuffle_hash', 'merge'];

/** Products in the medium dimension table (as examples/demo.ts); users, the small one, are 100,000. */
export const PRODUCTS = 1_000_000;

export interface SettlementSources {
  readonly orders: Dataset;
  readonly users: Dataset;
  readonly products: Dataset;
}

/** The Parquet inputs for `orders` rows under ./data, generated once and reused (examples/orders-data.ts). */
export function settlementFiles(orders: number): Promise<SettlementFiles> {
  return generateSettlementData(path.resolve('data'), orders, PRODUCTS);
}

export function parquetSources(session: Session, files: SettlementFiles): SettlementSources {
  return {
    orders: session.read.parquet(files.ordersDir),
    users: session.read.parquet(files.usersFile),
    products: session.read.parquet(files.productsFile),
  };
}

/** paid orders ⋈ users ⋈ products → orders, buyers, revenue, fees and payouts per day, country and category. */
export function settlementJob(src: SettlementSources, strategy: Strategy): Dataset {
  const hinted = (ds: Dataset) => (strategy === 'auto' ? ds : ds.hint(strategy));
  return src.orders
    .filter(col('status').eq('paid').and(col('amount').isNotNull()))
    .join(hinted(src.users), 'user_id')
    .join(hinted(src.products.select('product_id', 'category', 'fee_rate')), 'product_id')
    .withColumn('revenue_cents', round(col('amount').mul(100)).mul(col('quantity')))
    .withColumn('fee_centicents', col('revenue_cents').mul(round(col('fee_rate').mul(100))))
    .groupBy('order_date', 'country', 'category')
    .agg(
      count('*').as('orders'),
      countDistinct('user_id').as('buyers'),
      sum('revenue_cents').as('revenue_cents'),
      sum('fee_centicents').as('fee_centicents'),
    )
    .select(
      col('order_date'), col('country'), col('category'), col('orders'), col('buyers'),
      col('revenue_cents').div(100).as('revenue'),
      col('fee_centicents').div(10_000).as('fees'),
      col('revenue_cents').mul(100).minus(col('fee_centicents')).div(10_000).as('payouts'),
    )
    .orderBy('order_date', 'country', 'category');
}

/** The same job as DuckDB SQL over the same Parquet files (orders minus `excludedOrderIds`). */
export async function duckdbSettlement(files: SettlementFiles, excludedOrderIds: readonly number[] = []): Promise<Row[]> {
  const q = (p: string) => `'${p.replace(/'/g, "''")}'`;
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await db.connect();
  try {
    const excluded = excludedOrderIds.length === 0 ? '' : `AND o.order_id NOT IN (${excludedOrderIds.join(', ')})`;
    const reader = await con.runAndReadAll(`
      SELECT strftime(o.order_date, '%Y-%m-%d') AS order_date, u.country, p.category,
             count(*)::DOUBLE AS orders, count(DISTINCT o.user_id)::DOUBLE AS buyers,
             sum(round(o.amount * 100) * o.quantity) / 100 AS revenue,
             sum(round(o.amount * 100) * o.quantity * round(p.fee_rate * 100)) / 10000 AS fees,
             (sum(round(o.amount * 100) * o.quantity) * 100 - sum(round(o.amount * 100) * o.quantity * round(p.fee_rate * 100))) / 10000 AS payouts
      FROM read_parquet(${q(path.join(files.ordersDir, '*.parquet'))}) o
      JOIN read_parquet(${q(files.usersFile)}) u USING (user_id)
      JOIN read_parquet(${q(files.productsFile)}) p USING (product_id)
      WHERE o.status = 'paid' AND o.amount IS NOT NULL ${excluded}
      GROUP BY ALL ORDER BY ALL`);
    return reader.getRowObjectsJS() as Row[];
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

// ---------------------------------------------------------------------------------------------
// One measured run

/** The chapter's metrics of one run, and what the engine did to get there. */
export interface RunMetrics {
  /** batch.job.duration: the action's wall time, planning and collecting included (ms). */
  readonly durationMs: number;
  /** The engine's own job time (lastJob().durationMs). */
  readonly engineDurationMs: number;
  /** batch.shuffle_bytes: shuffle bytes written, summed over the stages. */
  readonly shuffleBytes: number;
  /** executor.memory_peak_mb: the largest peak memory the engine counted in one task (MiB). */
  readonly memoryPeakMb: number;
  /** The whole process's resident set at its highest while the job ran (driver and worker threads), sampled (MiB). */
  readonly rssPeakMb: number;
  /** The joins as they ran (after adaptive re-planning), by key. */
  readonly joins: readonly ExecutedJoin[];
  /** The planner's and adaptive execution's decisions, with their numbers (lastJob().decisions). */
  readonly decisions: readonly string[];
  readonly failedTasks: number;
  readonly retriedTasks: number;
  readonly recomputedTasks: number;
  readonly fetchFailures: number;
  readonly droppedMalformed: number;
  /** Where the job quarantined malformed records (read option badRecordsPath). */
  readonly badRecordDirs: readonly string[];
}

export interface ExecutedJoin {
  readonly on: string;
  readonly operator: 'BroadcastHashJoin' | 'ShuffledHashJoin' | 'SortMergeJoin';
}

export interface Run {
  readonly rows: Row[];
  readonly metrics: RunMetrics;
}

const MiB = 1024 * 1024;

/** Collects `ds` once and reads the chapter's metrics from lastJob() and a sampled RSS. */
export async function measure(session: Session, ds: Dataset, label = 'job'): Promise<Run> {
  const rss = new RssSampler();
  const started = performance.now();
  let rows: Row[];
  try {
    rows = await ds.collect();
  } finally {
    rss.stop();
  }
  const durationMs = performance.now() - started;
  if (process.env['SPARROW_BENCH_VERBOSE']) process.stderr.write(`  ran ${label} in ${Math.round(durationMs)} ms\n`);
  const job = session.lastJob();
  if (job === null) throw new Error('measure: the session ran no job for the action');
  const total = (k: 'shuffleWriteBytes' | 'failedTasks' | 'retriedTasks' | 'recomputedTasks' | 'fetchFailures' | 'droppedMalformed') =>
    job.stages.reduce((s, st) => s + st[k], 0);
  return {
    rows,
    metrics: {
      durationMs,
      engineDurationMs: job.durationMs,
      shuffleBytes: total('shuffleWriteBytes'),
      memoryPeakMb: job.stages.reduce((m, st) => Math.max(m, st.peakMemoryBytes), 0) / MiB,
      rssPeakMb: rss.peakBytes / MiB,
      joins: executedJoins(job),
      decisions: job.decisions,
      failedTasks: total('failedTasks'),
      retriedTasks: total('retriedTasks'),
      recomputedTasks: total('recomputedTasks'),
      fetchFailures: total('fetchFailures'),
      droppedMalformed: total('droppedMalformed'),
      badRecordDirs: job.badRecords ?? [],
    },
  };
}

/** The process's RSS sampled every 5 ms (worker threads are in it); the peak seen. */
class RssSampler {
  peakBytes = process.memoryUsage.rss();
  private readonly timer = setInterval(() => this.sample(), 5);

  private sample(): void {
    const r = process.memoryUsage.rss();
    if (r > this.peakBytes) this.peakBytes = r;
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}

/** The join operators of the job's stages as they ran: stage by stage, inputs before the operators reading them. */
export function executedJoins(job: JobInfo): ExecutedJoin[] {
  const out: ExecutedJoin[] = [];
  const walk = (p: StageNode['plan']): void => {
    if ('input' in p) walk(p.input);
    if ('left' in p) { walk(p.left); walk(p.right); }
    if ('inputs' in p) for (const x of p.inputs) walk(x);
    if (p.kind === 'BroadcastHashJoin' || p.kind === 'ShuffledHashJoin' || p.kind === 'SortMergeJoin') {
      out.push({ on: p.on.join(', '), operator: p.kind });
    }
  };
  for (const s of job.dag) walk(s.plan);
  return out;
}

export const SHORT_JOIN: Readonly<Record<ExecutedJoin['operator'], string>> = { BroadcastHashJoin: 'BHJ', ShuffledHashJoin: 'SHJ', SortMergeJoin: 'SMJ' };

/** "user_id: BHJ, product_id: SHJ" */
export function describeJoins(joins: readonly ExecutedJoin[]): string {
  return joins.map((j) => `${j.on}: ${SHORT_JOIN[j.operator]}`).join(', ');
}

// ---------------------------------------------------------------------------------------------
// Comparing outputs

/**
 * batch.result.diff_count: rows in one output and not the other, as multisets (a row twice in
 * `a` and once in `b` counts 1). Rows are compared by every column, values exactly.
 */
export function diffCount(a: readonly Row[], b: readonly Row[]): number {
  const counts = new Map<string, number>();
  for (const r of a) { const k = rowKey(r); counts.set(k, (counts.get(k) ?? 0) + 1); }
  for (const r of b) { const k = rowKey(r); counts.set(k, (counts.get(k) ?? 0) - 1); }
  let diff = 0;
  for (const c of counts.values()) diff += Math.abs(c);
  return diff;
}

/** A row as text: columns by name, dates as YYYY-MM-DD, every number as a double's shortest form. */
export function rowKey(r: Row): string {
  return JSON.stringify(Object.keys(r).sort().map((k) => [k, canonical(r[k])]));
}

function canonical(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'bigint') return Number(v);
  if (v === undefined) return null;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Reporting

/** A positive integer from the environment, or `fallback` when unset. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const v = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return v;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no values');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The machine as the run saw it: cores, memory, Node, and the load average (1, 5, 15 min). */
export function machine(): { cpus: number; memoryGb: number; node: string; loadAverage: number[] } {
  return {
    cpus: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** A plain-text table, columns padded; numbers right-aligned. */
export function textTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map((c) => (typeof c === 'number' ? String(c) : c)));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const right = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r: readonly string[]) => r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export const mb = (bytes: number): number => Math.round((bytes / MiB) * 10) / 10;
export const ms = (x: number): number => Math.round(x);
