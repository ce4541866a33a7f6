// Sort: orders this partition's rows by the sort keys, spilling sorted runs to disk past the
// task's memory share (external merge sort). Keys that are expressions rather than columns are
// computed into extra columns, sorted on, and dropped again.
import type { Expr } from '../../planner/expr.js';
import type { PhysicalPlan } from '../../planner/physical/physical.js';
import type { Schema } from '../../planner/types.js';
import { type Batch, makeBatch } from '../batch.js';
import { compileExpr } from '../codegen/compile-expr.js';
import { resolveExpr } from '../../planner/resolve-expr.js';
import { ExternalSorter } from '../kernels/external-sort.js';
import type { SortKey } from '../kernels/sort.js';
import type { TaskEnv } from './env.js';
import type { MemoryConsumer } from '../task-memory.js';

type SortNode = Extract<PhysicalPlan, { kind: 'Sort' }>;

export async function* runSort(p: SortNode, input: AsyncIterable<Batch>, env: TaskEnv): AsyncGenerator<Batch> {
  const schema = p.input.schema;
  const { keys, extra } = sortColumns(p.order, schema);
  const extraFns = extra.map((e) => compileExpr(e, schema));
  const sortSchema: Schema = [...schema, ...extra.map((e, i) => ({ name: `__sort_key_${i}`, type: resolveExpr(e, schema, 'orderBy').type, nullable: true }))];
  const { sorter, buffer } = taskSorter(sortSchema, keys, env, 'Sort');
  try {
    for await (const b of input) {
      if (extra.length === 0) { await sorter.add(b); continue; }
      await sorter.add(makeBatch(sortSchema, [...b.columns, ...extraFns.map((f) => f(b))], b.length, b.sel, b.borrowed));
    }
  } catch (err) {
    await sorter.close();
    throw err;
  }
  // Added, not assigned: a sort-merge join runs two Sorts in one task, interleaved.
  let reported = 0;
  const report = () => { env.metrics.spillBytes += sorter.spilledBytes - reported; reported = sorter.spilledBytes; };
  for await (const b of sorter.finish()) {
    report();
    yield extra.length === 0 ? b : makeBatch(schema, b.columns.slice(0, schema.length), b.length, b.sel);
  }
  report();
  buffer.release();
}

/** The smallest run spilled because the task, rather than this sort, is over its share. */
const MIN_EARLY_RUN_BYTES = 1 << 20;

/**
 * An external sorter within the task's memory share: its buffer counts against the share, and
 * when the task as a whole is over it (a sort-merge join runs two sorts in one task, under
 * other operators' state) a run is spilled early, once it is big enough to be worth a file.
 * The caller releases `buffer` when the sorted rows are consumed.
 */
export function taskSorter(schema: Schema, keys: readonly SortKey[], env: TaskEnv, name: string): { sorter: ExternalSorter; buffer: MemoryConsumer } {
  const buffer = env.memory.consumer(name);
  const sorter = new ExternalSorter(schema, keys, {
    memoryBytes: env.msg.memoryBytes, tmpDir: env.msg.tmpDir,
    onBuffered: (bytes) => { buffer.set(bytes); return bytes >= MIN_EARLY_RUN_BYTES && buffer.overBudget(); },
  });
  return { sorter, buffer };
}

/** Sort keys over columns: plain column references map to their index; other keys become extra columns. */
export function sortColumns(order: readonly Expr[], schema: Schema): { keys: SortKey[]; extra: Expr[] } {
  const extra: Expr[] = [];
  const keys = order.map((o): SortKey => {
    if (o.kind !== 'sortKey') throw new Error('internal: Sort needs sort keys');
    const c = o.child;
    let col = c.kind === 'col' ? schema.findIndex((f) => f.name === c.name) : -1;
    if (col < 0) { col = schema.length + extra.length; extra.push(c); }
    return { col, ascending: o.ascending, nullsFirst: o.nullsFirst };
  });
  return { keys, extra };
}
