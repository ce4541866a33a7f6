// Join selection (src/planner/physical/join-selection.ts), on the explain text and the decision
// strings: each rule fires where it should and not where it should not, in its order —
//   1. hints (Spark's priority: broadcast, then merge, then shuffle_hash; a hint on a side the
//      join type cannot build is ignored, and the decision says so),
//   2. broadcast of the smaller buildable side ≤ autoBroadcastJoinThreshold (never for a full
//      join, never with threshold -1),
//   3. co-partitioned sides (no Exchange),
//   4. shuffled hash join when a build partition fits a task's memory share,
//   5. sort-merge otherwise.
// Plans are built as logical plans with exact sizes and planned by the pure planner; the last
// block checks the same through the Dataset API (explain('cost'), lastJob().decisions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinHint, JoinType, LogicalPlan } from '../../src/planner/logical.js';
import { analyze } from '../../src/planner/analyzer.js';
import { optimize } from '../../src/planner/optimizer/optimizer.js';
import { planPhysical, type PlannerOptions } from '../../src/planner/physical/planner.js';
import { physicalTreeString } from '../../src/planner/physical/explain-physical.js';
import { Session, broadcast, col, count } from '../../src/index.js';
import { aggregate, as, filter, gt, isNotNull, plan, schema } from './dsl.js';
import { occurrences, operatorLines } from '../helpers/job.js';

const KiB = 1024, MiB = 1024 * 1024;
/** Threshold 10 MiB; 1 GiB of memory (hash joins always fit); 4 shuffle partitions; 2 workers. */
const BASE: PlannerOptions = { parallelism: 2, shufflePartitions: 4, autoBroadcastJoinThreshold: 10 * MiB, memoryBudgetBytes: 1024 * MiB };

let nextId = 1;
/** An in-memory relation `name` (k:int64, and one column of its own) of exactly `bytes` bytes. */
function rel(name: string, bytes: number, rows = 1000, partitions = 2, spec = `k:int64, ${name}_v:int64`): LogicalPlan {
  return { kind: 'local', id: nextId++, schema: schema(spec), numRows: rows, sizeBytes: bytes, partitions, name };
}
const join = (left: LogicalPlan, right: LogicalPlan, how: JoinType = 'inner', on: string[] = ['k']): LogicalPlan => ({ kind: 'join', left, right, on, how });
const hint = (input: LogicalPlan, h: JoinHint): LogicalPlan => ({ kind: 'hint', input, hint: h });
const repartition = (input: LogicalPlan, n: number, ...keys: string[]): LogicalPlan =>
  ({ kind: 'repartition', input, n, keys: keys.map((k) => ({ kind: 'col', name: k })), shuffle: true });

interface Planned {
  /** The physical plan as explain() prints it. */
  readonly text: string;
  /** Operator lines only (no tree drawing, no estimates). */
  readonly ops: string[];
  /** The join decision(s). */
  readonly decisions: readonly string[];
  /** The one join operator line. */
  readonly join: string;
}

function planned(p: LogicalPlan, opts: Partial<PlannerOptions> = {}): Planned {
  const r = planPhysical(optimize(analyze(p)).plan, { ...BASE, ...opts });
  const text = physicalTreeString(r.plan);
  const ops = operatorLines(text);
  const joins = ops.filter((l) => /^(BroadcastHashJoin|ShuffledHashJoin|SortMergeJoin) /.test(l));
  return { text, ops, decisions: r.decisions, join: joins[0] ?? '(no join)' };
}

describe('1. hints come first', () => {
  const small = (name = 's') => rel(name, 1 * KiB);
  const large = (name = 'b') => rel(name, 64 * MiB, 4_000_000);

  it('shuffle_hash beats a side small enough to broadcast', () => {
    const p = planned(join(large(), hint(small(), 'shuffle_hash')));
    expect(p.join).toBe('ShuffledHashJoin [k], Inner, BuildRight');
    expect(p.decisions).toEqual([
      "Join inner using [k]: ShuffledHashJoin building right (hint 'shuffle_hash'); left ≈ 64.0 MiB (4000000 rows), right ≈ 1.0 KiB (1000 rows)",
    ]);
  });

  it('merge beats both broadcast and a hash table that fits', () => {
    const p = planned(join(hint(small(), 'merge'), small('t')));
    expect(p.text).toBe(plan`
      *(3) SortMergeJoin [k], Inner  [rows=1000~, bytes=23.4 KiB]
      :- *(3) Sort [k ASC NULLS FIRST]  [rows=1000, bytes=1.0 KiB]
      :  +- Exchange hashpartitioning(k, 4)  [rows=1000, bytes=1.0 KiB]
      :     +- *(1) LocalTableScan s [k, s_v], Partitions: 2  [rows=1000, bytes=1.0 KiB]
      +- *(3) Sort [k ASC NULLS FIRST]  [rows=1000, bytes=1.0 KiB]
         +- Exchange hashpartitioning(k, 4)  [rows=1000, bytes=1.0 KiB]
            +- *(2) LocalTableScan t [k, t_v], Partitions: 2  [rows=1000, bytes=1.0 KiB]
    `);
    expect(p.decisions[0]).toContain("SortMergeJoin (hint 'merge' on the left side)");
  });

  it('broadcast of a side far over the threshold, and with broadcasting disabled', () => {
    for (const threshold of [10 * MiB, -1]) {
      const p = planned(join(small(), hint(large(), 'broadcast')), { autoBroadcastJoinThreshold: threshold });
      expect(p.join).toBe('BroadcastHashJoin [k], Inner, BuildRight');
      expect(p.ops).toContain('BroadcastExchange');
      expect(p.decisions[0]).toContain("BroadcastHashJoin building right (hint 'broadcast')");
    }
  });

  it('a broadcast hint on the larger side of an inner join builds that side', () => {
    expect(planned(join(hint(large(), 'broadcast'), small())).join).toBe('BroadcastHashJoin [k], Inner, BuildLeft');
  });

  it('a hint below a filter or a projection still counts', () => {
    const under = filter(hint(small(), 'merge'), isNotNull('s_v'));
    expect(planned(join(large(), under, 'left')).join).toBe('SortMergeJoin [k], LeftOuter');
    const projected: LogicalPlan = { kind: 'project', input: hint(small(), 'shuffle_hash'), exprs: [{ kind: 'col', name: 'k' }, as(gt('s_v', 1), 'big')] };
    expect(planned(join(large(), projected, 'semi')).join).toBe('ShuffledHashJoin [k], LeftSemi, BuildRight');
  });

  const IGNORED: [JoinType, 'left' | 'right', JoinHint][] = [
    ['left', 'left', 'broadcast'], ['semi', 'left', 'broadcast'], ['anti', 'left', 'broadcast'], ['right', 'right', 'broadcast'],
    ['full', 'left', 'broadcast'], ['full', 'right', 'broadcast'], ['left', 'left', 'shuffle_hash'], ['right', 'right', 'shuffle_hash'],
  ];
  for (const [how, side, h] of IGNORED) {
    it(`'${h}' on the ${side} side of a ${how} join is ignored, and the decision says so`, () => {
      // Both sides large (nothing broadcast by size), so rule 4 decides once the hint is dropped.
      const l = side === 'left' ? hint(large('a'), h) : large('a');
      const r = side === 'right' ? hint(large(), h) : large();
      const p = planned(join(l, r, how));
      if (h === 'broadcast') {
        expect(p.join).not.toMatch(/^BroadcastHashJoin/);
        expect(p.ops).not.toContain('BroadcastExchange');
      } else {
        expect(p.join).not.toContain(side === 'left' ? 'BuildLeft' : 'BuildRight');
      }
      expect(p.decisions[0]).toContain(
        `hint '${h}' on the ${side} side ignored: a ${how} join cannot build its ${side} side${h === 'broadcast' ? ' by broadcast' : ''}`,
      );
    });
  }

  it('an ignored hint falls through to the size rules (the other side is broadcast by size)', () => {
    const p = planned(join(hint(large(), 'broadcast'), small(), 'left'));
    expect(p.join).toBe('BroadcastHashJoin [k], LeftOuter, BuildRight');
    expect(p.decisions[0]).toMatch(/BroadcastHashJoin building right: 1\.0 KiB ≤ autoBroadcastJoinThreshold 10\.0 MiB; hint 'broadcast' on the left side ignored/);
  });

  it("hints on both sides: broadcast beats merge, merge beats shuffle_hash (Spark's priority, whatever the side)", () => {
    expect(planned(join(hint(large(), 'merge'), hint(small(), 'broadcast'))).join).toBe('BroadcastHashJoin [k], Inner, BuildRight');
    expect(planned(join(hint(small(), 'broadcast'), hint(large(), 'merge'))).join).toBe('BroadcastHashJoin [k], Inner, BuildLeft');
    expect(planned(join(hint(large(), 'shuffle_hash'), hint(small(), 'merge'))).join).toBe('SortMergeJoin [k], Inner');
    expect(planned(join(hint(large(), 'merge'), hint(small(), 'shuffle_hash'))).join).toBe('SortMergeJoin [k], Inner');
  });

  it('the same hint on both sides of an inner join builds the smaller side', () => {
    expect(planned(join(hint(large(), 'broadcast'), hint(small(), 'broadcast'))).join).toBe('BroadcastHashJoin [k], Inner, BuildRight');
    expect(planned(join(hint(small(), 'broadcast'), hint(large(), 'broadcast'))).join).toBe('BroadcastHashJoin [k], Inner, BuildLeft');
    expect(planned(join(hint(large(), 'shuffle_hash'), hint(small(), 'shuffle_hash'))).join).toBe('ShuffledHashJoin [k], Inner, BuildRight');
  });

  it('an unusable broadcast hint does not hide a usable merge hint on the other side', () => {
    const p = planned(join(hint(small(), 'broadcast'), hint(large(), 'merge'), 'left'));
    expect(p.join).toBe('SortMergeJoin [k], LeftOuter');
    expect(p.decisions[0]).toContain("hint 'broadcast' on the left side ignored");
  });
});

describe('2. broadcast by size', () => {
  it('inner: both sides under the threshold → the smaller is built', () => {
    expect(planned(join(rel('a', 2 * KiB), rel('b', 3 * KiB))).join).toBe('BroadcastHashJoin [k], Inner, BuildLeft');
    expect(planned(join(rel('a', 3 * KiB), rel('b', 2 * KiB))).join).toBe('BroadcastHashJoin [k], Inner, BuildRight');
  });

  it('inner: only one side under the threshold → that side, even the left', () => {
    const p = planned(join(rel('a', 5 * MiB), rel('b', 50 * MiB, 3_000_000)));
    expect(p.join).toBe('BroadcastHashJoin [k], Inner, BuildLeft');
    expect(p.text).toContain('BroadcastExchange');
    // The streamed side is not shuffled at all.
    expect(p.text).not.toContain('Exchange hashpartitioning');
  });

  it('left, semi and anti joins broadcast only the right; right joins only the left', () => {
    for (const how of ['left', 'semi', 'anti'] as const) {
      expect(planned(join(rel('a', 50 * MiB), rel('b', 1 * KiB), how)).join).toMatch(/^BroadcastHashJoin .*, BuildRight$/);
      // A tiny left side is no help: it cannot be built. (One column: a semi / anti join reads
      // only the right side's keys, and a wider relation would be narrowed to them first.)
      const p = planned(join(rel('a', 1 * KiB), rel('b', 50 * MiB, 1000, 2, 'k:int64'), how));
      expect(p.join).not.toMatch(/^BroadcastHashJoin/);
      expect(p.decisions[0]).toContain('no buildable side ≤ autoBroadcastJoinThreshold 10.0 MiB');
    }
    expect(planned(join(rel('a', 1 * KiB), rel('b', 50 * MiB), 'right')).join).toBe('BroadcastHashJoin [k], RightOuter, BuildLeft');
    expect(planned(join(rel('a', 50 * MiB), rel('b', 1 * KiB), 'right')).join).not.toMatch(/^BroadcastHashJoin/);
  });

  it('at the threshold exactly: broadcast; one byte over: not', () => {
    expect(planned(join(rel('a', 1 * MiB), rel('b', 4000)), { autoBroadcastJoinThreshold: 4000 }).join).toBe('BroadcastHashJoin [k], Inner, BuildRight');
    const p = planned(join(rel('a', 1 * MiB), rel('b', 4001)), { autoBroadcastJoinThreshold: 4000 });
    expect(p.join).toBe('ShuffledHashJoin [k], Inner, BuildRight');
    expect(p.decisions[0]).toContain('no buildable side ≤ autoBroadcastJoinThreshold 3.9 KiB');
  });

  it('threshold -1: nothing is broadcast, however small', () => {
    const p = planned(join(rel('a', 10), rel('b', 10)), { autoBroadcastJoinThreshold: -1 });
    expect(p.join).toMatch(/^ShuffledHashJoin/);
    expect(p.ops).not.toContain('BroadcastExchange');
    expect(p.decisions[0]).toContain('broadcast disabled (threshold -1)');
  });

  it('a full outer join is never broadcast, however small', () => {
    const p = planned(join(rel('a', 10), rel('b', 10), 'full'));
    expect(p.join).toMatch(/^ShuffledHashJoin \[k\], FullOuter/);
    expect(p.decisions[0]).toContain('a full join cannot be broadcast');
  });

  it('the decision names the numbers it compared', () => {
    const p = planned(join(rel('a', 20 * KiB, 1280), rel('b', 1000, 50)));
    expect(p.decisions).toEqual([
      'Join inner using [k]: BroadcastHashJoin building right: 1000 B ≤ autoBroadcastJoinThreshold 10.0 MiB; left ≈ 20.0 KiB (1280 rows), right ≈ 1000 B (50 rows)',
    ]);
  });
});

describe('2b. a broadcast must fit a worker\'s memory share', () => {
  // 64 MiB budget over 2 workers: a worker's share is 16 MiB (half of budget / parallelism).
  const tight = { memoryBudgetBytes: 64 * MiB, autoBroadcastJoinThreshold: 100 * MiB };
  const big = () => rel('b', 512 * MiB, 30_000_000);

  it('a side under the threshold but over the share is not broadcast, and the decision says why', () => {
    const p = planned(join(big(), rel('m', 20 * MiB, 1_000_000)), tight);
    expect(p.join).not.toMatch(/^BroadcastHashJoin/);
    expect(p.decisions[0]).toContain("not broadcast: 20.0 MiB ≤ autoBroadcastJoinThreshold but > a worker's memory share 16.0 MiB");
  });

  it('a broadcast hint on a side over the share is ignored with a note, and the join is shuffled', () => {
    const p = planned(join(big(), hint(rel('m', 20 * MiB, 1_000_000), 'broadcast')), tight);
    expect(p.join).toMatch(/^(ShuffledHashJoin|SortMergeJoin) /);
    expect(p.decisions[0]).toContain("hint 'broadcast' on the right side ignored: 20.0 MiB > a worker's memory share 16.0 MiB");
    expect(p.ops.some((l) => l.startsWith('Exchange hashpartitioning(k'))).toBe(true);
  });

  it('must not fire when the side fits the share: the hint and the threshold broadcast as before', () => {
    expect(planned(join(big(), hint(rel('m', 15 * MiB, 1_000_000), 'broadcast')), tight).join).toBe('BroadcastHashJoin [k], Inner, BuildRight');
    expect(planned(join(big(), rel('m', 15 * MiB, 1_000_000)), tight).join).toBe('BroadcastHashJoin [k], Inner, BuildRight');
  });
});

describe('3. co-partitioned sides need no Exchange', () => {
  const NO_BROADCAST = { autoBroadcastJoinThreshold: -1 };

  it('both sides repartition(shufflePartitions, k): only the repartitions shuffle', () => {
    const p = planned(join(repartition(rel('a', 1 * MiB), 4, 'k'), repartition(rel('b', 2 * MiB), 4, 'k')), NO_BROADCAST);
    expect(occurrences(p.text, 'Exchange')).toBe(2);
    expect(occurrences(p.text, 'Exchange hashpartitioning(k, 4)')).toBe(2);
    expect(p.join).toBe('ShuffledHashJoin [k], Inner, BuildLeft');
    expect(p.decisions[0]).toContain('co-partitioned (both sides hash-partitioned on the keys into 4): no Exchange');
  });

  it('both sides repartitioned alike into another count: joined in that count', () => {
    const p = planned(join(repartition(rel('a', 1 * MiB), 6, 'k'), repartition(rel('b', 2 * MiB), 6, 'k'), 'full'), NO_BROADCAST);
    expect(occurrences(p.text, 'Exchange')).toBe(2);
    expect(p.decisions[0]).toContain('co-partitioned (both sides hash-partitioned on the keys into 6)');
  });

  it('two aggregates grouped by the key: no Exchange between them and the join', () => {
    const side = (name: string) => aggregate(rel(name, 1 * MiB), ['k'], [as({ kind: 'agg', fn: 'count', arg: null }, `${name}_n`)]);
    const p = planned(join(side('a'), side('b'), 'left'), NO_BROADCAST);
    expect(occurrences(p.text, 'Exchange')).toBe(2);
    expect(p.decisions[0]).toContain('co-partitioned');
  });

  it('not when the partition counts differ', () => {
    const p = planned(join(repartition(rel('a', 1 * MiB), 4, 'k'), repartition(rel('b', 2 * MiB), 6, 'k')), NO_BROADCAST);
    expect(p.decisions[0]).not.toContain('co-partitioned');
    // The side already in 4 partitions keeps them; the other is shuffled again.
    expect(occurrences(p.text, 'Exchange')).toBe(3);
  });

  it('not when a side is partitioned on another column', () => {
    const a = rel('a', 1 * MiB, 1000, 2, 'k:int64, j:int64');
    const p = planned(join(repartition(a, 4, 'j'), repartition(rel('b', 2 * MiB), 4, 'k')), NO_BROADCAST);
    expect(p.decisions[0]).not.toContain('co-partitioned');
    expect(occurrences(p.text, 'Exchange hashpartitioning(k, 4)')).toBe(2);
    expect(occurrences(p.text, 'Exchange hashpartitioning(j, 4)')).toBe(1);
  });

  it('one side repartitioned into shufflePartitions: only the other side gets an Exchange', () => {
    const p = planned(join(repartition(rel('a', 1 * MiB), 4, 'k'), rel('b', 2 * MiB)), NO_BROADCAST);
    expect(p.decisions[0]).not.toContain('co-partitioned');
    expect(occurrences(p.text, 'Exchange hashpartitioning(k, 4)')).toBe(2);
  });

  it('broadcast (rule 2) still comes before co-partitioning', () => {
    const p = planned(join(repartition(rel('a', 1 * MiB), 4, 'k'), repartition(rel('b', 2 * KiB), 4, 'k')));
    expect(p.join).toBe('BroadcastHashJoin [k], Inner, BuildRight');
  });

  it('co-partitioned with a build side too large for a task: SortMergeJoin, still no Exchange', () => {
    // 16 MiB / 2 workers / 4 = 2 MiB a task; the smaller side, 10 MiB in 4 partitions, is 2.5 MiB each.
    const p = planned(join(repartition(rel('a', 10 * MiB), 4, 'k'), repartition(rel('b', 12 * MiB), 4, 'k')), { ...NO_BROADCAST, memoryBudgetBytes: 16 * MiB });
    expect(p.join).toBe('SortMergeJoin [k], Inner');
    expect(occurrences(p.text, 'Exchange')).toBe(2);
    expect(p.decisions[0]).toContain('SortMergeJoin, co-partitioned into 4: no Exchange; build side per partition 2.5 MiB > 2.0 MiB');
  });
});

describe('4–5. shuffled hash join or sort-merge join, by the memory budget', () => {
  // 1 MiB budget, 2 workers: a task's share is 1 MiB / 2 / 4 = 128 KiB; 4 shuffle partitions.
  const TIGHT = { autoBroadcastJoinThreshold: -1, memoryBudgetBytes: 1 * MiB };

  it('a build side whose partition fits a task share → ShuffledHashJoin', () => {
    const p = planned(join(rel('a', 4 * MiB), rel('b', 512 * KiB)), TIGHT);
    expect(p.join).toBe('ShuffledHashJoin [k], Inner, BuildRight');
    expect(p.decisions[0]).toBe(
      'Join inner using [k]: ShuffledHashJoin building right: 512.0 KiB / 4 partitions = 128.0 KiB ≤ 128.0 KiB per task; ' +
      'broadcast disabled (threshold -1); left ≈ 4.0 MiB (1000 rows), right ≈ 512.0 KiB (1000 rows)',
    );
  });

  it('one that does not → SortMergeJoin; a larger budget switches it back', () => {
    const p = planned(join(rel('a', 4 * MiB), rel('b', 1 * MiB)), TIGHT);
    expect(p.join).toBe('SortMergeJoin [k], Inner');
    expect(occurrences(p.text, 'Sort [k ASC NULLS FIRST]')).toBe(2);
    expect(p.decisions[0]).toBe(
      'Join inner using [k]: SortMergeJoin: build side per partition 256.0 KiB > 128.0 KiB per task; ' +
      'broadcast disabled (threshold -1); left ≈ 4.0 MiB (1000 rows), right ≈ 1.0 MiB (1000 rows)',
    );
    expect(planned(join(rel('a', 4 * MiB), rel('b', 1 * MiB)), { ...TIGHT, memoryBudgetBytes: 2 * MiB }).join).toBe('ShuffledHashJoin [k], Inner, BuildRight');
  });

  it('more shuffle partitions make each build partition smaller', () => {
    expect(planned(join(rel('a', 4 * MiB), rel('b', 1 * MiB)), { ...TIGHT, shufflePartitions: 8 }).join).toBe('ShuffledHashJoin [k], Inner, BuildRight');
  });

  it('builds the smaller side of an inner or full join, the right of a left join, the left of a right join', () => {
    expect(planned(join(rel('a', 100 * KiB), rel('b', 4 * MiB)), TIGHT).join).toBe('ShuffledHashJoin [k], Inner, BuildLeft');
    expect(planned(join(rel('a', 100 * KiB), rel('b', 400 * KiB), 'full'), TIGHT).join).toBe('ShuffledHashJoin [k], FullOuter, BuildLeft');
    expect(planned(join(rel('a', 4 * MiB), rel('b', 400 * KiB), 'full'), TIGHT).join).toBe('ShuffledHashJoin [k], FullOuter, BuildRight');
    expect(planned(join(rel('a', 100 * KiB), rel('b', 400 * KiB), 'left'), TIGHT).join).toBe('ShuffledHashJoin [k], LeftOuter, BuildRight');
    expect(planned(join(rel('a', 400 * KiB), rel('b', 100 * KiB), 'right'), TIGHT).join).toBe('ShuffledHashJoin [k], RightOuter, BuildLeft');
  });

  it('a left join with a huge right side sort-merges even when its left side is tiny', () => {
    expect(planned(join(rel('a', 1 * KiB), rel('b', 8 * MiB, 1000, 2, 'k:int64'), 'anti'), TIGHT).join).toBe('SortMergeJoin [k], LeftAnti');
  });

  it('both sides are hash-partitioned on the keys into shufflePartitions', () => {
    for (const big of [512 * KiB, 1 * MiB]) {
      const p = planned(join(rel('a', 4 * MiB), rel('b', big)), TIGHT);
      expect(occurrences(p.text, 'Exchange hashpartitioning(k, 4)')).toBe(2);
    }
    const multi = (name: string) => rel(name, 4 * MiB, 1000, 2, `k1:int64, k2:string, ${name}_v:int64`);
    expect(planned(join(multi('a'), multi('b'), 'inner', ['k1', 'k2']), TIGHT).text).toContain('Exchange hashpartitioning(k1, k2, 4)');
  });

  it('the per-partition numbers print as whole bytes', () => {
    const p = planned(join(rel('a', 10 * KiB), rel('b', 1000)), { autoBroadcastJoinThreshold: -1, memoryBudgetBytes: 1 * MiB, shufflePartitions: 3 });
    expect(p.decisions[0]).toContain('ShuffledHashJoin building right: 1000 B / 3 partitions = 333 B ≤ 128.0 KiB per task');
  });
});

describe('through the Dataset API', () => {
  let spark: Session;
  beforeAll(async () => {
    spark = await Session.create({ parallelism: 2, shufflePartitions: 3, autoBroadcastJoinThreshold: 4000 });
  });
  afterAll(async () => {
    await spark?.stop();
  });

  const rows = (n: number, v: string) => Array.from({ length: n }, (_, i) => ({ k: i % 50, [v]: i }));

  it("explain('cost') ends with the planning decisions, and lastJob() records the same", async () => {
    const big = spark.createDataset(rows(1000, 'a'), { partitions: 4 });
    const small = spark.createDataset(rows(20, 'b'), { partitions: 2 });
    const ds = big.join(small, 'k', 'left');
    const text = await ds.explain('cost');
    const [, decisions] = text.split('\n== Planning decisions ==\n');
    expect(decisions).toMatch(/^Join left using \[k\]: BroadcastHashJoin building right: \d+ B ≤ autoBroadcastJoinThreshold 3\.9 KiB; left ≈ 15\.6 KiB \(1000 rows\), right ≈ \d+ B \(20 rows\)$/);
    expect(text).toContain('BroadcastHashJoin [k], LeftOuter, BuildRight');
    // Keys 0..19 match one right row each (400 rows), the other 600 left rows match none.
    expect(await ds.count()).toBe(1000);
    await ds.collect();
    expect(spark.lastJob()!.decisions[0]).toBe(decisions);
  });

  it('over the threshold → shuffled; broadcast(ds) and hints override it', async () => {
    const a = spark.createDataset(rows(1000, 'a'), { partitions: 4 });
    const b = spark.createDataset(rows(800, 'b'), { partitions: 4 });
    expect(await a.join(b, 'k').explain()).toContain('ShuffledHashJoin [k], Inner, BuildRight');
    expect(await a.join(broadcast(b), 'k').explain()).toContain('BroadcastHashJoin [k], Inner, BuildRight');
    expect(await broadcast(a).join(b, 'k').explain()).toContain('BroadcastHashJoin [k], Inner, BuildLeft');
    expect(await a.join(b.hint('merge'), 'k', 'full').explain()).toContain('SortMergeJoin [k], FullOuter');
    const ignored = await a.hint('broadcast').join(b, 'k', 'anti').explain('cost');
    expect(ignored).toContain("hint 'broadcast' on the left side ignored: a anti join cannot build its left side by broadcast");
    expect(ignored).not.toContain('BuildLeft');
  });

  it('repartition(shufflePartitions, k) on both sides: no further Exchange', async () => {
    const a = spark.createDataset(rows(1000, 'a'), { partitions: 4 }).repartition(3, 'k');
    const b = spark.createDataset(rows(800, 'b'), { partitions: 4 }).repartition(3, 'k');
    const ds = a.join(b, 'k', 'full');
    const text = await ds.explain();
    expect(occurrences(text, 'Exchange')).toBe(2);
    const n = await ds.groupBy('k').agg(count('*').as('n')).filter(col('n').neq(20 * 16)).count();
    expect(n).toBe(0);
  });
});
