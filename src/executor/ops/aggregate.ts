// HashAggregate. Without grouping keys the partial mode folds this partition's rows into one
// state row and the final mode (one task, after the Exchange) merges every partial state; with
// keys the partial mode keeps one state row per group of its partition and the final mode
// (after the hash Exchange, so all of a key's partials meet in one task) merges them by key.
import type { PhysicalPlan } from '../../planner/physical/physical.js';
import { type Expr, stripAlias, outputName } from '../../planner/expr.js';
import { resolveExpr } from '../../planner/resolve-expr.js';
import { createGlobalAggregator, type AggSpec } from './agg-kernels.js';
import type { Batch } from '../batch.js';
import { createGroupedAggregator } from '../kernels/group-by.js';

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
export async function* runAggregate(p: AggNode, input: AsyncIterable<Batch>, where: Expr | null = null): AsyncGenerator<Batch> {
  if (p.groupBy.length > 0) {
    const agg = createGroupedAggregator(p.groupBy, p.groupBy.map(outputName), specs(p), p.aggInputSchema, p.aggs.map(outputName), where);
    if (p.mode === 'partial') {
      for await (const b of input) agg.update(b);
      yield* agg.partial();
    } else {
      for await (const b of input) agg.merge(b);
      yield* agg.result();
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
