// The output commit protocol (driver side): atomic and idempotent writes, safe against a
// process killed at any point.
//
//   beginWrite   finishes or rolls back a commit a crash interrupted, removes the task output
//                of ended jobs (write-jobs.ts), checks the save mode against the target, and
//                creates <target>/_temporary/<jobId>/
//   tasks        write part files under that job directory (taskOutputPath), partition
//                directories Hive-style (partitionDirFor); names are deterministic
//   commitWrite  only after every task succeeded: completes the job directory into the whole
//                new tree (commit-stage.ts: kept files of the target hard-linked in for append
//                and dynamic partition overwrite, append's part names tagged with the job id),
//                writes _SUCCESS, and swaps it in by renames (commit-swap.ts, which has the
//                crash table)
//   abortWrite   removes what the job wrote; the target ends exactly as it was
//
// Readers skip names starting with `_` or `.` (files.ts), so staging never shows.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { escapePathName, HIVE_DEFAULT_PARTITION } from './files.js';
import { carryOver, listTreeFiles, tagPartFiles, writtenPartitions } from './commit-stage.js';
import { recoverInterruptedCommit, SUCCESS, swapIntoPlace } from './commit-swap.js';
import { markActive, markEnded, removeStaleJobDirs } from './write-jobs.js';

export { recoverInterruptedCommit } from './commit-swap.js';

export type SaveMode = 'error' | 'errorifexists' | 'overwrite' | 'append' | 'ignore';

export interface WriteJob {
  target: string;
  /** <target>/_temporary/<jobId> */
  jobDir: string;
  mode: SaveMode;
  /** 'ignore' and the target exists: nothing is written. */
  skip: boolean;
  /** The target did not exist before this job. */
  createdTarget: boolean;
  jobId: string;
  /** The highest directory this job created on the way to the target (removed on abort), or null. */
  createdRoot: string | null;
  /** Overwrite replaces only the partition directories the job wrote (partitionOverwriteMode 'dynamic'). */
  dynamic: boolean;
}

export interface BeginOptions {
  /** Spark's partitionOverwriteMode: 'static' (default) replaces the whole target, 'dynamic' only the partitions written. */
  readonly partitionOverwriteMode?: 'static' | 'dynamic';
}

const TEMP = '_temporary';
const SAVE_MODES: readonly SaveMode[] = ['error', 'errorifexists', 'overwrite', 'append', 'ignore'];

async function statOrNull(p: string) {
  try { return await fs.lstat(p); } catch (err) { if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null; throw err; }
}

/** Entries of a directory that are content (not our own _temporary). */
async function contentEntries(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((n) => n !== TEMP);
}

function checkJobId(jobId: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(jobId) || jobId.includes('..')) {
    throw new Error(`invalid write job id '${jobId}': use letters, digits, '_', '-' and '.'`);
  }
}

export async function beginWrite(target: string, mode: SaveMode, jobId: string, options: BeginOptions = {}): Promise<WriteJob> {
  if (!SAVE_MODES.includes(mode)) throw new Error(`unknown save mode '${String(mode)}'; expected one of ${SAVE_MODES.join(', ')}`);
  const pom = options.partitionOverwriteMode ?? 'static';
  if (pom !== 'static' && pom !== 'dynamic') throw new Error(`partitionOverwriteMode must be 'static' or 'dynamic', got ${JSON.stringify(pom)}`);
  checkJobId(jobId);
  const abs = path.resolve(target);
  if (path.dirname(abs) === abs) throw new Error(`cannot write to the file-system root '${target}'`);
  await recoverInterruptedCommit(abs);
  await removeStaleJobDirs(abs, TEMP);
  const st = await statOrNull(abs);
  let exists = false;
  if (st) {
    if (!st.isDirectory()) {
      if (mode === 'ignore') return skipJob(abs, mode, jobId);
      throw new Error(`output path ${target} exists and is not a directory; remove it or write elsewhere`);
    }
    exists = (await contentEntries(abs)).length > 0;
  }
  if (exists && (mode === 'error' || mode === 'errorifexists')) {
    throw new Error(`output path ${target} already exists; use mode 'overwrite' to replace it, 'append' to add to it, or 'ignore' to skip the write`);
  }
  if (exists && mode === 'ignore') return skipJob(abs, mode, jobId);
  let createdRoot: string | null = null;
  if (!st) createdRoot = (await fs.mkdir(abs, { recursive: true })) ?? null;
  const jobDir = path.join(abs, TEMP, jobId);
  // A rerun with the same job id starts from scratch.
  await fs.rm(jobDir, { recursive: true, force: true });
  await fs.mkdir(jobDir, { recursive: true });
  markActive(jobId);
  return { target: abs, jobDir, mode, skip: false, createdTarget: !st, jobId, createdRoot, dynamic: mode === 'overwrite' && pom === 'dynamic' };
}

function skipJob(target: string, mode: SaveMode, jobId: string): WriteJob {
  return { target, jobDir: path.join(target, TEMP, jobId), mode, skip: true, createdTarget: false, jobId, createdRoot: null, dynamic: false };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Temporary path of a part file: <jobDir>/<partitionDir>/part-00003[-0001].<ext>. */
export function taskOutputPath(job: Pick<WriteJob, 'jobDir'>, partition: number, partitionDir: string, ext: string, fileIndex?: number): string {
  if (!Number.isInteger(partition) || partition < 0) throw new Error(`invalid partition number ${partition}`);
  if (fileIndex !== undefined && (!Number.isInteger(fileIndex) || fileIndex < 0)) throw new Error(`invalid file index ${fileIndex}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9.]*$/.test(ext)) throw new Error(`invalid file extension '${ext}'`);
  if (partitionDir !== '') {
    const parts = partitionDir.split('/');
    if (path.isAbsolute(partitionDir) || parts.some((p) => p === '' || p === '.' || p === '..' || p.startsWith('_') || p.startsWith('.') || p.includes('\\'))) {
      throw new Error(`invalid partition directory '${partitionDir}'`);
    }
  }
  const name = `part-${pad(partition, 5)}${fileIndex !== undefined ? `-${pad(fileIndex, 4)}` : ''}.${ext}`;
  return partitionDir === '' ? path.join(job.jobDir, name) : path.join(job.jobDir, ...partitionDir.split('/'), name);
}

/** Hive-style directory for partition values: `a=1/b=x%2Fy`; NULL and '' → __HIVE_DEFAULT_PARTITION__. */
export function partitionDirFor(columns: readonly string[], values: readonly (string | null)[]): string {
  if (columns.length !== values.length) throw new Error(`partitionDirFor: ${columns.length} columns but ${values.length} values`);
  return columns.map((c, i) => {
    if (c === '') throw new Error('a partition column name cannot be empty');
    const v = values[i];
    const text = v === null || v === undefined || v === '' ? HIVE_DEFAULT_PARTITION : escapePathName(v);
    return `${escapePathName(c)}=${text}`;
  }).join('/');
}

export async function commitWrite(job: WriteJob): Promise<{ files: string[] }> {
  if (job.skip) return { files: [] };
  try {
    const st = await statOrNull(job.jobDir);
    if (!st) throw new Error(`cannot commit the write to ${job.target}: its job directory ${job.jobDir} is gone`);
    // Top-level `_` names are bookkeeping (task attempts), never task output.
    let produced = await listTreeFiles(job.jobDir, (rel) => !rel.includes('/') && rel.startsWith('_'));
    if (job.mode === 'append') produced = await tagPartFiles(job.jobDir, produced, job.jobId);
    if (job.mode === 'append' || job.dynamic) {
      const replaced = job.mode === 'append' ? new Set<string>() : writtenPartitions(produced);
      // Dynamic overwrite of an unpartitioned write replaces everything, as in Spark.
      if (!replaced.has('')) await carryOver(job.target, job.jobDir, replaced, TEMP, SUCCESS);
    }
    await fs.writeFile(path.join(job.jobDir, SUCCESS), '');
    await swapIntoPlace(job.jobDir, job.target, job.jobId);
    return { files: produced.map((r) => path.join(job.target, ...r.split('/'))) };
  } finally {
    markEnded(job.jobId);
  }
}

async function removeJobDir(job: WriteJob): Promise<void> {
  await fs.rm(job.jobDir, { recursive: true, force: true });
  await fs.rmdir(path.join(job.target, TEMP)).catch(() => { /* other jobs' files remain */ });
}

export async function abortWrite(job: WriteJob): Promise<void> {
  if (job.skip) return;
  markEnded(job.jobId);
  await removeJobDir(job);
  if (!job.createdTarget) return;
  // Remove the directories this job created, innermost first, as long as they are empty.
  let dir = job.target;
  const stop = job.createdRoot ?? job.target;
  for (;;) {
    try { await fs.rmdir(dir); } catch { return; }
    if (dir === stop) return;
    const up = path.dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}
