// The job's tasks on a timeline: one row per worker slot, one bar per task attempt from when it
// started on a worker to when its result reached the driver, colored by stage; above them each
// stage's span, from when its tasks were handed out to when the last came back. Workers do not
// report which thread ran a task, so rows are slots: attempts are packed onto at most `workers`
// rows, each onto the row that freed first.
import type { JobInfo, TaskTiming } from '../executor/engine.js';
import { escapeXml } from './escape.js';
import { formatCount, formatDuration } from './format.js';
import { stageColor } from './palette.js';

/** The slot (row) of every task, in the order given: at most `workers` rows, earliest-freed row first. */
export function assignSlots(tasks: readonly TaskTiming[], workers: number): number[] {
  const order = tasks.map((_, i) => i).sort((a, b) => tasks[a]!.startMs - tasks[b]!.startMs || tasks[a]!.endMs - tasks[b]!.endMs);
  const freeAt: number[] = [];
  const slot = new Array<number>(tasks.length).fill(0);
  // Times are measured on two threads: allow a task to start a little before its slot is free.
  const slack = 0.5;
  for (const i of order) {
    const t = tasks[i]!;
    let best = -1;
    for (let s = 0; s < freeAt.length; s++) if (freeAt[s]! <= t.startMs + slack && (best < 0 || freeAt[s]! < freeAt[best]!)) best = s;
    if (best < 0 && freeAt.length < Math.max(1, workers)) best = freeAt.push(0) - 1;
    if (best < 0) best = freeAt.indexOf(Math.min(...freeAt));
    slot[i] = best;
    freeAt[best] = Math.max(freeAt[best]!, t.endMs);
  }
  return slot;
}

/** Tick spacing of about `target` ticks over `span`: 1, 2 or 5 × a power of ten. */
export function tickStep(span: number, target = 8): number {
  const raw = Math.max(span, 1e-3) / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

const LEFT = 64;
const RIGHT = 16;
const TOP = 8;
const STAGE_ROW = 18;
const LANE = 22;
const BAR = 15;
const AXIS = 28;

export function timelineSvg(job: JobInfo, width = 960): string {
  const tasks = job.tasks;
  const slots = assignSlots(tasks, job.workers);
  const lanes = Math.max(1, ...slots.map((s) => s + 1));
  // Stages that ran (by their own start and end), and any with tasks but no recorded times.
  const spans = new Map<number, { from: number; to: number }>();
  for (const st of job.dag) if (st.startMs !== null) spans.set(st.id, { from: st.startMs, to: st.endMs ?? job.durationMs });
  for (const t of tasks) {
    const sp = spans.get(t.stageId);
    if (!sp) spans.set(t.stageId, { from: t.startMs, to: t.endMs });
  }
  const stageIds = [...spans.keys()].sort((a, b) => a - b);
  const end = Math.max(job.durationMs, ...tasks.map((t) => t.endMs), 1);
  const plotW = width - LEFT - RIGHT;
  const x = (ms: number) => LEFT + (ms / end) * plotW;
  const lanesTop = TOP + stageIds.length * STAGE_ROW + 6;
  const height = lanesTop + lanes * LANE + AXIS;
  const r = (n: number) => String(Math.round(n * 10) / 10);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  out.push(`<title>${escapeXml(`Tasks of job ${job.id} over ${formatDuration(end)}`)}</title>`);
  // Grid and time axis.
  const step = tickStep(end);
  out.push('<g class="axis">');
  for (let t = 0; t <= end + 1e-9; t += step) {
    out.push(`<line x1="${r(x(t))}" y1="${TOP}" x2="${r(x(t))}" y2="${lanesTop + lanes * LANE}" stroke="#e4e7eb"/>`);
    out.push(`<text x="${r(x(t))}" y="${lanesTop + lanes * LANE + 16}" text-anchor="middle">${escapeXml(formatDuration(t))}</text>`);
  }
  out.push('</g>');
  // Stage spans, labelled inside a wide span, else right of it where there is room, else left.
  stageIds.forEach((id, i) => {
    const { from, to } = spans.get(id)!;
    const y = TOP + i * STAGE_ROW;
    out.push(`<g class="stage-span" data-stage="${id}">`);
    out.push(`<rect x="${r(x(from))}" y="${y + 3}" width="${r(Math.max(x(to) - x(from), 2))}" height="${STAGE_ROW - 6}" rx="3" fill="${stageColor(id)}" fill-opacity="0.3" stroke="${stageColor(id)}"/>`);
    const label = `stage ${id} · ${formatDuration(to - from)}`;
    const labelW = label.length * 6.7;
    const inside = x(to) - x(from) >= labelW + 12;
    const right = !inside && x(to) + 6 + labelW <= width - RIGHT;
    const lx = inside ? x(from) + 6 : right ? Math.max(x(to), x(from) + 2) + 6 : x(from) - 6;
    out.push(`<text x="${r(lx)}" y="${y + STAGE_ROW - 5.5}" text-anchor="${inside || right ? 'start' : 'end'}">${escapeXml(label)}</text>`);
    out.push('</g>');
  });
  for (let l = 0; l < lanes; l++) {
    const y = lanesTop + l * LANE;
    out.push(`<rect x="${LEFT}" y="${y}" width="${plotW}" height="${LANE}" fill="${l % 2 === 0 ? '#f8fafc' : '#ffffff'}"/>`);
    out.push(`<text class="lane" x="${LEFT - 8}" y="${y + LANE / 2 + 4}" text-anchor="end">slot ${l + 1}</text>`);
  }
  tasks.forEach((t, i) => {
    const y = lanesTop + slots[i]! * LANE + (LANE - BAR) / 2;
    const w = Math.max(x(t.endMs) - x(t.startMs), 1.5);
    const killed = t.error?.startsWith('TaskKilled') ?? false;
    const cls = `task-bar${t.sample ? ' sample' : ''}${t.ok ? '' : killed ? ' killed' : ' failed'}`;
    const waited = t.startMs - t.queuedMs;
    const tip = `stage ${t.stageId}, partition ${t.partition}${t.attempt > 0 ? `, attempt ${t.attempt + 1}` : ''}${t.sample ? ' (sampling range bounds)' : ''}\n` +
      `${formatDuration(t.endMs - t.startMs)} (${formatDuration(t.startMs)} → ${formatDuration(t.endMs)})${waited >= 1 ? `, waited ${formatDuration(waited)} for a worker` : ''}\n` +
      (t.ok ? `${formatCount(t.inputRecords)} rows in, ${formatCount(t.outputRecords)} rows out` : t.error ?? 'failed');
    out.push(`<rect class="${cls}" data-stage="${t.stageId}" data-partition="${t.partition}" x="${r(x(t.startMs))}" y="${r(y)}" width="${r(w)}" height="${BAR}" rx="2" fill="${stageColor(t.stageId)}"><title>${escapeXml(tip)}</title></rect>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
