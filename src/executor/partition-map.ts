// Which input partitions a task reads where the partition numbers change: below a coalesce.
// The scheduler (to ship shuffle buckets) and the worker (to read them) must agree on this.

/** The input partitions output partition `i` of `n` merges, out of `m`: a contiguous run. */
export function coalescedPartitions(m: number, n: number, i: number): number[] {
  const k = Math.min(n, m);
  const from = Math.floor((m * i) / k), to = Math.floor((m * (i + 1)) / k);
  return Array.from({ length: to - from }, (_, j) => from + j);
}
