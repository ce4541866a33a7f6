// What an operator can reach while it runs inside a task.
import type { TaskMessage, TaskMetrics } from '../task.js';
import type { TaskMemory } from '../task-memory.js';

export interface TaskEnv {
  readonly msg: TaskMessage;
  readonly metrics: TaskMetrics;
  /** Accumulator updates made by this task's lambdas. */
  readonly accumulators: Map<number, number>;
  /** The bytes the task's operators hold, against its share of the memory budget. */
  readonly memory: TaskMemory;
}
