// The DuckDB oracle: runs the same query as SQL on the same data, and compares row sets.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface Oracle {
  readonly con: DuckDBConnection;
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

export async function openOracle(threads = 1): Promise<Oracle> {
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con = await db.connect();
  return {
    con,
    async query(sql: string) {
      const r = await con.runAndReadAll(sql);
      return r.getRowObjectsJS().map((row) => normalizeRow(row as Record<string, unknown>));
    },
    close() { con.closeSync(); db.closeSync(); },
  };
}

/** Comparable form of a value: bigint → number, DuckDB date/timestamp objects → ms, -0 → 0. */
export function normalizeValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Object.is(v, -0) ? 0 : v;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('days' in o && typeof o['days'] === 'number') return (o['days'] as number) * 86_400_000;
    if ('micros' in o) return Number(o['micros'] as bigint) / 1000;
    if (typeof (o as { toString?: unknown }).toString === 'function') return String(v);
  }
  return v;
}

export function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = normalizeValue(v);
  return out;
}

function key(row: Record<string, unknown>, cols: readonly string[]): string {
  return JSON.stringify(cols.map((c) => {
    const v = row[c];
    // NaN and ±Infinity as text: JSON would turn them into null, hiding a NULL/NaN mix-up.
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v;
  }));
}

/**
 * Asserts two row multisets are equal (order ignored), comparing floats to 12 significant
 * digits. Throws with a readable diff otherwise.
 */
export function expectSameRows(actual: readonly Record<string, unknown>[], expected: readonly Record<string, unknown>[], cols?: readonly string[]): void {
  const a = actual.map(normalizeRow);
  const e = expected.map(normalizeRow);
  const names = cols ?? Object.keys(e[0] ?? a[0] ?? {});
  const ka = a.map((r) => key(r, names)).sort();
  const ke = e.map((r) => key(r, names)).sort();
  if (ka.length !== ke.length || ka.some((x, i) => x !== ke[i])) {
    const missing = ke.filter((x) => !ka.includes(x)).slice(0, 5);
    const extra = ka.filter((x) => !ke.includes(x)).slice(0, 5);
    throw new Error(
      `row sets differ: ${a.length} actual vs ${e.length} expected rows\n` +
      `  missing (expected, not produced): ${missing.join(' ')}\n  extra (produced, not expected): ${extra.join(' ')}`,
    );
  }
}
