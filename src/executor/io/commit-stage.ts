// Building the complete new tree of a job before it is swapped in (commit-swap.ts). The tasks'
// files are already in the job directory; what else the new tree holds depends on the mode:
//
//   overwrite (static), error, ignore   nothing else: the job's output is the whole new content
//   overwrite, partitionOverwriteMode   every file of the target except those under the partition
//     'dynamic'                          directories the job wrote (Spark's dynamic overwrite)
//   append                               every file of the target; the job's part files are renamed
//                                        part-00003-<job id>.parquet, so no name can collide
//
// Files kept from the target are hard links (no data is copied; the old tree's deletion only
// drops a name), falling back to a copy where links are refused. The target's own _temporary
// and _SUCCESS are not carried over.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

const PART_RE = /^part-(\d+)(-\d+)?(\..*)?$/;
/** Links made concurrently (each is a syscall on the libuv pool). */
const LINKS_AT_ONCE = 32;

/** Files under `dir` as '/'-separated paths relative to it, sorted; `skip(rel, isDir)` prunes. */
export async function listTreeFiles(dir: string, skip: (rel: string, isDir: boolean) => boolean = () => false): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (skip(r, e.isDirectory())) continue;
      if (e.isDirectory()) await walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  await walk(dir, '');
  return out.sort();
}

/** Renames the job's part files to part-<n>[-<k>]-<jobId>.<ext>; returns the new relative paths. */
export async function tagPartFiles(jobDir: string, produced: readonly string[], jobId: string): Promise<string[]> {
  const out: string[] = [];
  for (const r of produced) {
    const slash = r.lastIndexOf('/');
    const m = PART_RE.exec(r.slice(slash + 1));
    if (!m) { out.push(r); continue; }
    const tagged = `${r.slice(0, slash + 1)}part-${m[1]}${m[2] ?? ''}-${jobId}${m[3] ?? ''}`;
    await fs.rename(path.join(jobDir, ...r.split('/')), path.join(jobDir, ...tagged.split('/')));
    out.push(tagged);
  }
  return out.sort();
}

/** The partition directories (relative, e.g. 'date=2024-01-01/k=a') holding the job's files; '' for top-level files. */
export function writtenPartitions(produced: readonly string[]): Set<string> {
  return new Set(produced.map((r) => { const s = r.lastIndexOf('/'); return s < 0 ? '' : r.slice(0, s); }));
}

/**
 * Links the target's files into the staged tree, except its _temporary and _SUCCESS and
 * everything under `replaced` (partition directories the job rewrites). A name the job
 * produced too is an error (append names are unique, so only a user's own file can clash).
 */
export async function carryOver(target: string, staged: string, replaced: ReadonlySet<string>, temp: string, success: string): Promise<number> {
  const keep = await listTreeFiles(target, (rel, isDir) => (rel === temp || rel === success || (isDir && replaced.has(rel))));
  const made = new Set<string>();
  const linkOne = async (r: string): Promise<void> => {
    const from = path.join(target, ...r.split('/'));
    const to = path.join(staged, ...r.split('/'));
    try {
      await fs.link(from, to);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new Error(`cannot commit the write to ${target}: the job wrote ${r}, which the target already holds`);
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw err;
      await fs.copyFile(from, to, fs.constants.COPYFILE_EXCL);
    }
  };
  for (let i = 0; i < keep.length; i += LINKS_AT_ONCE) {
    const group = keep.slice(i, i + LINKS_AT_ONCE);
    for (const r of group) {
      const dir = path.dirname(path.join(staged, ...r.split('/')));
      if (!made.has(dir)) { await fs.mkdir(dir, { recursive: true }); made.add(dir); }
    }
    await Promise.all(group.map(linkOne));
  }
  return keep.length;
}
