// How one physical operator is labelled in pictures (explain's Mermaid/DOT/SVG, the job
// report's stage boxes): a title (Spark's operator name) and a few detail lines with the key
// facts: columns, conditions, keys, partitioning, join type and build side, estimates.
import { exprToString } from '../planner/expr.js';
import { partitioningString } from '../planner/physical/explain-physical.js';
import type { PhysicalPlan } from '../planner/physical/physical.js';
import { assertNever } from '../planner/types.js';
import { formatCount, formatSize } from './format.js';

export interface OperatorLabel {
  readonly title: string;
  readonly details: readonly string[];
  /** 'join': the join strategy that was chosen; 'adaptive': re-planned with measured sizes while the job ran. */
  readonly highlight: 'join' | 'adaptive' | null;
}

const JOIN_NAMES = { inner: 'Inner', left: 'LeftOuter', right: 'RightOuter', full: 'FullOuter', semi: 'LeftSemi', anti: 'LeftAnti' } as const;
const UDF_NAMES = { map: 'MapElements', flatMap: 'FlatMapElements', mapPartitions: 'MapPartitions', filter: 'LambdaFilter' } as const;

function list(xs: readonly string[]): string {
  return `[${xs.join(', ')}]`;
}

export function operatorLabel(p: PhysicalPlan): OperatorLabel {
  const plain = (title: string, ...details: string[]): OperatorLabel => ({ title, details, highlight: null });
  switch (p.kind) {
    case 'FileScan': {
      const d = [`columns: ${list(p.columns)}`, `${p.root} (${p.filesTotal} file${p.filesTotal === 1 ? '' : 's'})`];
      if (p.pushedFilters.length > 0) d.push(`pushed: ${list(p.pushedFilters.map(exprToString))}`);
      if (p.rowGroupsTotal > 0) d.push(`row groups: ${p.rowGroupsRead} of ${p.rowGroupsTotal}`);
      d.push(`partitions: ${p.partitions.length}`);
      return plain(`FileScan ${p.format}`, ...d);
    }
    case 'LocalTableScan':
      return plain(p.inMemoryCache ? 'InMemoryScan' : 'LocalTableScan', `${p.name} ${list(p.schema.map((f) => f.name))}`, `partitions: ${p.partitions}`);
    case 'Range': return plain('Range', `(${p.start}, ${p.end}, step=${p.step})`, `splits: ${p.partitions}`);
    case 'Filter': return plain('Filter', exprToString(p.condition));
    case 'Project': return plain('Project', list(p.exprs.map(exprToString)));
    case 'MapUdf': {
      const src = p.source.replace(/\s+/g, ' ');
      return plain(UDF_NAMES[p.udf], src.length > 48 ? src.slice(0, 47) + '…' : src);
    }
    case 'HashAggregate':
      return plain(`HashAggregate (${p.mode})`, `keys: ${list(p.groupBy.map(exprToString))}`, `functions: ${list(p.aggs.map(exprToString))}`);
    case 'LocalLimit': return plain('LocalLimit', String(p.n));
    case 'GlobalLimit': return plain('GlobalLimit', String(p.n));
    case 'Union': return plain('Union', `${p.inputs.length} inputs`);
    case 'Exchange': return plain('Exchange', partitioningString(p.partitioning));
    case 'ShuffleRead': {
      const d = [`stage ${p.stageId}`, partitioningString(p.partitioning)];
      if (!p.reads) return plain('ShuffleRead', ...d);
      const split = p.reads.some((r) => r.maps !== null);
      d.push(`adaptive: ${p.reads.length} tasks${split ? ', skewed buckets split' : ''}`);
      return { title: 'ShuffleRead', details: d, highlight: 'adaptive' };
    }
    case 'BroadcastExchange': return plain('BroadcastExchange');
    case 'BroadcastRead': return plain('BroadcastRead', `stage ${p.stageId}`);
    case 'BroadcastHashJoin': case 'ShuffledHashJoin':
      return { title: p.kind, details: [`${list(p.on)}, ${JOIN_NAMES[p.how]}, Build${p.buildSide === 'left' ? 'Left' : 'Right'}`], highlight: 'join' };
    case 'SortMergeJoin':
      return { title: p.kind, details: [`${list(p.on)}, ${JOIN_NAMES[p.how]}`], highlight: 'join' };
    case 'Sort': return plain('Sort', list(p.order.map(exprToString)));
    case 'CoalescePartitions': return plain('Coalesce', String(p.n));
    default: return assertNever(p, 'physical operator');
  }
}

/** The operator's estimated (≈) or exact (=) output, e.g. "≈ 1.2K rows, 40.0 KiB". */
export function estimateLine(p: PhysicalPlan): string {
  return `${p.est.exact ? '=' : '≈'} ${formatCount(p.est.rows)} rows, ${formatSize(p.est.bytes)}`;
}
