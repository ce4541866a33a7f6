// The job's per-stage metrics as an HTML table, with a totals row: wall time, tasks, records and
// bytes in and out, shuffle write and read, spill, peak memory.
import type { JobInfo } from '../executor/engine.js';
import type { StageMetrics } from '../executor/scheduler.js';
import { escapeXml } from './escape.js';
import { formatCount, formatDuration, formatSize } from './format.js';
import { stageColor } from './palette.js';

interface Column {
  readonly head: string;
  readonly cell: (m: StageMetrics) => number;
  readonly fmt: (n: number) => string;
  /** How the totals row combines the stages ('max' for peaks; null: no total). */
  readonly total: 'sum' | 'max' | null;
}

const COLUMNS: readonly Column[] = [
  { head: 'Wall time', cell: (m) => m.durationMs, fmt: formatDuration, total: null },
  { head: 'Tasks', cell: (m) => m.tasks, fmt: String, total: 'sum' },
  { head: 'Records in', cell: (m) => m.inputRecords, fmt: formatCount, total: 'sum' },
  { head: 'Records out', cell: (m) => m.outputRecords, fmt: formatCount, total: 'sum' },
  { head: 'Bytes out', cell: (m) => m.outputBytes, fmt: formatSize, total: 'sum' },
  { head: 'Shuffle write', cell: (m) => m.shuffleWriteBytes, fmt: formatSize, total: 'sum' },
  { head: 'Shuffle read', cell: (m) => m.shuffleReadBytes, fmt: formatSize, total: 'sum' },
  { head: 'Spill', cell: (m) => m.spillBytes, fmt: formatSize, total: 'sum' },
  { head: 'Peak memory', cell: (m) => m.peakMemoryBytes, fmt: formatSize, total: 'max' },
];

export function metricsTable(job: JobInfo): string {
  const num = (n: number, fmt: (n: number) => string) => `<td class="num" title="${escapeXml(String(Math.round(n * 1000) / 1000))}">${escapeXml(fmt(n))}</td>`;
  const rows = job.stages.map((m) => {
    const swatch = `<span class="swatch" style="background:${stageColor(m.id)}"></span>`;
    return `<tr data-stage="${m.id}"><th scope="row">${swatch}${m.id}</th><td class="ops">${escapeXml(m.name)}</td>${COLUMNS.map((c) => num(c.cell(m), c.fmt)).join('')}</tr>`;
  });
  const totals = COLUMNS.map((c) => {
    if (c.total === null) return num(job.durationMs, c.fmt);
    const vals = job.stages.map(c.cell);
    return num(c.total === 'sum' ? vals.reduce((s, v) => s + v, 0) : Math.max(0, ...vals), c.fmt);
  });
  return [
    '<table class="metrics">',
    `<thead><tr><th>Stage</th><th>Operators</th>${COLUMNS.map((c) => `<th class="num">${escapeXml(c.head)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.join('\n')}</tbody>`,
    `<tfoot><tr><th scope="row">job</th><td class="ops">all ${job.stages.length} stage${job.stages.length === 1 ? '' : 's'}</td>${totals.join('')}</tr></tfoot>`,
    '</table>',
  ].join('\n');
}
