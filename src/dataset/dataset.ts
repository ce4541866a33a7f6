// Dataset<T>: a lazy handle on a logical plan. Transformations return new Datasets and run
// nothing; actions (collect, count, take, first, show, toArrow, explain, write) plan and run a
// job. The plan is built by a memoized async thunk, because a file source only learns its
// schema and files when an action first needs them.
import type * as arrow from 'apache-arrow';
import type { Expr } from '../planner/expr.js';
import { JOIN_TYPES, type JoinHint, type JoinType, type LogicalPlan, type StorageLevel, type UdfKind } from '../planner/logical.js';
import { logicalTreeString } from '../planner/explain-logical.js';
import { physicalTreeString } from '../planner/physical/explain-physical.js';
import { explainPicture, PICTURE_FORMATS, type PictureFormat } from '../report/explain-picture.js';
import { type Schema, parseTypeName } from '../planner/types.js';
import { batchToRows, concatBatches } from '../executor/batch.js';
import { batchesToTable } from '../executor/arrow.js';
import type { Engine } from '../executor/engine.js';
import { lambdaSource, checkCtx } from '../executor/lambda.js';
import { encodeCtx } from '../executor/shared-vars.js';
import { Column, type ColumnRef, refToExpr } from './column.js';
import { DataFrameWriter } from './writer.js';
import { formatTable } from './show.js';
import { GroupedDataset } from './grouped.js';
import { KeyValueGroupedDataset } from './grouped-by-key.js';

export type Row = Record<string, unknown>;

export type JoinHow = JoinType | 'inner' | 'left_outer' | 'leftouter' | 'right_outer' | 'rightouter' | 'outer' | 'full_outer' | 'fullouter' | 'left_semi' | 'leftsemi' | 'left_anti' | 'leftanti';

const JOIN_ALIASES: Record<string, JoinType> = {
  inner: 'inner', left: 'left', left_outer: 'left', leftouter: 'left', right: 'right', right_outer: 'right',
  rightouter: 'right', full: 'full', outer: 'full', full_outer: 'full', fullouter: 'full', semi: 'semi',
  left_semi: 'semi', leftsemi: 'semi', anti: 'anti', left_anti: 'anti', leftanti: 'anti',
};

const HINT_ALIASES: Record<string, JoinHint> = {
  broadcast: 'broadcast', broadcastjoin: 'broadcast', mapjoin: 'broadcast',
  merge: 'merge', shuffle_merge: 'merge', mergejoin: 'merge', shuffle_hash: 'shuffle_hash',
};

function normalizeJoinType(how: string): JoinType {
  const t = JOIN_ALIASES[how.toLowerCase()];
  if (!t) throw new Error(`unknown join type '${how}'; expected one of ${JOIN_TYPES.join(', ')}`);
  return t;
}
export type ExplainMode = 'simple' | 'extended' | 'cost';
/** 'text' is the plan as explain prints it; the others draw the physical plan (Mermaid or DOT source, or an SVG document). */
export type ExplainFormat = 'text' | PictureFormat;
export interface ExplainOptions {
  readonly mode?: ExplainMode;
  readonly format?: ExplainFormat;
  /** Also print the result with console.log. */
  readonly print?: boolean;
}

export interface UdfOptions {
  /** Output schema of the lambda ({ column: typeName }); inferred from sample rows when absent. */
  readonly schema?: Readonly<Record<string, string>>;
}

let nextUdfId = 1;
let nextCacheId = 1;

export class Dataset<T = Row> {
  private cached: Promise<LogicalPlan> | null = null;

  /** @internal */
  constructor(
    /** @internal */ readonly engine: Engine,
    private readonly build: () => Promise<LogicalPlan>,
  ) {}

  /** @internal The logical plan (resolving file sources on first use). */
  plan(): Promise<LogicalPlan> {
    if (!this.cached) {
      const p = this.build();
      this.cached = p;
      // A failed resolution (a missing file, say) is retried on the next action.
      p.catch(() => { if (this.cached === p) this.cached = null; });
    }
    const persisted = this.persisted;
    if (!persisted) return this.cached;
    // Read at action time, so datasets derived before cache() was called see it too.
    return this.cached.then((input) => ({ kind: 'cached', input, cacheId: persisted.id, level: persisted.level }));
  }

  private persisted: { id: number; level: StorageLevel } | null = null;

  /**
   * Keeps this dataset's partitions once an action computes them; later queries over it (and
   * over datasets derived from it) read them instead of recomputing. Marks this dataset and
   * returns it, as Spark does. The default level is MEMORY_AND_DISK, as for Spark's Dataset.
   */
  persist(level: StorageLevel = 'MEMORY_AND_DISK'): this {
    const known: StorageLevel[] = ['MEMORY_ONLY', 'MEMORY_AND_DISK', 'DISK_ONLY'];
    if (!known.includes(level)) throw new Error(`unknown storage level '${level}'; expected one of ${known.join(', ')}`);
    if (this.persisted && this.persisted.level !== level) {
      throw new Error(`this dataset is already persisted as ${this.persisted.level}; unpersist() it before changing the level`);
    }
    this.persisted ??= { id: nextCacheId++, level };
    return this;
  }

  cache(): this {
    return this.persist();
  }

  /** Drops the kept partitions (they are recomputed if the dataset is persisted again). */
  unpersist(): this {
    if (this.persisted) this.engine.unpersist(this.persisted.id);
    this.persisted = null;
    return this;
  }

  /** The storage level this dataset is persisted at, or null. */
  get storageLevel(): StorageLevel | null {
    return this.persisted?.level ?? null;
  }

  private derive<U>(f: (p: LogicalPlan) => LogicalPlan | Promise<LogicalPlan>): Dataset<U> {
    return new Dataset<U>(this.engine, async () => f(await this.plan()));
  }

  // ---- transformations -------------------------------------------------------------------

  /** Columns by name or Column expression; '*' stands for every input column. */
  select(...cols: (ColumnRef | ColumnRef[])[]): Dataset<Row> {
    const flat = cols.flat();
    return this.derive(async (p) => {
      const exprs: Expr[] = [];
      for (const c of flat) {
        if (c === '*') exprs.push(...(await this.engine.schemaOf(p)).map((f) => ({ kind: 'col', name: f.name }) as Expr));
        else exprs.push(refToExpr(c));
      }
      return { kind: 'project', input: p, exprs };
    });
  }

  /** Adds a column, or replaces the column of that name in place. */
  withColumn(name: string, c: Column): Dataset<Row> {
    return this.derive(async (p) => {
      const fields = await this.engine.schemaOf(p);
      const value: Expr = { kind: 'alias', child: c.expr, name };
      const exprs: Expr[] = fields.map((f) => (f.name === name ? value : { kind: 'col', name: f.name }));
      if (!fields.some((f) => f.name === name)) exprs.push(value);
      return { kind: 'project', input: p, exprs };
    });
  }

  /** Renames a column; a no-op when it does not exist (as in Spark). */
  withColumnRenamed(existing: string, name: string): Dataset<Row> {
    return this.derive(async (p) => {
      const fields = await this.engine.schemaOf(p);
      if (!fields.some((f) => f.name === existing)) return p;
      const exprs: Expr[] = fields.map((f) =>
        f.name === existing ? { kind: 'alias', child: { kind: 'col', name: f.name }, name } : { kind: 'col', name: f.name });
      return { kind: 'project', input: p, exprs };
    });
  }

  /** Drops columns; names that do not exist are ignored (as in Spark). */
  drop(...names: string[]): Dataset<Row> {
    return this.derive(async (p) => {
      const fields = await this.engine.schemaOf(p);
      const keep = fields.filter((f) => !names.includes(f.name));
      return { kind: 'project', input: p, exprs: keep.map((f) => ({ kind: 'col', name: f.name }) as Expr) };
    });
  }

  /**
   * The same rows, typed as U for the lambdas and collect() that follow (Spark's `as[U]`): a
   * compile-time view, nothing is checked or converted at run time.
   */
  as<U>(): Dataset<U> {
    return this as unknown as Dataset<U>;
  }

  /** Keeps rows where the condition is TRUE: a Column, or a lambda `(row, ctx) => boolean`. */
  filter(cond: Column | ((row: T, ctx: any) => boolean), ctx?: unknown): Dataset<T> {
    if (cond instanceof Column) return this.derive((p) => ({ kind: 'filter', input: p, condition: cond.expr }));
    return this.udf<T>('filter', cond, ctx, undefined);
  }

  where(cond: Column | ((row: T, ctx: any) => boolean), ctx?: unknown): Dataset<T> {
    return this.filter(cond, ctx);
  }

  /** Applies a lambda to each row. It runs on worker threads: pass outside values in `ctx`. */
  map<U>(fn: (row: T, ctx: any) => U, ctx?: unknown, options?: UdfOptions): Dataset<U> {
    return this.udf<U>('map', fn, ctx, options);
  }

  flatMap<U>(fn: (row: T, ctx: any) => Iterable<U>, ctx?: unknown, options?: UdfOptions): Dataset<U> {
    return this.udf<U>('flatMap', fn, ctx, options);
  }

  /** Calls the lambda once per partition with all of its rows. */
  mapPartitions<U>(fn: (rows: T[], ctx: any) => Iterable<U>, ctx?: unknown, options?: UdfOptions): Dataset<U> {
    return this.udf<U>('mapPartitions', fn, ctx, options);
  }

  private udf<U>(op: UdfKind, fn: unknown, ctx: unknown, options: UdfOptions | undefined): Dataset<U> {
    return this.udfFromSource<U>(op, lambdaSource(fn, op), ctx, options);
  }

  /** @internal A lambda given as source text (composed lambdas, e.g. groupByKey's). */
  udfFromSource<U>(op: UdfKind, source: string, ctx: unknown, options: UdfOptions | undefined): Dataset<U> {
    ctx = encodeCtx(ctx, this.engine.broadcastVars);
    checkCtx(ctx, op);
    const schema: Schema | null = options?.schema
      ? Object.entries(options.schema).map(([name, t]) => ({ name, type: parseTypeName(t, `${op}() schema`), nullable: true }))
      : null;
    const udfId = nextUdfId++;
    return this.derive((p) => ({ kind: 'mapUdf', input: p, udf: op, source, ctx, schema, udfId }));
  }

  limit(n: number): Dataset<T> {
    return this.derive((p) => ({ kind: 'limit', input: p, n }));
  }

  /** All rows of both, matched by column position (SQL UNION ALL: duplicates are kept). */
  union(other: Dataset<T>): Dataset<T> {
    return new Dataset<T>(this.engine, async () => {
      const [a, b] = await Promise.all([this.plan(), other.plan()]);
      return { kind: 'union', inputs: [a, b] };
    });
  }

  unionAll(other: Dataset<T>): Dataset<T> {
    return this.union(other);
  }

  /** Whole-dataset aggregates: agg(sum('amount').as('total'), count('*')). */
  agg(...aggs: Column[]): Dataset<Row> {
    return this.aggregate([], aggs.map((a) => a.expr));
  }

  /** @internal */
  aggregate(groupBy: readonly Expr[], aggs: readonly Expr[]): Dataset<Row> {
    return this.derive((p) => ({ kind: 'aggregate', input: p, groupBy, aggs }));
  }

  /**
   * Groups rows by the key a lambda computes, for mapGroups / reduceGroups: the typed path for
   * jobs easier to write as code than as column expressions. Keys compare by their JSON text.
   */
  groupByKey<K>(keyFn: (row: T, ctx: any) => K, ctx?: unknown): KeyValueGroupedDataset<K, T> {
    return new KeyValueGroupedDataset<K, T>(this, lambdaSource(keyFn, 'map'), ctx);
  }

  /** Groups rows by keys (names or Columns) for agg(...) or count(). */
  groupBy(...keys: (ColumnRef | ColumnRef[])[]): GroupedDataset {
    const flat = keys.flat();
    if (flat.length === 0) throw new Error('groupBy() needs at least one key; use agg(...) for whole-dataset aggregates');
    return new GroupedDataset(this as Dataset<unknown>, flat);
  }

  /**
   * An equi-join on columns named alike on both sides (`on`: a name or names), SQL USING
   * semantics: the keys appear once. how: 'inner' (default), 'left', 'right', 'full', 'semi',
   * 'anti' (Spark's left_outer, left_semi, ... are accepted too). NULL keys never match.
   */
  join(other: Dataset<any>, on: string | readonly string[], how: JoinHow = 'inner'): Dataset<Row> {
    const keys = typeof on === 'string' ? [on] : [...on];
    const type = normalizeJoinType(how);
    return new Dataset<Row>(this.engine, async () => {
      const [a, b] = await Promise.all([this.plan(), other.plan()]);
      return { kind: 'join', left: a, right: b, on: keys, how: type };
    });
  }

  /** A total order across all partitions: names (ascending) or Columns with asc()/desc(). */
  orderBy(...cols: (ColumnRef | ColumnRef[])[]): Dataset<T> {
    const order = cols.flat().map(refToExpr);
    return this.derive((p) => ({ kind: 'sort', input: p, order }));
  }

  sort(...cols: (ColumnRef | ColumnRef[])[]): Dataset<T> {
    return this.orderBy(...cols);
  }

  /** Distinct rows (NULLs equal each other; -0.0 equals 0.0). */
  distinct(): Dataset<T> {
    return this.derive((p) => ({ kind: 'distinct', input: p }));
  }

  dropDuplicates(): Dataset<T> {
    return this.distinct();
  }

  /** n partitions: hash-partitioned by keys, or round-robin without keys (a shuffle). */
  repartition(n: number, ...keys: ColumnRef[]): Dataset<T> {
    const exprs = keys.map(refToExpr);
    return this.derive((p) => ({ kind: 'repartition', input: p, n, keys: exprs, shuffle: true }));
  }

  /** At most n partitions by merging neighbours, without a shuffle. */
  coalesce(n: number): Dataset<T> {
    return this.derive((p) => ({ kind: 'repartition', input: p, n, keys: [], shuffle: false }));
  }

  /**
   * A join-strategy hint for joins this dataset takes part in: 'broadcast', 'merge' or
   * 'shuffle_hash' (Spark's aliases broadcastjoin, mapjoin, shuffle_merge, mergejoin too).
   */
  hint(name: JoinHint | string): Dataset<T> {
    const h = HINT_ALIASES[name.toLowerCase()];
    if (!h) throw new Error(`unknown hint '${name}'; expected one of broadcast, merge, shuffle_hash`);
    return this.derive((p) => ({ kind: 'hint', input: p, hint: h }));
  }

  // ---- actions ---------------------------------------------------------------------------

  async collect(): Promise<T[]> {
    const { batches } = await this.engine.collectBatches(await this.plan(), 'collect');
    return batches.flatMap(batchToRows) as T[];
  }

  async count(): Promise<number> {
    const p = await this.plan();
    const plan: LogicalPlan = { kind: 'aggregate', input: p, groupBy: [], aggs: [{ kind: 'alias', child: { kind: 'agg', fn: 'count', arg: null }, name: 'count' }] };
    const { batches } = await this.engine.collectBatches(plan, 'count');
    const rows = batches.flatMap(batchToRows);
    return Number(rows[0]?.['count'] ?? 0);
  }

  async take(n: number): Promise<T[]> {
    return this.limit(n).collect();
  }

  /** The first row, or undefined for an empty dataset. */
  async first(): Promise<T | undefined> {
    const rows = await this.take(1);
    return rows[0];
  }

  /** Prints the first n rows as a table (and returns the text). */
  async show(n = 20, options: { truncate?: boolean; print?: boolean } = {}): Promise<string> {
    const p = await this.plan();
    const { batches, schema } = await this.engine.collectBatches({ kind: 'limit', input: p, n: n + 1 }, 'show');
    const rows = batches.flatMap(batchToRows);
    const text = formatTable(schema, rows.slice(0, n), options.truncate ?? true) +
      (rows.length > n ? `\nonly showing top ${n} row${n === 1 ? '' : 's'}` : '');
    if (options.print ?? true) console.log(text);
    return text;
  }

  async toArrow(): Promise<arrow.Table> {
    const { batches, schema } = await this.engine.collectBatches(await this.plan(), 'toArrow');
    return batchesToTable(schema, batches.length > 1 ? [concatBatches(schema, batches)] : batches);
  }

  /** The output columns, as resolved by the analyzer. */
  async schema(): Promise<Schema> {
    return this.engine.schemaOf(await this.plan());
  }

  async columns(): Promise<string[]> {
    return (await this.schema()).map((f) => f.name);
  }

  /** The plan as Spark-style text: 'simple' (physical), 'extended' (all phases), 'cost' (with statistics). */
  async explain(modeOrFormat: ExplainMode | PictureFormat | ExplainOptions = 'simple', options: { print?: boolean } = {}): Promise<string> {
    const o: ExplainOptions = typeof modeOrFormat === 'object'
      ? modeOrFormat
      : (PICTURE_FORMATS as readonly string[]).includes(modeOrFormat) ? { format: modeOrFormat as PictureFormat } : { mode: modeOrFormat as ExplainMode };
    const mode = o.mode ?? 'simple';
    const format = o.format ?? 'text';
    if (!['simple', 'extended', 'cost'].includes(mode)) throw new Error(`explain: unknown mode '${String(mode)}'; expected simple, extended or cost`);
    if (format !== 'text' && !PICTURE_FORMATS.includes(format)) throw new Error(`explain: unknown format '${String(format)}'; expected text, mermaid, dot or svg`);
    const logical = await this.plan();
    const planned = await this.engine.plan(logical, false);
    if (format !== 'text') {
      const picture = explainPicture(planned.physical, format);
      if (options.print || o.print) console.log(picture);
      return picture;
    }
    const physical = physicalTreeString(planned.physical);
    let text: string;
    switch (mode) {
      case 'simple':
        text = `== Physical Plan ==\n${physical}`;
        break;
      case 'extended':
        text = [
          '== Analyzed Logical Plan ==', logicalTreeString(planned.analyzed),
          '', '== Optimized Logical Plan ==', logicalTreeString(planned.optimized),
          '', '== Physical Plan ==', physical,
        ].join('\n');
        if (planned.trace.length > 0) {
          text += `\n\n== Rules applied ==\n${planned.trace.map((t) => `${t.batch}: ${t.rule} (iteration ${t.iteration})`).join('\n')}`;
        }
        break;
      case 'cost':
        text = [
          '== Optimized Logical Plan ==', logicalTreeString(planned.optimized, { stats: true }),
          '', '== Physical Plan ==', physical,
        ].join('\n');
        if (planned.decisions.length > 0) text += `\n\n== Planning decisions ==\n${planned.decisions.join('\n')}`;
        break;
    }
    if (options.print || o.print) console.log(text);
    return text;
  }

  get write(): DataFrameWriter {
    return new DataFrameWriter(this.engine, () => this.plan());
  }
}
