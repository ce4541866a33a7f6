// Deterministic text for a physical plan, Spark-style: one operator a line, `+- ` under its
// parent, `*(n)` marking the stage an operator runs in, and each operator's estimated rows
// and bytes. Scans say which columns they read and which filters were pushed into them.
import { exprToString } from '../expr.js';
import { formatBytes } from '../statistics.js';
import { assertNever } from '../types.js';
import { type PhysicalPlan, type Partitioning, physicalChildren } from './physical.js';

/**
 * The stage each operator runs in, numbered as the stage splitter numbers them: a stage after
 * every stage below its Exchanges, the result stage last. Exchanges belong to no stage.
 */
export function stageNumbers(plan: PhysicalPlan): { stageOf: Map<PhysicalPlan, number>; stages: number } {
  let nextStage = 0;
  const boxes = new Map<PhysicalPlan, { id: number }>();
  const assign = (p: PhysicalPlan, stage: { id: number }): void => {
    if (p.kind === 'Exchange' || p.kind === 'BroadcastExchange') {
      const below = { id: 0 };
      assign(p.input, below);
      below.id = ++nextStage;
      return;
    }
    boxes.set(p, stage);
    for (const c of physicalChildren(p)) assign(c, stage);
  };
  const root = { id: 0 };
  assign(plan, root);
  root.id = ++nextStage;
  return { stageOf: new Map([...boxes].map(([p, b]) => [p, b.id])), stages: nextStage };
}

export function physicalTreeString(plan: PhysicalPlan): string {
  const lines: string[] = [];
  const { stageOf } = stageNumbers(plan);
  const walk = (p: PhysicalPlan, prefix: string, childPrefix: string): void => {
    const stage = stageOf.get(p);
    const mark = stage !== undefined ? `*(${stage}) ` : '';
    lines.push(`${prefix}${mark}${describe(p)}  [rows=${fmtRows(p.est.rows)}${p.est.exact ? '' : '~'}, bytes=${formatBytes(p.est.bytes)}]`);
    const kids = physicalChildren(p);
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      walk(k, `${childPrefix}${last ? '+- ' : ':- '}`, `${childPrefix}${last ? '   ' : ':  '}`);
    });
  };
  walk(plan, '', '');
  return lines.join('\n');
}

function fmtRows(n: number): string {
  return String(Math.round(n));
}

export function partitioningString(p: Partitioning): string {
  switch (p.kind) {
    case 'single': return 'SinglePartition';
    case 'hash': return `hashpartitioning(${p.keys.map(exprToString).join(', ')}, ${p.n})`;
    case 'range': return `rangepartitioning(${p.order.map(exprToString).join(', ')}, ${p.n})`;
    case 'roundRobin': return `RoundRobinPartitioning(${p.n})`;
    case 'unknown': return `UnknownPartitioning(${p.n})`;
    default: return assertNever(p, 'partitioning');
  }
}

function list(xs: readonly string[]): string {
  return `[${xs.join(', ')}]`;
}

function describe(p: PhysicalPlan): string {
  switch (p.kind) {
    case 'FileScan': {
      const parts = [
        `FileScan ${p.format} ${list(p.columns)}`,
        `Location: ${p.root} (${p.filesTotal} file${p.filesTotal === 1 ? '' : 's'})`,
        `PushedFilters: ${list(p.pushedFilters.map(exprToString))}`,
      ];
      if (p.rowGroupsTotal > 0) parts.push(`RowGroups: ${p.rowGroupsRead} of ${p.rowGroupsTotal}`);
      parts.push(`Partitions: ${p.partitions.length}`);
      return parts.join(', ');
    }
    case 'LocalTableScan':
      return `${p.inMemoryCache ? 'InMemoryScan' : 'LocalTableScan'} ${p.name} ${list(p.schema.map((f) => f.name))}, Partitions: ${p.partitions}`;
    case 'Range': return `Range (${p.start}, ${p.end}, step=${p.step}, splits=${p.partitions})`;
    case 'Filter': return `Filter ${exprToString(p.condition)}`;
    case 'Project': return `Project ${list(p.exprs.map(exprToString))}`;
    case 'MapUdf': {
      const name = { map: 'MapElements', flatMap: 'FlatMapElements', mapPartitions: 'MapPartitions', filter: 'LambdaFilter' }[p.udf];
      const src = p.source.replace(/\s+/g, ' ');
      return `${name} ${src.length > 48 ? src.slice(0, 47) + '…' : src}`;
    }
    case 'HashAggregate': {
      const fns = p.aggs.map((a) => (p.mode === 'partial' ? `partial_${exprToString(stripName(a))}` : exprToString(a)));
      return `HashAggregate(keys=${list(p.groupBy.map(exprToString))}, functions=${list(fns)})`;
    }
    case 'LocalLimit': return `LocalLimit ${p.n}`;
    case 'GlobalLimit': return `GlobalLimit ${p.n}`;
    case 'Union': return 'Union';
    case 'Exchange': return `Exchange ${partitioningString(p.partitioning)}`;
    case 'ShuffleRead': {
      const head = `ShuffleRead stage=${p.stageId} ${partitioningString(p.partitioning)}`;
      if (!p.reads) return head;
      const parts = p.reads.map((r) => `${r.buckets.length === 1 ? r.buckets[0] : `${r.buckets[0]}-${r.buckets[r.buckets.length - 1]}`}${r.maps ? `[maps ${r.maps[0]}-${r.maps[1] - 1}]` : ''}`);
      return `${head}, adaptive: ${p.reads.length} tasks read ${parts.join(' ')}`;
    }
    case 'BroadcastExchange': return 'BroadcastExchange';
    case 'BroadcastRead': return `BroadcastRead stage=${p.stageId}`;
    case 'BroadcastHashJoin': case 'ShuffledHashJoin':
      return `${p.kind} [${p.on.join(', ')}], ${JOIN_NAMES[p.how]}, Build${p.buildSide === 'left' ? 'Left' : 'Right'}`;
    case 'SortMergeJoin': return `SortMergeJoin [${p.on.join(', ')}], ${JOIN_NAMES[p.how]}`;
    case 'Sort': return `Sort ${list(p.order.map(exprToString))}`;
    case 'CoalescePartitions': return `Coalesce ${p.n}`;
    default: return assertNever(p, 'physical operator');
  }
}

const JOIN_NAMES = { inner: 'Inner', left: 'LeftOuter', right: 'RightOuter', full: 'FullOuter', semi: 'LeftSemi', anti: 'LeftAnti' } as const;

function stripName<T extends { kind: string }>(e: T): T {
  return (e.kind === 'alias' ? (e as unknown as { child: T }).child : e);
}
