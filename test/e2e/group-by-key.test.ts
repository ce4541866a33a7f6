// groupByKey(fn).mapGroups / reduceGroups: every group seen once, with all its rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../src/index.js';

let spark: Session;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2, shufflePartitions: 3 });
});

afterAll(async () => {
  await spark?.stop();
});

const orders = () => spark.createDataset(
  Array.from({ length: 500 }, (_, i) => ({ id: i, user: `u${i % 7}`, amount: (i % 13) + 0.5 })),
  { partitions: 5 },
).as<{ id: number; user: string; amount: number }>();

describe('groupByKey', () => {
  it('mapGroups sees each key once with every row of it', async () => {
    const out = await orders()
      .groupByKey((o) => o.user)
      .mapGroups((user, rows, ctx) => ({ user, n: rows.length, total: rows.reduce((s, r) => s + r.amount, 0) * ctx.k }), { k: 2 })
      .collect();
    expect(out).toHaveLength(7);
    const expected = new Map<string, { n: number; total: number }>();
    for (let i = 0; i < 500; i++) {
      const e = expected.get(`u${i % 7}`) ?? { n: 0, total: 0 };
      e.n++; e.total += ((i % 13) + 0.5) * 2;
      expected.set(`u${i % 7}`, e);
    }
    for (const r of out as { user: string; n: number; total: number }[]) {
      expect(r.n).toBe(expected.get(r.user)!.n);
      expect(r.total).toBeCloseTo(expected.get(r.user)!.total, 6);
    }
  });

  it('reduceGroups folds each group and adds its key; keys may be computed values', async () => {
    const out = await orders()
      .groupByKey((o, ctx) => o.id % ctx.m, { m: 4 })
      .reduceGroups((a, b) => ({ id: Math.max(a.id, b.id), user: a.user, amount: a.amount + b.amount }))
      .collect();
    expect((out as { key: number }[]).map((r) => r.key).sort()).toEqual([0, 1, 2, 3]);
    const maxIds = (out as { key: number; id: number }[]).sort((a, b) => a.key - b.key).map((r) => r.id);
    expect(maxIds).toEqual([496, 497, 498, 499]);
  });
});
