// SIGKILL safety, for real: a child process starts several writes, each paused (by a commit
// hook) at a different point of the commit protocol (commit-swap.ts), plus one large write
// still in its tasks, and is then killed with SIGKILL. Each target must be exactly as it was
// or exactly complete (after the next read or write finishes an interrupted commit), and
// rerunning each write must succeed with the exact output and leave nothing stale behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session, col, count, sum, type Dataset } from '../../src/index.js';
import type { CommitStep } from '../../src/executor/io/commit-swap.js';
import { exists, snapshotTree, tempDir } from '../helpers/e2e.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

let spark: Session;
let root: string;

/** The rows every process writes: n ids in 4 partitions of k, v = id × salt. */
const data = (s: Session, n: number, salt: number): Dataset =>
  s.range(n).select(col('id'), col('id').mod(4).as('k'), col('id').mul(salt).as('v'));
const DATA_SRC = "const data = (s, n, salt) => s.range(n).select(col('id'), col('id').mod(4).as('k'), col('id').mul(salt).as('v'));";

interface Case {
  name: string;
  mode: 'overwrite' | 'append';
  dynamic?: boolean;
  /** The commit step the child stops at; null: not paused (the large write, killed in its tasks). */
  pauseAt: CommitStep | null;
  /** Rows already in the target before (null: no target). */
  before: number | null;
  rows: number;
  /** What the target holds right after the kill: the old content, the new one, or nothing (a read finishes the commit). */
  afterKill: 'old' | 'new' | 'missing' | 'old-or-new';
}

const SMALL = 3000, BIG = 1_000_000, OLD_SALT = 1, NEW_SALT = 7;
const CASES: Case[] = [
  { name: 'staged', mode: 'overwrite', pauseAt: 'staged', before: SMALL, rows: SMALL, afterKill: 'old' },
  { name: 'new-beside', mode: 'overwrite', pauseAt: 'new-beside', before: SMALL, rows: SMALL, afterKill: 'old' },
  { name: 'old-moved', mode: 'overwrite', pauseAt: 'old-moved', before: SMALL, rows: SMALL, afterKill: 'missing' },
  { name: 'swapped', mode: 'overwrite', pauseAt: 'swapped', before: SMALL, rows: SMALL, afterKill: 'new' },
  { name: 'fresh-old-moved', mode: 'overwrite', pauseAt: 'old-moved', before: null, rows: SMALL, afterKill: 'missing' },
  { name: 'append-new-beside', mode: 'append', pauseAt: 'new-beside', before: SMALL, rows: 1000, afterKill: 'old' },
  { name: 'append-old-moved', mode: 'append', pauseAt: 'old-moved', before: SMALL, rows: 1000, afterKill: 'missing' },
  { name: 'dynamic-swapped', mode: 'overwrite', dynamic: true, pauseAt: 'swapped', before: SMALL, rows: 1000, afterKill: 'new' },
  { name: 'big-in-tasks', mode: 'overwrite', pauseAt: null, before: SMALL, rows: BIG, afterKill: 'old-or-new' },
];

const targetOf = (c: Case) => path.join(root, c.name, 'out');

function childScript(cfgPath: string): string {
  const src = (p: string) => JSON.stringify(path.join(repo, p));
  return `
    import { existsSync, readFileSync, writeFileSync } from 'node:fs';
    import * as path from 'node:path';
    import { Session, col } from ${src('src/index.ts')};
    import { setCommitHook } from ${src('src/executor/io/commit-swap.ts')};
    ${DATA_SRC}
    const cfg = JSON.parse(readFileSync(${JSON.stringify(cfgPath)}, 'utf8'));
    const spark = await Session.create({ parallelism: 2 });
    const byTarget = new Map(cfg.cases.map((c) => [path.resolve(c.target), c]));
    setCommitHook(async (step, target) => {
      const c = byTarget.get(target);
      if (!c || c.pauseAt !== step) return;
      writeFileSync(path.join(cfg.markers, c.name), step);
      await new Promise(() => {});           // stays here until the process is killed
    });
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    for (const c of cfg.cases) {
      let w = data(spark, c.rows, ${NEW_SALT}).write.mode(c.mode).partitionBy('k');
      if (c.dynamic) w = w.option('partitionOverwriteMode', 'dynamic');
      const done = w.parquet(c.target).then(() => writeFileSync(path.join(cfg.markers, c.name), 'done'));
      if (c.pauseAt === null) continue;        // the large write runs on while the test watches it
      while (!existsSync(path.join(cfg.markers, c.name))) await sleep(10);
      void done;
    }
  `;
}

/** Files under a target with their bytes, without the _temporary subtree (which readers skip). */
async function visible(dir: string): Promise<Record<string, string>> {
  const all = await snapshotTree(dir);
  return Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith('_temporary')));
}

async function anyFile(dir: string): Promise<boolean> {
  try {
    for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) return true;
  } catch { /* not there yet */ }
  return false;
}

async function waitFor(what: string, cond: () => Promise<boolean>, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (child.exitCode !== null) throw new Error(`the child exited (${child.exitCode}) before ${what}`);
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Row count and sums of a target's rows (as read back), and what `parts` ([rows, salt] writes) give. */
async function rowsOf(dir: string): Promise<string> {
  const [r] = await spark.read.parquet(dir).agg(count('*').as('n'), sum('id').as('ids'), sum('v').as('vs'), sum('k').as('ks')).collect();
  return `${r!['n']} rows, ids ${r!['ids']}, vs ${r!['vs']}, ks ${r!['ks']}`;
}
function expectedRows(parts: [number, number][]): string {
  let n = 0, ids = 0, vs = 0, ks = 0;
  for (const [m, salt] of parts) {
    n += m; ids += (m * (m - 1)) / 2; vs += (salt * m * (m - 1)) / 2;
    for (let i = 0; i < m; i++) ks += i % 4;
  }
  return `${n} rows, ids ${n === 0 ? null : ids}, vs ${n === 0 ? null : vs}, ks ${n === 0 ? null : ks}`;
}

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2 });
  root = await tempDir('kill');
});

afterAll(async () => {
  await spark?.stop();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

describe('SIGKILL during a write', () => {
  it('leaves every target as it was or complete, and every rerun succeeds with the exact output', async () => {
    // The old content, written in this process.
    const before = new Map<string, Record<string, string>>();
    for (const c of CASES) {
      if (c.before === null) continue;
      await data(spark, c.before, OLD_SALT).write.partitionBy('k').parquet(targetOf(c));
      before.set(c.name, await visible(targetOf(c)));
    }
    const markers = path.join(root, 'markers');
    await fs.mkdir(markers);
    const cfgPath = path.join(root, 'cfg.json');
    await fs.writeFile(cfgPath, JSON.stringify({ markers, cases: CASES.map((c) => ({ ...c, target: targetOf(c) })) }));
    const script = path.join(root, 'child.mts');
    await fs.writeFile(script, childScript(cfgPath));

    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    try {
      for (const c of CASES.filter((x) => x.pauseAt !== null)) {
        await waitFor(`${c.name} to pause`, async () => existsSync(path.join(markers, c.name)), child, 90_000);
      }
      const big = CASES.find((c) => c.pauseAt === null)!;
      // Killed once its tasks have written part files (or, on a fast machine, when it is done).
      await waitFor('the large write\'s task output', async () => existsSync(path.join(markers, big.name)) || anyFile(path.join(targetOf(big), '_temporary')), child, 90_000);
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n${stderr}`);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // Right after the kill, before anyone recovers anything.
    const complete = await (async () => {
      const ref = path.join(root, 'reference');
      await data(spark, SMALL, NEW_SALT).write.partitionBy('k').parquet(ref);
      return visible(ref);
    })();
    for (const c of CASES) {
      const t = targetOf(c);
      const state = await exists(t) ? await visible(t) : null;
      const old = before.get(c.name);
      switch (c.afterKill) {
        case 'old': expect(state, c.name).toEqual(old); break;
        case 'missing': expect(state, c.name).toBeNull(); break;
        case 'new': expect(state, c.name).not.toEqual(old); expect(state!['_SUCCESS'], c.name).toBe(''); break;
        case 'old-or-new': expect(state === null ? false : JSON.stringify(state) === JSON.stringify(old) || state['_SUCCESS'] === '', c.name).toBe(true); break;
      }
      if (c.name === 'swapped') expect(state, c.name).toEqual(complete);
    }

    // Readers see the old or the new content (a read finishes a commit that left the target missing).
    const oldRows = (c: Case): [number, number][] => (c.before === null ? [] : [[c.before, OLD_SALT]]);
    const newRows = (c: Case): [number, number][] => {
      if (c.mode === 'append') return [...oldRows(c), [c.rows, NEW_SALT]];
      if (c.dynamic) return [[c.rows, NEW_SALT]]; // every k of the old rows is rewritten here
      return [[c.rows, NEW_SALT]];
    };
    const committed = new Map<string, boolean>();
    for (const c of CASES) {
      const rows = await rowsOf(targetOf(c));
      const isNew = c.afterKill === 'new' || c.afterKill === 'missing' || (c.afterKill === 'old-or-new' && rows === expectedRows(newRows(c)));
      expect(rows, c.name).toEqual(expectedRows(isNew ? newRows(c) : oldRows(c)));
      committed.set(c.name, isNew);
    }

    // Rerun every write: it succeeds, with the exact output, and nothing stale is left.
    for (const c of CASES) {
      const t = targetOf(c);
      let w = data(spark, c.rows, NEW_SALT).write.mode(c.mode).partitionBy('k');
      if (c.dynamic) w = w.option('partitionOverwriteMode', 'dynamic');
      await w.parquet(t);
      const expected: [number, number][] = c.mode === 'append'
        ? [...oldRows(c), ...(committed.get(c.name) ? [[c.rows, NEW_SALT] as [number, number]] : []), [c.rows, NEW_SALT]]
        : [[c.rows, NEW_SALT]];
      expect(await rowsOf(t), c.name).toEqual(expectedRows(expected));
      if (c.mode === 'overwrite' && !c.dynamic && c.rows === SMALL) expect(await visible(t), c.name).toEqual(complete);
      expect(await exists(path.join(t, '_temporary')), c.name).toBe(false);
      expect(await fs.readdir(path.dirname(t)), c.name).toEqual(['out']);
    }
  }, 180_000);
});
