// LocalTableScan: the session's in-memory rows for this partition, read in place from shared memory.
import type { PhysicalPlan } from '../../planner/physical/physical.js';
import type { Batch } from '../batch.js';
import { fromWire } from '../wire.js';
import type { TaskEnv } from './env.js';

type LocalNode = Extract<PhysicalPlan, { kind: 'LocalTableScan' }>;

export function* runLocalScan(p: LocalNode, partition: number, env: TaskEnv): Generator<Batch> {
  const parts = env.msg.local[p.id];
  if (!parts) throw new Error(`internal: data of local relation ${p.id} was not shipped with the task`);
  for (const w of parts[partition] ?? []) {
    env.metrics.inputRecords += w.length;
    yield fromWire(w);
  }
}
