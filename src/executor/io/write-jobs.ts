// Write job ids and whether a job is still running. A job id names the job's temporary
// directory (<target>/_temporary/<id>) and its staging trees beside the target; after a crash
// those are left behind, and the next write (or read) cleans up or finishes them — but never
// those of a job that is still running: one of this process that has not ended, or one of
// another process that is alive (the id holds the pid). A recycled pid makes a dead job look
// alive; its leftovers then wait for a later run.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

const active = new Set<string>();
let seq = 0;

/** job-<UTC yyyyMMddHHmmss>-<pid>-<n>: unique across runs (time), processes (pid) and jobs of one process (n). */
export function newWriteJobId(): string {
  const t = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  return `job-${t}-${process.pid}-${++seq}`;
}

const ID_RE = /^job-\d{14}-(\d+)-\d+$/;

export function markActive(jobId: string): void { active.add(jobId); }
export function markEnded(jobId: string): void { active.delete(jobId); }

/**
 * True while the job may still be running. Ids not made by newWriteJobId (tests, tools) have no
 * owner to ask: unless active in this process they count as ended.
 */
export function isJobLive(jobId: string): boolean {
  if (active.has(jobId)) return true;
  const m = ID_RE.exec(jobId);
  if (!m) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes <target>/_temporary/<id> of every ended job (a killed run's task output), then _temporary if empty. */
export async function removeStaleJobDirs(target: string, temp: string): Promise<void> {
  const dir = path.join(target, temp);
  let names: string[];
  try { names = await fs.readdir(dir); } catch { return; }
  for (const n of names) if (!isJobLive(n)) await fs.rm(path.join(dir, n), { recursive: true, force: true });
  await fs.rmdir(dir).catch(() => { /* a running job's directory remains */ });
}
