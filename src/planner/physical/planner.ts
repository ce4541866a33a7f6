// Logical → physical. Each logical node maps to the operators that run it:
//   - aggregates split around an Exchange: partial work before the shuffle, final after it
//     (MapReduce's map-side combine); SinglePartition without keys, hashpartitioning(keys) with;
//   - distinct is an aggregate grouped by every column;
//   - a global limit is LocalLimit → Exchange SinglePartition → GlobalLimit;
//   - orderBy is Exchange rangepartitioning → Sort (bounds sampled when the stage runs);
//   - joins are chosen by join-selection.ts (hints, broadcast, co-partitioning, shuffled hash,
//     sort-merge), which records the numbers it compared as a decision.
import { schemaOf } from '../analyzer.js';
import type { Expr } from '../expr.js';
import { outputName, stripAlias } from '../expr.js';
import type { JoinHint, LogicalPlan } from '../logical.js';
import { estimate } from '../statistics.js';
import { assertNever } from '../types.js';
import { type PhysicalPlan, numPartitions } from './physical.js';
import { planScan } from './scan-planning.js';
import { definitions, named, substitutable, substitute } from '../rules/substitute.js';
import { ensureHashPartitioned, hashPartitionedOnSubset } from './partitioning.js';
import { selectJoin } from './join-selection.js';

export interface PlannerOptions {
  /** Worker threads: scans aim for at least this many partitions. */
  readonly parallelism: number;
  /** Partitions after a hash shuffle. */
  readonly shufflePartitions: number;
  /** Bytes; a buildable join side at most this large is broadcast; -1 disables. */
  readonly autoBroadcastJoinThreshold: number;
  /** The engine's memory budget (bytes), which bounds per-task hash tables. */
  readonly memoryBudgetBytes: number;
}

export interface PhysicalResult {
  readonly plan: PhysicalPlan;
  /** Planning decisions with the numbers behind them (join strategies, ...). */
  readonly decisions: readonly string[];
}

export function planPhysical(p: LogicalPlan, opts: PlannerOptions): PhysicalResult {
  const decisions: string[] = [];
  return { plan: toPhysical(p, opts, decisions), decisions };
}

function toPhysical(p: LogicalPlan, opts: PlannerOptions, decisions: string[]): PhysicalPlan {
  const schema = schemaOf(p);
  const est = estimate(p);
  const rec = (x: LogicalPlan) => toPhysical(x, opts, decisions);
  switch (p.kind) {
    case 'scan': {
      const sp = planScan(p.source, p.filters, opts.parallelism);
      return {
        kind: 'FileScan', schema, est, format: p.source.format, root: p.source.root, partitions: sp.partitions,
        dataSchema: p.source.dataSchema, partitionSchema: p.source.partitionSchema,
        columns: schema.map((f) => f.name), pushedFilters: p.filters, options: p.source.options,
        filesTotal: sp.filesTotal, rowGroupsTotal: sp.rowGroupsTotal, rowGroupsRead: sp.rowGroupsRead,
      };
    }
    case 'local':
      return { kind: 'LocalTableScan', schema, est, id: p.id, name: p.name, partitions: p.partitions, inMemoryCache: p.inMemoryCache === true,
        ...(p.hashPartitioned ? { hashPartitioned: p.hashPartitioned } : {}) };
    case 'range':
      return { kind: 'Range', schema, est, start: p.start, end: p.end, step: p.step, partitions: p.partitions };
    case 'project':
      return { kind: 'Project', schema, est, input: rec(p.input), exprs: p.exprs };
    case 'filter':
      return { kind: 'Filter', schema, est, input: rec(p.input), condition: p.condition };
    case 'mapUdf':
      return { kind: 'MapUdf', schema, est, input: rec(p.input), udf: p.udf, source: p.source, ctx: p.ctx, udfId: p.udfId };
    case 'aggregate': {
      // Fusion: the aggregate computes its arguments inside its own loop, so a Project right
      // below it (the optimizer has already merged chains of them) is folded into the
      // arguments and keys, and nothing is materialized between the two — unless a projected
      // expression that does work feeds several aggregates or keys (it would be computed once
      // per use per row: nine sums over one sigmoid ran twice as long folded).
      let below = p.input;
      let aggs = p.aggs;
      let groupBy = p.groupBy;
      if (below.kind === 'project' && substitutable(definitions(below.exprs), [...p.aggs, ...p.groupBy])) {
        const defs = definitions(below.exprs);
        aggs = aggs.map((a) => substitute(a, defs));
        // A key keeps its output name: `withColumn('big', ...).groupBy('big')` folds to the
        // expression behind 'big', still named 'big' (a plain column stays a bare column).
        groupBy = groupBy.map((g) => named(stripAlias(substitute(g, defs)), outputName(g)));
        below = below.input;
      }
      return aggregate(rec(below), schemaOf(below), groupBy, aggs, schema, est, opts);
    }
    case 'distinct': {
      const input = rec(p.input);
      const keys = schema.map((f): Expr => ({ kind: 'col', name: f.name }));
      return aggregate(input, schemaOf(p.input), keys, [], schema, est, opts);
    }
    case 'limit': {
      const input = rec(p.input);
      if (numPartitions(input) <= 1) return { kind: 'GlobalLimit', schema, est, input, n: p.n };
      const local: PhysicalPlan = { kind: 'LocalLimit', schema, est, input, n: p.n };
      const exchange: PhysicalPlan = { kind: 'Exchange', schema, est, input: local, partitioning: { kind: 'single' } };
      return { kind: 'GlobalLimit', schema, est, input: exchange, n: p.n };
    }
    case 'union':
      return { kind: 'Union', schema, est, inputs: p.inputs.map(rec) };
    case 'sort': {
      const input = rec(p.input);
      const n = numPartitions(input);
      const ranged: PhysicalPlan = n <= 1 ? input
        : { kind: 'Exchange', schema, est, input, partitioning: { kind: 'range', order: p.order, n: Math.min(opts.shufflePartitions, Math.max(n, opts.parallelism)) } };
      return { kind: 'Sort', schema, est, input: ranged, order: p.order };
    }
    case 'repartition': {
      const input = rec(p.input);
      if (!p.shuffle) return { kind: 'CoalescePartitions', schema, est, input, n: p.n };
      if (p.keys.length === 0) return { kind: 'Exchange', schema, est, input, partitioning: { kind: 'roundRobin', n: p.n, userSpecified: true } };
      return { kind: 'Exchange', schema, est, input, partitioning: { kind: 'hash', keys: p.keys, n: p.n, userSpecified: true } };
    }
    case 'hint':
      return rec(p.input);
    case 'cached':
      throw new Error('internal: a cached dataset reached physical planning before its blocks were computed');
    case 'join': {
      const choice = selectJoin({
        spec: { how: p.how, on: p.on }, left: rec(p.left), right: rec(p.right),
        leftHint: hintOf(p.left), rightHint: hintOf(p.right), schema, est,
      }, opts);
      decisions.push(choice.decision);
      return choice.plan;
    }
    default: return assertNever(p, 'plan node');
  }
}

/**
 * Partial aggregation → Exchange → final aggregation. Without keys the Exchange gathers one
 * partial row per task into a single partition; with keys it hash-partitions the partial
 * groups by key (skipped when the input is already partitioned that way).
 */
function aggregate(
  input: PhysicalPlan, aggInputSchema: PhysicalPlan['schema'], groupBy: readonly Expr[], aggs: readonly Expr[],
  schema: PhysicalPlan['schema'], est: PhysicalPlan['est'], opts: PlannerOptions,
): PhysicalPlan {
  const keyNames = groupBy.map(outputName);
  if (groupBy.length > 0 && groupBy.every((g) => g.kind === 'col')) {
    // Already hash-partitioned on the keys or on some of them (a repartition, a co-partitioned
    // join, an earlier aggregation): all rows of a group are in one partition already, so
    // partial and final aggregation run in one stage — as Spark's HashPartitioning satisfies a
    // ClusteredDistribution on a superset of its keys. The result's partitioning is then left
    // unknown (hash on the subset is not hash on all the keys).
    const n = numPartitions(input);
    if (n > 1 && hashPartitionedOnSubset(input, keyNames)) {
      const partial: PhysicalPlan = { kind: 'HashAggregate', schema, est, input, mode: 'partial', groupBy, aggs, aggInputSchema };
      return { kind: 'HashAggregate', schema, est, input: partial, mode: 'final', groupBy, aggs, aggInputSchema };
    }
  }
  const partialRows = groupBy.length === 0 ? numPartitions(input) : est.rows;
  const partial: PhysicalPlan = {
    kind: 'HashAggregate', schema, est: { ...est, rows: partialRows }, input, mode: 'partial', groupBy, aggs, aggInputSchema,
  };
  const exchange: PhysicalPlan = groupBy.length === 0
    ? { kind: 'Exchange', schema, est: partial.est, input: partial, partitioning: { kind: 'single' } }
    : ensureHashPartitioned(partial, keyNames, opts.shufflePartitions);
  return { kind: 'HashAggregate', schema, est, input: exchange, mode: 'final', groupBy, aggs, aggInputSchema };
}

/** The join hint on a side: on the side itself, or below projections and filters. */
function hintOf(p: LogicalPlan): JoinHint | null {
  switch (p.kind) {
    case 'hint': return p.hint;
    case 'project': case 'filter': return hintOf(p.input);
    default: return null;
  }
}
