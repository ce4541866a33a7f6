// Adaptive execution: once the shuffle-map stages below a stage have run, their measured
// output replaces the estimates, and the stage is re-planned before it starts. In order:
//
//   1. Demote to a broadcast join. A sort-merge or shuffled hash join whose side (one the join
//      type allows to build) measured at most autoBroadcastJoinThreshold becomes a
//      BroadcastHashJoin: the small side's shuffle output is gathered once and shared, the
//      other side's buckets are read as they are, and no sort is needed. Not for hinted joins.
//
//        SortMergeJoin                        BroadcastHashJoin, BuildRight
//        :- Sort <- ShuffleRead s1     =>     :- ShuffleRead s1
//        +- Sort <- ShuffleRead s2            +- BroadcastRead s2     (s2 measured 40 KiB)
//
//   2. Split skewed partitions of a join. A bucket more than SKEW_FACTOR times the median
//      bucket of its side, and over skewThresholdBytes, is read by several tasks, each taking a
//      slice of its map outputs and pairing it with the whole matching bucket of the other
//      side. Only a side whose rows may be split: either side of an inner join, the left of a
//      left/semi/anti join, the right of a right join (never a full join's).
//
//   3. Coalesce small partitions. Neighbouring buckets are read by one task while their
//      combined measured size stays within advisoryPartitionBytes (all the stage's shuffle
//      reads are grouped alike, so a join's sides stay aligned).
//
// Every decision is returned as text with the measured numbers behind it.
import { formatBytes } from '../statistics.js';
import { buildableSides } from './join-selection.js';
import { type PhysicalPlan, type ShuffleReadSpec, physicalChildren } from './physical.js';

/** What a finished shuffle-map stage measured: bytes per (map task, bucket). */
export interface ShuffleStats {
  readonly mapBucketBytes: readonly (readonly number[])[];
}

export interface AdaptiveOptions {
  readonly autoBroadcastJoinThreshold: number;
  readonly advisoryPartitionBytes: number;
  readonly skewThresholdBytes: number;
  readonly parallelism: number;
}

export const SKEW_FACTOR = 5;

export interface Adapted {
  readonly plan: PhysicalPlan;
  readonly decisions: readonly string[];
  /** Shuffle stages whose whole output must be gathered as a broadcast (demoted joins). */
  readonly broadcastFrom: readonly number[];
}

export function bucketBytes(s: ShuffleStats, buckets: number): number[] {
  const out = new Array<number>(buckets).fill(0);
  for (const m of s.mapBucketBytes) m.forEach((b, i) => { if (i < buckets) out[i]! += b; });
  return out;
}

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

type Read = Extract<PhysicalPlan, { kind: 'ShuffleRead' }>;

/** The ShuffleRead a join side reads, directly or below its Sort. */
function sideRead(p: PhysicalPlan): Read | null {
  if (p.kind === 'ShuffleRead') return p;
  if (p.kind === 'Sort' && p.input.kind === 'ShuffleRead') return p.input;
  return null;
}

export function adaptStage(plan: PhysicalPlan, stats: (stageId: number) => ShuffleStats | null, o: AdaptiveOptions): Adapted {
  const decisions: string[] = [];
  const broadcastFrom: number[] = [];
  const measured = (r: Read): number[] | null => {
    const s = stats(r.stageId);
    return s ? bucketBytes(s, r.partitions) : null;
  };

  // 1. Demotion to broadcast joins.
  const demote = (p: PhysicalPlan): PhysicalPlan => {
    const kids = physicalChildren(p);
    if (kids.length === 0) return p;
    if ((p.kind === 'SortMergeJoin' || p.kind === 'ShuffledHashJoin') && !p.hinted && o.autoBroadcastJoinThreshold >= 0) {
      const l = sideRead(p.left), r = sideRead(p.right);
      const lb = l && measured(l), rb = r && measured(r);
      if (l && r && lb && rb) {
        const size = { left: sum(lb), right: sum(rb) };
        const sides = buildableSides(p.how, true).filter((s) => size[s] <= o.autoBroadcastJoinThreshold);
        if (sides.length > 0) {
          const side = sides.reduce((a, b) => (size[b] < size[a] ? b : a));
          const small = side === 'left' ? l : r;
          const big = side === 'left' ? r : l;
          broadcastFrom.push(small.stageId);
          const est = side === 'left' ? p.left.est.bytes : p.right.est.bytes;
          decisions.push(
            `adaptive: ${p.kind} [${p.on.join(', ')}] ${p.how} → BroadcastHashJoin building ${side}: ` +
            `stage ${small.stageId} measured ${formatBytes(size[side])} ≤ autoBroadcastJoinThreshold ${formatBytes(o.autoBroadcastJoinThreshold)} ` +
            `(estimated ${formatBytes(est)})`,
          );
          const read: PhysicalPlan = { kind: 'BroadcastRead', schema: small.schema, est: { rows: small.est.rows, bytes: size[side], exact: true }, stageId: small.stageId };
          return {
            kind: 'BroadcastHashJoin', schema: p.schema, est: p.est, how: p.how, on: p.on, buildSide: side,
            left: side === 'left' ? read : big, right: side === 'right' ? read : big,
          };
        }
      }
    }
    const next = kids.map(demote);
    return next.every((k, i) => k === kids[i]) ? p : withKids(p, next);
  };
  let current = demote(plan);

  // The stage's shuffle reads (leaves); 2 and 3 apply only when every leaf is one of them,
  // all with the same bucket count, so their tasks can be regrouped alike.
  const reads: Read[] = [];
  let otherLeaves = false;
  const walk = (p: PhysicalPlan): void => {
    if (p.kind === 'ShuffleRead') reads.push(p);
    else if (p.kind === 'BroadcastRead') { /* shared by every task: no regrouping needed */ }
    else if (physicalChildren(p).length === 0) otherLeaves = true;
    physicalChildren(p).forEach(walk);
  };
  walk(current);
  // A stage reading a repartition(n, ...) keeps its n partitions, as Spark keeps a shuffle the
  // user gave a partition count: no coalescing, and no splitting (which would change n too).
  const userSpecified = (r: Read) => (r.partitioning.kind === 'hash' || r.partitioning.kind === 'roundRobin') && r.partitioning.userSpecified === true;
  if (reads.length === 0 || otherLeaves || reads.some((r) => r.reads || r.partitioning.kind === 'single' || userSpecified(r))) {
    return { plan: current, decisions, broadcastFrom };
  }
  const n = reads[0]!.partitions;
  if (reads.some((r) => r.partitions !== n)) return { plan: current, decisions, broadcastFrom };
  const sizes = reads.map((r) => measured(r));
  if (sizes.some((s) => s === null)) return { plan: current, decisions, broadcastFrom };
  const bytes = sizes as number[][];

  // 2. Skewed join partitions.
  let specs: ShuffleReadSpec[][] | null = null; // per read: per task
  const join = findJoin(current);
  if (join && reads.length === 2 && join.kind !== 'BroadcastHashJoin') {
    const splittable = join.how === 'inner' ? [0, 1] : join.how === 'right' ? [1] : join.how === 'full' ? [] : [0];
    const perTask: ShuffleReadSpec[][] = [[], []];
    let split = false;
    for (let b = 0; b < n; b++) {
      let done = false;
      for (const side of splittable) {
        const sideBytes = bytes[side]!;
        const med = median(sideBytes);
        const maps = stats(reads[side]!.stageId)!.mapBucketBytes.length;
        if (sideBytes[b]! > SKEW_FACTOR * med && sideBytes[b]! > o.skewThresholdBytes && maps > 1) {
          const k = Math.min(maps, Math.max(2, Math.ceil(sideBytes[b]! / Math.max(med, o.advisoryPartitionBytes / 4))), 4 * o.parallelism);
          for (let i = 0; i < k; i++) {
            const from = Math.floor((maps * i) / k), to = Math.floor((maps * (i + 1)) / k);
            perTask[side]!.push({ buckets: [b], maps: [from, to] });
            perTask[1 - side]!.push({ buckets: [b], maps: null });
          }
          decisions.push(
            `adaptive: skewed partition ${b} of the ${side === 0 ? 'left' : 'right'} side of ${join.kind} [${join.on.join(', ')}]: ` +
            `${formatBytes(sideBytes[b]!)} > ${SKEW_FACTOR} × median ${formatBytes(med)} and > ${formatBytes(o.skewThresholdBytes)}; split into ${k} tasks by map output`,
          );
          split = true;
          done = true;
          break;
        }
      }
      if (!done) { perTask[0]!.push({ buckets: [b], maps: null }); perTask[1]!.push({ buckets: [b], maps: null }); }
    }
    if (split) specs = perTask;
  }

  // 3. Coalesce neighbouring small buckets (only when nothing was split).
  if (!specs) {
    const combined = Array.from({ length: n }, (_, b) => bytes.reduce((s, side) => s + side[b]!, 0));
    const groups: number[][] = [];
    let cur: number[] = [];
    let acc = 0;
    for (let b = 0; b < n; b++) {
      if (cur.length > 0 && acc + combined[b]! > o.advisoryPartitionBytes) { groups.push(cur); cur = []; acc = 0; }
      cur.push(b);
      acc += combined[b]!;
    }
    if (cur.length > 0) groups.push(cur);
    if (groups.length < n) {
      decisions.push(
        `adaptive: coalesced ${n} shuffle partitions into ${groups.length} ` +
        `(measured ${formatBytes(sum(combined))} in all, advisory ${formatBytes(o.advisoryPartitionBytes)} per task)`,
      );
      specs = reads.map(() => groups.map((g) => ({ buckets: g, maps: null })));
    }
  }
  if (!specs) return { plan: current, decisions, broadcastFrom };
  const byStage = new Map(reads.map((r, i) => [r, specs![i]!]));
  current = replaceReads(current, byStage);
  return { plan: current, decisions, broadcastFrom };
}

function findJoin(p: PhysicalPlan): Extract<PhysicalPlan, { kind: 'SortMergeJoin' | 'ShuffledHashJoin' | 'BroadcastHashJoin' }> | null {
  if (p.kind === 'SortMergeJoin' || p.kind === 'ShuffledHashJoin' || p.kind === 'BroadcastHashJoin') return p;
  for (const c of physicalChildren(p)) {
    const j = findJoin(c);
    if (j) return j;
  }
  return null;
}

function replaceReads(p: PhysicalPlan, specs: ReadonlyMap<Read, ShuffleReadSpec[]>): PhysicalPlan {
  if (p.kind === 'ShuffleRead') {
    const s = specs.get(p);
    return s ? { ...p, reads: s } : p;
  }
  const kids = physicalChildren(p);
  if (kids.length === 0) return p;
  return withKids(p, kids.map((k) => replaceReads(k, specs)));
}

function withKids(p: PhysicalPlan, kids: readonly PhysicalPlan[]): PhysicalPlan {
  switch (p.kind) {
    case 'BroadcastHashJoin': case 'ShuffledHashJoin': case 'SortMergeJoin': return { ...p, left: kids[0]!, right: kids[1]! };
    case 'Union': return { ...p, inputs: kids };
    case 'FileScan': case 'LocalTableScan': case 'Range': case 'ShuffleRead': case 'BroadcastRead': return p;
    default: return { ...p, input: kids[0]! } as PhysicalPlan;
  }
}
