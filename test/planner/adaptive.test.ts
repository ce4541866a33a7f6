// Adaptive re-planning decisions, on synthetic measured shuffle sizes: each rewrite fires where
// it should, and not where it must not.
import { describe, expect, it } from 'vitest';
import { adaptStage, type AdaptiveOptions, type ShuffleStats } from '../../src/planner/physical/adaptive.js';
import type { Partitioning, PhysicalPlan } from '../../src/planner/physical/physical.js';
import { physicalTreeString } from '../../src/planner/physical/explain-physical.js';
import type { JoinType } from '../../src/planner/logical.js';
import { schema } from './dsl.js';

const KB = 1024;
const OPTS: AdaptiveOptions = { autoBroadcastJoinThreshold: 10 * KB, advisoryPartitionBytes: 64 * KB, skewThresholdBytes: 100 * KB, parallelism: 2 };
const est = { rows: 1000, bytes: 1_000_000, exact: false };

function read(stageId: number, n = 4, partitioning: Partitioning = { kind: 'hash', keys: [{ kind: 'col', name: 'k' }], n }): PhysicalPlan {
  return { kind: 'ShuffleRead', schema: schema('k: int32, v: float64'), est, stageId, partitions: n, partitioning };
}

function join(kind: 'SortMergeJoin' | 'ShuffledHashJoin', how: JoinType, hinted = false): PhysicalPlan {
  const sorted = (p: PhysicalPlan): PhysicalPlan => (kind === 'SortMergeJoin'
    ? { kind: 'Sort', schema: p.schema, est, input: p, order: [{ kind: 'sortKey', child: { kind: 'col', name: 'k' }, ascending: true, nullsFirst: true }] }
    : p);
  const base = { schema: schema('k: int32, v: float64'), est, how, on: ['k'], left: sorted(read(1)), right: sorted(read(2)), ...(hinted ? { hinted } : {}) };
  return kind === 'SortMergeJoin' ? { kind, ...base } : { kind, ...base, buildSide: 'right' };
}

/** Two map tasks; `buckets` are each bucket's total bytes, split evenly over the map tasks. */
function stats(buckets: number[]): ShuffleStats {
  return { mapBucketBytes: [buckets.map((b) => b / 2), buckets.map((b) => b / 2)] };
}

const measured = (left: number[], right: number[]) => (id: number) => (id === 1 ? stats(left) : id === 2 ? stats(right) : null);
const big = [200 * KB, 200 * KB, 200 * KB, 200 * KB];
const tiny = [1 * KB, 1 * KB, 1 * KB, 1 * KB];

describe('demotion to a broadcast join', () => {
  it('a sort-merge join whose right side measured under the threshold becomes a broadcast join', () => {
    const a = adaptStage(join('SortMergeJoin', 'inner'), measured(big, tiny), OPTS);
    expect(physicalTreeString(a.plan).split('\n')[0]).toContain('BroadcastHashJoin [k], Inner, BuildRight');
    expect(physicalTreeString(a.plan)).toContain('BroadcastRead stage=2');
    expect(physicalTreeString(a.plan)).not.toContain('Sort');
    expect(a.broadcastFrom).toEqual([2]);
    expect(a.decisions[0]).toBe('adaptive: SortMergeJoin [k] inner → BroadcastHashJoin building right: stage 2 measured 4.0 KiB ≤ autoBroadcastJoinThreshold 10.0 KiB (estimated 976.6 KiB)');
  });

  it('builds the left side of an inner join when the left is the small one', () => {
    const a = adaptStage(join('ShuffledHashJoin', 'inner'), measured(tiny, big), OPTS);
    expect(physicalTreeString(a.plan)).toContain('BuildLeft');
    expect(a.broadcastFrom).toEqual([1]);
  });

  it('does not fire for a hinted join, a full join, a disabled threshold, or when no buildable side is small', () => {
    expect(adaptStage(join('SortMergeJoin', 'inner', true), measured(big, tiny), OPTS).broadcastFrom).toEqual([]);
    expect(adaptStage(join('SortMergeJoin', 'full'), measured(big, tiny), OPTS).broadcastFrom).toEqual([]);
    expect(adaptStage(join('SortMergeJoin', 'inner'), measured(big, tiny), { ...OPTS, autoBroadcastJoinThreshold: -1 }).broadcastFrom).toEqual([]);
    expect(adaptStage(join('SortMergeJoin', 'inner'), measured(big, big), OPTS).broadcastFrom).toEqual([]);
    // a left join may only build its right side: a small left side does not help
    expect(adaptStage(join('SortMergeJoin', 'left'), measured(tiny, big), OPTS).broadcastFrom).toEqual([]);
  });
});

describe('skewed partitions', () => {
  const skewedLeft = [2000 * KB, 100 * KB, 100 * KB, 100 * KB];
  const even = [200 * KB, 200 * KB, 200 * KB, 200 * KB];

  it('splits a bucket over 5 × the median and over the threshold into tasks by map output', () => {
    const a = adaptStage(join('SortMergeJoin', 'inner'), measured(skewedLeft, even), OPTS);
    expect(a.decisions).toEqual([
      'adaptive: skewed partition 0 of the left side of SortMergeJoin [k]: 2.0 MiB > 5 × median 100.0 KiB and > 100.0 KiB; split into 2 tasks by map output',
    ]);
    const text = physicalTreeString(a.plan);
    expect(text).toContain('ShuffleRead stage=1 hashpartitioning(k, 4), adaptive: 5 tasks read 0[maps 0-0] 0[maps 1-1] 1 2 3');
    expect(text).toContain('ShuffleRead stage=2 hashpartitioning(k, 4), adaptive: 5 tasks read 0 0 1 2 3');
  });

  it('does not split below the threshold, on an even side, for a full join, or the right side of a left join', () => {
    expect(adaptStage(join('SortMergeJoin', 'inner'), measured(skewedLeft, even), { ...OPTS, skewThresholdBytes: 4096 * KB }).decisions.some((d) => d.includes('skewed'))).toBe(false);
    expect(adaptStage(join('SortMergeJoin', 'inner'), measured(even, even), OPTS).decisions.some((d) => d.includes('skewed'))).toBe(false);
    expect(adaptStage(join('SortMergeJoin', 'full'), measured(skewedLeft, even), OPTS).decisions.some((d) => d.includes('skewed'))).toBe(false);
    expect(adaptStage(join('SortMergeJoin', 'left'), measured(even, skewedLeft), OPTS).decisions.some((d) => d.includes('skewed'))).toBe(false);
  });
});

describe('coalescing small partitions', () => {
  const agg = (p: PhysicalPlan): PhysicalPlan => ({ kind: 'HashAggregate', schema: p.schema, est, input: p, mode: 'final', groupBy: [{ kind: 'col', name: 'k' }], aggs: [], aggInputSchema: p.schema });

  it('groups neighbouring buckets up to the advisory size', () => {
    const a = adaptStage(agg(read(1, 4)), (id) => (id === 1 ? stats([10 * KB, 20 * KB, 30 * KB, 40 * KB]) : null), OPTS);
    expect(a.decisions).toEqual(['adaptive: coalesced 4 shuffle partitions into 2 (measured 100.0 KiB in all, advisory 64.0 KiB per task)']);
    expect(physicalTreeString(a.plan)).toContain('adaptive: 2 tasks read 0-2 3');
  });

  it('leaves partitions alone when they are already big, when there is one, or when the user chose n', () => {
    expect(adaptStage(agg(read(1, 4)), (id) => (id === 1 ? stats(big) : null), OPTS).decisions).toEqual([]);
    expect(adaptStage(agg(read(1, 1, { kind: 'single' })), (id) => (id === 1 ? stats([KB]) : null), OPTS).decisions).toEqual([]);
    const user: Partitioning = { kind: 'hash', keys: [{ kind: 'col', name: 'k' }], n: 4, userSpecified: true };
    expect(adaptStage(agg(read(1, 4, user)), (id) => (id === 1 ? stats(tiny) : null), OPTS).decisions).toEqual([]);
  });

  it('regroups both sides of a join alike', () => {
    const a = adaptStage(join('ShuffledHashJoin', 'full'), measured([KB, KB, KB, KB], [KB, KB, KB, KB]), OPTS);
    const text = physicalTreeString(a.plan);
    expect(text).toContain('ShuffleRead stage=1 hashpartitioning(k, 4), adaptive: 1 tasks read 0-3');
    expect(text).toContain('ShuffleRead stage=2 hashpartitioning(k, 4), adaptive: 1 tasks read 0-3');
  });
});
