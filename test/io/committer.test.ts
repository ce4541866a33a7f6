import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  abortWrite, beginWrite, commitWrite, partitionDirFor, recoverInterruptedCommit, taskOutputPath, type WriteJob,
} from '../../src/executor/io/committer.js';
import { listInputFiles } from '../../src/executor/io/files.js';

let root: string;
beforeAll(async () => { root = await fs.mkdtemp(path.join(os.tmpdir(), 'sparrow-commit-')); });
afterAll(async () => { await fs.rm(root, { recursive: true, force: true }); });

let n = 0;
const fresh = () => path.join(root, `t${n++}`);

/** Every file under `dir` (hidden ones too) with its bytes, relative path → content. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string, rel: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) { out[r + '/'] = ''; await walk(path.join(d, e.name), r); } else out[r] = await fs.readFile(path.join(d, e.name), 'utf8');
    }
  };
  await walk(dir, '');
  return out;
}

async function exists(p: string): Promise<boolean> {
  try { await fs.stat(p); return true; } catch { return false; }
}

/** Simulates tasks: each writes its part files under the job directory. */
async function runTasks(job: WriteJob, tasks: { partition: number; dir?: string; text: string; fileIndex?: number }[]): Promise<void> {
  for (const t of tasks) {
    const file = taskOutputPath(job, t.partition, t.dir ?? '', 'csv', t.fileIndex);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, t.text);
  }
}

async function seed(target: string): Promise<Record<string, string>> {
  const job = await beginWrite(target, 'error', 'seed');
  await runTasks(job, [{ partition: 0, text: 'old0' }, { partition: 1, text: 'old1' }]);
  await commitWrite(job);
  return snapshot(target);
}

describe('paths', () => {
  it('part file names are deterministic', () => {
    const job = { jobDir: '/x/_temporary/j1' };
    expect(taskOutputPath(job, 3, '', 'parquet')).toBe('/x/_temporary/j1/part-00003.parquet');
    expect(taskOutputPath(job, 3, 'd=2024-01-01/k=a', 'csv', 1)).toBe('/x/_temporary/j1/d=2024-01-01/k=a/part-00003-0001.csv');
    expect(() => taskOutputPath(job, 0, '../evil', 'csv')).toThrow(/invalid partition directory/);
    expect(() => taskOutputPath(job, 0, '/abs', 'csv')).toThrow(/invalid partition directory/);
    expect(() => taskOutputPath(job, -1, '', 'csv')).toThrow(/partition number/);
    expect(() => taskOutputPath(job, 0, '', '../x')).toThrow(/extension/);
  });

  it('partition directories are Hive-style and escaped', () => {
    expect(partitionDirFor(['date', 'k'], ['2024-01-01', 'a b'])).toBe('date=2024-01-01/k=a b');
    expect(partitionDirFor(['k'], [null])).toBe('k=__HIVE_DEFAULT_PARTITION__');
    expect(partitionDirFor(['k'], [''])).toBe('k=__HIVE_DEFAULT_PARTITION__');
    expect(partitionDirFor(['k'], ['a/b'])).toBe('k=a%2Fb');
    expect(partitionDirFor(['k'], ['..'])).toBe('k=%2E.');
    expect(partitionDirFor(['k=x'], ['1=2'])).toBe('k%3Dx=1%3D2');
    expect(() => partitionDirFor(['a', 'b'], ['1'])).toThrow(/2 columns but 1 values/);
  });
});

describe('save modes', () => {
  it('error: writes a new target, fails clearly on an existing one', async () => {
    const target = fresh();
    const job = await beginWrite(target, 'error', 'j1');
    expect(job.createdTarget).toBe(true);
    expect(job.jobDir).toBe(path.join(target, '_temporary', 'j1'));
    await runTasks(job, [{ partition: 0, text: 'a' }, { partition: 1, text: 'b' }]);
    expect(await listInputFiles(target, ['.csv'])).toEqual([]); // nothing visible before commit
    const { files } = await commitWrite(job);
    expect(files).toEqual([path.join(target, 'part-00000.csv'), path.join(target, 'part-00001.csv')]);
    expect(await snapshot(target)).toEqual({ '_SUCCESS': '', 'part-00000.csv': 'a', 'part-00001.csv': 'b' });
    await expect(beginWrite(target, 'error', 'j2')).rejects.toThrow(/already exists.*overwrite/);
    await expect(beginWrite(target, 'errorifexists', 'j2')).rejects.toThrow(/already exists/);
    // an existing empty directory is fine
    const empty = fresh();
    await fs.mkdir(empty);
    const j3 = await beginWrite(empty, 'error', 'j3');
    expect(j3.createdTarget).toBe(false);
    await runTasks(j3, [{ partition: 0, text: 'x' }]);
    await commitWrite(j3);
    expect(await snapshot(empty)).toEqual({ '_SUCCESS': '', 'part-00000.csv': 'x' });
  });

  it('overwrite: replaces the previous content entirely', async () => {
    const target = fresh();
    await seed(target);
    await fs.writeFile(path.join(target, 'stray.txt'), 'user file');
    const job = await beginWrite(target, 'overwrite', 'j2');
    await runTasks(job, [{ partition: 0, dir: 'k=1', text: 'new' }]);
    // before commit the old content is untouched
    expect((await snapshot(target))['part-00001.csv']).toBe('old1');
    await commitWrite(job);
    expect(await snapshot(target)).toEqual({ '_SUCCESS': '', 'k=1/': '', 'k=1/part-00000.csv': 'new' });
    expect((await fs.readdir(root)).filter((x) => x.startsWith('.'))).toEqual([]); // no staging left
  });

  it('append: adds files named with the job id beside the existing ones', async () => {
    const target = fresh();
    await seed(target);
    const job = await beginWrite(target, 'append', 'j2');
    await runTasks(job, [{ partition: 0, text: 'n0' }, { partition: 1, text: 'n1', fileIndex: 0 }, { partition: 1, text: 'n1b', fileIndex: 1 }]);
    const { files } = await commitWrite(job);
    expect(files.map((f) => path.basename(f))).toEqual(['part-00000-j2.csv', 'part-00001-0000-j2.csv', 'part-00001-0001-j2.csv']);
    expect(await snapshot(target)).toEqual({
      '_SUCCESS': '', 'part-00000.csv': 'old0', 'part-00001.csv': 'old1',
      'part-00000-j2.csv': 'n0', 'part-00001-0000-j2.csv': 'n1', 'part-00001-0001-j2.csv': 'n1b',
    });
    // appending to a missing target creates it
    const t2 = fresh();
    const j = await beginWrite(t2, 'append', 'j1');
    await runTasks(j, [{ partition: 0, dir: 'p=a', text: 'z' }]);
    await commitWrite(j);
    expect(await snapshot(t2)).toEqual({ '_SUCCESS': '', 'p=a/': '', 'p=a/part-00000-j1.csv': 'z' });
  });

  it('ignore: skips an existing target, writes a missing one', async () => {
    const target = fresh();
    const before = await seed(target);
    const job = await beginWrite(target, 'ignore', 'j2');
    expect(job.skip).toBe(true);
    expect(await commitWrite(job)).toEqual({ files: [] });
    await abortWrite(job);
    expect(await snapshot(target)).toEqual(before);
    const t2 = fresh();
    const j = await beginWrite(t2, 'ignore', 'j1');
    expect(j.skip).toBe(false);
    await runTasks(j, [{ partition: 0, text: 'q' }]);
    await commitWrite(j);
    expect(await snapshot(t2)).toEqual({ '_SUCCESS': '', 'part-00000.csv': 'q' });
  });

  it('rejects a target that is a file and bad modes or job ids', async () => {
    const f = path.join(root, 'plain-file');
    await fs.writeFile(f, 'x');
    await expect(beginWrite(f, 'overwrite', 'j')).rejects.toThrow(/not a directory/);
    expect((await beginWrite(f, 'ignore', 'j')).skip).toBe(true);
    await expect(beginWrite(fresh(), 'bogus' as never, 'j')).rejects.toThrow(/unknown save mode/);
    await expect(beginWrite(fresh(), 'error', '../x')).rejects.toThrow(/invalid write job id/);
  });
});

describe('abort', () => {
  for (const mode of ['overwrite', 'append', 'error'] as const) {
    it(`after partial task output leaves an existing target byte-for-byte unchanged (${mode})`, async () => {
      const target = fresh();
      const before = mode === 'error' ? {} : await seed(target);
      if (mode === 'error') await fs.mkdir(target);
      const job = await beginWrite(target, mode, 'jx');
      await runTasks(job, [{ partition: 0, dir: 'k=1', text: 'partial' }, { partition: 7, text: 'half' }]);
      await abortWrite(job);
      expect(await snapshot(target)).toEqual(before);
    });
  }

  it('removes a target (and the parents) the job created', async () => {
    const base = fresh();
    const target = path.join(base, 'output', 'v2');
    const job = await beginWrite(target, 'overwrite', 'j1');
    expect(job.createdRoot).toBe(base);
    await runTasks(job, [{ partition: 0, text: 'x' }]);
    await abortWrite(job);
    expect(await exists(base)).toBe(false);
  });

  it('keeps another job\'s temporary files', async () => {
    const target = fresh();
    const a = await beginWrite(target, 'append', 'a');
    const b = await beginWrite(target, 'append', 'b');
    await runTasks(a, [{ partition: 0, text: 'a' }]);
    await runTasks(b, [{ partition: 0, text: 'b' }]);
    await abortWrite(a);
    expect(await exists(b.jobDir)).toBe(true);
    await commitWrite(b);
    expect(await snapshot(target)).toEqual({ '_SUCCESS': '', 'part-00000-b.csv': 'b' });
  });
});

describe('partition values stay inside the target and read back', () => {
  it('escapes /, .., =, %, spaces, unicode, NULL', async () => {
    const target = fresh();
    const values = ['a/b', '..', '.', '../../etc', 'x=y', '100%', ' lead and trail ', 'ünï 日本 😀', 'back\\slash', 'q"uote', 'colon:x', null, ''];
    const job = await beginWrite(target, 'overwrite', 'jp');
    await runTasks(job, values.map((v, i) => ({ partition: i, dir: partitionDirFor(['k', 'odd=name'], [v, `v${i}`]), text: `row${i}` })));
    const { files } = await commitWrite(job);
    for (const f of files) expect(path.relative(target, f).startsWith('..')).toBe(false);
    const listed = await listInputFiles(target, ['.csv']);
    expect(listed.length).toBe(values.length);
    const byText = new Map<string, Readonly<Record<string, string | null>>>();
    for (const f of listed) byText.set(await fs.readFile(f.path, 'utf8'), f.partitionValues);
    values.forEach((v, i) => {
      expect(byText.get(`row${i}`)).toEqual({ k: v === '' ? null : v, 'odd=name': `v${i}` });
    });
    // nothing escaped the target: the parent holds only the test targets
    expect((await fs.readdir(root)).every((x) => /^t\d+$/.test(x) || x === 'plain-file')).toBe(true);
  });
});

describe('idempotence and crash recovery', () => {
  it('a rerun produces identical file names and bytes', async () => {
    const t1 = fresh(), t2 = fresh();
    for (const t of [t1, t2, t1]) {
      const job = await beginWrite(t, 'overwrite', 'job-42');
      await runTasks(job, [{ partition: 1, dir: partitionDirFor(['d'], ['2024-01-01']), text: 'x' }, { partition: 0, text: 'y' }]);
      await commitWrite(job);
    }
    expect(await snapshot(t1)).toEqual(await snapshot(t2));
  });

  it('a rerun with the same job id after a failed attempt starts clean', async () => {
    const target = fresh();
    const j1 = await beginWrite(target, 'error', 'same');
    await runTasks(j1, [{ partition: 5, text: 'stale' }]);
    // the driver died: no commit, no abort; the rerun begins again
    const j2 = await beginWrite(target, 'error', 'same');
    await runTasks(j2, [{ partition: 0, text: 'fresh' }]);
    await commitWrite(j2);
    expect(await snapshot(target)).toEqual({ '_SUCCESS': '', 'part-00000.csv': 'fresh' });
  });

  it('recovers a swap interrupted after the old tree moved out (new tree completes)', async () => {
    const target = fresh();
    await seed(target);
    const base = path.basename(target);
    const parent = path.dirname(target);
    // Simulate: new tree staged, old tree moved out, crash before the new tree moved in.
    const staged = path.join(parent, `.${base}.new-j9`);
    await fs.mkdir(staged);
    await fs.writeFile(path.join(staged, 'part-00000.csv'), 'new');
    await fs.writeFile(path.join(staged, '_SUCCESS'), '');
    await fs.rename(target, path.join(parent, `.${base}.old-j9`));
    await recoverInterruptedCommit(target);
    expect(await snapshot(target)).toEqual({ '_SUCCESS': '', 'part-00000.csv': 'new' });
    expect((await fs.readdir(parent)).filter((x) => x.startsWith('.'))).toEqual([]);
  });

  it('rolls back a swap interrupted before the old tree moved out (old tree stays)', async () => {
    const target = fresh();
    const before = await seed(target);
    const staged = path.join(path.dirname(target), `.${path.basename(target)}.new-j8`);
    await fs.mkdir(staged);
    await fs.writeFile(path.join(staged, 'part-00000.csv'), 'new');
    const job = await beginWrite(target, 'append', 'j10'); // begin runs the recovery
    await abortWrite(job);
    expect(await snapshot(target)).toEqual(before);
    expect(await exists(staged)).toBe(false);
  });
});

describe('leftovers of ended and running jobs', () => {
  const dead = 'job-20240101000000-4000000-1';          // no such pid
  const alive = `job-20240101000000-${process.ppid}-1`; // our parent: running

  it('beginWrite deletes the task output of ended jobs only', async () => {
    const target = fresh();
    const before = await seed(target);
    for (const id of [dead, alive]) {
      await fs.mkdir(path.join(target, '_temporary', id), { recursive: true });
      await fs.writeFile(path.join(target, '_temporary', id, 'part-00000.csv'), 'half');
    }
    const job = await beginWrite(target, 'append', 'j-next');
    expect(await exists(path.join(target, '_temporary', dead))).toBe(false);
    expect(await exists(path.join(target, '_temporary', alive))).toBe(true);
    await abortWrite(job);
    await fs.rm(path.join(target, '_temporary'), { recursive: true });
    expect(await snapshot(target)).toEqual(before);
  });

  it('recovery leaves the staging of a running job alone, and a reader only acts on a missing target', async () => {
    const target = fresh();
    const before = await seed(target);
    const parent = path.dirname(target), base = path.basename(target);
    const running = path.join(parent, `.${base}.new-${alive}`);
    await fs.mkdir(running);
    await recoverInterruptedCommit(target);
    expect(await exists(running)).toBe(true);
    const ended = path.join(parent, `.${base}.new-${dead}`);
    await fs.mkdir(ended);
    await recoverInterruptedCommit(target, true);   // a reader: the target exists, nothing to do
    expect(await exists(ended)).toBe(true);
    await recoverInterruptedCommit(target);
    expect(await exists(ended)).toBe(false);
    expect(await snapshot(target)).toEqual(before);
    await fs.rm(running, { recursive: true });
  });

  it('an incomplete staged tree (no _SUCCESS) is never rolled forward: the old tree returns', async () => {
    const target = fresh();
    const before = await seed(target);
    const parent = path.dirname(target), base = path.basename(target);
    await fs.mkdir(path.join(parent, `.${base}.new-${dead}`));
    await fs.writeFile(path.join(parent, `.${base}.new-${dead}`, 'part-00000.csv'), 'partial');
    await fs.rename(target, path.join(parent, `.${base}.old-${dead}`));
    await recoverInterruptedCommit(target, true);
    expect(await snapshot(target)).toEqual(before);
    expect((await fs.readdir(parent)).filter((x) => x.startsWith(`.${base}`))).toEqual([]);
  });
});

describe('dynamic partition overwrite and append, at the committer', () => {
  it('dynamic keeps the partitions the job did not write, as hard links', async () => {
    const target = fresh();
    const job0 = await beginWrite(target, 'error', 's');
    await runTasks(job0, [{ partition: 0, dir: 'd=1', text: 'one' }, { partition: 0, dir: 'd=2', text: 'two' }, { partition: 1, dir: 'd=2', text: 'two-b' }]);
    await commitWrite(job0);
    const ino = (await fs.stat(path.join(target, 'd=1', 'part-00000.csv'))).ino;
    const job = await beginWrite(target, 'overwrite', 'dyn', { partitionOverwriteMode: 'dynamic' });
    expect(job.dynamic).toBe(true);
    await runTasks(job, [{ partition: 0, dir: 'd=2', text: 'new-two' }, { partition: 0, dir: 'd=3', text: 'three' }]);
    await commitWrite(job);
    expect(await snapshot(target)).toEqual({
      '_SUCCESS': '', 'd=1/': '', 'd=1/part-00000.csv': 'one', 'd=2/': '', 'd=2/part-00000.csv': 'new-two', 'd=3/': '', 'd=3/part-00000.csv': 'three',
    });
    expect((await fs.stat(path.join(target, 'd=1', 'part-00000.csv'))).ino).toBe(ino);
    // Unpartitioned output under dynamic mode replaces everything, as in Spark.
    const all = await beginWrite(target, 'overwrite', 'dyn2', { partitionOverwriteMode: 'dynamic' });
    await runTasks(all, [{ partition: 0, text: 'flat' }]);
    await commitWrite(all);
    expect(await snapshot(target)).toEqual({ '_SUCCESS': '', 'part-00000.csv': 'flat' });
    await expect(beginWrite(target, 'overwrite', 'x', { partitionOverwriteMode: 'sometimes' as never })).rejects.toThrow(/'static' or 'dynamic'/);
  });
});
