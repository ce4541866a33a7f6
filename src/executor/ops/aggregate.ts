// HashAggregate. Without grouping keys the partial mode folds this partition's rows into one
// state row and the final mode (one task, after the Exchange) merges every partial state; with
// keys the partial mode keeps one state row per group of its partition and the final mode
// (after the hash Exchange, so all of a key's partials meet in one task) merges them by key.
//
// Memory: the groups count against the task's share of the budget (task-memory.ts). A partial
// aggregation over budget emits the states it has and starts afresh (the final side merges
// them anyway, as Spark's map-side combine does when it runs short); a final aggregation over
// budget spills its states and finishes bucket by bucket (aggregate-spill.ts).
import type { PhysicalPlan } from '../../planner/physical/physical.js';
import { type Expr, stripAlias, outputName } from '../../planner/expr.js';
import { resolveExpr } from '../../planner/resolve-expr.js';
import { createGlobalAggregator, type AggSpec } from './agg-kernels.js';
import type { Batch } from '../batch.js';
import { createGroupedAggregator } from '../kernels/group-by.js';
import { SpillingFinalAggregator } from './aggregate-spill.js';
import type { TaskEnv } from './env.js';

type AggNode = Extract<PhysicalPlan, { kind: 'HashAggregate' }>;

function specs(p: AggNode): AggSpec[] {
  return p.aggs.map((a) => {
    const e = stripAlias(a);
    if (e.kind !== 'agg') throw new Error(`internal: not an aggregate: ${outputName(a)}`);
    const resultType = resolveExpr(e, p.aggInputSchema, 'agg').type;
    return { fn: e.fn, arg: e.arg, resultType };
  });
}

/**
 * `where` is the condition of a Filter directly below a partial aggregate, which run-plan.ts
 * fuses into the aggregate's loop (the Filter's selection vector is never built).
 */
export async function* runAggregate(p: AggNode, input: AsyncIterable<Batch>, env: TaskEnv, where: Expr | null = null): AsyncGenerator<Batch> {
  if (p.groupBy.length > 0) {
    const aggSpecs = specs(p);
    const create = () => createGroupedAggregator(p.groupBy, p.groupBy.map(outputName), aggSpecs, p.aggInputSchema, p.aggs.map(outputName), where);
    if (p.mode === 'partial') {
      const groups = env.memory.consumer('HashAggregate (partial)');
      let agg = create();
      try {
        for await (const b of input) {
          agg.update(b);
          groups.set(agg.memoryBytes());
          if (groups.overBudget() && agg.groups() > 1) {
            // Consume each flushed batch before the next pull, as for any batch.
            yield* agg.partial();
            agg = create();
            groups.set(0);
          }
        }
        yield* agg.partial();
      } finally {
        groups.release();
      }
    } else {
      const agg = new SpillingFinalAggregator(create, p.groupBy.length, env);
      for await (const b of input) await agg.merge(b);
      let reported = 0;
      for await (const b of agg.result()) {
        env.metrics.spillBytes += agg.spilledBytes - reported;
        reported = agg.spilledBytes;
        yield b;
      }
      env.metrics.spillBytes += agg.spilledBytes - reported;
    }
    return;
  }
  const agg = createGlobalAggregator(specs(p), p.aggInputSchema, p.aggs.map(outputName), where);
  if (p.mode === 'partial') {
    for await (const b of input) agg.update(b);
    yield agg.partial();
  } else {
    for await (const b of input) agg.merge(b);
    yield agg.result();
  }
}
