// Project: evaluates each output expression over the live rows; plain column references pass
// the input column through untouched.
import type { PhysicalPlan } from '../../planner/physical/physical.js';
import { compileExpr } from '../codegen/compile-expr.js';
import { type Batch, makeBatch } from '../batch.js';

type ProjectNode = Extract<PhysicalPlan, { kind: 'Project' }>;

export async function* runProject(p: ProjectNode, input: AsyncIterable<Batch>): AsyncGenerator<Batch> {
  const fns = p.exprs.map((e) => compileExpr(e, p.input.schema));
  for await (const b of input) {
    yield makeBatch(p.schema, fns.map((f) => f(b)), b.length, b.sel, b.borrowed);
  }
}
