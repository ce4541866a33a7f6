// Join selection: which physical join runs an equi-join. Ordered fallbacks, the first that
// applies wins (as Spark's JoinSelection):
//
//   1. A hint. broadcast / shuffle_hash put on a side make that side the build side, if the
//      join type allows building it; merge asks for a sort-merge join. With hints on both
//      sides, Spark's priority holds: broadcast, then merge, then shuffle_hash (the same hint
//      on both: the smaller side). A hint that cannot be honoured (broadcast of the left side
//      of a left join, say) is reported and ignored.
//   2. BroadcastHashJoin when a side the join type allows to build has an estimated size at most
//      autoBroadcastJoinThreshold (the smaller such side): it is collected once and shared with
//      every task, and the other side is not shuffled at all. A full outer join cannot be
//      broadcast (every task would have to agree on which build rows were never matched).
//      Every worker holds the whole table, so a side larger than a worker's share of the
//      memory budget (memoryBudgetMb / parallelism / 2) is never broadcast, hinted or not: the
//      join falls back to the shuffled strategies, with a note in the plan (the chapter's
//      out-of-memory checkpoint).
//   3. Co-partitioned: both sides are already hash-partitioned on the keys into the same number
//      of partitions (after repartition(n, keys) or an aggregation grouped by the keys), so no
//      Exchange is needed; the join runs as a ShuffledHashJoin if its build side fits (rule 4's
//      test), else as a SortMergeJoin.
//   4. ShuffledHashJoin when the build side, split over the shuffle partitions, fits comfortably
//      in one task's share of the memory budget (a quarter of budget / parallelism): each task
//      holds one partition's hash table.
//   5. SortMergeJoin otherwise: it streams both sorted sides, and its sorts spill to disk, so it
//      handles sides far larger than memory.
//
// Which side may be built: inner — either (the smaller); left, semi, anti — the right; right —
// the left; full — either for a shuffled hash join (unmatched build rows are emitted at the
// end of each task), never for a broadcast.
import type { JoinHint, JoinType } from '../logical.js';
import type { Stats } from '../statistics.js';
import { formatBytes } from '../statistics.js';
import type { BuildSide, JoinSpec, PhysicalPlan } from './physical.js';
import { ensureHashPartitioned, hashPartitionCount } from './partitioning.js';

export interface JoinSelectionOptions {
  readonly autoBroadcastJoinThreshold: number;
  readonly shufflePartitions: number;
  readonly parallelism: number;
  readonly memoryBudgetBytes: number;
}

export interface JoinInputs {
  readonly spec: JoinSpec;
  readonly left: PhysicalPlan;
  readonly right: PhysicalPlan;
  readonly leftHint: JoinHint | null;
  readonly rightHint: JoinHint | null;
  readonly schema: PhysicalPlan['schema'];
  readonly est: Stats;
}

export interface JoinChoice {
  readonly plan: PhysicalPlan;
  /** The numbers compared and the rule that decided, for explain('cost') and lastJob(). */
  readonly decision: string;
}

export function buildableSides(how: JoinType, forBroadcast: boolean): BuildSide[] {
  switch (how) {
    case 'inner': return ['left', 'right'];
    case 'left': case 'semi': case 'anti': return ['right'];
    case 'right': return ['left'];
    case 'full': return forBroadcast ? [] : ['left', 'right'];
  }
}

/** The most a broadcast side may take: every worker holds it whole, in its share of the budget. */
export function broadcastMemoryLimit(memoryBudgetBytes: number, parallelism: number): number {
  return memoryBudgetBytes / Math.max(1, parallelism) / 2;
}

/** A byte count that may be fractional (a size split over partitions), printed whole. */
const bytes = (n: number) => formatBytes(Math.round(n));

export function selectJoin(j: JoinInputs, o: JoinSelectionOptions): JoinChoice {
  const { spec, left, right } = j;
  const size = (s: BuildSide) => (s === 'left' ? left.est.bytes : right.est.bytes);
  const name = `Join ${spec.how} using [${spec.on.join(', ')}]`;
  const sizes = `left ≈ ${formatBytes(left.est.bytes)} (${left.est.rows} rows), right ≈ ${formatBytes(right.est.bytes)} (${right.est.rows} rows)`;
  const smaller = (sides: BuildSide[]): BuildSide => sides.reduce((a, b) => (size(b) < size(a) ? b : a));
  const perTaskBudget = o.memoryBudgetBytes / Math.max(1, o.parallelism) / 4;
  const fitsPerPartition = (s: BuildSide, n: number) => size(s) / n <= perTaskBudget;
  const broadcastLimit = broadcastMemoryLimit(o.memoryBudgetBytes, o.parallelism);
  const notes: string[] = [];

  // 1. Hints, by Spark's priority whichever side carries them: broadcast, then merge, then
  //    shuffle_hash. The same hint on both sides builds the smaller side it may build.
  const hinted = (plan: PhysicalPlan) => ({ ...plan, hinted: true }) as PhysicalPlan;
  const hints = [['left', j.leftHint], ['right', j.rightHint]] as const;
  for (const hint of ['broadcast', 'merge', 'shuffle_hash'] as const) {
    const on = hints.filter(([, h]) => h === hint).map(([side]) => side);
    if (on.length === 0) continue;
    const noted = () => (notes.length > 0 ? `${notes.join('; ')}; ` : '');
    if (hint === 'merge') {
      return { plan: hinted(sortMerge(j, o.shufflePartitions)), decision: `${name}: SortMergeJoin (hint 'merge' on the ${on.join(' and ')} side); ${noted()}${sizes}` };
    }
    const allowed = buildableSides(spec.how, hint === 'broadcast');
    for (const side of on.filter((s) => !allowed.includes(s))) {
      notes.push(`hint '${hint}' on the ${side} side ignored: a ${spec.how} join cannot build its ${side} side${hint === 'broadcast' ? ' by broadcast' : ''}`);
    }
    let usable = on.filter((s) => allowed.includes(s));
    if (hint === 'broadcast') {
      for (const s of usable.filter((x) => size(x) > broadcastLimit)) {
        notes.push(`hint 'broadcast' on the ${s} side ignored: ${formatBytes(size(s))} > a worker's memory share ${bytes(broadcastLimit)}`);
      }
      usable = usable.filter((x) => size(x) <= broadcastLimit);
    }
    if (usable.length === 0) continue;
    const side = smaller(usable);
    if (hint === 'broadcast') {
      return { plan: hinted(broadcastJoin(j, side)), decision: `${name}: BroadcastHashJoin building ${side} (hint 'broadcast'); ${noted()}${sizes}` };
    }
    return { plan: hinted(shuffledHash(j, side, o.shufflePartitions)), decision: `${name}: ShuffledHashJoin building ${side} (hint 'shuffle_hash'); ${noted()}${sizes}` };
  }
  const prefix = notes.length > 0 ? `${notes.join('; ')}; ` : '';

  // 2. Broadcast the smaller buildable side when it is under the threshold.
  const threshold = o.autoBroadcastJoinThreshold;
  const underThreshold = buildableSides(spec.how, true).filter((s) => threshold >= 0 && size(s) <= threshold);
  const broadcastable = underThreshold.filter((s) => size(s) <= broadcastLimit);
  if (broadcastable.length > 0) {
    const side = smaller(broadcastable);
    return {
      plan: broadcastJoin(j, side),
      decision: `${name}: BroadcastHashJoin building ${side}: ${formatBytes(size(side))} ≤ autoBroadcastJoinThreshold ${formatBytes(threshold)}; ${prefix}${sizes}`,
    };
  }
  const whyNotBroadcast = threshold < 0 ? 'broadcast disabled (threshold -1)'
    : buildableSides(spec.how, true).length === 0 ? `a ${spec.how} join cannot be broadcast`
    : underThreshold.length > 0 ? `not broadcast: ${formatBytes(size(smaller(underThreshold)))} ≤ autoBroadcastJoinThreshold but > a worker's memory share ${bytes(broadcastLimit)}`
    : `no buildable side ≤ autoBroadcastJoinThreshold ${formatBytes(threshold)}`;

  // 3. Co-partitioned: both sides already hash-partitioned alike on the keys.
  const nl = hashPartitionCount(left, spec.on), nr = hashPartitionCount(right, spec.on);
  if (nl !== null && nl === nr) {
    const sides = buildableSides(spec.how, false);
    const side = smaller(sides);
    if (fitsPerPartition(side, nl)) {
      return {
        plan: shuffledHash(j, side, nl),
        decision: `${name}: ShuffledHashJoin building ${side}, co-partitioned (both sides hash-partitioned on the keys into ${nl}): no Exchange; ${whyNotBroadcast}; ${prefix}${sizes}`,
      };
    }
    return {
      plan: sortMerge(j, nl),
      decision: `${name}: SortMergeJoin, co-partitioned into ${nl}: no Exchange; build side per partition ${bytes(size(side) / nl)} > ${bytes(perTaskBudget)}; ${prefix}${sizes}`,
    };
  }

  // 4. Shuffled hash join when a partition of the build side fits comfortably.
  const n = o.shufflePartitions;
  const side = smaller(buildableSides(spec.how, false));
  if (fitsPerPartition(side, n)) {
    return {
      plan: shuffledHash(j, side, n),
      decision: `${name}: ShuffledHashJoin building ${side}: ${formatBytes(size(side))} / ${n} partitions = ${bytes(size(side) / n)} ≤ ${bytes(perTaskBudget)} per task; ${whyNotBroadcast}; ${prefix}${sizes}`,
    };
  }

  // 5. Sort-merge join.
  return {
    plan: sortMerge(j, n),
    decision: `${name}: SortMergeJoin: build side per partition ${bytes(size(side) / n)} > ${bytes(perTaskBudget)} per task; ${whyNotBroadcast}; ${prefix}${sizes}`,
  };
}

function broadcastJoin(j: JoinInputs, buildSide: BuildSide): PhysicalPlan {
  const wrap = (p: PhysicalPlan): PhysicalPlan => ({ kind: 'BroadcastExchange', schema: p.schema, est: p.est, input: p });
  return {
    kind: 'BroadcastHashJoin', schema: j.schema, est: j.est, how: j.spec.how, on: j.spec.on, buildSide,
    left: buildSide === 'left' ? wrap(j.left) : j.left,
    right: buildSide === 'right' ? wrap(j.right) : j.right,
  };
}

function shuffledHash(j: JoinInputs, buildSide: BuildSide, n: number): PhysicalPlan {
  return {
    kind: 'ShuffledHashJoin', schema: j.schema, est: j.est, how: j.spec.how, on: j.spec.on, buildSide,
    left: ensureHashPartitioned(j.left, j.spec.on, n),
    right: ensureHashPartitioned(j.right, j.spec.on, n),
  };
}

function sortMerge(j: JoinInputs, n: number): PhysicalPlan {
  const sorted = (p: PhysicalPlan): PhysicalPlan => {
    const input = ensureHashPartitioned(p, j.spec.on, n);
    return {
      kind: 'Sort', schema: p.schema, est: p.est, input,
      order: j.spec.on.map((name) => ({ kind: 'sortKey', child: { kind: 'col', name }, ascending: true, nullsFirst: true })),
    };
  };
  return { kind: 'SortMergeJoin', schema: j.schema, est: j.est, how: j.spec.how, on: j.spec.on, left: sorted(j.left), right: sorted(j.right) };
}
