// The job's stage DAG as a picture: one box per stage listing its operators as they ran (leaf
// first), the chosen join strategies and adaptive re-planning highlighted, and arrows from the
// stages that produced a shuffle or broadcast to the stage that read it, with the bytes moved.
import type { JobInfo } from '../executor/engine.js';
import { type PhysicalPlan, physicalChildren } from '../planner/physical/physical.js';
import { formatCount, formatDuration, formatSize } from './format.js';
import { operatorLabel } from './operator-label.js';
import { stageColor } from './palette.js';
import { type GraphEdge, type GraphLine, type GraphNode, renderGraphSvg } from './svg-graph.js';

/** The adaptive decisions taken for each stage (decisions read "stage N: adaptive: …"). */
export function adaptiveDecisionsByStage(decisions: readonly string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const d of decisions) {
    const m = /^stage (\d+): (adaptive: .*)$/s.exec(d);
    if (m) out.set(Number(m[1]), [...(out.get(Number(m[1])) ?? []), m[2]!]);
  }
  return out;
}

/** One line per operator, inputs before their consumer. */
export function operatorLines(plan: PhysicalPlan): GraphLine[] {
  const lines: GraphLine[] = [];
  const walk = (p: PhysicalPlan): void => {
    for (const c of physicalChildren(p)) walk(c);
    const l = operatorLabel(p);
    const detail = p.kind === 'ShuffleRead' && l.highlight === 'adaptive' ? `${l.details[0]}, ${l.details[2]}` : l.details[0];
    lines.push({ text: detail ? `${l.title} ${detail}` : l.title, tone: l.highlight ?? 'plain' });
  };
  walk(plan);
  return lines;
}

export function stageDagSvg(job: JobInfo): string {
  const metrics = new Map(job.stages.map((s) => [s.id, s]));
  // A failed job failed in the last stage it started.
  const failedStage = job.succeeded ? null : [...job.dag].reverse().find((s) => s.ran)?.id ?? null;
  const adaptive = adaptiveDecisionsByStage(job.decisions);
  const nodes: GraphNode[] = job.dag.map((s) => {
    const m = metrics.get(s.id);
    const lines = operatorLines(s.plan);
    if (m) {
      lines.push({ text: `${m.tasks} task${m.tasks === 1 ? '' : 's'} · ${formatDuration(m.durationMs)} · ${formatCount(m.inputRecords)} → ${formatCount(m.outputRecords)} rows`, tone: 'muted' });
    } else {
      lines.push({ text: s.ran ? 'did not finish' : 'not run', tone: 'muted' });
    }
    const attempts = job.tasks.filter((t) => t.stageId === s.id && !t.ok);
    const killed = attempts.filter((t) => t.error?.startsWith('TaskKilled')).length;
    if (attempts.length > killed) lines.push({ text: `${attempts.length - killed} failed attempt${attempts.length - killed === 1 ? '' : 's'}`, tone: 'adaptive' });
    if (killed > 0) lines.push({ text: `${killed} speculative attempt${killed === 1 ? '' : 's'} killed`, tone: 'muted' });
    const decisions = adaptive.get(s.id) ?? [];
    const output = s.output === 'result' ? 'result' : s.output === 'broadcast' ? 'broadcast' : 'shuffle map';
    return {
      id: `s${s.id}`,
      title: `Stage ${s.id}`,
      lines,
      kind: failedStage === s.id ? 'failed' : s.ran ? 'normal' : 'idle',
      color: stageColor(s.id),
      badge: decisions.length > 0 ? `adaptive · ${output}` : output,
      badgeTone: decisions.length > 0 ? 'adaptive' : 'plain',
      cls: 'stage-node',
      data: { stage: String(s.id), adaptive: String(decisions.length) },
    };
  });
  const edges: GraphEdge[] = job.dag.flatMap((s) => s.parents.map((p) => {
    const from = job.dag.find((x) => x.id === p);
    const m = metrics.get(p);
    const broadcast = from?.output === 'broadcast';
    const bytes = m ? (broadcast ? m.outputBytes : m.shuffleWriteBytes) : null;
    return { from: `s${p}`, to: `s${s.id}`, label: `${broadcast ? 'broadcast' : 'shuffle'}${bytes === null ? '' : ` ${formatSize(bytes)}`}` };
  }));
  return renderGraphSvg(nodes, edges, { idPrefix: 'dag', maxLineChars: 56, title: `Stages of job ${job.id}` });
}
