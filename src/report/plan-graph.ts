// A physical plan as a graph for pictures: one node per operator, an edge from every input to
// its consumer, and the stage each operator runs in. Stage numbers follow the stage splitter
// (physical/stages.ts) and explain's `*(n)` marks: a stage is numbered after every stage below
// its Exchanges, the result stage last. Exchanges belong to no stage: they are the boundaries.
import { type PhysicalPlan, physicalChildren } from '../planner/physical/physical.js';
import { stageNumbers } from '../planner/physical/explain-physical.js';
import { estimateLine, operatorLabel, type OperatorLabel } from './operator-label.js';

export interface PlanNode {
  readonly id: string;
  readonly label: OperatorLabel;
  /** Estimated (or exact) output rows and bytes. */
  readonly estimate: string;
  /** The stage the operator runs in; null for an Exchange (a stage boundary). */
  readonly stage: number | null;
}

export interface PlanEdge {
  readonly from: string;
  readonly to: string;
  /** The edge leaves a stage boundary: its rows were shuffled or broadcast. */
  readonly boundary: boolean;
}

export interface PlanGraph {
  /** Root first, then each operator's inputs in order (pre-order). */
  readonly nodes: readonly PlanNode[];
  readonly edges: readonly PlanEdge[];
  readonly stageCount: number;
}

const isBoundary = (p: PhysicalPlan) => p.kind === 'Exchange' || p.kind === 'BroadcastExchange';

export function planGraph(plan: PhysicalPlan): PlanGraph {
  const { stageOf, stages } = stageNumbers(plan);

  const nodes: PlanNode[] = [];
  const edges: PlanEdge[] = [];
  const visit = (p: PhysicalPlan): string => {
    const id = `n${nodes.length}`;
    nodes.push({ id, label: operatorLabel(p), estimate: estimateLine(p), stage: stageOf.get(p) ?? null });
    for (const c of physicalChildren(p)) edges.push({ from: visit(c), to: id, boundary: isBoundary(c) });
    return id;
  };
  visit(plan);
  return { nodes, edges, stageCount: stages };
}
