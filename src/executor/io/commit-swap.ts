// The last step of every job commit: a complete new tree (with its _SUCCESS) replaces the
// target's whole tree through renames, and a crash at any point leaves a state that the next
// write or read turns into either the old tree or the new one (recoverInterruptedCommit).
//
//   0. the staged tree S is complete: <target>/_temporary/<job>/ with every file and _SUCCESS
//   1. rename S            → <parent>/.<name>.new-<job>     (the marker that a swap began)
//   2. rename <target>     → <parent>/.<name>.old-<job>
//   3. rename .new-<job>   → <target>                         (the commit point)
//   4. delete .old-<job>
//
// A crash after   → the state                          → recovery
//   0 (or before)    target unchanged, S in _temporary    S deleted (stale job directory)
//   1                target unchanged, .new beside it     .new deleted: the job never committed
//   2                target missing, .new and .old        .new (complete: it has _SUCCESS) renamed in
//   3                target new, .old beside it           .old deleted
//   4 (partway)      target new, part of .old             .old deleted
// Only the window between 2 and 3 shows no target at all; readers finish such a commit before
// they list files. Leftovers of a job that is still running are never touched (write-jobs.ts).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isJobLive } from './write-jobs.js';

export const SUCCESS = '_SUCCESS';

/** The points of a commit a test can stop at (to kill the process there). */
export type CommitStep = 'staged' | 'new-beside' | 'old-moved' | 'swapped';
type CommitHook = (step: CommitStep, target: string) => void | Promise<void>;
let hook: CommitHook | null = null;

/** For crash tests: called at each step of every commit of this process (null removes it). */
export function setCommitHook(h: CommitHook | null): void {
  hook = h;
}

async function statOrNull(p: string) {
  try { return await fs.lstat(p); } catch (err) { if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null; throw err; }
}

function stagingNames(target: string, jobId: string): { next: string; old: string } {
  const parent = path.dirname(target);
  const base = path.basename(target);
  return { next: path.join(parent, `.${base}.new-${jobId}`), old: path.join(parent, `.${base}.old-${jobId}`) };
}

/** Steps 1–4 above: the complete tree `staged` (holding _SUCCESS) becomes `target`. */
export async function swapIntoPlace(staged: string, target: string, jobId: string): Promise<void> {
  const { next, old } = stagingNames(target, jobId);
  if (hook) await hook('staged', target);
  await fs.rm(next, { recursive: true, force: true });
  await fs.rm(old, { recursive: true, force: true });
  await fs.rename(staged, next);                                   // 1
  if (hook) await hook('new-beside', target);
  try {
    await fs.rename(target, old);                                  // 2
  } catch (err) {
    await fs.rename(next, staged).catch(() => fs.rm(next, { recursive: true, force: true }));
    throw new Error(`cannot commit the write to ${target}: ${(err as Error).message}`);
  }
  if (hook) await hook('old-moved', target);
  try {
    await fs.rename(next, target);                                 // 3
  } catch (err) {
    // A reader may have finished this very commit (recoverInterruptedCommit) in between.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !(await statOrNull(path.join(target, SUCCESS)))) throw err;
  }
  if (hook) await hook('swapped', target);
  await fs.rm(old, { recursive: true, force: true });              // 4
}

/**
 * Finishes or rolls back the swaps of ended jobs that a crash interrupted (see the table
 * above). With `onlyIfMissing` (readers) nothing happens while the target exists.
 */
export async function recoverInterruptedCommit(target: string, onlyIfMissing = false): Promise<void> {
  target = path.resolve(target);
  let targetExists = (await statOrNull(target)) !== null;
  if (onlyIfMissing && targetExists) return;
  const parent = path.dirname(target);
  const base = path.basename(target);
  let names: string[];
  try { names = await fs.readdir(parent); } catch { return; }
  const prefixNew = `.${base}.new-`, prefixOld = `.${base}.old-`;
  const news = names.filter((n) => n.startsWith(prefixNew) && !isJobLive(n.slice(prefixNew.length))).sort();
  const olds = names.filter((n) => n.startsWith(prefixOld) && !isJobLive(n.slice(prefixOld.length))).sort();
  for (const n of news) {
    const staged = path.join(parent, n);
    const id = n.slice(prefixNew.length);
    const complete = (await statOrNull(path.join(staged, SUCCESS))) !== null;
    if (!targetExists && complete && olds.includes(prefixOld + id)) {
      await fs.rename(staged, target);                              // crashed between 2 and 3: roll forward
      targetExists = true;
    } else {
      await fs.rm(staged, { recursive: true, force: true });        // crashed between 1 and 2: roll back
    }
  }
  for (const n of olds) {
    const old = path.join(parent, n);
    if (!targetExists) {
      await fs.rename(old, target);                                 // no complete new tree: the old one returns
      targetExists = true;
    } else {
      await fs.rm(old, { recursive: true, force: true });
    }
  }
}
