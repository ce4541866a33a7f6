// Adaptive execution end to end: the decisions show in lastJob() with their numbers, the
// executed plan shows the rewrite, and the rows equal those of the same job run without it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, col, count, sum, type Dataset } from '../../src/index.js';
import { expectSameRows } from '../helpers/oracle.js';

let adaptive: Session;
let fixed: Session;

beforeAll(async () => {
  const common = { parallelism: 2, shufflePartitions: 8, autoBroadcastJoinThreshold: 10_000 };
  adaptive = await Session.create({ ...common, advisoryPartitionSizeMb: 1, skewedPartitionThresholdMb: 0.05 });
  fixed = await Session.create({ ...common, adaptive: false });
});

afterAll(async () => {
  await adaptive?.stop();
  await fixed?.stop();
});

async function both(build: (s: Session) => Dataset): Promise<{ decisions: readonly string[]; executed: string }> {
  const a = await build(adaptive).collect();
  const job = adaptive.lastJob()!;
  const b = await build(fixed).collect();
  expect(fixed.lastJob()!.decisions.some((d) => d.includes('adaptive'))).toBe(false);
  expectSameRows(a, b);
  return { decisions: job.decisions, executed: job.executedPlan };
}

describe('adaptive execution', () => {
  it('demotes a join whose side turned out small to a broadcast join', async () => {
    // range(100000) filtered to 5 rows: estimated ~50k rows (too big to broadcast), measured tiny.
    const { decisions, executed } = await both((s) => s.range(200_000).withColumn('k', col('id').mod(1000))
      .join(s.range(100_000).withColumnRenamed('id', 'k').withColumn('name', col('k').plus(1)).filter(col('k').lt(5)), 'k')
      .groupBy('name').agg(sum('id').as('s')));
    expect(decisions.join('\n')).toMatch(/adaptive: ShuffledHashJoin \[k\] inner → BroadcastHashJoin building right: stage \d measured \d+ B ≤ autoBroadcastJoinThreshold/);
    expect(executed).toMatch(/BroadcastHashJoin \[k\], Inner, BuildRight/);
  });

  it('splits a skewed partition and coalesces small ones, with the same rows', async () => {
    const { decisions, executed } = await both((s) => s.range(200_000)
      .withColumn('k', col('id').mod(7).eq(0).cast('int64').mul(col('id').mod(100))).withColumnRenamed('id', 'v')
      .join(s.range(5000).withColumn('k', col('id').mod(100)).withColumnRenamed('id', 'w').hint('merge'), 'k')
      .agg(count('*').as('n'), sum('w').as('sw')));
    expect(decisions.join('\n')).toMatch(/adaptive: skewed partition \d+ of the left side of SortMergeJoin \[k\]: .* > 5 × median .* split into \d+ tasks by map output/);
    expect(executed).toMatch(/\[maps \d+-\d+\]/);
  });

  it('does not demote a hinted join, and leaves a repartition(n) alone', async () => {
    const { decisions } = await both((s) => s.range(20_000).withColumn('k', col('id').mod(10))
      .join(s.range(10).withColumnRenamed('id', 'k').hint('merge'), 'k').repartition(5).groupBy('k').count());
    expect(decisions.some((d) => d.includes('BroadcastHashJoin building'))).toBe(false);
    expect(decisions.some((d) => /coalesced 5 /.test(d))).toBe(false);
  });
});
