// ShuffleRead: this reduce partition's bucket of every map task of a parent stage.
import type { PhysicalPlan } from '../../planner/physical/physical.js';
import type { Batch } from '../batch.js';
import { fromWire, wireBytes } from '../wire.js';
import type { TaskEnv } from './env.js';

type ReadNode = Extract<PhysicalPlan, { kind: 'ShuffleRead' }>;

export function* runShuffleRead(p: ReadNode, env: TaskEnv): Generator<Batch> {
  const blocks = env.msg.shuffle[p.stageId];
  if (!blocks) throw new Error(`internal: shuffle output of stage ${p.stageId} was not shipped with the task`);
  for (const w of blocks) {
    env.metrics.shuffleReadBytes += wireBytes(w);
    env.metrics.inputRecords += w.length;
    yield fromWire(w);
  }
}
