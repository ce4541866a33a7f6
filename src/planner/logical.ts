// The logical plan: a closed discriminated union. Every `switch (plan.kind)` ends in
// assertNever so the compiler finds each place a new node must be handled. Nodes are plain
// data (no methods, no data buffers): the planner is pure and plans can be printed, compared
// and rewritten freely. Data held in memory is referenced by id (see LocalRelation).
import type { Expr } from './expr.js';
import type { Schema } from './types.js';
import { assertNever } from './types.js';
import { canonicalKey } from './canonical-key.js';

export type FileFormat = 'parquet' | 'csv' | 'json';

/** Per-row-group facts from file metadata, used for statistics and row-group skipping. */
export interface RowGroupInfo {
  readonly index: number;
  readonly numRows: number;
  readonly totalBytes: number;
  readonly columns: Readonly<Record<string, { readonly min: unknown; readonly max: unknown; readonly nullCount: number | null }>>;
}

export interface SourceFile {
  readonly path: string;
  readonly size: number;
  readonly partitionValues: Readonly<Record<string, unknown>>;
  /** Known for Parquet (from the footer). */
  readonly numRows: number | null;
  readonly rowGroups: readonly RowGroupInfo[] | null;
}

export interface FileSource {
  readonly format: FileFormat;
  /** The path the user gave (for explain). */
  readonly root: string;
  readonly files: readonly SourceFile[];
  /** Columns stored in the files. */
  readonly dataSchema: Schema;
  /** Columns from `key=value` directories, appended after the data columns. */
  readonly partitionSchema: Schema;
  /** Reader options (CSV/JSON mode, delimiter, ...), JSON-serializable. */
  readonly options: Readonly<Record<string, unknown>>;
}

export type UdfKind = 'map' | 'flatMap' | 'mapPartitions' | 'filter';

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';
export const JOIN_TYPES: readonly JoinType[] = ['inner', 'left', 'right', 'full', 'semi', 'anti'];

/** How a persisted dataset's partitions are kept (Spark's names). */
export type StorageLevel = 'MEMORY_ONLY' | 'MEMORY_AND_DISK' | 'DISK_ONLY';

/** A user's choice of join strategy for the side it is put on. */
export type JoinHint = 'broadcast' | 'merge' | 'shuffle_hash';

export type LogicalPlan =
  /** Reads files; `columns` (null = all) and `filters` are filled in by the optimizer. */
  | { readonly kind: 'scan'; readonly source: FileSource; readonly columns: readonly string[] | null; readonly filters: readonly Expr[] }
  /** Rows held by the session, referenced by id; sizes are exact. `inMemoryCache` marks a cached dataset's blocks. */
  | { readonly kind: 'local'; readonly id: number; readonly schema: Schema; readonly numRows: number; readonly sizeBytes: number; readonly partitions: number; readonly name: string; readonly inMemoryCache?: boolean;
      /** Key columns the rows are hash-partitioned on (a cached repartition or aggregate), with their partition count. */
      readonly hashPartitioned?: { readonly keys: readonly string[]; readonly n: number } }
  /**
   * A persisted dataset: `input` is computed once and its partitions kept. A leaf to the
   * optimizer (nothing is pushed into it: every query must see the same cached rows); the
   * engine replaces it by its blocks once they exist.
   */
  | { readonly kind: 'cached'; readonly input: LogicalPlan; readonly cacheId: number; readonly level: StorageLevel }
  /** The integers [start, end) by step, as column `id` (int64). */
  | { readonly kind: 'range'; readonly start: number; readonly end: number; readonly step: number; readonly partitions: number }
  /** Computes named expressions from each input row. */
  | { readonly kind: 'project'; readonly input: LogicalPlan; readonly exprs: readonly Expr[] }
  /** Keeps rows where the condition is TRUE. */
  | { readonly kind: 'filter'; readonly input: LogicalPlan; readonly condition: Expr }
  /** A user lambda over rows; `schema` is its output (null until inferred from a sample). */
  | { readonly kind: 'mapUdf'; readonly input: LogicalPlan; readonly udf: UdfKind; readonly source: string; readonly ctx: unknown; readonly schema: Schema | null; readonly udfId: number }
  /** Groups by `groupBy` (empty = the whole dataset) and computes `aggs`. */
  | { readonly kind: 'aggregate'; readonly input: LogicalPlan; readonly groupBy: readonly Expr[]; readonly aggs: readonly Expr[] }
  /** The first `n` rows. */
  | { readonly kind: 'limit'; readonly input: LogicalPlan; readonly n: number }
  /** All rows of every input, by column position (SQL UNION ALL). */
  | { readonly kind: 'union'; readonly inputs: readonly LogicalPlan[] }
  /**
   * An equi-join on columns named alike on both sides (SQL USING): the output has the keys
   * once (first), then the left's other columns, then the right's; semi/anti keep the left's.
   */
  | { readonly kind: 'join'; readonly left: LogicalPlan; readonly right: LogicalPlan; readonly on: readonly string[]; readonly how: JoinType }
  /** A total order over all rows by `order` (sortKey expressions). */
  | { readonly kind: 'sort'; readonly input: LogicalPlan; readonly order: readonly Expr[] }
  /** Distinct rows (every column compared; NULLs equal each other, -0.0 equals 0.0). */
  | { readonly kind: 'distinct'; readonly input: LogicalPlan }
  /** `n` partitions: hash-partitioned by `keys`, round-robin without keys, or merged without a shuffle (coalesce). */
  | { readonly kind: 'repartition'; readonly input: LogicalPlan; readonly n: number; readonly keys: readonly Expr[]; readonly shuffle: boolean }
  /** A join-strategy hint for the plan below it (hint('broadcast'), broadcast(ds)). */
  | { readonly kind: 'hint'; readonly input: LogicalPlan; readonly hint: JoinHint };

export type LogicalKind = LogicalPlan['kind'];

export function children(p: LogicalPlan): readonly LogicalPlan[] {
  switch (p.kind) {
    case 'scan': case 'local': case 'range': case 'cached': return [];
    case 'project': case 'filter': case 'mapUdf': case 'aggregate': case 'limit':
    case 'sort': case 'distinct': case 'repartition': case 'hint':
      return [p.input];
    case 'union': return p.inputs;
    case 'join': return [p.left, p.right];
    default: return assertNever(p, 'plan node');
  }
}

export function withNewChildren(p: LogicalPlan, kids: readonly LogicalPlan[]): LogicalPlan {
  switch (p.kind) {
    case 'scan': case 'local': case 'range': case 'cached': return p;
    case 'project': case 'filter': case 'mapUdf': case 'aggregate': case 'limit':
    case 'sort': case 'distinct': case 'repartition': case 'hint':
      return { ...p, input: kids[0]! };
    case 'union': return { ...p, inputs: kids };
    case 'join': return { ...p, left: kids[0]!, right: kids[1]! };
    default: return assertNever(p, 'plan node');
  }
}

/** Bottom-up rewrite; returns the same object when nothing changed. */
export function transformUp(p: LogicalPlan, f: (p: LogicalPlan) => LogicalPlan): LogicalPlan {
  const kids = children(p);
  let node = p;
  if (kids.length > 0) {
    const next = kids.map((k) => transformUp(k, f));
    if (next.some((k, i) => k !== kids[i])) node = withNewChildren(p, next);
  }
  return f(node);
}

/** Top-down rewrite: `f` sees a node before its (possibly rewritten) children. */
export function transformDown(p: LogicalPlan, f: (p: LogicalPlan) => LogicalPlan): LogicalPlan {
  const node = f(p);
  const kids = children(node);
  if (kids.length === 0) return node;
  const next = kids.map((k) => transformDown(k, f));
  return next.some((k, i) => k !== kids[i]) ? withNewChildren(node, next) : node;
}

/** Whether two plans are the same data (literals compared losslessly: NaN, ±Infinity, -0). */
export function planEquals(a: LogicalPlan, b: LogicalPlan): boolean {
  return canonicalKey(a) === canonicalKey(b);
}
