// A finished job as one self-contained HTML page: the stage DAG, the planning and adaptive
// decisions, the task timeline and the metrics table. Everything is inline (CSS, SVG; no script,
// no fonts, no images), and a Content-Security-Policy forbids the page to load anything.
import type { JobInfo } from '../executor/engine.js';
import { escapeXml } from './escape.js';
import { formatCount, formatDuration, formatSize } from './format.js';
import { metricsTable } from './metrics-table.js';
import { stageDagSvg } from './stage-dag.js';
import { timelineSvg } from './timeline.js';

const CSS = `
:root { color-scheme: light; }
body { margin: 0; padding: 24px 32px 40px; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; color: #1f2933; background: #f5f7fa; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 10px; }
header p.desc { margin: 0 0 12px; color: #52606d; font-family: ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace; }
.status { font-size: 12px; padding: 2px 8px; border-radius: 10px; vertical-align: middle; margin-left: 8px; }
.status.ok { background: #e3f9e5; color: #207227; }
.status.failed { background: #ffe3e3; color: #a61b1b; }
dl.summary { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0; }
dl.summary div { display: flex; flex-direction: column; }
dl.summary dt { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: #7b8794; }
dl.summary dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
section { background: #fff; border: 1px solid #e4e7eb; border-radius: 8px; padding: 16px 18px; margin-top: 18px; }
.scroll { overflow-x: auto; }
ul.decisions { margin: 0; padding-left: 20px; font-family: ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace; font-size: 12px; }
ul.decisions li { margin: 3px 0; }
ul.decisions li.adaptive { color: #9a3412; }
ul.decisions li.adaptive::marker { content: '⚡ '; }
strong.join { color: #1d4ed8; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: #52606d; margin-bottom: 6px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
svg.timeline text { font: 11px ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace; fill: #52606d; }
svg.timeline rect.task-bar { stroke: #ffffff; stroke-width: 0.5; }
svg.timeline rect.task-bar.sample { fill-opacity: 0.45; }
svg.timeline rect.task-bar.failed { stroke: #c53030; stroke-width: 2; }
svg.timeline rect.task-bar.killed { fill-opacity: 0.3; stroke: #52606d; stroke-dasharray: 3 2; }
svg.timeline rect.task-bar:hover { stroke: #1f2933; stroke-width: 1.5; }
table.metrics { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
table.metrics th, table.metrics td { padding: 6px 10px; border-bottom: 1px solid #e4e7eb; text-align: left; white-space: nowrap; }
table.metrics thead th { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: #7b8794; border-bottom: 2px solid #cbd2d9; }
table.metrics .num { text-align: right; }
table.metrics td.ops { font-family: ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace; font-size: 12px; white-space: normal; max-width: 420px; }
table.metrics tfoot th, table.metrics tfoot td { font-weight: 600; border-top: 2px solid #cbd2d9; border-bottom: none; }
details summary { cursor: pointer; font-weight: 600; }
pre { font-size: 12px; overflow-x: auto; background: #f8fafc; padding: 12px; border-radius: 6px; }
footer { margin-top: 18px; color: #9aa5b1; font-size: 12px; }
`;

const JOIN_WORDS = /\b(BroadcastHashJoin|ShuffledHashJoin|SortMergeJoin)\b/g;

function decisionsList(decisions: readonly string[]): string {
  if (decisions.length === 0) return '<p>No planning decisions were recorded for this job.</p>';
  const items = decisions.map((d) => {
    const adaptive = /^stage \d+: adaptive: /.test(d);
    const html = escapeXml(d).replace(JOIN_WORDS, '<strong class="join">$1</strong>');
    return `<li class="${adaptive ? 'adaptive' : 'planning'}">${html}</li>`;
  });
  return `<ul class="decisions">${items.join('\n')}</ul>`;
}

function legend(job: JobInfo): string {
  const sample = job.tasks.some((t) => t.sample) ? '<span>faded: key-sampling pass</span>' : '';
  const killed = job.tasks.some((t) => t.error?.startsWith('TaskKilled'));
  const failed = job.tasks.some((t) => !t.ok && !t.error?.startsWith('TaskKilled')) ? '<span>red outline: failed attempt</span>' : '';
  const lost = killed ? '<span>dashed: attempt killed (another attempt won)</span>' : '';
  return `<div class="legend"><span>${job.tasks.length} task attempts on ${job.workers} worker${job.workers === 1 ? '' : 's'}; the band above each stage spans it from the first task handed out to the last result; hover a bar for its partition, time and rows</span>${sample}${failed}${lost}</div>`;
}

export function jobReportHtml(job: JobInfo): string {
  const sum = (f: (s: JobInfo['stages'][number]) => number) => job.stages.reduce((s, m) => s + f(m), 0);
  const summary: [string, string][] = [
    ['duration', formatDuration(job.durationMs)],
    ['started', new Date(job.startedAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')],
    ['stages', String(job.dag.length)],
    ['tasks', String(job.tasks.length)],
    ['workers', String(job.workers)],
    ['result rows', formatCount(job.stages.find((s) => s.id === job.dag.find((d) => d.output === 'result')?.id)?.outputRecords ?? 0)],
    ['shuffled', formatSize(sum((m) => m.shuffleWriteBytes))],
    ['spilled', formatSize(sum((m) => m.spillBytes))],
    ['cache hits / misses', `${job.cache.hits} / ${job.cache.misses}`],
  ];
  const title = `Sparrow job ${job.id}: ${job.description}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>Job ${job.id}<span class="status ${job.succeeded ? 'ok' : 'failed'}">${job.succeeded ? 'succeeded' : 'failed'}</span></h1>
<p class="desc">${escapeXml(job.description)}</p>
<dl class="summary">${summary.map(([k, v]) => `<div><dt>${escapeXml(k)}</dt><dd>${escapeXml(v)}</dd></div>`).join('')}</dl>
</header>
<section id="dag">
<h2>Stages</h2>
<div class="scroll">${stageDagSvg(job)}</div>
</section>
<section id="decisions">
<h2>Decisions</h2>
${decisionsList(job.decisions)}
</section>
<section id="timeline">
<h2>Timeline</h2>
${legend(job)}
<div class="scroll">${timelineSvg(job)}</div>
</section>
<section id="metrics">
<h2>Metrics per stage</h2>
<div class="scroll">${metricsTable(job)}</div>
</section>
<section id="plan">
<details><summary>Executed plan</summary>
<pre>${escapeXml(job.executedPlan)}</pre>
</details>
</section>
<footer>Generated by Sparrow from session.lastJob().toHTML().</footer>
</body>
</html>
`;
}
