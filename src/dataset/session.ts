// Session: the entry point. It owns the worker pool (through the engine) and the data sources.
import * as os from 'node:os';
import * as path from 'node:path';
import type * as arrow from 'apache-arrow';
import type { LogicalPlan } from '../planner/logical.js';
import { type DataType, type Field, type Schema, parseTypeName } from '../planner/types.js';
import { type Batch, rowsToBatch, sliceBatch, concatBatches, batchBytes } from '../executor/batch.js';
import { tableToBatches, arrowSchemaToSchema } from '../executor/arrow.js';
import { Engine, type CacheStats } from '../executor/engine.js';
import { JobReport } from '../report/job-report.js';
import { ProgressBar, type ProgressMode } from '../report/progress.js';
import { Accumulator, Broadcast } from '../executor/shared-vars.js';
import type { FaultOptions } from '../executor/faults.js';
import { type SpeculationOptions, speculationOptions } from '../executor/speculation.js';
import type { UdfModule } from '../executor/udf-modules.js';
import { Dataset, type Row } from './dataset.js';
import { DataFrameReader } from './reader.js';

/** Spark's default for spark.sql.autoBroadcastJoinThreshold. */
export const DEFAULT_BROADCAST_THRESHOLD = 10 * 1024 * 1024;
/** What the engine may hold in shuffle blocks, hash tables and sort buffers before spilling. */
export const DEFAULT_MEMORY_BUDGET_MB = 1024;

export interface SessionOptions {
  /** Worker threads; default: the machine's available cores. */
  readonly parallelism?: number;
  /** Partitions after a shuffle; default 2 × parallelism. */
  readonly shufflePartitions?: number;
  /** Bytes; default 10 MiB; -1 disables broadcast joins (used by the join planner). */
  readonly autoBroadcastJoinThreshold?: number;
  readonly memoryBudgetMb?: number;
  readonly tmpDir?: string;
  /**
   * A progress bar on stderr while a job runs: 'auto' (default) draws it only when stderr is a
   * terminal, true always, false never.
   */
  readonly progress?: ProgressMode;
  /** Attempts of one task that may fail (throw, or lose its worker) before the job fails; default 4 (spark.task.maxFailures). */
  readonly maxTaskFailures?: number;
  /** Speculative execution of straggling tasks (default off, as in Spark): true, or some of the settings. */
  readonly speculation?: boolean | Partial<SpeculationOptions>;
  /** Fault injection, for tests: failing tasks, dying workers, lost shuffle blocks, deterministic per seed. */
  readonly faults?: FaultOptions;
  /** Optimizer rules to switch off, by name (e.g. 'push-down-filter'). */
  readonly disabledRules?: readonly string[];
  /** Adaptive execution: re-plan with measured shuffle sizes (default true). */
  readonly adaptive?: boolean;
  /** Adaptive coalescing aims at tasks reading about this much shuffle data (default 16). */
  readonly advisoryPartitionSizeMb?: number;
  /** A shuffle partition over this size (and 5× its side's median) is split (default 16). */
  readonly skewedPartitionThresholdMb?: number;
}

export interface CreateOptions {
  readonly partitions?: number;
  /** Column types ({ column: typeName }); inferred from the rows when absent. */
  readonly schema?: Readonly<Record<string, string>>;
}

export class Session {
  readonly read: DataFrameReader;
  private stopped = false;
  private report: JobReport | null = null;

  private constructor(private readonly engine: Engine, readonly options: Required<Pick<SessionOptions, 'parallelism' | 'shufflePartitions'>> & SessionOptions) {
    this.read = new DataFrameReader(engine);
  }

  static async create(options: SessionOptions = {}): Promise<Session> {
    const parallelism = options.parallelism ?? os.availableParallelism();
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new Error(`parallelism must be a positive integer, got ${parallelism}`);
    const shufflePartitions = options.shufflePartitions ?? 2 * parallelism;
    const threshold = options.autoBroadcastJoinThreshold ?? DEFAULT_BROADCAST_THRESHOLD;
    const memoryBudgetMb = options.memoryBudgetMb ?? DEFAULT_MEMORY_BUDGET_MB;
    if (!(memoryBudgetMb > 0)) throw new Error(`memoryBudgetMb must be positive, got ${memoryBudgetMb}`);
    const engine = new Engine({
      parallelism, shufflePartitions, disabledRules: options.disabledRules ?? [],
      autoBroadcastJoinThreshold: threshold, memoryBudgetBytes: memoryBudgetMb * 1024 * 1024,
      tmpDir: options.tmpDir ?? path.join(os.tmpdir(), `sparrow-${process.pid}`),
      adaptive: options.adaptive === false ? null : {
        advisoryPartitionBytes: (options.advisoryPartitionSizeMb ?? 16) * 1024 * 1024,
        skewThresholdBytes: (options.skewedPartitionThresholdMb ?? 16) * 1024 * 1024,
      },
      ...(options.maxTaskFailures !== undefined ? { maxTaskFailures: options.maxTaskFailures } : {}),
      speculation: speculationOptions(options.speculation), faults: options.faults ?? null,
    });
    const bar = ProgressBar.create(options.progress ?? 'auto', process.stderr, { workers: parallelism });
    if (bar) engine.listeners.push(bar);
    return new Session(engine, { ...options, parallelism, shufflePartitions });
  }

  /** A read-only value shipped once to every worker: pass it in a lambda's ctx and read ctx.<name>. */
  broadcast<T>(value: T): Broadcast<T> {
    this.checkOpen();
    return new Broadcast(value);
  }

  /** A number tasks add to through ctx (ctx.<name>.add(x)); read `.value` after an action. */
  accumulator(initial = 0, name?: string): Accumulator {
    const acc = new Accumulator(initial, name);
    this.engine.accumulators.set(acc.id, acc);
    return acc;
  }

  /**
   * Registers a module of helper functions for lambdas: a path (relative to the working
   * directory) or a file: URL, .js or — under tsx/vitest — .ts. It is imported now on the driver
   * (an import error throws here, naming the file), and once per worker thread by the first task
   * whose lambda holds it. Pass the handle in ctx and call its exports there:
   * `ds.map((p, ctx) => ctx.geo.nearest(p, ctx.centers), { geo, centers })`. Type it with the
   * module's type: `registerModule<typeof import('./geo.js')>(...)`. Per session; registering
   * a name again returns the same handle for the same file and throws for another file.
   */
  registerModule<M = Record<string, unknown>>(name: string, file: string | URL): Promise<UdfModule<M>> {
    this.checkOpen();
    return this.engine.modules.register<M>(name, file);
  }

  /** Cached datasets: hits, misses (computations), entries, bytes and rows held. */
  cacheStats(): CacheStats {
    return this.engine.cacheStats();
  }

  /**
   * Metrics of the last job: per-stage wall time, tasks, records, bytes, shuffle, memory, the
   * stage DAG and every task's timing; `.toHTML()` renders them as a self-contained page.
   */
  lastJob(): JobReport | null {
    const job = this.engine.lastJob;
    if (job === null) return null;
    if (this.report === null || this.report.id !== job.id) this.report = new JobReport(job);
    return this.report;
  }

  /** A dataset of plain row objects. Column types are inferred unless `schema` is given. */
  createDataset<T extends Row = Row>(rows: readonly T[], options: CreateOptions = {}): Dataset<T> {
    const schema = options.schema ? parseSchema(options.schema) : inferSchemaFromRows(rows);
    const batch = rowsToBatch(schema, rows as readonly Record<string, unknown>[]);
    return this.local<T>([batch], schema, options.partitions, 'LocalRelation');
  }

  /** A dataset over an Arrow table (its buffers are copied once into shared memory). */
  fromArrow(table: arrow.Table, options: { partitions?: number } = {}): Dataset {
    const schema = arrowSchemaToSchema(table.schema);
    return this.local(tableToBatches(table), schema, options.partitions, 'ArrowTable');
  }

  /** The integers [start, end) by step as column `id`; range(n) is [0, n). */
  range(startOrEnd: number, end?: number, step = 1, partitions?: number): Dataset<{ id: number }> {
    const [start, stop] = end === undefined ? [0, startOrEnd] : [startOrEnd, end];
    const plan: LogicalPlan = { kind: 'range', start, end: stop, step, partitions: partitions ?? this.options.parallelism };
    return new Dataset(this.engine, async () => plan);
  }

  private local<T>(batches: readonly Batch[], schema: Schema, partitions: number | undefined, name: string): Dataset<T> {
    this.checkOpen();
    const whole = concatBatches(schema, batches);
    const n = Math.max(1, Math.min(partitions ?? this.options.parallelism, Math.max(whole.length, 1)));
    const parts: Batch[][] = [];
    for (let i = 0; i < n; i++) {
      const from = Math.floor((whole.length * i) / n);
      const to = Math.floor((whole.length * (i + 1)) / n);
      parts.push(to > from ? [sliceBatch(whole, from, to)] : []);
    }
    const id = this.engine.registerLocal(parts);
    const plan: LogicalPlan = { kind: 'local', id, schema, numRows: whole.length, sizeBytes: batchBytes(whole), partitions: n, name };
    return new Dataset<T>(this.engine, async () => plan);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.engine.stop();
  }

  private checkOpen(): void {
    if (this.stopped) throw new Error('this session was stopped; create a new one with Session.create()');
  }
}

function parseSchema(s: Readonly<Record<string, string>>): Schema {
  return Object.entries(s).map(([name, t]) => ({ name, type: parseTypeName(t, `schema of '${name}'`), nullable: true }));
}

/** Column types from plain rows: integers → int64, other numbers → float64, etc. */
export function inferSchemaFromRows(rows: readonly Record<string, unknown>[]): Schema {
  const types = new Map<string, DataType | null>();
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (row === null || typeof row !== 'object') throw new TypeError(`createDataset: row ${r} is not an object`);
    for (const [k, v] of Object.entries(row)) {
      const t = jsType(v, k, r);
      const prev = types.get(k);
      if (prev === undefined || prev === null) { types.set(k, t); continue; }
      if (t === null || t === prev) continue;
      if ((prev === 'int64' && t === 'float64') || (prev === 'float64' && t === 'int64')) { types.set(k, 'float64'); continue; }
      throw new TypeError(`createDataset: field '${k}' is ${prev} in an earlier row and ${t} in row ${r}; pass { schema } to say which`);
    }
  }
  const out: Field[] = [];
  for (const [name, t] of types) out.push({ name, type: t ?? 'string', nullable: true });
  return out;
}

function jsType(v: unknown, k: string, r: number): DataType | null {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'number': return Number.isInteger(v) ? 'int64' : 'float64';
    case 'bigint': return 'int64';
    case 'string': return 'string';
    case 'boolean': return 'boolean';
    default:
      if (v instanceof Date) return 'timestamp';
      throw new TypeError(`createDataset: row ${r}, field '${k}' holds ${Array.isArray(v) ? 'an array' : 'an object'}; rows must be flat`);
  }
}
