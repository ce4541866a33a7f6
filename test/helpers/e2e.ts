// Helpers for the end-to-end tests: load the same rows into DuckDB, compare a Dataset with a
// SQL query (column names and order, then the row multiset), temp directories, file trees.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import type { Dataset } from '../../src/index.js';
import { type Oracle, expectSameRows, normalizeRow } from './oracle.js';

export type TypeName = 'int32' | 'int64' | 'float64' | 'string' | 'boolean' | 'date' | 'timestamp';
export type Row = Record<string, unknown>;

const DUCK: Record<TypeName, string> = {
  int32: 'INTEGER', int64: 'BIGINT', float64: 'DOUBLE', string: 'VARCHAR', boolean: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMP',
};

export function duckType(t: TypeName): string {
  return DUCK[t];
}

/** A SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A typed SQL literal for one JS value of a Sparrow column type. */
export function sqlLiteral(v: unknown, t: TypeName): string {
  const ty = DUCK[t];
  if (v === null || v === undefined) return `CAST(NULL AS ${ty})`;
  switch (t) {
    case 'float64': {
      const n = Number(v);
      if (Object.is(n, -0)) return `CAST('-0.0' AS DOUBLE)`;
      if (!Number.isFinite(n)) return `CAST('${String(n).replace('Infinity', 'inf')}' AS DOUBLE)`;
      return `CAST(${String(n)} AS DOUBLE)`;
    }
    case 'int32': case 'int64': return `CAST(${String(v)} AS ${ty})`;
    case 'string': return sqlString(String(v));
    case 'boolean': return v ? 'TRUE' : 'FALSE';
    case 'date': {
      const d = v instanceof Date ? v : new Date(Number(v) * 86_400_000);
      return `DATE '${d.toISOString().slice(0, 10)}'`;
    }
    case 'timestamp': {
      const d = v instanceof Date ? v : new Date(Number(v));
      return `TIMESTAMP '${d.toISOString().replace('T', ' ').replace('Z', '')}'`;
    }
  }
}

/** (Re)creates DuckDB table `name` holding exactly `rows`, with the given column types. */
export async function loadRows(oracle: Oracle, name: string, rows: readonly Row[], schema: Readonly<Record<string, TypeName>>): Promise<void> {
  const cols = Object.keys(schema);
  const colDefs = cols.map((c) => `"${c.replace(/"/g, '""')}" ${DUCK[schema[c]!]}`).join(', ');
  await oracle.con.run(`CREATE OR REPLACE TABLE "${name}" (${colDefs})`);
  const chunk = 500;
  for (let i = 0; i < rows.length; i += chunk) {
    const values = rows.slice(i, i + chunk)
      .map((r) => `(${cols.map((c) => sqlLiteral(r[c], schema[c]!)).join(', ')})`)
      .join(',\n');
    await oracle.con.run(`INSERT INTO "${name}" VALUES ${values}`);
  }
}

/** Runs SQL and returns its column names and normalized rows. */
export async function sqlResult(oracle: Oracle, sql: string): Promise<{ columns: string[]; rows: Row[] }> {
  const r = await oracle.con.runAndReadAll(sql);
  return { columns: r.columnNames(), rows: r.getRowObjectsJS().map((x) => normalizeRow(x as Row)) };
}

/**
 * Asserts a Dataset produces what DuckDB produces for `sql`: the same column names in the
 * same order, and the same rows (as a multiset; floats to 12 significant digits). Returns
 * the rows Sparrow produced.
 */
export async function expectSameAsSql(ds: Dataset<any>, oracle: Oracle, sql: string): Promise<Row[]> {
  const expected = await sqlResult(oracle, sql);
  const columns = await ds.columns();
  const actual = (await ds.collect()) as Row[];
  expect(columns, `columns of the Dataset vs the SQL:\n${sql}`).toEqual(expected.columns);
  for (const r of actual.slice(0, 50)) expect(Object.keys(r)).toEqual(columns);
  try {
    expectSameRows(actual, expected.rows, columns);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n  SQL: ${sql}`);
  }
  return actual;
}

/** Every row of `sub` occurs in `all` at least as often (multiset inclusion). */
export function expectSubset(sub: readonly Row[], all: readonly Row[], cols: readonly string[]): void {
  const k = (r: Row) => JSON.stringify(cols.map((c) => normalizeRow(r)[c] ?? null));
  const counts = new Map<string, number>();
  for (const r of all) counts.set(k(r), (counts.get(k(r)) ?? 0) + 1);
  for (const r of sub) {
    const n = counts.get(k(r)) ?? 0;
    if (n === 0) throw new Error(`row ${k(r)} is not in the full result (or occurs more often than there)`);
    counts.set(k(r), n - 1);
  }
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the action to fail, but it succeeded');
}

/** A fresh temporary directory. */
export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `sparrow-e2e-${prefix}-`));
}

/** Every entry under `dir` (hidden ones too): relative path → file bytes as hex ('' for directories, path ends in '/'). */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out[`${r}/`] = '';
        await walk(path.join(d, e.name), r);
      } else {
        out[r] = (await fs.readFile(path.join(d, e.name))).toString('hex');
      }
    }
  };
  await walk(dir, '');
  return out;
}

/** Relative paths of the files under `dir` (hidden ones too), sorted. */
export async function listTree(dir: string): Promise<string[]> {
  return Object.keys(await snapshotTree(dir)).filter((p) => !p.endsWith('/')).sort();
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** `p` as a single-quoted SQL string (for read_parquet('...') and COPY ... TO '...'). */
export function sqlPath(p: string): string {
  return sqlString(p);
}

/**
 * The partition (0-based) that createDataset(rows, { partitions: n }) puts row index i in
 * (Session splits rows into n contiguous, near-equal slices).
 */
export function localPartitionOf(i: number, total: number, n: number): number {
  for (let p = 0; p < n; p++) {
    const to = Math.floor((total * (p + 1)) / n);
    if (i < to) return p;
  }
  return n - 1;
}
