// Prints a logical plan as deterministic, Spark-like text: one node per line, children below
// their parent, drawn the way Spark's treeString draws them:
//
//   Aggregate [sum(amount) AS total]  rows=1 bytes=16 B
//   +- Union
//      :- Filter (amount > 50)
//      :  +- Relation parquet /data/a [amount] PushedFilters: [(amount > 50)]
//      +- LocalRelation orders [amount]
//
// A non-last child hangs off `:- ` and its subtree is prefixed with `:  `; the last child
// hangs off `+- ` and its subtree is prefixed with spaces. Optimizer tests compare plans as
// this text, so nothing here may depend on ids, timestamps or object identity.
import { exprToString, type Expr } from './expr.js';
import type { LogicalPlan, UdfKind } from './logical.js';
import { children } from './logical.js';
import { schemaOf } from './analyzer.js';
import { estimate, formatBytes } from './statistics.js';
import { assertNever } from './types.js';

export interface LogicalTreeOptions {
  /** Append `rows=N bytes=X` estimates (statistics.ts) to every line. */
  readonly stats?: boolean;
}

export function logicalTreeString(plan: LogicalPlan, opts: LogicalTreeOptions = {}): string {
  const lines: string[] = [];
  walk(plan, '', '', lines, opts.stats === true);
  return lines.join('\n');
}

function walk(p: LogicalPlan, head: string, rest: string, out: string[], stats: boolean): void {
  let line = head + nodeString(p);
  if (stats) {
    const s = estimate(p);
    line += `  rows=${s.rows} bytes=${formatBytes(s.bytes)}`;
  }
  out.push(line);
  const kids = children(p);
  kids.forEach((k, i) => {
    const last = i === kids.length - 1;
    walk(k, rest + (last ? '+- ' : ':- '), rest + (last ? '   ' : ':  '), out, stats);
  });
}

/** The one-line description of a node, without its children. */
export function nodeString(p: LogicalPlan): string {
  switch (p.kind) {
    case 'scan': {
      const cols = schemaOf(p).map((f) => f.name);
      const pushed = p.filters.length > 0 ? ` PushedFilters: ${list(p.filters)}` : '';
      return `Relation ${p.source.format} ${p.source.root} [${cols.join(', ')}]${pushed}`;
    }
    case 'local': return `LocalRelation ${p.name} [${p.schema.map((f) => f.name).join(', ')}]`;
    case 'range': return `Range (${p.start}, ${p.end}, step=${p.step}, partitions=${p.partitions})`;
    case 'project': return `Project ${list(p.exprs)}`;
    case 'filter': return `Filter ${exprToString(p.condition)}`;
    case 'mapUdf': {
      const head = `${UDF_NAMES[p.udf]} ${lambdaPreview(p.source)}`;
      return p.udf === 'filter' || p.schema === null ? head : `${head} -> [${p.schema.map((f) => f.name).join(', ')}]`;
    }
    case 'aggregate':
      return p.groupBy.length === 0 ? `Aggregate ${list(p.aggs)}` : `Aggregate ${list(p.groupBy)}, ${list(p.aggs)}`;
    case 'limit': return `Limit ${p.n}`;
    case 'union': return 'Union';
    case 'join': return `Join ${p.how === 'full' ? 'FullOuter' : p.how[0]!.toUpperCase() + p.how.slice(1)}, using [${p.on.join(', ')}]`;
    case 'sort': return `Sort ${list(p.order)}`;
    case 'distinct': return 'Distinct';
    case 'repartition':
      return p.shuffle
        ? `Repartition ${p.n}${p.keys.length > 0 ? ` by ${list(p.keys)}` : ''}`
        : `Coalesce ${p.n}`;
    case 'hint': return `ResolvedHint ${p.hint}`;
    case 'cached': return `InMemoryRelation #${p.cacheId} [${schemaOf(p).map((f) => f.name).join(', ')}], ${p.level} (not computed yet)`;
    default: return assertNever(p, 'plan node');
  }
}

const UDF_NAMES: Record<UdfKind, string> = {
  map: 'Map', flatMap: 'FlatMap', mapPartitions: 'MapPartitions', filter: 'LambdaFilter',
};

const PREVIEW_CHARS = 40;

/** The lambda's source on one line, cut to about 40 characters. */
export function lambdaPreview(source: string): string {
  const flat = source.replace(/\s+/g, ' ').trim();
  return flat.length <= PREVIEW_CHARS ? flat : `${flat.slice(0, PREVIEW_CHARS).trimEnd()}...`;
}

function list(es: readonly Expr[]): string {
  return `[${es.map(exprToString).join(', ')}]`;
}
