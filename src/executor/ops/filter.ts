// Filter: narrows each batch's selection vector to the rows where the condition is TRUE.
// Columns are not copied; the next operator reads them through the new selection.
import type { PhysicalPlan } from '../../planner/physical/physical.js';
import { compileFilter } from '../codegen/compile-filter.js';
import { type Batch, makeBatch } from '../batch.js';

type FilterNode = Extract<PhysicalPlan, { kind: 'Filter' }>;

export async function* runFilter(p: FilterNode, input: AsyncIterable<Batch>): AsyncGenerator<Batch> {
  const f = compileFilter(p.condition, p.input.schema);
  for await (const b of input) {
    const sel = f(b);
    if (sel === null) { yield b; continue; }
    if (sel.length === 0) continue;
    yield makeBatch(b.schema, b.columns, b.length, sel, b.borrowed);
  }
}
