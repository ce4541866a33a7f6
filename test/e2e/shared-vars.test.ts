// Shared variables: broadcast values read in lambdas through ctx, and accumulators that count
// exactly what successful tasks added (not the engine's own sample runs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, col, sum } from '../../src/index.js';

let spark: Session;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2 });
});

afterAll(async () => {
  await spark?.stop();
});

describe('broadcast variables', () => {
  it('a lambda reads a broadcast value through ctx', async () => {
    const centers = spark.broadcast({ points: [0, 100, 1000] });
    const nearest = spark.range(2000, undefined, 1, 4).map((r: { id: number }, ctx: { c: { points: number[] } }) => {
      let best = 0;
      for (let i = 1; i < ctx.c.points.length; i++) {
        if (Math.abs(r.id - ctx.c.points[i]!) < Math.abs(r.id - ctx.c.points[best]!)) best = i;
      }
      return { id: r.id, center: best };
    }, { c: centers });
    const rows = await nearest.groupBy('center').count().orderBy('center').collect();
    expect(rows).toEqual([{ center: 0, count: 51 }, { center: 1, count: 500 }, { center: 2, count: 1449 }]);
    expect(centers.value.points).toEqual([0, 100, 1000]);
  });
});

describe('accumulators', () => {
  it('counts exactly the rows the tasks saw, across partitions and actions', async () => {
    const seen = spark.accumulator(0, 'seen');
    const ds = spark.range(10_000, undefined, 1, 7).filter((r: { id: number }, ctx: { seen: { add(x: number): void } }) => {
      ctx.seen.add(1);
      return r.id % 2 === 0;
    }, { seen });
    expect(await ds.count()).toBe(5000);
    expect(seen.value).toBe(10_000);
    await ds.agg(sum(col('id')).as('s')).collect();
    expect(seen.value).toBe(20_000);
  });

  it('the engine\'s sample runs for lambda checks do not count', async () => {
    const calls = spark.accumulator();
    const ds = spark.range(100).map((r: { id: number }, ctx: { calls: { add(x: number): void } }) => {
      ctx.calls.add(1);
      return { id: r.id };
    }, { calls }).map((r: { id: number }) => ({ twice: r.id * 2 }));
    expect(await ds.count()).toBe(100);
    expect(calls.value).toBe(100);
  });
});
