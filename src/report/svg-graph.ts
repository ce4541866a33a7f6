// Boxes and arrows as SVG, shared by explain's picture of a physical plan and the job report's
// stage DAG. Layout: the graph is a forest of in-trees (every node feeds at most one consumer,
// which holds for operator trees and for stage DAGs); each node sits one row below its inputs,
// the root at the bottom, and every subtree gets its own column span, so edges never cross.
// Extra edges that do not fit the tree are still drawn. Text is measured by character count in
// a monospace font, so no browser is needed to lay it out.
import { escapeXml } from './escape.js';

export type LineTone = 'plain' | 'muted' | 'join' | 'adaptive';

export interface GraphLine {
  readonly text: string;
  readonly tone?: LineTone;
}

export interface GraphNode {
  readonly id: string;
  readonly title: string;
  readonly lines: readonly GraphLine[];
  /** 'boundary': a stage boundary (Exchange); 'failed': a stage whose task failed; 'idle': never ran. */
  readonly kind?: 'normal' | 'boundary' | 'failed' | 'idle';
  /** The color of the title band (a stage's color). */
  readonly color?: string;
  /** A short tag at the right of the title, e.g. "stage 2" or "adaptive". */
  readonly badge?: string;
  readonly badgeTone?: LineTone;
  /** Extra CSS class on the node's group, for tests and styling (e.g. "stage-node"). */
  readonly cls?: string;
  /** data-* attributes on the node's group. */
  readonly data?: Readonly<Record<string, string>>;
}

export interface GraphEdge {
  /** Data flows from `from` (an input) to `to` (its consumer). */
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly dashed?: boolean;
}

export interface GraphOptions {
  /** A whole SVG document (xmlns, no surrounding HTML) rather than an element to inline. */
  readonly standalone?: boolean;
  /** Prefix of element ids (the arrow marker), unique per picture in one HTML page. */
  readonly idPrefix?: string;
  /** Lines longer than this are wrapped (at most three rows, then cut with …). */
  readonly maxLineChars?: number;
  readonly title?: string;
}

/** A laid-out text row; `cont` rows continue a wrapped line (drawn indented). */
interface Row { text: string; tone: LineTone; cont: boolean }
interface Box { x: number; y: number; w: number; h: number; lines: Row[]; title: string; node: GraphNode }

const FONT = 11;
const TITLE_FONT = 12;
const CHAR_W = 0.61 * FONT;
const TITLE_CHAR_W = 0.63 * TITLE_FONT;
const PAD = 8;
const TITLE_H = 22;
const LINE_H = 15;
const H_GAP = 28;
const MARGIN = 16;

/** `text` cut into rows of at most `max` characters, breaking after ", " or a space where possible. */
export function wrapText(text: string, max: number, maxRows = 3): string[] {
  const rows: string[] = [];
  let rest = text.replace(/\s*\n\s*/g, ' ');
  while (rest.length > max && rows.length < maxRows - 1) {
    let cut = rest.lastIndexOf(' ', max);
    if (cut < max / 3) cut = max;
    rows.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  rows.push(rest.length > max ? rest.slice(0, max - 1) + '…' : rest);
  return rows;
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly boxes: ReadonlyMap<string, Readonly<Box>>;
}

/** Positions of every node (top-left corner, size) and the picture's size. */
export function layoutGraph(nodes: readonly GraphNode[], edges: readonly GraphEdge[], maxLineChars = 60): GraphLayout {
  const ids = new Set(nodes.map((n) => n.id));
  for (const e of edges) {
    if (!ids.has(e.from) || !ids.has(e.to)) throw new Error(`graph edge ${e.from} → ${e.to} names a node that is not in the graph`);
  }
  const boxes = new Map<string, Box>();
  for (const n of nodes) {
    const lines = n.lines.flatMap((l) => wrapText(l.text, maxLineChars).map((text, i) => ({ text, tone: l.tone ?? 'plain', cont: i > 0 })));
    const title = n.title.length > maxLineChars ? n.title.slice(0, maxLineChars - 1) + '…' : n.title;
    const badgeW = n.badge ? n.badge.length * CHAR_W + 18 : 0;
    const w = Math.ceil(Math.max(title.length * TITLE_CHAR_W + badgeW, ...lines.map((l) => (l.text.length + (l.cont ? 2 : 0)) * CHAR_W), 60) + 2 * PAD);
    const h = TITLE_H + (lines.length > 0 ? lines.length * LINE_H + PAD : 4);
    boxes.set(n.id, { x: 0, y: 0, w, h, lines, title, node: n });
  }
  // The tree: each node's consumer is the target of its first outgoing edge.
  const consumer = new Map<string, string>();
  for (const e of edges) if (!consumer.has(e.from) && e.from !== e.to) consumer.set(e.from, e.to);
  // Break cycles (not expected): a node whose consumer chain comes back to it becomes a root.
  for (const id of ids) {
    const seen = new Set<string>([id]);
    for (let c = consumer.get(id); c !== undefined; c = consumer.get(c)) {
      if (seen.has(c)) { consumer.delete(id); break; }
      seen.add(c);
    }
  }
  const children = new Map<string, string[]>();
  for (const e of edges) {
    if (consumer.get(e.from) !== e.to) continue;
    const list = children.get(e.to) ?? [];
    if (!list.includes(e.from)) list.push(e.from);
    children.set(e.to, list);
  }
  const roots = nodes.filter((n) => !consumer.has(n.id)).map((n) => n.id);
  const depth = new Map<string, number>();
  const setDepth = (id: string, d: number): void => {
    depth.set(id, d);
    for (const c of children.get(id) ?? []) setDepth(c, d + 1);
  };
  for (const r of roots) setDepth(r, 0);
  const maxDepth = Math.max(0, ...depth.values());
  const rowOf = (id: string) => maxDepth - depth.get(id)!;
  // Row heights, then the gap between rows (room for edge labels when there are any).
  const rowH = new Array<number>(maxDepth + 1).fill(0);
  for (const [id, b] of boxes) rowH[rowOf(id)] = Math.max(rowH[rowOf(id)]!, b.h);
  const vGap = edges.some((e) => e.label) ? 56 : 36;
  const rowY: number[] = [];
  let y = MARGIN + (nodes.length > 0 ? 0 : 0);
  for (let r = 0; r <= maxDepth; r++) { rowY.push(y); y += rowH[r]! + vGap; }
  // Columns: every subtree spans the width of its children side by side, or its own box.
  const span = new Map<string, number>();
  const measure = (id: string): number => {
    const kids = children.get(id) ?? [];
    const kidsW = kids.reduce((s, k) => s + measure(k), 0) + H_GAP * Math.max(0, kids.length - 1);
    const w = Math.max(boxes.get(id)!.w, kidsW);
    span.set(id, w);
    return w;
  };
  const place = (id: string, left: number): void => {
    const b = boxes.get(id)!;
    const kids = children.get(id) ?? [];
    const sw = span.get(id)!;
    let cx = left + sw / 2;
    if (kids.length > 0) {
      const kidsW = kids.reduce((s, k) => s + span.get(k)!, 0) + H_GAP * (kids.length - 1);
      let at = left + (sw - kidsW) / 2;
      for (const k of kids) { place(k, at); at += span.get(k)! + H_GAP; }
      const first = boxes.get(kids[0]!)!;
      const last = boxes.get(kids[kids.length - 1]!)!;
      cx = (first.x + first.w / 2 + last.x + last.w / 2) / 2;
      cx = Math.min(Math.max(cx, left + b.w / 2), left + sw - b.w / 2);
    }
    b.x = Math.round(cx - b.w / 2);
    b.y = rowY[rowOf(id)]!;
  };
  let left = MARGIN;
  for (const r of roots) { measure(r); place(r, left); left += span.get(r)! + H_GAP * 2; }
  const width = Math.ceil(Math.max(left - H_GAP * 2 + MARGIN, 2 * MARGIN));
  const height = nodes.length === 0 ? 2 * MARGIN : Math.ceil(y - vGap + MARGIN);
  return { width, height, boxes };
}

const STYLE = `
.g-node rect.box { fill: #ffffff; stroke: #9aa5b1; stroke-width: 1; }
.g-node rect.band { stroke: none; }
.g-node.boundary rect.box { fill: #fff8e6; stroke: #c08a1e; stroke-dasharray: 5 3; }
.g-node.failed rect.box { stroke: #c53030; stroke-width: 2; }
.g-node.idle { opacity: 0.5; }
.g-node text { font-size: ${FONT}px; fill: #1f2933; }
.g-node text.title { font-size: ${TITLE_FONT}px; font-weight: 700; fill: #ffffff; }
.g-node.boundary text.title { fill: #7c4a03; }
.g-node text.muted { fill: #616e7c; }
.g-node text.join { fill: #1d4ed8; font-weight: 700; }
.g-node text.adaptive { fill: #c2410c; font-weight: 700; }
.g-node rect.badge { fill: #ffffff; opacity: 0.9; }
.g-node rect.badge.adaptive { fill: #ffedd5; opacity: 1; }
.g-node text.badge { font-size: 10px; fill: #1f2933; font-weight: 400; }
.g-node text.badge.adaptive { fill: #c2410c; font-weight: 700; }
.g-edge path { fill: none; stroke: #7b8794; stroke-width: 1.4; }
.g-edge.dashed path { stroke-dasharray: 6 4; stroke: #c08a1e; }
.g-edge rect { fill: #ffffff; opacity: 0.92; }
.g-edge text { font-size: 10px; fill: #52606d; }
`;

const FONT_FAMILY = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";

/** The graph as an SVG element (or a standalone SVG document with `standalone`). */
export function renderGraphSvg(nodes: readonly GraphNode[], edges: readonly GraphEdge[], options: GraphOptions = {}): string {
  const layout = layoutGraph(nodes, edges, options.maxLineChars ?? 60);
  const id = (s: string) => escapeXml(`${options.idPrefix ?? 'g'}-${s}`);
  const out: string[] = [];
  const attrs = `xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="${escapeXml(FONT_FAMILY)}" class="graph"`;
  if (options.standalone) out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(`<svg ${attrs}>`);
  if (options.title) out.push(`<title>${escapeXml(options.title)}</title>`);
  out.push(`<style>${STYLE}</style>`);
  out.push(`<defs><marker id="${id('arrow')}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7b8794"/></marker></defs>`);
  out.push(`<rect x="0" y="0" width="${layout.width}" height="${layout.height}" fill="#ffffff"/>`);
  // Edges first (under the boxes). Several inputs of one node enter its top at spread points.
  const incoming = new Map<string, GraphEdge[]>();
  for (const e of edges) incoming.set(e.to, [...(incoming.get(e.to) ?? []), e]);
  for (const [to, es] of incoming) {
    const tb = layout.boxes.get(to)!;
    es.sort((a, b) => layout.boxes.get(a.from)!.x - layout.boxes.get(b.from)!.x);
    es.forEach((e, i) => {
      const fb = layout.boxes.get(e.from)!;
      const x1 = fb.x + fb.w / 2;
      const y1 = fb.y + fb.h;
      const x2 = tb.x + (tb.w * (i + 1)) / (es.length + 1);
      const y2 = tb.y - 1;
      const dy = Math.max(Math.abs(y2 - y1) / 2, 20);
      const d = `M${r1(x1)},${r1(y1)} C${r1(x1)},${r1(y1 + dy)} ${r1(x2)},${r1(y2 - dy)} ${r1(x2)},${r1(y2)}`;
      out.push(`<g class="g-edge${e.dashed ? ' dashed' : ''}" data-from="${escapeXml(e.from)}" data-to="${escapeXml(e.to)}">`);
      out.push(`<path d="${d}" marker-end="url(#${id('arrow')})"/>`);
      if (e.label) {
        const text = e.label.length > 40 ? e.label.slice(0, 39) + '…' : e.label;
        const lw = text.length * 0.61 * 10 + 8;
        const mx = (x1 + x2) / 2;
        const my = (y1 + y2) / 2;
        out.push(`<rect x="${r1(mx - lw / 2)}" y="${r1(my - 8)}" width="${r1(lw)}" height="15" rx="3"/>`);
        out.push(`<text x="${r1(mx)}" y="${r1(my + 3.5)}" text-anchor="middle">${escapeXml(text)}</text>`);
        if (text !== e.label) out.push(`<title>${escapeXml(e.label)}</title>`);
      }
      out.push('</g>');
    });
  }
  for (const n of nodes) {
    const b = layout.boxes.get(n.id)!;
    const kind = n.kind ?? 'normal';
    const data = Object.entries(n.data ?? {}).map(([k, v]) => ` data-${k.replace(/[^a-z0-9-]/g, '')}="${escapeXml(v)}"`).join('');
    out.push(`<g class="g-node ${kind}${n.cls ? ` ${escapeXml(n.cls)}` : ''}" data-id="${escapeXml(n.id)}"${data}>`);
    out.push(`<title>${escapeXml([n.title, ...n.lines.map((l) => l.text)].join('\n'))}</title>`);
    out.push(`<rect class="box" x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6"/>`);
    const band = kind === 'boundary' ? '#fde8b8' : (n.color ?? '#52606d');
    out.push(`<path class="band" d="M${b.x},${b.y + 6} a6,6 0 0 1 6,-6 h${b.w - 12} a6,6 0 0 1 6,6 v${TITLE_H - 6} h${-b.w} z" fill="${escapeXml(band)}"/>`);
    out.push(`<text class="title" x="${b.x + PAD}" y="${b.y + 15.5}">${escapeXml(b.title)}</text>`);
    if (n.badge) {
      const bw = n.badge.length * 0.61 * 10 + 10;
      const tone = n.badgeTone ?? 'plain';
      out.push(`<rect class="badge ${tone}" x="${r1(b.x + b.w - PAD - bw)}" y="${b.y + 4}" width="${r1(bw)}" height="14" rx="7"/>`);
      out.push(`<text class="badge ${tone}" x="${r1(b.x + b.w - PAD - bw / 2)}" y="${b.y + 14.5}" text-anchor="middle">${escapeXml(n.badge)}</text>`);
    }
    b.lines.forEach((l, i) => {
      out.push(`<text class="line ${l.tone}${l.cont ? ' cont' : ''}" x="${r1(b.x + PAD + (l.cont ? 2 * CHAR_W : 0))}" y="${b.y + TITLE_H + 12 + i * LINE_H}" xml:space="preserve">${escapeXml(l.text)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}

function r1(n: number): string {
  return String(Math.round(n * 10) / 10);
}
