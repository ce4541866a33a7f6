// How an operator's output is partitioned, and the Exchange that gives a child the
// partitioning its parent needs (Spark's EnsureRequirements, in small). An Exchange is added
// only when the child is not already hash-partitioned on the same keys into the same number
// of partitions: after repartition(n, k), or an aggregation grouped by k, a join on k needs
// no shuffle (co-partitioning).
import type { Expr } from '../expr.js';
import { exprToString, outputName } from '../expr.js';
import { assertNever } from '../types.js';
import { type PhysicalPlan, type Partitioning, numPartitions } from './physical.js';

export function outputPartitioning(p: PhysicalPlan): Partitioning {
  switch (p.kind) {
    case 'Exchange': return p.partitioning;
    case 'ShuffleRead': return p.partitioning;
    case 'Filter': case 'Sort': case 'LocalLimit': case 'MapUdf': return passThrough(p.input, p);
    case 'Project': {
      const inner = outputPartitioning(p.input);
      if (inner.kind !== 'hash') return { kind: 'unknown', n: numPartitions(p) };
      // Kept only when every key column passes through under its own name.
      const kept = inner.keys.every((k) => k.kind === 'col' && p.exprs.some((e) => e.kind === 'col' && e.name === k.name));
      return kept ? inner : { kind: 'unknown', n: numPartitions(p) };
    }
    case 'HashAggregate': {
      if (p.mode === 'final' && p.groupBy.length > 0) {
        const inner = outputPartitioning(p.input);
        if (inner.kind === 'hash') return { kind: 'hash', keys: p.groupBy.map((g): Expr => ({ kind: 'col', name: outputName(g) })), n: inner.n };
      }
      return { kind: 'unknown', n: numPartitions(p) };
    }
    case 'ShuffledHashJoin': case 'SortMergeJoin': {
      const inner = outputPartitioning(p.left);
      return inner.kind === 'hash' && (p.how === 'inner' || p.how === 'left' || p.how === 'semi' || p.how === 'anti')
        ? inner : { kind: 'unknown', n: numPartitions(p) };
    }
    case 'BroadcastHashJoin': {
      const stream = p.buildSide === 'right' ? p.left : p.right;
      const inner = outputPartitioning(stream);
      return inner.kind === 'hash' && p.how !== 'full' ? inner : { kind: 'unknown', n: numPartitions(p) };
    }
    case 'GlobalLimit': case 'BroadcastExchange': case 'BroadcastRead': return { kind: 'single' };
    case 'LocalTableScan':
      // Cached blocks keep the partitioning they were computed with (PageRank's links).
      if (p.hashPartitioned && p.hashPartitioned.n === p.partitions) {
        return { kind: 'hash', keys: p.hashPartitioned.keys.map((name): Expr => ({ kind: 'col', name })), n: p.partitions };
      }
      return p.partitions === 1 ? { kind: 'single' } : { kind: 'unknown', n: p.partitions };
    case 'FileScan': case 'Range': case 'Union': case 'CoalescePartitions':
      return numPartitions(p) === 1 ? { kind: 'single' } : { kind: 'unknown', n: numPartitions(p) };
    default: return assertNever(p, 'physical operator');
  }
}

function passThrough(input: PhysicalPlan, self: PhysicalPlan): Partitioning {
  const inner = outputPartitioning(input);
  return inner.kind === 'unknown' ? { kind: 'unknown', n: numPartitions(self) } : inner;
}

/** Whether `p` is hash-partitioned on exactly these key columns into `n` partitions. */
export function isHashPartitionedOn(p: PhysicalPlan, keys: readonly string[], n: number): boolean {
  const part = outputPartitioning(p);
  return part.kind === 'hash' && part.n === n && part.keys.length === keys.length &&
    part.keys.every((k, i) => k.kind === 'col' && k.name === keys[i]);
}

/** Whether `p` is hash-partitioned on a non-empty subset of these key columns (any partition count). */
export function hashPartitionedOnSubset(p: PhysicalPlan, keys: readonly string[]): boolean {
  const part = outputPartitioning(p);
  return part.kind === 'hash' && part.keys.length > 0 && part.keys.every((k) => k.kind === 'col' && keys.includes(k.name));
}

/** The partition count of a hash partitioning on these keys, if `p` has one. */
export function hashPartitionCount(p: PhysicalPlan, keys: readonly string[]): number | null {
  const part = outputPartitioning(p);
  if (part.kind !== 'hash' || part.keys.length !== keys.length) return null;
  return part.keys.every((k, i) => k.kind === 'col' && k.name === keys[i]) ? part.n : null;
}

/** `child` hash-partitioned on `keys` into `n` partitions, adding an Exchange only if needed. */
export function ensureHashPartitioned(child: PhysicalPlan, keys: readonly string[], n: number): PhysicalPlan {
  if (isHashPartitionedOn(child, keys, n)) return child;
  const partitioning: Partitioning = { kind: 'hash', keys: keys.map((name): Expr => ({ kind: 'col', name })), n };
  return { kind: 'Exchange', schema: child.schema, est: child.est, input: child, partitioning };
}

export function keysText(keys: readonly Expr[]): string {
  return keys.map(exprToString).join(', ');
}
