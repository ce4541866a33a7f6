// Comparing a generated pipeline's rows with DuckDB's and saying what differs, for the
// property-based test. Values are compared with compare.ts's rules (rowKey: -0 is 0, NaN and
// ±Infinity as text, non-integers to 12 significant digits); rows as a multiset, or row by row
// when the pipeline ends in an orderBy on every column (a total order, so the sequence is
// determined). Long strings are abbreviated in messages (the seed reproduces them exactly).
import { type Row, rowKey } from './compare.js';

/** Abbreviates JSON string literals longer than 60 characters. */
export function abbreviate(text: string): string {
  return text.replace(/"((?:[^"\\]|\\.){60,})"/g, (_, s: string) => `"${s.slice(0, 16)}…(${s.length} chars)"`);
}

/** Abbreviates SQL string literals longer than 60 characters. */
export function abbreviateSql(sql: string): string {
  return sql.replace(/'((?:[^']|''){60,})'/g, (_, s: string) => `'${s.slice(0, 16)}…(${s.length} chars)'`);
}

/** A description of how `actual` differs from `expected`, or null when they agree. */
export function diffRows(actual: readonly Row[], expected: readonly Row[], cols: readonly string[], ordered: boolean): string | null {
  const a = actual.map((r) => rowKey(r, cols));
  const e = expected.map((r) => rowKey(r, cols));
  if (ordered) {
    const n = Math.max(a.length, e.length);
    for (let i = 0; i < n; i++) {
      if (a[i] !== e[i]) {
        const around = (xs: string[]) => xs.slice(Math.max(0, i - 1), i + 3).map((x) => `    ${abbreviate(x)}`).join('\n');
        return `order or rows differ at row ${i} of ${a.length} produced / ${e.length} expected (columns ${JSON.stringify(cols)}):\n` +
          `  produced rows ${Math.max(0, i - 1)}..:\n${around(a)}\n  expected rows ${Math.max(0, i - 1)}..:\n${around(e)}`;
      }
    }
    return null;
  }
  const counts = new Map<string, number>();
  for (const k of e) counts.set(k, (counts.get(k) ?? 0) + 1);
  const extra: string[] = [];
  for (const k of a) {
    const c = counts.get(k) ?? 0;
    if (c === 0) extra.push(k);
    else counts.set(k, c - 1);
  }
  const missing: string[] = [];
  for (const [k, c] of counts) for (let i = 0; i < c; i++) missing.push(k);
  if (extra.length === 0 && missing.length === 0) return null;
  const list = (xs: string[]) => xs.slice(0, 6).map((x) => `    ${abbreviate(x)}`).join('\n') + (xs.length > 6 ? `\n    … ${xs.length - 6} more` : '');
  return `row multisets differ: ${a.length} produced vs ${e.length} expected (columns ${JSON.stringify(cols)})\n` +
    `  expected, not produced (${missing.length}):\n${list(missing)}\n  produced, not expected (${extra.length}):\n${list(extra)}`;
}
