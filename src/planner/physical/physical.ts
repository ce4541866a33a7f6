// The physical plan: operators as they run, named the way Spark users know them. Plain,
// JSON-serializable data — a stage's subtree is shipped to workers as is.
import type { Expr } from '../expr.js';
import type { FileFormat, JoinType, UdfKind } from '../logical.js';
import type { Stats } from '../statistics.js';
import type { Schema } from '../types.js';
import { assertNever } from '../types.js';

/** One unit of scan work: a file, or some row groups of a Parquet file. */
export interface ScanSplit {
  readonly path: string;
  /** Row groups to read (Parquet), null = the whole file. */
  readonly rowGroups: readonly number[] | null;
  readonly partitionValues: Readonly<Record<string, unknown>>;
  readonly rows: number | null;
  readonly bytes: number;
}

export type Partitioning =
  /** Everything in one partition (whole-dataset aggregates, global limits). */
  | { readonly kind: 'single' }
  /**
   * Rows with equal keys land in the same partition. `userSpecified`: made by repartition(n,
   * ...), so adaptive execution keeps the n partitions asked for (Spark's REPARTITION_BY_NUM).
   */
  | { readonly kind: 'hash'; readonly keys: readonly Expr[]; readonly n: number; readonly userSpecified?: boolean }
  /** Rows sorted by `order` fall into `n` consecutive key ranges split at `bounds`. */
  | { readonly kind: 'range'; readonly order: readonly Expr[]; readonly n: number }
  /** Rows dealt out evenly, one partition after another (repartition(n): kept as asked, like `hash`'s userSpecified). */
  | { readonly kind: 'roundRobin'; readonly n: number; readonly userSpecified?: boolean }
  /** Whatever the child produced, `n` partitions. */
  | { readonly kind: 'unknown'; readonly n: number };

/** What one task of an adaptively re-planned stage reads from a shuffle. */
export interface ShuffleReadSpec {
  readonly buckets: readonly number[];
  /** Map tasks [from, to) whose output is read; null = all. */
  readonly maps: readonly [number, number] | null;
}

/** Which input of a hash join is built into the hash table. */
export type BuildSide = 'left' | 'right';

/** What an equi-join node needs to run, whatever its strategy. */
export interface JoinSpec {
  readonly how: JoinType;
  /** Key column names (USING semantics: the same names on both sides). */
  readonly on: readonly string[];
  /** Set when a user hint chose the strategy: adaptive execution then leaves it alone. */
  readonly hinted?: boolean;
}

interface Common {
  /** Output columns. */
  readonly schema: Schema;
  /** Estimated output of this operator (all partitions). */
  readonly est: Stats;
}

export type PhysicalPlan = Common & (
  /** Reads splits of files, one task per split group; prunes row groups by `pushedFilters`. */
  | { readonly kind: 'FileScan'; readonly format: FileFormat; readonly root: string; readonly partitions: readonly (readonly ScanSplit[])[];
      readonly dataSchema: Schema; readonly partitionSchema: Schema; readonly columns: readonly string[];
      readonly pushedFilters: readonly Expr[]; readonly options: Readonly<Record<string, unknown>>;
      readonly filesTotal: number; readonly rowGroupsTotal: number; readonly rowGroupsRead: number }
  /** Rows the session holds in memory, `partitions` slices of them. */
  | { readonly kind: 'LocalTableScan'; readonly id: number; readonly name: string; readonly partitions: number; readonly inMemoryCache?: boolean;
      readonly hashPartitioned?: { readonly keys: readonly string[]; readonly n: number } }
  /** Generates [start, end) by step as column `id`. */
  | { readonly kind: 'Range'; readonly start: number; readonly end: number; readonly step: number; readonly partitions: number }
  | { readonly kind: 'Filter'; readonly input: PhysicalPlan; readonly condition: Expr }
  | { readonly kind: 'Project'; readonly input: PhysicalPlan; readonly exprs: readonly Expr[] }
  /** A user lambda (map, flatMap, mapPartitions, or a lambda filter). */
  | { readonly kind: 'MapUdf'; readonly input: PhysicalPlan; readonly udf: UdfKind; readonly source: string; readonly ctx: unknown; readonly udfId: number }
  /** Partial aggregation before an Exchange, final aggregation after it. */
  | { readonly kind: 'HashAggregate'; readonly input: PhysicalPlan; readonly mode: 'partial' | 'final';
      readonly groupBy: readonly Expr[]; readonly aggs: readonly Expr[]; readonly aggInputSchema: Schema }
  /** Keeps at most n rows of each partition. */
  | { readonly kind: 'LocalLimit'; readonly input: PhysicalPlan; readonly n: number }
  /** Keeps the first n rows of its single input partition. */
  | { readonly kind: 'GlobalLimit'; readonly input: PhysicalPlan; readonly n: number }
  /** Partitions of every input, one after another. */
  | { readonly kind: 'Union'; readonly inputs: readonly PhysicalPlan[] }
  /** A shuffle boundary: the stage splitter cuts the plan here. */
  | { readonly kind: 'Exchange'; readonly input: PhysicalPlan; readonly partitioning: Partitioning }
  /**
   * Reads the output of a finished shuffle-map stage (inserted by the stage splitter). Adaptive
   * execution may give it `reads`: per task, the buckets it reads (coalesced neighbours) and
   * the map tasks it reads them from (a slice of a skewed bucket); the task count follows.
   */
  | { readonly kind: 'ShuffleRead'; readonly stageId: number; readonly partitions: number; readonly partitioning: Partitioning;
      readonly reads?: readonly ShuffleReadSpec[] }
  /** Collects its input on the driver and ships it to every task of the stage above (once per worker). */
  | { readonly kind: 'BroadcastExchange'; readonly input: PhysicalPlan }
  /** Reads a broadcast side (inserted by the stage splitter in place of a BroadcastExchange). */
  | { readonly kind: 'BroadcastRead'; readonly stageId: number }
  /** Hash join with the small side broadcast to every task; the other side is not shuffled. */
  | ({ readonly kind: 'BroadcastHashJoin'; readonly left: PhysicalPlan; readonly right: PhysicalPlan; readonly buildSide: BuildSide } & JoinSpec)
  /** Both sides hash-partitioned on the keys; each task builds a hash table of its build side. */
  | ({ readonly kind: 'ShuffledHashJoin'; readonly left: PhysicalPlan; readonly right: PhysicalPlan; readonly buildSide: BuildSide } & JoinSpec)
  /** Both sides partitioned and sorted on the keys, then merged (sorts spill past the memory budget). */
  | ({ readonly kind: 'SortMergeJoin'; readonly left: PhysicalPlan; readonly right: PhysicalPlan } & JoinSpec)
  /** Sorts each partition by `order` (a total order when its input is range-partitioned). */
  | { readonly kind: 'Sort'; readonly input: PhysicalPlan; readonly order: readonly Expr[] }
  /** Merges input partitions into `n` without a shuffle (coalesce). */
  | { readonly kind: 'CoalescePartitions'; readonly input: PhysicalPlan; readonly n: number }
);

export type PhysicalKind = PhysicalPlan['kind'];

export function physicalChildren(p: PhysicalPlan): readonly PhysicalPlan[] {
  switch (p.kind) {
    case 'FileScan': case 'LocalTableScan': case 'Range': case 'ShuffleRead': case 'BroadcastRead': return [];
    case 'Filter': case 'Project': case 'MapUdf': case 'HashAggregate': case 'LocalLimit': case 'GlobalLimit': case 'Exchange':
    case 'BroadcastExchange': case 'Sort': case 'CoalescePartitions':
      return [p.input];
    case 'Union': return p.inputs;
    case 'BroadcastHashJoin': case 'ShuffledHashJoin': case 'SortMergeJoin': return [p.left, p.right];
    default: return assertNever(p, 'physical operator');
  }
}

/** Number of partitions (= tasks) the operator produces. */
export function numPartitions(p: PhysicalPlan): number {
  switch (p.kind) {
    case 'FileScan': return p.partitions.length;
    case 'LocalTableScan': case 'Range': return p.partitions;
    case 'ShuffleRead': return p.reads ? p.reads.length : p.partitions;
    case 'Filter': case 'Project': case 'MapUdf': case 'LocalLimit': return numPartitions(p.input);
    case 'HashAggregate': return numPartitions(p.input);
    case 'GlobalLimit': return 1;
    case 'Union': return p.inputs.reduce((s, x) => s + numPartitions(x), 0);
    case 'Exchange':
      return p.partitioning.kind === 'single' ? 1 : p.partitioning.n;
    case 'Sort': return numPartitions(p.input);
    case 'CoalescePartitions': return Math.min(p.n, numPartitions(p.input));
    case 'BroadcastExchange': case 'BroadcastRead': return 1;
    // A broadcast join runs one task per partition of its streamed side.
    case 'BroadcastHashJoin': return numPartitions(p.buildSide === 'right' ? p.left : p.right);
    case 'ShuffledHashJoin': case 'SortMergeJoin': return numPartitions(p.left);
    default: return assertNever(p, 'physical operator');
  }
}
