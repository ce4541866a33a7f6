// The output commit protocol (driver side): atomic and idempotent writes.
//
//   beginWrite   checks the save mode against the target, creates <target>/_temporary/<jobId>/
//   tasks        write part files under that job directory (taskOutputPath), partition
//                directories Hive-style (partitionDirFor); names are deterministic
//   commitWrite  only after every task succeeded: moves the files into place, writes _SUCCESS,
//                removes _temporary
//   abortWrite   removes what the job wrote; the target ends exactly as it was
//
// Overwrite (and the first write of error/ignore modes) replaces the target as a whole tree:
// the job's tree gets its _SUCCESS, is moved beside the target as `.<name>.new-<job>`, the old
// target is renamed to `.<name>.old-<job>`, the new tree renamed into place, and the old one
// deleted. A crash between those renames leaves markers from which beginWrite recovers (the
// new tree is complete once staged, so recovery finishes the swap): readers see either the
// old content or the new, never a mix. Append moves the new files in one by one (renamed after
// the highest existing part number, so names stay deterministic), then rewrites _SUCCESS.
// Hidden names (`_`, `.`) are skipped by readers (see files.ts), so staging never shows.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { escapePathName, HIVE_DEFAULT_PARTITION } from './files.js';

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
}

const TEMP = '_temporary';
const SUCCESS = '_SUCCESS';
const SAVE_MODES: readonly SaveMode[] = ['error', 'errorifexists', 'overwrite', 'append', 'ignore'];

async function statOrNull(p: string) {
  try { return await fs.lstat(p); } catch (err) { if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null; throw err; }
}

/** Entries of a directory that are content (not our own _temporary). */
async function contentEntries(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((n) => n !== TEMP);
}

function stagingNames(target: string, jobId: string): { parent: string; next: string; old: string } {
  const parent = path.dirname(target);
  const base = path.basename(target);
  return { parent, next: path.join(parent, `.${base}.new-${jobId}`), old: path.join(parent, `.${base}.old-${jobId}`) };
}

/**
 * Finishes or rolls back a whole-tree swap that a crash interrupted: a staged `.new` tree
 * with the target gone is moved into place; leftover `.old` / `.new` trees are deleted.
 */
export async function recoverInterruptedCommit(target: string): Promise<void> {
  const parent = path.dirname(target);
  const base = path.basename(target);
  let names: string[];
  try { names = await fs.readdir(parent); } catch { return; }
  const prefixNew = `.${base}.new-`, prefixOld = `.${base}.old-`;
  const news = names.filter((n) => n.startsWith(prefixNew)).sort();
  const olds = names.filter((n) => n.startsWith(prefixOld)).sort();
  if (news.length === 0 && olds.length === 0) return;
  const targetExists = (await statOrNull(target)) !== null;
  for (const n of news) {
    const staged = path.join(parent, n);
    const id = n.slice(prefixNew.length);
    const hadOld = olds.includes(prefixOld + id);
    if (!targetExists && hadOld) {
      // Crash between "old out" and "new in": the staged tree is complete (it has _SUCCESS).
      await fs.rename(staged, target);
    } else {
      // Crash before the old tree moved out: the job never committed.
      await fs.rm(staged, { recursive: true, force: true });
    }
  }
  for (const n of olds) await fs.rm(path.join(parent, n), { recursive: true, force: true });
}

function checkJobId(jobId: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(jobId) || jobId.includes('..')) {
    throw new Error(`invalid write job id '${jobId}': use letters, digits, '_', '-' and '.'`);
  }
}

export async function beginWrite(target: string, mode: SaveMode, jobId: string): Promise<WriteJob> {
  if (!SAVE_MODES.includes(mode)) throw new Error(`unknown save mode '${String(mode)}'; expected one of ${SAVE_MODES.join(', ')}`);
  checkJobId(jobId);
  const abs = path.resolve(target);
  if (path.dirname(abs) === abs) throw new Error(`cannot write to the file-system root '${target}'`);
  await recoverInterruptedCommit(abs);
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
  return { target: abs, jobDir, mode, skip: false, createdTarget: !st, jobId, createdRoot };
}

function skipJob(target: string, mode: SaveMode, jobId: string): WriteJob {
  return { target, jobDir: path.join(target, TEMP, jobId), mode, skip: true, createdTarget: false, jobId, createdRoot: null };
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

/** Files under `dir`, as paths relative to it ('/'-separated), sorted. */
async function listFiles(dir: string, skipHidden: boolean): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string): Promise<void> => {
    const entries = await fs.readdir(d, { withFileTypes: true });
    for (const e of entries) {
      if (skipHidden && (e.name.startsWith('_') || e.name.startsWith('.'))) continue;
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  await walk(dir, '');
  return out.sort();
}

const PART_RE = /^part-(\d+)(-\d+)?(\..*)?$/;

export async function commitWrite(job: WriteJob): Promise<{ files: string[] }> {
  if (job.skip) return { files: [] };
  const st = await statOrNull(job.jobDir);
  if (!st) throw new Error(`cannot commit the write to ${job.target}: its job directory ${job.jobDir} is gone`);
  const produced = await listFiles(job.jobDir, false);
  if (job.mode === 'append') return commitAppend(job, produced);
  return commitReplace(job, produced);
}

/** Replaces the target's content with the job's tree (see the header for the crash story). */
async function commitReplace(job: WriteJob, produced: readonly string[]): Promise<{ files: string[] }> {
  const { next, old } = stagingNames(job.target, job.jobId);
  await fs.writeFile(path.join(job.jobDir, SUCCESS), '');
  await fs.rm(next, { recursive: true, force: true });
  await fs.rm(old, { recursive: true, force: true });
  await fs.rename(job.jobDir, next);          // 1. stage the complete new tree beside the target
  try {
    await fs.rename(job.target, old);          // 2. old content out (with its _temporary)
  } catch (err) {
    await fs.rename(next, job.jobDir).catch(() => fs.rm(next, { recursive: true, force: true }));
    throw new Error(`cannot commit the write to ${job.target}: ${(err as Error).message}`);
  }
  await fs.rename(next, job.target);           // 3. new content in
  await fs.rm(old, { recursive: true, force: true }); // 4. drop the old tree
  return { files: produced.map((r) => path.join(job.target, ...r.split('/'))) };
}

async function commitAppend(job: WriteJob, produced: readonly string[]): Promise<{ files: string[] }> {
  // New part numbers start after the highest one already in the target (anywhere in it).
  const existing = await listFiles(job.target, true);
  let base = 0;
  for (const r of existing) {
    const m = PART_RE.exec(r.slice(r.lastIndexOf('/') + 1));
    if (m) base = Math.max(base, Number(m[1]) + 1);
  }
  const taken = new Set(existing);
  const moves: [string, string][] = [];
  for (const r of produced) {
    const slash = r.lastIndexOf('/');
    const dir = slash < 0 ? '' : r.slice(0, slash);
    const name = r.slice(slash + 1);
    const m = PART_RE.exec(name);
    let newName = m ? `part-${pad(Number(m[1]) + base, 5)}${m[2] ?? ''}${m[3] ?? ''}` : name;
    let rel = dir === '' ? newName : `${dir}/${newName}`;
    for (let k = 1; taken.has(rel); k++) {
      newName = `${name}.${k}`;
      rel = dir === '' ? newName : `${dir}/${newName}`;
    }
    taken.add(rel);
    moves.push([path.join(job.jobDir, ...r.split('/')), path.join(job.target, ...rel.split('/'))]);
  }
  const files: string[] = [];
  for (const [from, to] of moves) {
    await fs.mkdir(path.dirname(to), { recursive: true });
    await fs.rename(from, to);
    files.push(to);
  }
  await fs.writeFile(path.join(job.target, SUCCESS), '');
  await removeJobDir(job);
  return { files: files.sort() };
}

async function removeJobDir(job: WriteJob): Promise<void> {
  await fs.rm(job.jobDir, { recursive: true, force: true });
  await fs.rmdir(path.join(job.target, TEMP)).catch(() => { /* other jobs' files remain */ });
}

export async function abortWrite(job: WriteJob): Promise<void> {
  if (job.skip) return;
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
