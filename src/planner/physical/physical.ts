// The physical plan: operators as they run, named the way Spark users know them. Plain,
// JSON-serializable data — a stage's subtree is shipped to workers as is.
import type { Expr } from '../expr.js';
import type { FileFormat, UdfKind } from '../logical.js';
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
  /** Rows with equal keys land in the same partition. */
  | { readonly kind: 'hash'; readonly keys: readonly Expr[]; readonly n: number }
  /** Whatever the child produced, `n` partitions. */
  | { readonly kind: 'unknown'; readonly n: number };

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
  | { readonly kind: 'LocalTableScan'; readonly id: number; readonly name: string; readonly partitions: number }
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
  /** Reads the output of a finished shuffle-map stage (inserted by the stage splitter). */
  | { readonly kind: 'ShuffleRead'; readonly stageId: number; readonly partitions: number; readonly partitioning: Partitioning }
);

export type PhysicalKind = PhysicalPlan['kind'];

export function physicalChildren(p: PhysicalPlan): readonly PhysicalPlan[] {
  switch (p.kind) {
    case 'FileScan': case 'LocalTableScan': case 'Range': case 'ShuffleRead': return [];
    case 'Filter': case 'Project': case 'MapUdf': case 'HashAggregate': case 'LocalLimit': case 'GlobalLimit': case 'Exchange':
      return [p.input];
    case 'Union': return p.inputs;
    default: return assertNever(p, 'physical operator');
  }
}

/** Number of partitions (= tasks) the operator produces. */
export function numPartitions(p: PhysicalPlan): number {
  switch (p.kind) {
    case 'FileScan': return p.partitions.length;
    case 'LocalTableScan': case 'Range': case 'ShuffleRead': return p.partitions;
    case 'Filter': case 'Project': case 'MapUdf': case 'LocalLimit': return numPartitions(p.input);
    case 'HashAggregate': return numPartitions(p.input);
    case 'GlobalLimit': return 1;
    case 'Union': return p.inputs.reduce((s, x) => s + numPartitions(x), 0);
    case 'Exchange':
      return p.partitioning.kind === 'single' ? 1 : p.partitioning.n;
    default: return assertNever(p, 'physical operator');
  }
}
