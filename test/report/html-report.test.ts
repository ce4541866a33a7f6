// The job report in a real headless browser (Debian's chromium, installed by
// scripts/install-browser.sh, driven by playwright-core): it loads with no console error and no
// network request; the stage DAG has one box per stage with the right labels and the join
// strategy; the timeline has one bar per task; the explain SVG parses as SVG. Screenshots go to
// /tmp/sparrow-job-report.png and /tmp/sparrow-explain.png.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromium } from 'playwright-core';
import type { JobReport, Session } from '../../src/index.js';
import { joinQuery, NASTY, reportSession, runJoinJob } from './job-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

let s: Session;
let browser: Browser;
let job: JobReport;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-browser.sh (as root) first`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  s = await reportSession();
  await runJoinJob(s);
  job = s.lastJob()!;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

/** Opens `html` in a fresh page, recording console errors, page errors and every request. */
async function open(html: string, width = 1200) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.setContent(html, { waitUntil: 'load' });
  return { page, errors, requests };
}

describe('job report in a browser', () => {
  it('shows the stage DAG, the timeline and the metrics without errors or network', async () => {
    const { page, errors, requests } = await open(job.toHTML());
    try {
      const dag = await page.$$eval('#dag svg g.stage-node', (gs) => gs.map((g) => ({
        stage: g.getAttribute('data-stage'),
        title: g.querySelector('text.title')?.textContent,
        lines: [...g.querySelectorAll('text.line:not(.cont)')].map((t) => t.textContent),
        joins: [...g.querySelectorAll('text.line.join')].map((t) => t.textContent),
        box: (() => { const r = g.querySelector('rect.box')!.getBoundingClientRect(); return { w: r.width, h: r.height }; })(),
      })));
      expect(dag.map((n) => n.stage)).toEqual(job.dag.map((st) => String(st.id)));
      expect(dag.map((n) => n.title)).toEqual(job.dag.map((st) => `Stage ${st.id}`));
      for (const n of dag) expect(n.box.w * n.box.h).toBeGreaterThan(0);
      // Each box lists its stage's operators in the order they ran (the stage name: leaf → root).
      for (const st of job.stages) {
        const lines = dag.find((n) => n.stage === String(st.id))!.lines;
        const ops = lines.filter((l) => !/^\d+ tasks? ·/.test(l!)).map((l) => l!.split(' ')[0]);
        expect(ops.join(' → '), `stage ${st.id}`).toBe(st.name);
      }
      const joins = dag.flatMap((n) => n.joins);
      expect(joins).toHaveLength(1);
      expect(joins[0]).toMatch(/^ShuffledHashJoin \[user_id\], Inner, Build(Left|Right)$/);
      expect(await page.$$eval('#dag svg g.g-edge', (es) => es.length)).toBe(job.dag.reduce((n, st) => n + st.parents.length, 0));

      const bars = await page.$$eval('#timeline rect.task-bar', (rs) => rs.map((r) => r.getBoundingClientRect().width));
      expect(bars).toHaveLength(job.tasks.length);
      expect(job.tasks.length).toBe(job.stages.reduce((n, st) => n + st.tasks, 0));
      for (const w of bars) expect(w).toBeGreaterThan(0);
      expect(await page.$$eval('#metrics tbody tr', (rs) => rs.length)).toBe(job.stages.length);

      // Markup in a column name is text, not elements.
      expect(await page.$('#x')).toBeNull();
      expect(await page.$eval('#dag svg', (svg) => svg.textContent)).toContain(NASTY);
      expect(await page.evaluate(() => document.title)).toBe(`Sparrow job ${job.id}: collect`);

      await page.screenshot({ path: '/tmp/sparrow-job-report.png', fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("parses explain('svg') as an SVG document and draws it without errors", async () => {
    const svg = await joinQuery(s).explain('svg');
    const { page, errors, requests } = await open('<!DOCTYPE html><html><body></body></html>');
    try {
      const parsed = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        const err = doc.querySelector('parsererror');
        return { error: err ? err.textContent : null, root: doc.documentElement.nodeName, nodes: doc.querySelectorAll('g.plan-node').length };
      }, svg);
      expect(parsed.error).toBeNull();
      expect(parsed.root).toBe('svg');
      const ops = (await joinQuery(s).explain()).split('\n').filter((l) => l.includes('[rows=')).length;
      expect(parsed.nodes).toBe(ops);
      await page.setContent(`<!DOCTYPE html><html><body style="margin:0">${svg.replace(/^<\?xml[^>]*>/, '')}</body></html>`);
      expect(await page.$$eval('g.plan-node', (gs) => gs.length)).toBe(ops);
      await page.screenshot({ path: '/tmp/sparrow-explain.png', fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
