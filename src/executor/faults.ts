// Fault injection, for testing the failure handling (Session.create({ faults })). Three kinds:
//   taskFailureRate  an attempt throws after it did its work (its output, files included, exists
//                    and must be thrown away);
//   workerCrashRate  the worker thread running an attempt exits in the middle of it
//                    (process.exit: piscina replaces the thread);
//   blockLossRate    a map task's shuffle output is dropped from the block manager before the
//                    stage that reads it starts (the reader's fetch fails; the map task reruns).
// Every decision is a hash of the seed and the fault's coordinates (job number in this session,
// stage, partition, attempt), never of timing, so a script meets the same faults run after run.
// An attempt that is its partition's last allowed one (maxTaskFailures) is never hit, and a
// recomputed map output is never dropped again: injected faults alone cannot fail a job, so a
// job's output under faults must equal its fault-free output.

export interface FaultOptions {
  /** Probability that a task attempt throws after doing its work. */
  readonly taskFailureRate?: number;
  /** Probability that the worker thread running a task attempt exits mid-task. */
  readonly workerCrashRate?: number;
  /** Probability that one map task's shuffle output is lost before its reducers read it. */
  readonly blockLossRate?: number;
  /** Seed of the decisions (default 1). */
  readonly seed?: number;
}

/** What an attempt is told to do to itself: throw at its end, or kill its worker thread. */
export type InjectedFault = 'fail' | 'crash';

export class FaultInjector {
  private readonly taskFailureRate: number;
  private readonly workerCrashRate: number;
  private readonly blockLossRate: number;
  private readonly seed: number;
  private jobs = 0;

  constructor(options: FaultOptions, readonly maxTaskFailures: number) {
    this.taskFailureRate = rate(options.taskFailureRate, 'taskFailureRate');
    this.workerCrashRate = rate(options.workerCrashRate, 'workerCrashRate');
    this.blockLossRate = rate(options.blockLossRate, 'blockLossRate');
    const seed = options.seed ?? 1;
    if (!Number.isInteger(seed)) throw new Error(`faults.seed must be an integer, got ${seed}`);
    this.seed = seed;
  }

  /** The faults of the next job (jobs are numbered in the order they start in this session). */
  forJob(): JobFaults {
    return new JobFaults(this.seed, ++this.jobs, this.taskFailureRate, this.workerCrashRate, this.blockLossRate, this.maxTaskFailures);
  }
}

export class JobFaults {
  constructor(
    private readonly seed: number, private readonly job: number,
    private readonly taskFailureRate: number, private readonly workerCrashRate: number,
    private readonly blockLossRate: number, private readonly maxTaskFailures: number,
  ) {}

  /** The fault this attempt meets, if any; `failures` = failed attempts of its partition so far. */
  taskFault(stageId: number, partition: number, attempt: number, failures: number): InjectedFault | null {
    if (failures >= this.maxTaskFailures - 1) return null;
    if (this.workerCrashRate > 0 && this.draw(1, stageId, partition, attempt) < this.workerCrashRate) return 'crash';
    if (this.taskFailureRate > 0 && this.draw(2, stageId, partition, attempt) < this.taskFailureRate) return 'fail';
    return null;
  }

  /** Whether the first output of map task `mapTask` of shuffle `stageId` is lost. */
  losesBlock(stageId: number, mapTask: number): boolean {
    return this.blockLossRate > 0 && this.draw(3, stageId, mapTask, 0) < this.blockLossRate;
  }

  /** A uniform number in [0, 1) from the seed and the coordinates (murmur3's finalizer over a mix). */
  private draw(kind: number, a: number, b: number, c: number): number {
    let h = this.seed >>> 0;
    for (const x of [kind, this.job, a, b, c]) {
      h = Math.imul(h ^ (x >>> 0), 0x9e3779b1);
      h = (h << 13) | (h >>> 19);
      h = Math.imul(h, 5) + 0xe6546b64;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return (h >>> 0) / 4294967296;
  }
}

function rate(v: number | undefined, name: string): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`faults.${name} must be a probability between 0 and 1, got ${String(v)}`);
  return v;
}
