// Task commit, the step before the job commit (committer.ts): each task attempt writes its part
// files under its own directory, <jobDir>/_attempts/<partition>-<attempt>/, with the names and
// partition directories it would have in the job directory. Only the winning attempt of a
// partition is committed — the driver moves its files up into <jobDir> — so a failed attempt,
// a killed speculative one, or two attempts that both finished never leave a file in the
// output. The driver removes _attempts before the job commits or aborts.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

const ATTEMPTS = '_attempts';

/** Where attempt `attempt` of task `partition` writes: <jobDir>/_attempts/<partition>-<attempt>. */
export function taskAttemptDir(jobDir: string, partition: number, attempt: number): string {
  if (!Number.isInteger(partition) || partition < 0) throw new Error(`invalid partition number ${partition}`);
  if (!Number.isInteger(attempt) || attempt < 0) throw new Error(`invalid attempt number ${attempt}`);
  return path.join(jobDir, ATTEMPTS, `${partition}-${attempt}`);
}

/**
 * Commits the winning attempt of a task: moves `files` (paths under its attempt directory, as
 * the task reported them) to the same relative paths under `jobDir`; returns the new paths.
 */
export async function commitTaskAttempt(jobDir: string, partition: number, attempt: number, files: readonly string[]): Promise<string[]> {
  const from = taskAttemptDir(jobDir, partition, attempt);
  const out: string[] = [];
  for (const f of files) {
    const rel = path.relative(from, f);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new Error(`internal: task ${partition} attempt ${attempt} reported ${f}, outside its attempt directory ${from}`);
    }
    const to = path.join(jobDir, rel);
    await fs.mkdir(path.dirname(to), { recursive: true });
    await fs.rename(f, to);
    out.push(to);
  }
  return out;
}

/** Removes every attempt directory of the job (uncommitted attempts' files). */
export async function removeTaskAttempts(jobDir: string): Promise<void> {
  await fs.rm(path.join(jobDir, ATTEMPTS), { recursive: true, force: true });
}
