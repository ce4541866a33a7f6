// The memory budget (task-memory.ts): aggregations and hash joins that outgrow a task's share
// spill or change strategy instead of holding everything, and give DuckDB's answers; the
// stage metrics report the peak the engine counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, col, count, countDistinct, max, min, sum } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { expectSameAsSql } from '../helpers/e2e.js';
import { lastJob, stageWith } from '../helpers/job.js';

const N = 60_000;
let db: Oracle;
let tight: Session;
let roomy: Session;

beforeAll(async () => {
  db = await openOracle();
  // 0.5 MiB over 2 workers: 128 KiB per task (half the budget is the block manager's).
  tight = await Session.create({ parallelism: 2, shufflePartitions: 3, memoryBudgetMb: 0.5, autoBroadcastJoinThreshold: -1, adaptive: false });
  roomy = await Session.create({ parallelism: 2, shufflePartitions: 3, memoryBudgetMb: 1024, autoBroadcastJoinThreshold: -1, adaptive: false });
});

afterAll(async () => {
  await tight?.stop();
  await roomy?.stop();
  db?.close();
});

const facts = (s: Session) => s.range(N).select(
  col('id').mul(7).mod(30_000).as('k'),
  col('id').mod(13).cast('string').as('tag'),
  col('id').mod(1000).as('v'),
);
const FACTS = `(SELECT (i * 7) % 30000 AS k, CAST(i % 13 AS VARCHAR) AS tag, i % 1000 AS v FROM range(${N}) t(i))`;

describe('aggregation past the memory share', () => {
  it('a final aggregation spills its groups and finishes bucket by bucket, matching DuckDB', async () => {
    const ds = facts(tight).groupBy('k').agg(sum('v').as('s'), count('*').as('n'), min('tag').as('lo'), max('v').as('hi'));
    await expectSameAsSql(ds, db, `SELECT k, sum(v) AS s, count(*) AS n, min(tag) AS lo, max(v) AS hi FROM ${FACTS} GROUP BY k`);
    const job = lastJob(tight);
    const final = job.stages[job.stages.length - 1]!;
    expect(final.name).toContain('HashAggregate');
    expect(final.spillBytes, 'bytes the final aggregation spilled').toBeGreaterThan(0);
  });

  it('spills groups with two keys, strings and distinct counts', async () => {
    const ds = facts(tight).groupBy('k', 'tag').agg(countDistinct('v').as('d'), sum('v').as('s'));
    await expectSameAsSql(ds, db, `SELECT k, tag, count(DISTINCT v) AS d, sum(v) AS s FROM ${FACTS} GROUP BY k, tag`);
    expect(lastJob(tight).stages.some((s) => s.spillBytes > 0)).toBe(true);
  });

  it('holds less at its peak under a small budget than under a large one', async () => {
    const q = (s: Session) => facts(s).groupBy('k').agg(sum('v').as('s')).collect();
    // The final aggregation's stage (the map stage holds its shuffle output either way).
    const finalPeak = (s: Session) => lastJob(s).stages[lastJob(s).stages.length - 1]!.peakMemoryBytes;
    const a = await q(tight);
    const tightPeak = finalPeak(tight);
    const b = await q(roomy);
    const roomyPeak = finalPeak(roomy);
    expect(a.length).toBe(b.length);
    expect(roomyPeak).toBeGreaterThan(0);
    expect(tightPeak).toBeLessThan(roomyPeak);
  });
});

describe('a shuffled hash join past the memory share', () => {
  const dims = (s: Session) => s.range(90_000).select(col('id').as('k'), col('id').mul(3).as('w'));
  const DIMS = `(SELECT i AS k, i * 3 AS w FROM range(90000) t(i))`;

  for (const how of ['inner', 'left', 'right', 'full', 'semi', 'anti'] as const) {
    it(`${how} join: the task switches to sort-merge and still matches DuckDB`, async () => {
      // A right join builds its left side (the right side's unmatched rows stream through).
      const ds = how === 'right'
        ? facts(tight).hint('shuffle_hash').join(dims(tight), 'k', how)
        : facts(tight).join(dims(tight).hint('shuffle_hash'), 'k', how);
      expect(await ds.explain()).toContain('ShuffledHashJoin');
      const cols = how === 'semi' || how === 'anti' ? 'f.k, f.tag, f.v' : `${how === 'right' ? 'd.k' : how === 'full' ? 'coalesce(f.k, d.k) AS k' : 'f.k'}, f.tag, f.v, d.w`;
      const join = how === 'semi' ? 'SEMI JOIN' : how === 'anti' ? 'ANTI JOIN' : `${how.toUpperCase()} JOIN`;
      await expectSameAsSql(ds, db, `SELECT ${cols} FROM ${FACTS} f ${join} ${DIMS} d ON f.k = d.k`);
      const stage = stageWith(lastJob(tight), 'ShuffledHashJoin');
      expect(stage, 'the join stage').toBeDefined();
      expect(stage!.spillBytes, 'bytes the fallback sorts spilled').toBeGreaterThan(0);
    });
  }

  it('builds the hash table when the build side fits (no spill)', async () => {
    const ds = facts(roomy).join(dims(roomy).hint('shuffle_hash'), 'k');
    await expectSameAsSql(ds, db, `SELECT f.k, f.tag, f.v, d.w FROM ${FACTS} f JOIN ${DIMS} d ON f.k = d.k`);
    const stage = stageWith(lastJob(roomy), 'ShuffledHashJoin')!;
    expect(stage.spillBytes).toBe(0);
    // The table of ~15k build rows per task (16 bytes a row and more) is in the peak.
    expect(stage.peakMemoryBytes).toBeGreaterThan(15_000 * 16);
  });
});
