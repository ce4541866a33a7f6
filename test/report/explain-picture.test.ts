// explain() as a picture: Mermaid and DOT text and a standalone SVG of the physical plan, with
// one node per operator, one edge per input, one group per stage, Exchanges as the boundaries,
// labels escaped for each format. The text formats keep working as before.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Dataset, Session } from '../../src/index.js';
import { escapeDot } from '../../src/report/dot.js';
import { escapeMermaid } from '../../src/report/mermaid.js';
import { operatorLines } from '../helpers/job.js';
import { joinQuery, NASTY, reportSession } from './job-fixture.js';
import { xmlProblems } from './xml-check.js';

let s: Session;
let q: Dataset;
let ops: string[];
let stageCount: number;
beforeAll(async () => {
  s = await reportSession();
  q = joinQuery(s);
  const text = await q.explain();
  ops = operatorLines(text);
  stageCount = new Set(text.match(/\*\(\d+\)/g)).size;
});
afterAll(async () => { await s?.stop(); });

describe("explain('mermaid')", () => {
  it('has a node per operator, an edge per input, a subgraph per stage and exchanges between them', async () => {
    const m = await q.explain('mermaid');
    expect(m.split('\n')[0]).toBe('flowchart TD');
    const nodes = m.match(/^\s+n\d+(\["|\{\{")/gm)!;
    expect(nodes).toHaveLength(ops.length);
    const edges = m.match(/^\s+n\d+ -(->|\.->) n\d+$/gm)!;
    expect(edges).toHaveLength(ops.length - 1);
    const exchanges = ops.filter((o) => o.startsWith('Exchange')).length;
    expect(exchanges).toBe(3);
    expect(m.match(/^\s+n\d+ -\.-> n\d+$/gm)).toHaveLength(exchanges);
    expect(m.match(/^\s+subgraph stage\d+ \["Stage \d+"\]$/gm)).toHaveLength(stageCount);
    expect(m.match(/\{\{"Exchange<br\/>hashpartitioning\(/g)).toHaveLength(exchanges);
    expect(m).toMatch(/n\d+\["ShuffledHashJoin<br\/>\[user_id\], Inner, Build(Left|Right)<br\/>/);
    expect(m).toMatch(/^\s+class n\d+ join$/m);
  });

  it('escapes labels with Mermaid entity codes', async () => {
    const m = await q.explain({ format: 'mermaid' });
    expect(m).not.toContain(NASTY);
    expect(m).toContain('amount #lt;b id=#quot;x#quot;#gt;#amp;#quot;\'');
    // Inside a label, no quote, and no '<' other than the <br/> line breaks.
    for (const label of m.match(/"([^"]*)"/g)!) expect(label.replaceAll('<br/>', '')).not.toMatch(/[<>]/);
    expect(escapeMermaid('a#lt;b "c"\nd')).toBe('a#35;lt;b #quot;c#quot; d');
  });
});

describe("explain('dot')", () => {
  it('has a node per operator, an edge per input and a cluster per stage', async () => {
    const d = await q.explain('dot');
    expect(d.startsWith('digraph plan {')).toBe(true);
    expect(d.trimEnd().endsWith('}')).toBe(true);
    expect(d.match(/^\s+n\d+ \[label=/gm)).toHaveLength(ops.length);
    expect(d.match(/^\s+n\d+ -> n\d+( \[[^\]]*\])?;$/gm)).toHaveLength(ops.length - 1);
    expect(d.match(/^\s+subgraph cluster_stage\d+ \{$/gm)).toHaveLength(stageCount);
    expect(d.match(/shape=hexagon/g)).toHaveLength(3);
    expect(d).toMatch(/label="ShuffledHashJoin\\n\[user_id\], Inner, Build(Left|Right)\\n/);
  });

  it('escapes quotes and backslashes in labels', async () => {
    const d = await q.explain('dot');
    expect(d).toContain('amount <b id=\\"x\\">&\\"\'');
    // Every label is one well-formed quoted string.
    for (const line of d.split('\n').filter((l) => l.includes('[label='))) expect(line).toMatch(/\[label="(?:[^"\\]|\\.)*"[,\]]/);
    expect(escapeDot('a\\lb"c')).toBe('a\\\\lb\\"c');
  });
});

describe("explain('svg')", () => {
  it('is a well-formed standalone SVG document with a box per operator and an arrow per input', async () => {
    const svg = await q.explain('svg');
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.match(/<g class="g-node [^"]*plan-node"/g)).toHaveLength(ops.length);
    expect(svg.match(/<g class="g-node boundary plan-node"/g)).toHaveLength(3);
    expect(svg.match(/<g class="g-edge/g)).toHaveLength(ops.length - 1);
    expect(svg).toContain('amount &lt;b id=&quot;x&quot;&gt;&amp;&quot;&#39;');
    expect(svg).not.toContain('<b id="x">');
  });
});

describe('explain() keeps its signature', () => {
  it('returns the text plan for a mode, a mode option, and prints only when asked', async () => {
    expect((await q.explain()).startsWith('== Physical Plan ==')).toBe(true);
    expect(await q.explain('extended')).toContain('== Optimized Logical Plan ==');
    expect(await q.explain({ mode: 'cost' })).toContain('== Planning decisions ==');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await q.explain('mermaid');
      expect(log).not.toHaveBeenCalled();
      const printed = await q.explain('dot', { print: true });
      expect(log).toHaveBeenCalledWith(printed);
      await q.explain({ format: 'svg', print: true });
      expect(log).toHaveBeenCalledTimes(2);
    } finally {
      log.mockRestore();
    }
  });

  it('names what was wrong with an unknown mode or format', async () => {
    await expect(q.explain('pretty' as never)).rejects.toThrow(/unknown mode 'pretty'/);
    await expect(q.explain({ format: 'png' as never })).rejects.toThrow(/unknown format 'png'; expected text, mermaid, dot or svg/);
  });

  it('runs no job', async () => {
    const before = s.lastJob();
    await q.explain('svg');
    expect(s.lastJob()).toBe(before);
  });
});
