// Persisted datasets: computed once by the first action, read from memory by later ones
// (InMemoryScan), equal to the uncached results, and freed by unpersist().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, col, count, sum } from '../../src/index.js';
import { expectSameRows } from '../helpers/oracle.js';

let spark: Session;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2 });
});

afterAll(async () => {
  await spark?.stop();
});

const base = () => spark.range(20_000).withColumn('k', col('id').mod(97)).withColumn('v', col('id').mul(0.5)).filter(col('k').neq(3));

describe('cache / persist', () => {
  it('computes once, then reads the blocks: same rows as uncached, InMemoryScan in the plan', async () => {
    const cached = base().cache();
    const query = () => cached.groupBy('k').agg(sum('v').as('s'), count('*').as('n'));
    const before = spark.cacheStats();
    const first = await query().collect();
    const afterFirst = spark.cacheStats();
    expect(afterFirst.misses).toBe(before.misses + 1);
    const second = await query().collect();
    expect(spark.lastJob()!.cache.hits).toBe(1);
    expect(spark.lastJob()!.cache.misses).toBe(0);
    expect(spark.cacheStats().hits).toBeGreaterThan(afterFirst.hits);
    expect(spark.cacheStats().misses).toBe(afterFirst.misses);
    const job = spark.lastJob()!;
    expect(job.stages[0]!.name).toMatch(/^LocalTableScan/); // the blocks, not the Range
    expect(await query().explain()).toMatch(/InMemoryScan #\d+ MEMORY_AND_DISK \[id, k, v\]/);
    const uncached = await base().groupBy('k').agg(sum('v').as('s'), count('*').as('n')).collect();
    expectSameRows(first, uncached);
    expectSameRows(second, uncached);
    cached.unpersist();
  });

  it('datasets derived before cache() was called use the cache too', async () => {
    const ds = base();
    const derived = ds.filter(col('k').lt(10));
    ds.persist('MEMORY_ONLY');
    const n1 = await derived.count();
    const misses = spark.cacheStats().misses;
    const n2 = await derived.count();
    expect(n2).toBe(n1);
    expect(spark.cacheStats().misses).toBe(misses);
    expect(await derived.explain()).toMatch(/InMemoryScan #\d+ MEMORY_ONLY/);
    ds.unpersist();
  });

  it('unpersist frees the bytes; the next action recomputes from the plan', async () => {
    const ds = base().cache();
    const n = await ds.count();
    const held = spark.cacheStats().bytesInMemory;
    expect(held).toBeGreaterThan(0);
    ds.unpersist();
    expect(spark.cacheStats().bytesInMemory).toBeLessThan(held);
    expect(ds.storageLevel).toBeNull();
    expect(await ds.count()).toBe(n);
    expect(await ds.explain()).not.toMatch(/InMemoryScan/);
  });

  it('keeps a lambda dataset: the lambda runs once per row, not once per query', async () => {
    const mapped = spark.range(1000).map((r: { id: number }) => ({ id: r.id, sq: r.id * r.id })).cache();
    const a = await mapped.agg(sum('sq').as('s')).collect();
    const b = await mapped.filter(col('id').lt(10)).collect();
    expect(a[0]!['s']).toBe(332833500);
    expect(b).toHaveLength(10);
    expect(await mapped.explain()).toMatch(/InMemoryScan/);
    mapped.unpersist();
  });

  it('rejects an unknown level and a level change without unpersist', () => {
    const ds = base();
    expect(() => ds.persist('MEMORY' as never)).toThrow(/unknown storage level 'MEMORY'/);
    ds.persist('DISK_ONLY');
    expect(() => ds.persist('MEMORY_ONLY')).toThrow(/already persisted as DISK_ONLY/);
    ds.unpersist();
  });
});

describe('storage levels under a byte budget', () => {
  let small: Session;
  beforeAll(async () => {
    // ~320 KiB: one of the two ~240 KiB partitions fits, the second evicts the first.
    small = await Session.create({ parallelism: 2, memoryBudgetMb: 0.3 });
  });
  afterAll(async () => {
    await small?.stop();
  });
  const data = () => small.range(20_000).withColumn('k', col('id').mod(13)).withColumn('v', col('id').mul(1.5));
  const q = (ds: ReturnType<typeof data>) => ds.groupBy('k').agg(sum('v').as('s'), count('*').as('n'));

  it('MEMORY_ONLY: an evicted partition is recomputed from lineage, only that one, with equal results', async () => {
    const expected = await q(data()).collect();
    const ds = data().persist('MEMORY_ONLY');
    const first = await q(ds).collect();
    const before = small.cacheStats();
    expect(before.evictions).toBeGreaterThan(0);
    const second = await q(ds).collect();
    const after = small.cacheStats();
    expect(after.recomputedPartitions - before.recomputedPartitions).toBe(1);
    expect(small.lastJob()!.cache.recomputedPartitions).toBe(1);
    expectSameRows(first, expected);
    expectSameRows(second, expected);
    ds.unpersist();
  });

  it('MEMORY_AND_DISK: evicted blocks go to a spill file and are read back, nothing recomputed', async () => {
    const expected = await q(data()).collect();
    const ds = data().persist('MEMORY_AND_DISK');
    await q(ds).collect();
    const before = small.cacheStats();
    expect(before.bytesOnDisk).toBeGreaterThan(0);
    const again = await q(ds).collect();
    expect(small.cacheStats().recomputedPartitions).toBe(before.recomputedPartitions);
    expectSameRows(again, expected);
    ds.unpersist();
    expect(small.cacheStats().bytesOnDisk).toBe(0);
  });

  it('DISK_ONLY keeps nothing in memory', async () => {
    const expected = await q(data()).collect();
    const ds = data().persist('DISK_ONLY');
    const inMemory = small.cacheStats().bytesInMemory;
    expectSameRows(await q(ds).collect(), expected);
    expect(small.cacheStats().bytesInMemory).toBe(inMemory);
    expect(small.cacheStats().bytesOnDisk).toBeGreaterThan(0);
    expectSameRows(await q(ds).collect(), expected);
    ds.unpersist();
  });
});

describe('cached partitioning', () => {
  it('a cached repartition(n, k) stays hash-partitioned on k: a groupBy on k and a shuffled join on k add no Exchange on its side', async () => {
    const s = await Session.create({ parallelism: 2, shufflePartitions: 4, autoBroadcastJoinThreshold: -1 });
    try {
      const links = s.range(4000).withColumn('src', col('id').mod(50)).repartition(4, 'src').cache();
      await links.count();
      const grouped = await links.groupBy('src').count().explain();
      expect(grouped).toMatch(/InMemoryScan/);
      expect(grouped).not.toMatch(/Exchange/);
      const other = s.range(50).withColumnRenamed('id', 'src').withColumn('w', col('src').mul(2));
      const joined = await links.join(other, 'src').explain();
      // Exactly one Exchange: the other side's; the cached side is read in place.
      expect(joined.match(/Exchange hashpartitioning/g)).toHaveLength(1);
      expect(await links.join(other, 'src').count()).toBe(4000);
    } finally {
      await s.stop();
    }
  });
});
