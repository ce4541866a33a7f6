// explain() as a picture of the physical plan: Mermaid or DOT text, or a standalone SVG drawn
// with the same layout code as the job report's stage DAG.
import type { PhysicalPlan } from '../planner/physical/physical.js';
import { planGraph, type PlanGraph } from './plan-graph.js';
import { planToMermaid } from './mermaid.js';
import { planToDot } from './dot.js';
import { stageColor } from './palette.js';
import { type GraphNode, renderGraphSvg } from './svg-graph.js';

export type PictureFormat = 'mermaid' | 'dot' | 'svg';
export const PICTURE_FORMATS: readonly PictureFormat[] = ['mermaid', 'dot', 'svg'];

export function explainPicture(plan: PhysicalPlan, format: PictureFormat): string {
  const g = planGraph(plan);
  switch (format) {
    case 'mermaid': return planToMermaid(g);
    case 'dot': return planToDot(g);
    case 'svg': return planToSvg(g);
  }
}

/** The plan as a standalone SVG document: operators colored by stage, Exchanges as dashed boundaries. */
export function planToSvg(g: PlanGraph, options: { standalone?: boolean; idPrefix?: string } = {}): string {
  const nodes: GraphNode[] = g.nodes.map((n) => ({
    id: n.id,
    title: n.label.title,
    lines: [
      ...n.label.details.map((text) => ({ text, tone: n.label.highlight ?? 'plain' as const })),
      { text: n.estimate, tone: 'muted' as const },
    ],
    kind: n.stage === null ? 'boundary' : 'normal',
    ...(n.stage !== null ? { color: stageColor(n.stage), badge: `stage ${n.stage}` } : { badge: 'stage boundary' }),
    cls: 'plan-node',
    data: { op: n.label.title.split(' ')[0]!, stage: n.stage === null ? '' : String(n.stage) },
  }));
  const edges = g.edges.map((e) => ({ from: e.from, to: e.to, dashed: e.boundary }));
  return renderGraphSvg(nodes, edges, { standalone: options.standalone ?? true, idPrefix: options.idPrefix ?? 'plan', title: 'Physical plan' });
}
