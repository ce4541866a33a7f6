// Range: the integers of one partition's slice of [start, end) by step, in batches.
import type { PhysicalPlan } from '../../planner/physical/physical.js';
import { type Batch, makeBatch } from '../batch.js';
import type { TaskEnv } from './env.js';

export const RANGE_BATCH_ROWS = 1 << 16;

type RangeNode = Extract<PhysicalPlan, { kind: 'Range' }>;

export function* runRange(p: RangeNode, partition: number, env: TaskEnv): Generator<Batch> {
  const total = Math.max(0, Math.ceil((p.end - p.start) / p.step));
  const from = Math.floor((total * partition) / p.partitions);
  const to = Math.floor((total * (partition + 1)) / p.partitions);
  for (let at = from; at < to; at += RANGE_BATCH_ROWS) {
    const n = Math.min(RANGE_BATCH_ROWS, to - at);
    const values = new Float64Array(n);
    const base = p.start + at * p.step;
    for (let i = 0; i < n; i++) values[i] = base + i * p.step;
    env.metrics.inputRecords += n;
    yield makeBatch(p.schema, [{ type: 'int64', length: n, values, offsets: null, valid: null }], n);
  }
}
