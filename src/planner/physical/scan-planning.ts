// Turns a logical Scan into the splits its tasks read.
//
// 1. Files whose partition values (from `key=value` directories) cannot satisfy the pushed
//    filters are skipped, and so are Parquet row groups whose min/max/null-count statistics
//    prove no row can match (see row-group-pruning.ts; it is conservative: unknown → read).
// 2. The remaining units (row groups, or whole CSV/JSON files) are packed in path order into
//    partitions of about equal bytes: at least `parallelism` partitions when there are enough
//    units, and none larger than `maxPartitionBytes` (as Spark's files.maxPartitionBytes).
import { type Expr, referencedColumns } from '../expr.js';
import type { FileSource, RowGroupInfo } from '../logical.js';
import type { Schema } from '../types.js';
import type { ScanSplit } from './physical.js';
import { mayMatch, type StatsLike } from './row-group-pruning.js';

export interface ScanPlan {
  readonly partitions: ScanSplit[][];
  readonly filesTotal: number;
  readonly rowGroupsTotal: number;
  readonly rowGroupsRead: number;
}

// The engine compares floats as Spark does (NaN is larger than every number), so pruning may
// reason with that order too.
const SPARK_NAN = { nan: 'spark' } as const;

export const MAX_PARTITION_BYTES = 128 * 1024 * 1024;

interface Unit { path: string; rowGroup: number | null; partitionValues: Readonly<Record<string, unknown>>; rows: number | null; bytes: number }

export function planScan(src: FileSource, filters: readonly Expr[], parallelism: number): ScanPlan {
  const fullSchema: Schema = [...src.dataSchema, ...src.partitionSchema];
  const partNames = new Set(src.partitionSchema.map((f) => f.name));
  const partFilters = filters.filter((f) => refsOnly(f, partNames));
  const units: Unit[] = [];
  let rowGroupsTotal = 0;
  for (const file of src.files) {
    if (file.rowGroups) rowGroupsTotal += file.rowGroups.length;
    if (partFilters.length > 0 && !mayMatch(partitionStats(file.partitionValues), partFilters, fullSchema, SPARK_NAN)) continue;
    if (file.rowGroups) {
      for (const rg of file.rowGroups) {
        if (filters.length > 0 && !mayMatch(withPartitionStats(rg, file.partitionValues), filters, fullSchema, SPARK_NAN)) continue;
        units.push({ path: file.path, rowGroup: rg.index, partitionValues: file.partitionValues, rows: rg.numRows, bytes: rg.totalBytes });
      }
    } else {
      units.push({ path: file.path, rowGroup: null, partitionValues: file.partitionValues, rows: file.numRows, bytes: file.size });
    }
  }
  const total = units.reduce((s, u) => s + u.bytes, 0);
  const want = Math.max(1, Math.min(units.length, Math.max(parallelism, Math.ceil(total / MAX_PARTITION_BYTES))));
  const target = total / want;
  const partitions: ScanSplit[][] = [];
  let current: Unit[] = [];
  let bytes = 0;
  for (const u of units) {
    if (current.length > 0 && bytes + u.bytes / 2 > target && partitions.length < want - 1) {
      partitions.push(toSplits(current));
      current = [];
      bytes = 0;
    }
    current.push(u);
    bytes += u.bytes;
  }
  if (current.length > 0) partitions.push(toSplits(current));
  return {
    partitions,
    filesTotal: src.files.length,
    rowGroupsTotal,
    rowGroupsRead: units.filter((u) => u.rowGroup !== null).length,
  };
}

/** Consecutive row groups of one file become one split. */
function toSplits(units: readonly Unit[]): ScanSplit[] {
  const out: ScanSplit[] = [];
  for (const u of units) {
    const last = out[out.length - 1];
    if (last && last.path === u.path && last.rowGroups && u.rowGroup !== null) {
      out[out.length - 1] = {
        ...last,
        rowGroups: [...last.rowGroups, u.rowGroup],
        rows: last.rows !== null && u.rows !== null ? last.rows + u.rows : null,
        bytes: last.bytes + u.bytes,
      };
    } else {
      out.push({ path: u.path, rowGroups: u.rowGroup === null ? null : [u.rowGroup], partitionValues: u.partitionValues, rows: u.rows, bytes: u.bytes });
    }
  }
  return out;
}

function partitionStats(values: Readonly<Record<string, unknown>>): StatsLike {
  const columns: Record<string, { min: unknown; max: unknown; nullCount: number | null }> = {};
  for (const [k, v] of Object.entries(values)) {
    columns[k] = { min: v ?? null, max: v ?? null, nullCount: v === null || v === undefined ? 1 : 0 };
  }
  return { numRows: 1, columns };
}

function withPartitionStats(rg: RowGroupInfo, values: Readonly<Record<string, unknown>>): StatsLike {
  const p = partitionStats(values);
  const columns: Record<string, { min: unknown; max: unknown; nullCount: number | null }> = { ...rg.columns };
  for (const [k, v] of Object.entries(p.columns) as [string, { min: unknown; max: unknown; nullCount: number | null }][]) {
    columns[k] = { ...v, nullCount: v.nullCount === 1 ? rg.numRows : 0 };
  }
  return { numRows: rg.numRows, columns };
}

function refsOnly(e: Expr, names: ReadonlySet<string>): boolean {
  if (names.size === 0) return false;
  const seen = referencedColumns(e);
  return seen.size > 0 && [...seen].every((n) => names.has(n));
}
