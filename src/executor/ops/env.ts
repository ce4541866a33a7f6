// What an operator can reach while it runs inside a task.
import type { TaskMessage, TaskMetrics } from '../task.js';

export interface TaskEnv {
  readonly msg: TaskMessage;
  readonly metrics: TaskMetrics;
  /** Accumulator updates made by this task's lambdas. */
  readonly accumulators: Map<number, number>;
}
