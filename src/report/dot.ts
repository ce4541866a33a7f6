// A physical plan as Graphviz DOT (`dot -Tsvg plan.dot > plan.svg`): inputs above their
// consumers, one cluster per stage, Exchanges as hexagons and dashed edges for rows that cross
// a stage boundary.
import type { PlanGraph, PlanNode } from './plan-graph.js';
import { stageColor } from './palette.js';

/** Text safe inside a double-quoted DOT string (backslashes would start DOT's label escapes). */
export function escapeDot(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function label(n: PlanNode): string {
  return [n.label.title, ...n.label.details, n.estimate].map(escapeDot).join('\\n');
}

function nodeLine(n: PlanNode, indent: string): string {
  const attrs = [`label="${label(n)}"`];
  if (n.stage === null) attrs.push('shape=hexagon', 'style="filled,dashed"', 'fillcolor="#fff8e6"', 'color="#c08a1e"');
  else if (n.label.highlight === 'join') attrs.push('fillcolor="#e8efff"', 'color="#1d4ed8"', 'penwidth=2');
  else if (n.label.highlight === 'adaptive') attrs.push('fillcolor="#ffedd5"', 'color="#c2410c"', 'penwidth=2');
  return `${indent}${n.id} [${attrs.join(', ')}];`;
}

export function planToDot(g: PlanGraph): string {
  const out = [
    'digraph plan {',
    '  rankdir=TB;',
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="monospace", fontsize=10];',
    '  edge [color="#7b8794"];',
  ];
  const byStage = new Map<number, PlanNode[]>();
  for (const n of g.nodes) if (n.stage !== null) byStage.set(n.stage, [...(byStage.get(n.stage) ?? []), n]);
  for (const [stage, ns] of [...byStage].sort((a, b) => a[0] - b[0])) {
    out.push(`  subgraph cluster_stage${stage} {`);
    out.push(`    label="Stage ${stage}"; style="rounded,dashed"; color="${stageColor(stage)}"; fontname="monospace";`);
    for (const n of ns) out.push(nodeLine(n, '    '));
    out.push('  }');
  }
  for (const n of g.nodes) if (n.stage === null) out.push(nodeLine(n, '  '));
  for (const e of g.edges) out.push(`  ${e.from} -> ${e.to}${e.boundary ? ' [style=dashed, color="#c08a1e"]' : ''};`);
  out.push('}');
  return out.join('\n');
}
