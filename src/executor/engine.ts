// The driver side of a job: takes a logical plan from the Dataset layer, makes sure every user
// lambda is checked and has an output schema, asks the planner for an analyzed, optimized and
// physical plan cut into stages, and runs the stages on the worker pool.
import { broadcastMemoryLimit } from '../planner/physical/join-selection.js';
import type { Piscina } from 'piscina';
import { analyze, schemaOf } from '../planner/analyzer.js';
import { AnalysisError } from '../planner/errors.js';
import { type LogicalPlan, type StorageLevel, transformUp } from '../planner/logical.js';
import { optimize } from '../planner/optimizer/optimizer.js';
import { planPhysical } from '../planner/physical/planner.js';
import type { PhysicalPlan } from '../planner/physical/physical.js';
import { physicalTreeString } from '../planner/physical/explain-physical.js';
import { outputPartitioning } from '../planner/physical/partitioning.js';
import { splitStages, type StagePlan } from '../planner/physical/stages.js';
import type { Schema } from '../planner/types.js';
import { type Batch, batchBytes, batchToRows } from './batch.js';
import { preflight } from './lambda.js';
import { createPool } from './pool.js';
import { inferRowSchema } from './row-schema.js';
import { runStages, type StageMetrics, type TaskEvent } from './scheduler.js';
import type { TaskOutput } from './task.js';
import { fromWire, type WireBatch, toShared, toWire } from './wire.js';
import { CacheStore, type CacheMetrics } from '../cache/cache-store.js';
import { type Accumulator, decodeCtx } from './shared-vars.js';
import { ModuleRegistry } from './udf-modules.js';
import { DEFAULT_MAX_TASK_FAILURES } from './scheduler.js';
import { FaultInjector, type FaultOptions } from './faults.js';
import type { SpeculationOptions } from './speculation.js';
import { abortBadRecords, commitBadRecords, stampBadRecords } from './io/bad-records.js';
import * as path from 'node:path';

/** Input rows a lambda is tried on before a job; more when those gave no output to infer a schema from. */
const SAMPLE_ROWS = 16;
const WIDE_SAMPLE_ROWS = 1000;

export interface EngineOptions {
  readonly parallelism: number;
  readonly shufflePartitions: number;
  readonly autoBroadcastJoinThreshold: number;
  readonly memoryBudgetBytes: number;
  readonly tmpDir: string;
  /** Adaptive execution settings; null switches it off. */
  readonly adaptive: { readonly advisoryPartitionBytes: number; readonly skewThresholdBytes: number } | null;
  readonly disabledRules: readonly string[];
  /** Attempts of one task that may fail before the job fails (Spark's spark.task.maxFailures; default 4). */
  readonly maxTaskFailures?: number;
  /** Speculative execution of stragglers; null or absent: off. */
  readonly speculation?: SpeculationOptions | null;
  /** Fault injection for tests (faults.ts); null or absent: none. */
  readonly faults?: FaultOptions | null;
}

export interface JobInfo {
  readonly id: number;
  readonly description: string;
  readonly durationMs: number;
  readonly succeeded: boolean;
  readonly stages: readonly StageMetrics[];
  /** Planning decisions, then the adaptive ones taken while the job ran, with their numbers. */
  readonly decisions: readonly string[];
  /** Each stage's operators as they actually ran (after adaptive re-planning). */
  readonly executedPlan: string;
  /** Cached-dataset activity during this job (hits, misses, evictions, recomputed partitions) and what is held after it. */
  readonly cache: CacheMetrics;
  /** Directories holding the malformed records this job quarantined (read option badRecordsPath; io/bad-records.ts). */
  readonly badRecords?: readonly string[];
  /** When the job's stages started (epoch ms); task times are milliseconds after it. */
  readonly startedAt: number;
  /** Worker threads the job ran on. */
  readonly workers: number;
  /** Every planned stage with the stages it reads, and its operators as they ran (as planned when it never ran). */
  readonly dag: readonly StageNode[];
  /** Every task that came back from a worker, in the order they came back. */
  readonly tasks: readonly TaskTiming[];
}

export interface StageNode {
  readonly id: number;
  /** Stages whose shuffle or broadcast output this stage reads. */
  readonly parents: readonly number[];
  readonly output: 'shuffle' | 'broadcast' | 'result';
  readonly plan: PhysicalPlan;
  /** False when the job failed before this stage started. */
  readonly ran: boolean;
  /** Milliseconds after the job started: when the stage's tasks were handed out, and when the last came back (null: it did not). */
  readonly startMs: number | null;
  readonly endMs: number | null;
}

/** One task on the job's timeline. */
export interface TaskTiming {
  readonly stageId: number;
  readonly partition: number;
  readonly attempt: number;
  /** A task of the pass that samples sort keys (range partitioning), not of the stage's real pass. */
  readonly sample: boolean;
  readonly ok: boolean;
  /** Why the attempt did not succeed ('TaskKilled: …' for the loser of a speculative race); null when it did. */
  readonly error: string | null;
  /** Milliseconds after the job started: when the task was handed to the pool. */
  readonly queuedMs: number;
  /** The end is when the result reached the driver, the start that minus the worker's measured run time (the hand-over time when the worker measured none: killed, or its thread died). */
  readonly startMs: number;
  readonly endMs: number;
  readonly inputRecords: number;
  readonly outputRecords: number;
}

/** Follows jobs as they run (the progress bar). Jobs of one engine may overlap when actions run concurrently. */
export interface JobListener {
  jobStarted(job: { readonly id: number; readonly description: string; readonly stageIds: readonly number[] }): void;
  task(jobId: number, e: TaskEvent): void;
  stageDone(jobId: number, m: StageMetrics): void;
  jobEnded(job: JobInfo): void;
}

interface CacheEntry {
  /** The local relation the blocks are served as for the current job (re-registered each time). */
  readonly localId: number | null;
  readonly schema: Schema;
  readonly numRows: number;
  readonly sizeBytes: number;
  readonly partitions: number;
  readonly level: StorageLevel;
  readonly hashPartitioned?: { readonly keys: readonly string[]; readonly n: number };
}

export interface CacheStats extends Readonly<CacheMetrics> {
  readonly entries: number;
  readonly rows: number;
}

export interface PlannedJob {
  readonly analyzed: LogicalPlan;
  readonly optimized: LogicalPlan;
  readonly physical: PhysicalPlan;
  readonly stages: StagePlan;
  readonly trace: readonly { batch: string; rule: string; iteration: number }[];
  /** Physical planning decisions with the numbers behind them. */
  readonly decisions: readonly string[];
}

export class Engine {
  readonly pool: Piscina;
  private readonly local = new Map<number, (readonly WireBatch[])[]>();
  private readonly udfSchemas = new Map<number, Schema | null>();
  /** Lambdas whose output schema had no sample output to be inferred from (so it has no columns). */
  private readonly uninferred = new Set<number>();
  private nextLocalId = 1;
  private readonly caches = new Map<number, CacheEntry>();
  private readonly cacheStore: CacheStore;
  /** Shared variables lambdas may reference through ctx. */
  readonly broadcastVars = new Map<number, Uint8Array>();
  readonly accumulators = new Map<number, Accumulator>();
  /** UDF modules registered with this session (lambdas reach them through ctx). */
  readonly modules = new ModuleRegistry();
  private jobCounter = 0;
  lastJob: JobInfo | null = null;
  /** Notified of every job's start, tasks, stages and end. */
  readonly listeners: JobListener[] = [];

  /** Decides injected faults, one job after another (null without `faults`). */
  private readonly faults: FaultInjector | null;

  constructor(readonly options: EngineOptions) {
    const max = options.maxTaskFailures ?? DEFAULT_MAX_TASK_FAILURES;
    if (!Number.isInteger(max) || max < 1) throw new Error(`maxTaskFailures must be a positive integer, got ${max}`);
    this.faults = options.faults ? new FaultInjector(options.faults, max) : null;
    this.pool = createPool(options.parallelism);
    this.cacheStore = new CacheStore(options.memoryBudgetBytes, path.join(options.tmpDir, 'cache'));
  }

  /** Registers in-memory rows (already split into partitions), copied once into shared memory. */
  registerLocal(partitions: readonly (readonly Batch[])[]): number {
    const id = this.nextLocalId++;
    this.local.set(id, partitions.map((bs) => bs.map((b) => toWire(toShared(b), null))));
    return id;
  }

  /**
   * The plan of a job. Persisted datasets in it are computed first (a job of their own) and
   * replaced by their in-memory blocks; with `materialize` false (explain) a cached dataset not
   * computed yet is planned as its own plan instead, so explaining never runs a job.
   */
  async plan(logical: LogicalPlan, materialize = true): Promise<PlannedJob> {
    const withUdfs = await this.resolveUdfs(logical);
    const withCaches = await this.resolveCaches(withUdfs, materialize);
    const analyzed = this.analyze(withCaches);
    const { plan: optimized, trace } = optimize(analyzed, this.options.disabledRules);
    const { plan: physical, decisions } = planPhysical(optimized, this.options);
    return { analyzed, optimized, physical, stages: splitStages(physical), trace, decisions };
  }

  /** The output schema of a (not yet analyzed) plan; lambdas in it are checked and typed first. */
  async schemaOf(logical: LogicalPlan): Promise<Schema> {
    return schemaOf(this.analyze(await this.resolveUdfs(logical)));
  }

  /** analyze(), with a hint when a lambda's output schema could not be inferred (no sample output). */
  private analyze(plan: LogicalPlan): LogicalPlan {
    try {
      return analyze(plan);
    } catch (err) {
      if (!(err instanceof AnalysisError)) throw err;
      const blind: string[] = [];
      transformUp(plan, (p) => {
        if (p.kind === 'mapUdf' && this.uninferred.has(p.udfId)) blind.push(`${p.udf}()`);
        return p;
      });
      if (blind.length === 0) throw err;
      throw new AnalysisError(
        `${err.message}. Note: the output columns of ${[...new Set(blind)].join(', ')} are unknown: its input sample gave ` +
        `no output rows to infer them from; pass the schema, e.g. .map(fn, ctx, { schema: { column: 'int64' } })`,
      );
    }
  }

  /** Runs a plan; the result stage's output goes to `output`. */
  async run(logical: LogicalPlan, output: TaskOutput, description: string, onlyPartitions: readonly number[] | null = null, countAccumulators = true): Promise<{ partitions: readonly (readonly WireBatch[])[]; files: readonly string[]; schema: Schema; physical: PhysicalPlan }> {
    const cacheBefore = { ...this.cacheStore.metrics };
    // Scans with badRecordsPath get this job's quarantine directory (none for sample jobs).
    const quarantine = stampBadRecords(logical, countAccumulators);
    let badRecords: string[] = [];
    const planned = await this.plan(quarantine.plan);
    const id = ++this.jobCounter;
    const started = performance.now();
    const stages: StageMetrics[] = [];
    const decisions = [...planned.decisions];
    const stagePlans: string[] = [];
    const ranPlans = new Map<number, PhysicalPlan>();
    const stageTimes = new Map<number, { startMs: number; endMs: number | null }>();
    const tasks: TaskTiming[] = [];
    const submitted = new Map<string, number>();
    const onTask = (e: TaskEvent): void => {
      const key = `${e.stageId}/${e.partition}/${e.attempt}/${e.sample}`;
      const now = performance.now() - started;
      if (e.kind === 'start') submitted.set(key, now);
      else {
        const m = e.result.metrics;
        const queuedMs = submitted.get(key) ?? 0;
        tasks.push({
          stageId: e.stageId, partition: e.partition, attempt: e.attempt, sample: e.sample, ok: e.result.ok,
          error: e.result.ok ? null : `${e.result.error.name}: ${e.result.error.message}`,
          queuedMs, startMs: m.durationMs > 0 ? Math.max(queuedMs, now - m.durationMs) : queuedMs, endMs: now,
          inputRecords: m.inputRecords, outputRecords: m.outputRecords,
        });
      }
      for (const l of this.listeners) l.task(id, e);
    };
    const info = (succeeded: boolean): JobInfo => ({
      id, description, durationMs: performance.now() - started, succeeded, stages, decisions, badRecords,
      executedPlan: stagePlans.join('\n\n'),
      startedAt: performance.timeOrigin + started, workers: this.options.parallelism, tasks,
      dag: planned.stages.stages.map((s) => ({
        id: s.id, parents: s.parents, output: s.output.kind, plan: ranPlans.get(s.id) ?? s.plan, ran: ranPlans.has(s.id),
        startMs: stageTimes.get(s.id)?.startMs ?? null, endMs: stageTimes.get(s.id)?.endMs ?? null,
      })),
      cache: {
        hits: this.cacheStore.metrics.hits - cacheBefore.hits,
        misses: this.cacheStore.metrics.misses - cacheBefore.misses,
        evictions: this.cacheStore.metrics.evictions - cacheBefore.evictions,
        recomputedPartitions: this.cacheStore.metrics.recomputedPartitions - cacheBefore.recomputedPartitions,
        bytesInMemory: this.cacheStore.metrics.bytesInMemory,
        bytesOnDisk: this.cacheStore.metrics.bytesOnDisk,
      },
    });
    const adaptive = this.options.adaptive
      ? {
        ...this.options.adaptive, parallelism: this.options.parallelism,
        // A demotion to broadcast must also fit a worker's memory share (join-selection.ts).
        autoBroadcastJoinThreshold: this.options.autoBroadcastJoinThreshold < 0 ? -1
          : Math.min(this.options.autoBroadcastJoinThreshold, broadcastMemoryLimit(this.options.memoryBudgetBytes, this.options.parallelism)),
      }
      : null;
    for (const l of this.listeners) l.jobStarted({ id, description, stageIds: planned.stages.stages.map((s) => s.id) });
    try {
      const r = await runStages(planned.stages, output, {
        pool: this.pool, local: this.local, memoryBudgetBytes: this.options.memoryBudgetBytes, tmpDir: this.options.tmpDir,
        parallelism: this.options.parallelism, adaptive,
        maxTaskFailures: this.options.maxTaskFailures ?? DEFAULT_MAX_TASK_FAILURES,
        speculation: this.options.speculation ?? null, faults: this.faults,
        onStage: (s) => {
          stages.push(s);
          const t = stageTimes.get(s.id);
          if (t) t.endMs = performance.now() - started;
          for (const l of this.listeners) l.stageDone(id, s);
        },
        onDecision: (d) => decisions.push(d),
        onStagePlan: (sid, plan) => {
          ranPlans.set(sid, plan);
          stageTimes.set(sid, { startMs: performance.now() - started, endMs: null });
          stagePlans.push(`== Stage ${sid} ==\n${physicalTreeString(plan)}`);
        },
        onTask,
        broadcastVars: Object.fromEntries(this.broadcastVars),
        onAccumulators: (deltas) => {
          if (!countAccumulators) return;
          for (const [id, d] of Object.entries(deltas)) this.accumulators.get(Number(id))?.add(d);
        },
      }, onlyPartitions);
      badRecords = await commitBadRecords(quarantine.dirs);
      this.lastJob = info(true);
      for (const l of this.listeners) l.jobEnded(this.lastJob);
      return { partitions: r.partitions, files: r.files, schema: planned.physical.schema, physical: planned.physical };
    } catch (err) {
      await abortBadRecords(quarantine.dirs).catch(() => { /* the job's error matters more */ });
      this.lastJob = info(false);
      for (const l of this.listeners) l.jobEnded(this.lastJob);
      throw err;
    }
  }

  /** Runs a plan and gathers its rows; `countAccumulators` false for the engine's own sample jobs. */
  async collectBatches(logical: LogicalPlan, description: string, countAccumulators = true): Promise<{ batches: Batch[]; schema: Schema }> {
    const r = await this.run(logical, { kind: 'result' }, description, null, countAccumulators);
    return { batches: r.partitions.flatMap((bs) => bs.map(fromWire)), schema: r.schema };
  }

  /**
   * Every user lambda is tried on a few sample rows of its input before the job starts (see
   * lambda.ts), and a map's output schema is inferred from what it returned. Both are
   * remembered per lambda node, so repeated actions do not sample again.
   */
  private async resolveUdfs(plan: LogicalPlan): Promise<LogicalPlan> {
    const pending: Extract<LogicalPlan, { kind: 'mapUdf' }>[] = [];
    transformUp(plan, (p) => {
      if (p.kind === 'mapUdf' && !this.udfSchemas.has(p.udfId)) pending.push(p);
      return p;
    });
    // Before any sample job runs: the UDF modules lambdas hold must be this session's.
    for (const node of pending) this.modules.check(node.ctx, node.udf);
    for (const node of pending) {
      // Children first: transformUp visited them first, and the sample of this node's input
      // may itself need an inner lambda's schema (resolved by the recursive plan() call).
      const input = await this.resolveUdfs(node.input);
      const sample = async (n: number) => (await this.collectBatches({ kind: 'limit', input, n }, 'sample for lambda check', false)).batches.flatMap(batchToRows);
      let rows = await sample(SAMPLE_ROWS);
      // Accumulator adds made while checking go nowhere (a throwaway map).
      const decode = (c: unknown) => decodeCtx(c, Object.fromEntries(this.broadcastVars), new Map());
      let outs = preflight(node.source, node.udf, node.ctx, rows, decode);
      const infer = node.udf !== 'filter' && node.schema === null;
      if (infer && outs.length === 0 && rows.length === SAMPLE_ROWS) {
        // A flatMap or mapPartitions that returned nothing for the first rows: look further
        // before inferring its columns.
        rows = await sample(WIDE_SAMPLE_ROWS);
        outs = preflight(node.source, node.udf, node.ctx, rows, decode);
      }
      const schema = node.udf === 'filter' ? null : (node.schema ?? inferRowSchema(outs, node.udf));
      if (infer && outs.length === 0) this.uninferred.add(node.udfId);
      this.udfSchemas.set(node.udfId, schema);
    }
    return transformUp(plan, (p) => {
      if (p.kind !== 'mapUdf' || p.udf === 'filter' || p.schema !== null) return p;
      return { ...p, schema: this.udfSchemas.get(p.udfId) ?? null };
    });
  }

  /** Hits, misses, evictions, recomputed partitions, and what is held in memory and on disk. */
  cacheStats(): CacheStats {
    const m = this.cacheStore.metrics;
    return { ...m, entries: this.caches.size, rows: [...this.caches.values()].reduce((s, e) => s + e.numRows, 0) };
  }

  /** Drops a persisted dataset's blocks (memory and disk); returns the bytes freed from memory. */
  unpersist(cacheId: number): number {
    const e = this.caches.get(cacheId);
    if (!e) return 0;
    this.caches.delete(cacheId);
    if (e.localId !== null) this.local.delete(e.localId);
    return this.cacheStore.remove(cacheId, e.partitions);
  }

  private async resolveCaches(plan: LogicalPlan, materialize: boolean): Promise<LogicalPlan> {
    const found: Extract<LogicalPlan, { kind: 'cached' }>[] = [];
    transformUp(plan, (p) => { if (p.kind === 'cached') found.push(p); return p; });
    const metrics = this.cacheStore.metrics;
    for (const node of found) {
      let entry = this.caches.get(node.cacheId);
      if (!entry && !materialize) continue;
      let parts: (readonly WireBatch[])[];
      if (!entry) {
        metrics.misses++;
        const r = await this.run(node.input, { kind: 'result' }, `compute cached dataset #${node.cacheId}`);
        const part = outputPartitioning(r.physical);
        const hashPartitioned = part.kind === 'hash' && part.keys.every((k) => k.kind === 'col')
          ? { keys: part.keys.map((k) => (k as { name: string }).name), n: part.n } : undefined;
        parts = r.partitions.length > 0 ? r.partitions.map((ws) => ws.map((w) => toWire(toShared(fromWire(w)), null))) : [[]];
        const batches = parts.flat().map(fromWire);
        entry = {
          schema: r.schema, numRows: batches.reduce((s, b) => s + b.length, 0),
          sizeBytes: batches.reduce((s, b) => s + batchBytes(b), 0), partitions: parts.length, level: node.level, localId: null,
          ...(hashPartitioned ? { hashPartitioned } : {}),
        };
        this.caches.set(node.cacheId, entry);
        parts.forEach((ws, p) => this.cacheStore.put(node.cacheId, p, node.level, ws));
      } else {
        metrics.hits++;
        const got = Array.from({ length: entry.partitions }, (_, p) => this.cacheStore.get(node.cacheId, p));
        const missing = got.flatMap((g, p) => (g === null ? [p] : []));
        if (missing.length > 0 && materialize) {
          // Evicted MEMORY_ONLY blocks: recompute just those partitions from the lineage.
          const r = await this.run(node.input, { kind: 'result' }, `recompute ${missing.length} partitions of cached dataset #${node.cacheId}`, missing);
          for (const p of missing) {
            const ws = (r.partitions[p] ?? []).map((w) => toWire(toShared(fromWire(w)), null));
            got[p] = ws;
            this.cacheStore.put(node.cacheId, p, entry.level, ws);
          }
          metrics.recomputedPartitions += missing.length;
        }
        if (got.some((g) => g === null)) continue; // explain: leave it as its plan
        parts = got.map((g) => g!.map((w) => (w.cols.every((c) => c.values.buffer instanceof SharedArrayBuffer) ? w : toWire(toShared(fromWire(w)), null))));
      }
      if (entry.localId !== null) this.local.delete(entry.localId);
      const localId = this.nextLocalId++;
      this.local.set(localId, parts);
      this.caches.set(node.cacheId, { ...entry, localId });
    }
    return transformUp(plan, (p) => {
      if (p.kind !== 'cached') return p;
      const e = this.caches.get(p.cacheId);
      if (!e || e.localId === null) return p.input;
      return {
        kind: 'local', id: e.localId, schema: e.schema, numRows: e.numRows, sizeBytes: e.sizeBytes,
        partitions: e.partitions, name: `#${p.cacheId} ${e.level}`, inMemoryCache: true,
        ...(e.hashPartitioned ? { hashPartitioned: e.hashPartitioned } : {}),
      };
    });
  }

  async stop(): Promise<void> {
    await this.pool.destroy();
    this.cacheStore.clear();
    this.local.clear();
  }
}
