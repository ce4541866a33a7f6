// Row comparisons for the wide-transformation tests (joins, group-by, sort), fast enough for
// results of a few hundred thousand rows: multisets through a count map (not an O(n²) diff),
// and orders by the sequence of sort-key values, which is what a sort promises when keys tie.
import { expect } from 'vitest';
import { normalizeRow } from './oracle.js';

export type Row = Record<string, unknown>;

/**
 * A comparable text for one value: -0 is 0, NaN and ±Infinity are text (JSON would make them
 * null and hide a NULL/NaN mix-up), non-integers are cut to 12 significant digits.
 */
export function valueKey(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return String(v);
    if (Object.is(v, -0)) return 0;
    return Number.isInteger(v) ? v : Number(v.toPrecision(12));
  }
  return v;
}

/** The values of `cols` in one (normalized) row, as text. */
export function rowKey(row: Row, cols: readonly string[]): string {
  const n = normalizeRow(row);
  return JSON.stringify(cols.map((c) => valueKey(n[c])));
}

/**
 * Asserts two row multisets are equal on `cols` (order ignored). Linear in the rows; the
 * message lists a few rows missing and extra.
 */
export function expectSameMultiset(actual: readonly Row[], expected: readonly Row[], cols: readonly string[], what = ''): void {
  const counts = new Map<string, number>();
  for (const r of expected) {
    const k = rowKey(r, cols);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const extra: string[] = [];
  for (const r of actual) {
    const k = rowKey(r, cols);
    const n = counts.get(k) ?? 0;
    if (n === 0) extra.push(k);
    else counts.set(k, n - 1);
  }
  const missing: string[] = [];
  for (const [k, n] of counts) for (let i = 0; i < n && missing.length < 5; i++) missing.push(k);
  if (extra.length > 0 || missing.length > 0 || actual.length !== expected.length) {
    throw new Error(
      `${what ? `${what}: ` : ''}row sets differ on [${cols.join(', ')}]: ${actual.length} actual vs ${expected.length} expected rows\n` +
      `  missing (expected, not produced): ${missing.slice(0, 5).join(' ')}\n` +
      `  extra (produced, not expected): ${extra.slice(0, 5).join(' ')}`,
    );
  }
}

/**
 * Asserts `actual` is ordered as `expected` is: the sequence of `keyCols` values is the same
 * row by row (rows whose keys tie may come in any order), and the rows are the same multiset
 * on `allCols`.
 */
export function expectSameOrder(actual: readonly Row[], expected: readonly Row[], keyCols: readonly string[], allCols: readonly string[], what = ''): void {
  expect(actual.length, `${what}: row count`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = rowKey(actual[i]!, keyCols), e = rowKey(expected[i]!, keyCols);
    if (a !== e) {
      const around = (rows: readonly Row[]) => rows.slice(Math.max(0, i - 2), i + 3).map((r) => rowKey(r, keyCols)).join(' ');
      throw new Error(
        `${what ? `${what}: ` : ''}order differs at row ${i} on [${keyCols.join(', ')}]: got ${a}, expected ${e}\n` +
        `  got rows ${Math.max(0, i - 2)}..${i + 2}:      ${around(actual)}\n  expected rows ${Math.max(0, i - 2)}..${i + 2}: ${around(expected)}`,
      );
    }
  }
  expectSameMultiset(actual, expected, allCols, what);
}
