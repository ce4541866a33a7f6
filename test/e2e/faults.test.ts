// Failures survived: tasks that throw are retried, workers that die are replaced and their task
// retried, lost shuffle blocks are recomputed by rerunning the map tasks that wrote them, slow
// tasks are speculated — and in every case the job's output is exactly the fault-free output
// (and DuckDB's), accumulators count each task once, and a write leaves exactly the files of
// the fault-free run. A task that fails every attempt fails the job after maxTaskFailures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Session, col, count, countDistinct, sum, avg, TaskFailedError, type Dataset, type JobInfo, type SessionOptions } from '../../src/index.js';
import { FaultInjector } from '../../src/executor/faults.js';
import { SPECULATION_DEFAULTS, speculatable } from '../../src/executor/speculation.js';
import { commitTaskAttempt, removeTaskAttempts, taskAttemptDir } from '../../src/executor/io/task-commit.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { expectSameAsSql, listTree, loadRows, rejection, snapshotTree, tempDir, type Row } from '../helpers/e2e.js';
import { MIXED_SCHEMA, mixedRows } from '../helpers/e2e-data.js';

const N = 3000;
const rows = mixedRows(N);
const schema = MIXED_SCHEMA as Record<string, string>;
/** No broadcast joins: every join shuffles both sides, so there are more blocks to lose. */
const BASE: SessionOptions = { parallelism: 2, autoBroadcastJoinThreshold: -1 };

let clean: Session;
let db: Oracle;
let root: string;
let seq = 0;
const fresh = (name: string) => path.join(root, `${name}-${seq++}`);

const datasets = new WeakMap<Session, Dataset<Row>>();
/** The test rows as a 6-partition dataset of `s` (registered once per session). */
function data(s: Session): Dataset<Row> {
  let d = datasets.get(s);
  if (!d) { d = s.createDataset(rows, { schema, partitions: 6 }); datasets.set(s, d); }
  return d;
}

interface Query { readonly name: string; readonly ds: (s: Session) => Dataset<Row>; readonly sql: string; readonly ordered?: boolean }

const QUERIES: readonly Query[] = [
  {
    name: 'group-by',
    ds: (s) => data(s).groupBy('s').agg(count('*').as('n'), sum('a').as('sa'), avg('b').as('ab')),
    sql: 'SELECT s, count(*) AS n, sum(a) AS sa, avg(b) AS ab FROM t GROUP BY s',
  },
  {
    name: 'shuffled join + group-by',
    ds: (s) => data(s).select('id', 'a').join(data(s).select('id', 's').filter(col('id').mod(3).eq(0)), 'id')
      .groupBy('s').agg(count('*').as('n'), sum('a').as('sa')),
    sql: 'SELECT r.s, count(*) AS n, sum(l.a) AS sa FROM t l JOIN (SELECT id, s FROM t WHERE id % 3 = 0) r USING (id) GROUP BY r.s',
  },
  {
    name: 'orderBy (range shuffle)',
    ds: (s) => data(s).select('id', 'q', 's').orderBy('q', 'id'),
    sql: 'SELECT id, q, s FROM t ORDER BY q NULLS FIRST, id',
    ordered: true,
  },
  {
    name: 'distinct count per group',
    ds: (s) => data(s).groupBy('q').agg(countDistinct('s').as('cs'), count('*').as('n')),
    sql: 'SELECT q, count(DISTINCT s) AS cs, count(*) AS n FROM t GROUP BY q',
  },
];

/** Rows in `a` not matched one-for-one in `b`, plus the reverse (the DESIGN's batch.result.diff_count). */
function diffCount(a: readonly Row[], b: readonly Row[]): number {
  const counts = new Map<string, number>();
  for (const r of a) { const k = JSON.stringify(r); counts.set(k, (counts.get(k) ?? 0) + 1); }
  for (const r of b) { const k = JSON.stringify(r); counts.set(k, (counts.get(k) ?? 0) - 1); }
  let d = 0;
  for (const n of counts.values()) d += Math.abs(n);
  return d;
}

/** Runs `q` on the faulty session: same rows as DuckDB, and diff count 0 against the fault-free session. */
async function expectFaultFree(faulty: Session, q: Query): Promise<JobInfo> {
  const expected = (await q.ds(clean).collect()) as Row[];
  const got = await expectSameAsSql(q.ds(faulty), db, q.sql);
  const job = faulty.lastJob()!;
  expect(job.succeeded).toBe(true);
  expect(diffCount(got, expected), `${q.name}: rows differing from the fault-free run`).toBe(0);
  if (q.ordered) expect(got).toEqual(expected);
  return job;
}

const total = (job: JobInfo, f: (s: JobInfo['stages'][number]) => number) => job.stages.reduce((t, s) => t + f(s), 0);

type Pool = { threads: { threadId: number }[]; on(e: 'workerCreate' | 'workerDestroy', f: () => void): void };
const poolOf = (s: Session) => (s as unknown as { engine: { pool: Pool } }).engine.pool;

/** Thread ids of a session's workers (to see that a worker really died and was replaced). */
function threadIds(s: Session): number[] {
  return poolOf(s).threads.map((t) => t.threadId);
}

/**
 * Resolves once every worker of the session is ready: a killed or dead worker's replacement
 * takes a while to start (longer on a loaded machine), and a timed job must not wait for it.
 */
function readyWorkers(s: Session): () => Promise<void> {
  const pool = poolOf(s);
  let ready = pool.threads.length;
  pool.on('workerCreate', () => { ready++; });
  pool.on('workerDestroy', () => { ready--; });
  return async () => { while (ready < s.options.parallelism) await new Promise((r) => setTimeout(r, 20)); };
}

beforeAll(async () => {
  [clean, db, root] = await Promise.all([Session.create(BASE), openOracle(), tempDir('faults')]);
  await loadRows(db, 't', rows, MIXED_SCHEMA);
});

afterAll(async () => {
  await clean?.stop();
  db?.close();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

describe('fault injection is deterministic and spares the last attempt', () => {
  it('the same seed makes the same decisions, at about the configured rate', () => {
    const a = new FaultInjector({ taskFailureRate: 0.3, seed: 42 }, 4).forJob();
    const b = new FaultInjector({ taskFailureRate: 0.3, seed: 42 }, 4).forJob();
    const c = new FaultInjector({ taskFailureRate: 0.3, seed: 43 }, 4).forJob();
    let hits = 0, same = 0, differ = 0;
    for (let p = 0; p < 10_000; p++) {
      const x = a.taskFault(1, p, 0, 0);
      if (x === b.taskFault(1, p, 0, 0)) same++;
      if (x !== c.taskFault(1, p, 0, 0)) differ++;
      if (x === 'fail') hits++;
    }
    expect(same).toBe(10_000);
    expect(differ).toBeGreaterThan(1000);
    expect(hits / 10_000).toBeGreaterThan(0.28);
    expect(hits / 10_000).toBeLessThan(0.32);
    const always = new FaultInjector({ taskFailureRate: 1, workerCrashRate: 0 }, 4).forJob();
    expect(always.taskFault(0, 0, 2, 2)).toBe('fail');
    expect(always.taskFault(0, 0, 3, 3)).toBeNull();
  });

  it('bad settings are refused', async () => {
    await expect(Session.create({ ...BASE, faults: { taskFailureRate: 1.5 } })).rejects.toThrow(/taskFailureRate must be a probability/);
    await expect(Session.create({ ...BASE, maxTaskFailures: 0 })).rejects.toThrow(/maxTaskFailures must be a positive integer/);
  });

  it('speculation waits for the quantile, then picks tasks slower than 1.5 × the median', () => {
    const o = SPECULATION_DEFAULTS;
    expect(speculatable(o, 4, [10, 12], [{ partition: 0, runningMs: 5000 }])).toEqual([]);
    expect(speculatable(o, 4, [10, 12, 400], [{ partition: 0, runningMs: 500 }, { partition: 1, runningMs: 50 }])).toEqual([0]);
    expect(speculatable(o, 4, [10, 12, 14], [{ partition: 0, runningMs: 90 }])).toEqual([]); // under minTaskRuntimeMs
  });
});

describe('injected task failures (30%)', () => {
  let faulty: Session;
  beforeAll(async () => { faulty = await Session.create({ ...BASE, faults: { taskFailureRate: 0.3, seed: 11 } }); });
  afterAll(async () => { await faulty?.stop(); });

  it('every query gives the fault-free output; each failed attempt was retried once', async () => {
    let failed = 0;
    for (const q of QUERIES) {
      const job = await expectFaultFree(faulty, q);
      failed += total(job, (s) => s.failedTasks);
      expect(total(job, (s) => s.retriedTasks), q.name).toBe(total(job, (s) => s.failedTasks));
    }
    expect(failed).toBeGreaterThan(3);
  });

  it('an accumulator counts each task once: a failed attempt\'s updates are dropped', async () => {
    const seen = faulty.accumulator();
    const ds = data(faulty).map((r: Row, ctx: { seen: { add(x: number): void } }) => { ctx.seen.add(1); return { s: r['s'], one: 1 }; }, { seen })
      .groupBy('s').agg(sum('one').as('n'));
    const got = await ds.collect();
    expect(got.reduce((t, r) => t + (r['n'] as number), 0)).toBe(N);
    expect(total(faulty.lastJob()!, (s) => s.failedTasks)).toBeGreaterThan(0);
    expect(seen.value).toBe(N);
  });

  it('a write leaves exactly the files (and bytes) of the fault-free run', async () => {
    const a = fresh('write-clean'), b = fresh('write-faulty');
    await data(clean).write.partitionBy('flag').parquet(a);
    const res = await data(faulty).write.partitionBy('flag').parquet(b);
    expect(total(faulty.lastJob()!, (s) => s.failedTasks)).toBeGreaterThan(0);
    expect(await snapshotTree(b)).toEqual(await snapshotTree(a));
    expect((await listTree(b)).filter((f) => f.includes('_temporary') || f.includes('_attempts'))).toEqual([]);
    expect(res.files.length).toBe((await listTree(a)).filter((f) => f.endsWith('.parquet')).length);
  });
});

describe('a lambda that fails, or kills its worker', () => {
  it('throws on its first attempt only: the retry succeeds, exact output and accumulator', async () => {
    const marker = fresh('first-attempt');
    const seen = clean.accumulator();
    const ds = data(clean).map((r: Row, ctx: { marker: string; seen: { add(x: number): void } }) => {
      ctx.seen.add(1);
      if (r['id'] === 1234 && typeof process !== 'undefined') {
        const fs = process.getBuiltinModule('fs');
        let first = true;
        try { fs.writeFileSync(ctx.marker, '', { flag: 'wx' }); } catch { first = false; }
        if (first) throw new Error('transient: the first attempt fails');
      }
      return { id: r['id'], s: r['s'] };
    }, { marker, seen });
    const got = await ds.collect();
    expect(got.length).toBe(N);
    expect(diffCount(got, rows.map((r) => ({ id: r['id'], s: r['s'] })))).toBe(0);
    const stage = clean.lastJob()!.stages.at(-1)!;
    expect(stage.failedTasks).toBe(1);
    expect(stage.retriedTasks).toBe(1);
    expect(seen.value).toBe(N);
  });

  it('throws on every attempt: the job fails after exactly maxTaskFailures (4) attempts, with its message and partition', async () => {
    const log = fresh('attempts.log');
    const started = performance.now();
    const err = await rejection(data(clean).map((r: Row, ctx: { log: string }) => {
      if (r['id'] === 2222) {
        if (typeof process !== 'undefined') process.getBuiltinModule('fs').appendFileSync(ctx.log, 'attempt\n');
        throw new Error('row 2222 is always bad');
      }
      return { id: r['id'] };
    }, { log }).collect());
    expect(err).toBeInstanceOf(TaskFailedError);
    const e = err as TaskFailedError;
    expect(e.message).toContain('row 2222 is always bad');
    expect(e.message).toContain('partition 4');
    expect(e.message).toContain('failed 4 times');
    expect(e.partition).toBe(4);
    expect(e.attempts).toBe(4);
    expect((await fs.readFile(log, 'utf8')).split('\n').filter(Boolean).length).toBe(4);
    const job = clean.lastJob()!;
    expect(job.succeeded).toBe(false);
    expect(job.stages.at(-1)!.failedTasks).toBe(4);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('kills its worker (process.exit) on the first attempt: the worker is replaced, the task retried, the output exact', async () => {
    const marker = fresh('exit');
    const before = threadIds(clean);
    const got = await data(clean).map((r: Row, ctx: { marker: string }) => {
      if (r['id'] === 10 && typeof process !== 'undefined') {
        const fs = process.getBuiltinModule('fs');
        let first = true;
        try { fs.writeFileSync(ctx.marker, '', { flag: 'wx' }); } catch { first = false; }
        if (first) process.exit(3);
      }
      return { id: r['id'], a: r['a'] };
    }, { marker }).collect();
    expect(diffCount(got, rows.map((r) => ({ id: r['id'], a: r['a'] })))).toBe(0);
    expect(clean.lastJob()!.stages.at(-1)!.failedTasks).toBe(1);
    const after = threadIds(clean);
    expect(after.filter((t) => !before.includes(t)).length).toBeGreaterThan(0);
  });
});

describe('injected worker crashes', () => {
  let faulty: Session;
  beforeAll(async () => { faulty = await Session.create({ ...BASE, faults: { workerCrashRate: 0.15, seed: 8 } }); }); // seed 8: one crash, in the join's first map stage
  afterAll(async () => { await faulty?.stop(); });

  it('threads really exit mid-task and are replaced; the output is exact', async () => {
    const before = threadIds(faulty);
    let failed = 0;
    for (const q of QUERIES.slice(0, 2)) failed += total(await expectFaultFree(faulty, q), (s) => s.failedTasks);
    expect(failed).toBeGreaterThan(0);
    expect(threadIds(faulty).filter((t) => !before.includes(t)).length).toBeGreaterThan(0);
  });
});

describe('lost shuffle blocks', () => {
  let faulty: Session;
  // A small memory budget: some map outputs are spilled, so lost blocks include spill files.
  beforeAll(async () => { faulty = await Session.create({ ...BASE, memoryBudgetMb: 0.05, faults: { blockLossRate: 0.5, seed: 3 } }); });
  afterAll(async () => { await faulty?.stop(); });

  it('the map tasks that wrote them rerun; every query gives the fault-free output', async () => {
    let recomputed = 0, fetchFailures = 0;
    for (const q of QUERIES) {
      const job = await expectFaultFree(faulty, q);
      recomputed += total(job, (s) => s.recomputedTasks);
      fetchFailures += total(job, (s) => s.fetchFailures);
      expect(total(job, (s) => s.failedTasks), q.name).toBe(0);
    }
    expect(recomputed).toBeGreaterThan(2);
    expect(fetchFailures).toBeGreaterThan(0);
  });

  it('an accumulator in a rerun map stage still counts each row once', async () => {
    const seen = faulty.accumulator();
    const got = await data(faulty).map((r: Row, ctx: { seen: { add(x: number): void } }) => { ctx.seen.add(1); return { q: r['q'], one: 1 }; }, { seen })
      .groupBy('q').agg(sum('one').as('n')).collect();
    expect(got.reduce((t, r) => t + (r['n'] as number), 0)).toBe(N);
    expect(total(faulty.lastJob()!, (s) => s.recomputedTasks)).toBeGreaterThan(0);
    expect(seen.value).toBe(N);
  });
});

describe('speculative execution', () => {
  const SLEEP_MS = 8000;
  let spec: Session;
  let allReady: () => Promise<void>;
  beforeAll(async () => {
    spec = await Session.create({ ...BASE, speculation: true, maxTaskFailures: 2 });
    allReady = readyWorkers(spec);
    await spec.range(10).collect();
  });
  afterAll(async () => { await spec?.stop(); });

  /**
   * Partition 0's first attempt sleeps (the first to create `marker`); every other attempt is
   * quick. (No lambda may follow it: the check of a later lambda would run this one in a sample job.)
   */
  const slowFirst = (s: Session, marker: string, seen = s.accumulator()) => data(s).map((r: Row, ctx: { marker: string; ms: number; seen: { add(x: number): void } }) => {
    ctx.seen.add(1);
    if (r['id'] === 0 && typeof process !== 'undefined') {
      let first = true;
      try { process.getBuiltinModule('fs').writeFileSync(ctx.marker, '', { flag: 'wx' }); } catch { first = false; }
      if (first) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ctx.ms);
    }
    return { id: r['id'], s: r['s'], b: r['b'] };
  }, { marker, ms: SLEEP_MS, seen });

  it('a straggler is re-launched; the job ends long before the sleep, with the exact output and one winner per partition', async () => {
    const seen = spec.accumulator();
    await allReady(); // the timing below is the job's alone, not a worker's start-up
    const started = performance.now();
    const got = await slowFirst(spec, fresh('slow'), seen).collect();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(SLEEP_MS / 2);
    expect(diffCount(got, rows.map((r) => ({ id: r['id'], s: r['s'], b: r['b'] })))).toBe(0);
    const stage = spec.lastJob()!.stages.at(-1)!;
    expect(stage.speculativeTasks).toBeGreaterThanOrEqual(1);
    expect(stage.killedTasks).toBeGreaterThanOrEqual(1);
    expect(seen.value).toBe(N);
  });

  it('a speculated write commits one attempt per partition: the files of the fault-free run', async () => {
    const a = fresh('spec-clean'), b = fresh('spec-write');
    const noSleep = fresh('marker-taken');
    await fs.writeFile(noSleep, ''); // the marker exists: no attempt sleeps in the fault-free run
    await slowFirst(clean, noSleep).write.csv(a);
    await allReady();
    const started = performance.now();
    await slowFirst(spec, fresh('slow-write')).write.csv(b);
    expect(performance.now() - started).toBeLessThan(SLEEP_MS / 2);
    expect(spec.lastJob()!.stages.at(-1)!.speculativeTasks).toBeGreaterThanOrEqual(1);
    expect(await snapshotTree(b)).toEqual(await snapshotTree(a));
  }, 30_000);

  it('maxTaskFailures is a session option: 2 attempts here', async () => {
    const err = await rejection(data(spec).filter((r: Row) => {
      if (r['id'] === 5) throw new Error('never works');
      return true;
    }).count());
    expect(err).toBeInstanceOf(TaskFailedError);
    expect((err as TaskFailedError).attempts).toBe(2);
    expect(err.message).toContain('never works');
    expect(err.message).toContain('partition 0');
  });
});

describe('task commit', () => {
  it('only the committed attempt of a partition lands in the job directory', async () => {
    const jobDir = fresh('commit');
    const write = async (attempt: number, text: string) => {
      const f = path.join(taskAttemptDir(jobDir, 3, attempt), 'k=1', 'part-00003.csv');
      await fs.mkdir(path.dirname(f), { recursive: true });
      await fs.writeFile(f, text);
      return f;
    };
    await write(0, 'loser');
    const winner = await write(1, 'winner');
    const files = await commitTaskAttempt(jobDir, 3, 1, [winner]);
    await removeTaskAttempts(jobDir);
    expect(files).toEqual([path.join(jobDir, 'k=1', 'part-00003.csv')]);
    expect(await listTree(jobDir)).toEqual(['k=1/part-00003.csv']);
    expect(await fs.readFile(files[0]!, 'utf8')).toBe('winner');
  });
});
