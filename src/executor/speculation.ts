// Speculative execution, as Spark's (spark.speculation, off by default): once `quantile` of a
// stage's tasks have succeeded, a task whose only running attempt has run longer than
// `multiplier` × the median duration of the successful ones (and at least `minTaskRuntimeMs`)
// gets one more attempt. The first attempt to succeed wins; the other is killed (retry.ts).

export interface SpeculationOptions {
  /** How many times slower than the median a task must be (spark.speculation.multiplier). */
  readonly multiplier: number;
  /** Fraction of the stage's tasks that must have succeeded first (spark.speculation.quantile). */
  readonly quantile: number;
  /** A task running less than this is never speculated (spark.speculation.minTaskRuntime). */
  readonly minTaskRuntimeMs: number;
  /** How often running tasks are checked (spark.speculation.interval). */
  readonly intervalMs: number;
}

export const SPECULATION_DEFAULTS: SpeculationOptions = { multiplier: 1.5, quantile: 0.75, minTaskRuntimeMs: 100, intervalMs: 100 };

/** The session option (`speculation: true` or some of the settings) as settings, or null when off. */
export function speculationOptions(o: boolean | Partial<SpeculationOptions> | undefined): SpeculationOptions | null {
  if (o === undefined || o === false) return null;
  const s = o === true ? SPECULATION_DEFAULTS : { ...SPECULATION_DEFAULTS, ...o };
  if (!(s.multiplier >= 1)) throw new Error(`speculation.multiplier must be at least 1, got ${s.multiplier}`);
  if (!(s.quantile > 0 && s.quantile <= 1)) throw new Error(`speculation.quantile must be in (0, 1], got ${s.quantile}`);
  if (!(s.minTaskRuntimeMs >= 0)) throw new Error(`speculation.minTaskRuntimeMs must be at least 0, got ${s.minTaskRuntimeMs}`);
  if (!(s.intervalMs > 0)) throw new Error(`speculation.intervalMs must be positive, got ${s.intervalMs}`);
  return s;
}

/**
 * The partitions to launch a speculative attempt for, given the stage's task count, the
 * durations of its successful tasks, and the running tasks eligible for one (a single attempt
 * running, none speculated yet) with how long they have run.
 */
export function speculatable(
  o: SpeculationOptions, numTasks: number, succeededMs: readonly number[],
  running: readonly { readonly partition: number; readonly runningMs: number }[],
): number[] {
  if (numTasks < 2 || succeededMs.length === 0) return [];
  if (succeededMs.length < Math.max(1, Math.floor(o.quantile * numTasks))) return [];
  const sorted = [...succeededMs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const threshold = Math.max(o.multiplier * median, o.minTaskRuntimeMs);
  return running.filter((r) => r.runningMs > threshold).map((r) => r.partition);
}
