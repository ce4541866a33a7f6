// A physical plan as a Mermaid flowchart: inputs above their consumers, one subgraph per
// stage, Exchanges as hexagons between them and dashed arrows for rows that cross a stage
// boundary. Paste the text into any Mermaid renderer (GitHub renders ```mermaid blocks).
import type { PlanGraph, PlanNode } from './plan-graph.js';

const CODES: Readonly<Record<string, string>> = { '#': '#35;', '"': '#quot;', '<': '#lt;', '>': '#gt;', '&': '#amp;' };

/**
 * Text safe inside a quoted Mermaid label: Mermaid decodes `#name;` and `#123;` entity codes
 * (and would read a user's `#lt;` the same way, so '#' itself is encoded too).
 */
export function escapeMermaid(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').replace(/[#"<>&]/g, (c) => CODES[c]!);
}

function label(n: PlanNode): string {
  return [n.label.title, ...n.label.details, n.estimate].map(escapeMermaid).join('<br/>');
}

export function planToMermaid(g: PlanGraph): string {
  const out = ['flowchart TD'];
  const byStage = new Map<number, PlanNode[]>();
  for (const n of g.nodes) if (n.stage !== null) byStage.set(n.stage, [...(byStage.get(n.stage) ?? []), n]);
  for (const [stage, ns] of [...byStage].sort((a, b) => a[0] - b[0])) {
    out.push(`  subgraph stage${stage} ["Stage ${stage}"]`);
    for (const n of ns) out.push(`    ${n.id}["${label(n)}"]`);
    out.push('  end');
  }
  for (const n of g.nodes) if (n.stage === null) out.push(`  ${n.id}{{"${label(n)}"}}`);
  for (const e of g.edges) out.push(`  ${e.from} ${e.boundary ? '-.->' : '-->'} ${e.to}`);
  out.push('  classDef boundary fill:#fff8e6,stroke:#c08a1e,stroke-dasharray:5 3');
  out.push('  classDef join fill:#e8efff,stroke:#1d4ed8,stroke-width:2px');
  out.push('  classDef adaptive fill:#ffedd5,stroke:#c2410c,stroke-width:2px');
  const boundaries = g.nodes.filter((n) => n.stage === null).map((n) => n.id);
  if (boundaries.length > 0) out.push(`  class ${boundaries.join(',')} boundary`);
  for (const tone of ['join', 'adaptive'] as const) {
    const ids = g.nodes.filter((n) => n.label.highlight === tone).map((n) => n.id);
    if (ids.length > 0) out.push(`  class ${ids.join(',')} ${tone}`);
  }
  return out.join('\n');
}
