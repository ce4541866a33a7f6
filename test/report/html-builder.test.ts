// session.lastJob().toHTML() without a browser: one self-contained page (nothing to fetch, no
// script), every SVG well-formed, one DAG box per stage, one timeline bar per task attempt, one
// metrics row per stage, the join strategy and adaptive decisions marked, user text escaped —
// for a job that succeeded and one that failed. lastJob() keeps JobInfo's fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobReport, type Session } from '../../src/index.js';
import { adaptiveDecisionsByStage } from '../../src/report/stage-dag.js';
import { NASTY, NASTY_ESCAPED, reportSession, runJoinJob, svgChunks } from './job-fixture.js';
import { xmlProblems } from './xml-check.js';
import { joinsRan, lastJob } from '../helpers/job.js';

let s: Session;
beforeAll(async () => { s = await reportSession(); });
afterAll(async () => { await s?.stop(); });

const count = (html: string, re: RegExp) => html.match(re)?.length ?? 0;

describe('job report HTML', () => {
  let html: string;
  let job: JobReport;
  beforeAll(async () => {
    await runJoinJob(s);
    job = s.lastJob()!;
    html = job.toHTML();
  });

  it('is one self-contained page: no script, nothing fetched, a policy that forbids fetching', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|\b(src|href)=/i);
    expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/https?:|\/\//);
    for (const u of html.match(/url\([^)]*\)/g) ?? []) expect(u).toMatch(/^url\(#[\w-]+\)$/);
  });

  it('has well-formed SVG: the stage DAG and the timeline', () => {
    const svgs = svgChunks(html);
    expect(svgs).toHaveLength(2);
    for (const svg of svgs) expect(xmlProblems(svg)).toEqual([]);
  });

  it('draws one box per stage, with its operators, and one arrow per shuffle read', () => {
    expect(job.dag.length).toBeGreaterThanOrEqual(4);
    expect(count(html, /<g class="g-node [^"]*stage-node"/g)).toBe(job.dag.length);
    for (const st of job.dag) expect(html).toContain(`>Stage ${st.id}</text>`);
    expect(count(html, /<g class="g-edge/g)).toBe(job.dag.reduce((n, st) => n + st.parents.length, 0));
    // Every operator that ran is listed in its stage's box.
    for (const st of job.stages) for (const op of st.name.split(' → ')) expect(html).toContain(`>${op}`);
  });

  it('marks the join strategy that ran, and the stages adaptive execution re-planned', () => {
    const joins = joinsRan(job);
    expect(joins).toEqual(['ShuffledHashJoin']);
    expect(html).toMatch(/<text class="line join"[^>]*>ShuffledHashJoin \[user_id\], Inner, Build(Left|Right)<\/text>/);
    const adaptive = adaptiveDecisionsByStage(job.decisions);
    expect(count(html, /data-adaptive="[1-9]\d*"/g)).toBe(adaptive.size);
    expect(count(html, /<li class="adaptive">/g)).toBe([...adaptive.values()].flat().length);
    expect(html).toContain('<strong class="join">ShuffledHashJoin</strong>');
  });

  it('draws one timeline bar per task attempt', () => {
    const tasks = job.stages.reduce((n, st) => n + st.tasks, 0);
    expect(job.tasks).toHaveLength(tasks);
    expect(count(html, /<rect class="task-bar/g)).toBe(tasks);
    for (const t of job.tasks) {
      expect(t.startMs).toBeGreaterThanOrEqual(t.queuedMs);
      expect(t.endMs).toBeGreaterThanOrEqual(t.startMs);
      expect(t.endMs).toBeLessThanOrEqual(job.durationMs + 1);
    }
    for (const st of job.dag) {
      expect(st.startMs).not.toBeNull();
      expect(st.endMs!).toBeGreaterThanOrEqual(st.startMs!);
    }
  });

  it('has one metrics row per stage and a totals row', () => {
    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
    expect(count(body, /<tr data-stage=/g)).toBe(job.stages.length);
    const shuffled = job.stages.reduce((n, st) => n + st.shuffleWriteBytes, 0);
    expect(shuffled).toBeGreaterThan(0);
    expect(html).toMatch(/<tfoot>.*<td class="num" title="\d+">\d+<\/td>/s);
  });

  it('escapes user text: a column name full of markup shows as text', () => {
    expect(html).not.toContain(NASTY);
    expect(html).not.toContain('<b id="x">');
    expect(html).toContain(NASTY_ESCAPED);
  });
});

describe('lastJob()', () => {
  it('keeps every JobInfo field, is the same object until the next job, and serializes as data', async () => {
    await s.range(0, 100, 1, 2).count();
    const a = s.lastJob()!;
    expect(a).toBeInstanceOf(JobReport);
    expect(s.lastJob()).toBe(a);
    expect(lastJob(s)).toBe(a);
    expect(a.succeeded).toBe(true);
    expect(a.stages.length).toBeGreaterThan(0);
    expect(a.executedPlan).toContain('== Stage');
    expect(a.cache.hits).toBe(0);
    const json = JSON.parse(JSON.stringify(a));
    expect(Object.keys(json).sort()).toEqual(['badRecords', 'cache', 'dag', 'decisions', 'description', 'durationMs', 'executedPlan', 'id', 'stages', 'startedAt', 'succeeded', 'tasks', 'workers']);
    await s.range(0, 10, 1, 1).count();
    expect(s.lastJob()).not.toBe(a);
    expect(s.lastJob()!.id).toBeGreaterThan(a.id);
  });
});

describe('a failed job', () => {
  it('is reported as failed, its stage outlined, its failed attempts on the timeline', async () => {
    const ds = s.range(0, 40, 1, 2).map((r) => {
      if (r.id === 37) throw new Error('boom <at row 37>');
      return { id: r.id };
    });
    await expect(ds.collect()).rejects.toThrow(/boom/);
    const job = s.lastJob()!;
    expect(job.succeeded).toBe(false);
    const html = job.toHTML();
    expect(html).toContain('<span class="status failed">failed</span>');
    expect(count(html, /<g class="g-node failed stage-node"/g)).toBe(1);
    const failed = job.tasks.filter((t) => !t.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.error).toContain('boom <at row 37>');
    expect(count(html, /<rect class="task-bar failed"/g)).toBe(failed.length);
    expect(count(html, /<rect class="task-bar/g)).toBe(job.tasks.length);
    expect(html).toContain('boom &lt;at row 37&gt;');
    for (const svg of svgChunks(html)) expect(xmlProblems(svg)).toEqual([]);
  });
});
