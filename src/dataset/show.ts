// show(): rows as a fixed-width text table, as Spark prints them.
import type { Schema } from '../planner/types.js';
import { formatDouble } from '../executor/codegen/strings.js';

export function formatValue(v: unknown, type?: string): string {
  if (v === null || v === undefined) return 'NULL';
  // Doubles print as Spark casts them to string: 2.0 stays '2.0', 1e21 is '1.0E21'.
  if (type === 'float64' && typeof v === 'number') return formatDouble(v);
  if (v instanceof Date) {
    const iso = v.toISOString();
    return type === 'date' ? iso.slice(0, 10) : iso.replace('T', ' ').replace(/\.000Z$|Z$/, '');
  }
  return String(v);
}

export function formatTable(schema: Schema, rows: readonly Record<string, unknown>[], truncate: boolean): string {
  const cut = (s: string) => (truncate && s.length > 20 ? s.slice(0, 17) + '...' : s);
  const header = schema.map((f) => cut(f.name));
  const body = rows.map((r) => schema.map((f) => cut(formatValue(r[f.name], f.type))));
  // As Spark: a column is at least 3 characters wide.
  const widths = header.map((h, i) => Math.max(3, h.length, ...body.map((b) => b[i]!.length)));
  const line = '+' + widths.map((w) => '-'.repeat(w)).join('+') + '+';
  const fmt = (cells: string[]) => '|' + cells.map((c, i) => c.padStart(widths[i]!)).join('|') + '|';
  return [line, fmt(header), line, ...body.map(fmt), line].join('\n');
}
