// ShuffleRead: one reduce partition's bucket of every map task of a parent stage.
import type { PhysicalPlan } from '../../planner/physical/physical.js';
import type { Batch } from '../batch.js';
import { fromWire, wireBytes } from '../wire.js';
import type { TaskEnv } from './env.js';
import { shuffleKey } from '../task.js';

type ReadNode = Extract<PhysicalPlan, { kind: 'ShuffleRead' }>;

export function* runShuffleRead(p: ReadNode, partition: number, env: TaskEnv): Generator<Batch> {
  const blocks = env.msg.shuffle[shuffleKey(p.stageId, partition)];
  if (!blocks) throw new Error(`internal: bucket ${partition} of stage ${p.stageId}'s shuffle was not shipped with the task`);
  for (const w of blocks) {
    env.metrics.shuffleReadBytes += wireBytes(w);
    env.metrics.inputRecords += w.length;
    yield fromWire(w);
  }
}

type BroadcastNode = Extract<PhysicalPlan, { kind: 'BroadcastRead' }>;

/** BroadcastRead: every row of a broadcast side (shared memory, read in place). */
export function* runBroadcastRead(p: BroadcastNode, env: TaskEnv): Generator<Batch> {
  const blocks = env.msg.broadcast[p.stageId];
  if (!blocks) throw new Error(`internal: broadcast of stage ${p.stageId} was not shipped with the task`);
  for (const w of blocks) yield fromWire(w);
}
