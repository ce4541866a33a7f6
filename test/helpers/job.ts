// Reading what a job actually did from session.lastJob() and explain() text: which operators
// ran (stage names list them, e.g. "ShuffleRead → Sort → ShuffleRead → Sort → SortMergeJoin"),
// how many tasks the result stage had (= the result's partitions), where bytes spilled.
import { expect } from 'vitest';
import type { JobInfo, Session, StageMetrics } from '../../src/index.js';

/** The last job's metrics (fails the test when no job ran). */
export function lastJob(s: Session): JobInfo {
  const job = s.lastJob();
  expect(job, 'session.lastJob()').not.toBeNull();
  return job!;
}

/** Operator kinds that ran in any stage of the job (from the stage names). */
export function operatorsRan(job: JobInfo): Set<string> {
  return new Set(job.stages.flatMap((st) => st.name.split(' → ')));
}

/** The join operators that ran. */
export function joinsRan(job: JobInfo): string[] {
  return [...operatorsRan(job)].filter((op) => op.endsWith('Join')).sort();
}

/** The stage whose operators include `op`. */
export function stageWith(job: JobInfo, op: string): StageMetrics | undefined {
  return job.stages.find((st) => st.name.split(' → ').includes(op));
}

/** Tasks of the job's last (result) stage: how many partitions the result had. */
export function resultTasks(job: JobInfo): number {
  return job.stages[job.stages.length - 1]!.tasks;
}

/** How often `needle` occurs in `text`. */
export function occurrences(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) n++;
  return n;
}

/** The operator lines of an explain() text, without the tree drawing and the [rows=..] estimates. */
export function operatorLines(explain: string): string[] {
  return explain.split('\n')
    .filter((l) => !l.startsWith('=='))
    .map((l) => l.replace(/^[\s:|+-]*/, '').replace(/^\*\(\d+\) /, '').replace(/\s+\[rows=.*\]$/, ''))
    .filter((l) => l.length > 0);
}
