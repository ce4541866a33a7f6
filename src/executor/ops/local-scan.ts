// LocalTableScan: the session's in-memory rows for this partition, read in place from shared memory.
import type { PhysicalPlan } from '../../planner/physical/physical.js';
import { type Batch, sliceBatch } from '../batch.js';
import { fromWire } from '../wire.js';
import type { TaskEnv } from './env.js';

export const LOCAL_BATCH_ROWS = 1 << 16;

type LocalNode = Extract<PhysicalPlan, { kind: 'LocalTableScan' }>;

export function* runLocalScan(p: LocalNode, partition: number, env: TaskEnv): Generator<Batch> {
  const parts = env.msg.local[p.id];
  if (!parts) throw new Error(`internal: data of local relation ${p.id} was not shipped with the task`);
  for (const w of parts[partition] ?? []) {
    env.metrics.inputRecords += w.length;
    const b = fromWire(w);
    // Cache-sized views: downstream scratch (selection vectors, computed columns) stays small
    // and is recycled by the allocator instead of touching fresh pages every time.
    for (let at = 0; at < b.length; at += LOCAL_BATCH_ROWS) yield sliceBatch(b, at, Math.min(b.length, at + LOCAL_BATCH_ROWS));
  }
}
