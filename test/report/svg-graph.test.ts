// The shared boxes-and-arrows layout: inputs above their consumer, no two boxes overlapping,
// every edge drawn, text escaped and wrapped, and the SVG well-formed.
import { describe, expect, it } from 'vitest';
import { type GraphEdge, type GraphNode, layoutGraph, renderGraphSvg, wrapText } from '../../src/report/svg-graph.js';
import { xmlProblems } from './xml-check.js';

const node = (id: string, title = id, lines: string[] = []): GraphNode => ({ id, title, lines: lines.map((text) => ({ text })) });

// A join of two chains under an aggregate, plus a second root (a forest).
const NODES = [node('agg', 'HashAggregate', ['keys: [k]']), node('join', 'SortMergeJoin'), node('l1', 'Scan left'), node('l2', 'Filter'),
  node('r1', 'Scan right', ['columns: [k, a, b, c, d, e, f, g]']), node('other', 'Range')];
const EDGES: GraphEdge[] = [{ from: 'join', to: 'agg' }, { from: 'l2', to: 'join' }, { from: 'l1', to: 'l2' }, { from: 'r1', to: 'join', label: 'shuffle' }];

function overlaps(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('layoutGraph', () => {
  const layout = layoutGraph(NODES, EDGES);
  const box = (id: string) => layout.boxes.get(id)!;

  it('puts every input above its consumer', () => {
    for (const e of EDGES) expect(box(e.from).y + box(e.from).h, `${e.from} above ${e.to}`).toBeLessThan(box(e.to).y);
  });

  it('keeps inputs in order, left to right, and the consumer between them', () => {
    expect(box('l2').x + box('l2').w).toBeLessThanOrEqual(box('r1').x);
    const mid = box('join').x + box('join').w / 2;
    expect(mid).toBeGreaterThan(box('l2').x);
    expect(mid).toBeLessThan(box('r1').x + box('r1').w);
  });

  it('overlaps no two boxes and fits them all in the picture', () => {
    const all = [...layout.boxes.values()];
    for (let i = 0; i < all.length; i++) {
      expect(all[i]!.x).toBeGreaterThanOrEqual(0);
      expect(all[i]!.x + all[i]!.w).toBeLessThanOrEqual(layout.width);
      expect(all[i]!.y + all[i]!.h).toBeLessThanOrEqual(layout.height);
      for (let j = i + 1; j < all.length; j++) expect(overlaps(all[i]!, all[j]!), `${all[i]!.node.id} / ${all[j]!.node.id}`).toBe(false);
    }
  });

  it('sizes a box to its longest line', () => {
    expect(box('r1').w).toBeGreaterThan(box('l1').w);
  });

  it('refuses an edge to a node that does not exist', () => {
    expect(() => layoutGraph(NODES, [{ from: 'l1', to: 'nowhere' }])).toThrow(/l1 → nowhere/);
  });
});

describe('renderGraphSvg', () => {
  it('draws one group per node and per edge, well-formed, with text escaped', () => {
    const nasty = node('x"<&', 'Project', ['[a <&"> b]', "it's"]);
    const svg = renderGraphSvg([...NODES, nasty], [...EDGES, { from: 'x"<&', to: 'agg', dashed: true }], { standalone: true });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.match(/<g class="g-node /g)).toHaveLength(NODES.length + 1);
    expect(svg.match(/<g class="g-edge/g)).toHaveLength(EDGES.length + 1);
    expect(svg.match(/<g class="g-edge dashed"/g)).toHaveLength(1);
    expect(svg).toContain('[a &lt;&amp;&quot;&gt; b]');
    expect(svg).toContain('it&#39;s');
    expect(svg).not.toContain('<&');
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
  });

  it('wraps long lines at spaces and cuts what does not fit in three rows', () => {
    expect(wrapText('a, b, c', 60)).toEqual(['a, b, c']);
    const rows = wrapText(Array.from({ length: 40 }, (_, i) => `col_${i}`).join(', '), 30);
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r.length).toBeLessThanOrEqual(30);
    expect(rows[2]!.endsWith('…')).toBe(true);
    expect(rows[0]).toBe('col_0, col_1, col_2, col_3,');
    expect(wrapText('x'.repeat(70), 30)).toEqual(['x'.repeat(30), 'x'.repeat(30), 'x'.repeat(10)]);
    expect(wrapText('x'.repeat(95), 30)).toEqual(['x'.repeat(30), 'x'.repeat(30), 'x'.repeat(29) + '…']);
    const svg = renderGraphSvg([node('a', 'Scan', ['columns: ' + 'abcdefgh, '.repeat(8)])], [], { maxLineChars: 30 });
    expect(svg.match(/<text class="line plain"/g)).toHaveLength(1);
    expect(svg.match(/<text class="line plain cont"/g)).toHaveLength(2);
  });
});
