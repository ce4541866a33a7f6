// Parquet files written by DuckDB for the reader tests: a temp dir and a one-thread DuckDB (UTC,
// so the row-group layout is deterministic) that writes `COPY (select) TO file` into it. Call at
// the top of a test file; the fields are set once beforeAll has run.
import { afterAll, beforeAll } from 'vitest';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface DuckParquet {
  /** The temp dir (removed after the file's tests). */
  dir: string;
  con: DuckDBConnection;
  /** A query's rows as JS objects. */
  q(sql: string): Promise<Record<string, unknown>[]>;
  /** Writes `select` to dir/name as Parquet with extra COPY options; returns the path. */
  duck(name: string, select: string, opts?: string): Promise<string>;
}

/** A path as a SQL string literal. */
export const sqlPath = (p: string): string => `'${p.replace(/'/g, "''")}'`;

export function duckParquet(prefix: string): DuckParquet {
  const fx: DuckParquet = {
    dir: '',
    con: null as unknown as DuckDBConnection,
    async q(sql) {
      return (await fx.con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    },
    async duck(name, select, opts = '') {
      const p = path.join(fx.dir, name);
      await fx.con.run(`COPY (${select}) TO ${sqlPath(p)} (FORMAT parquet${opts ? ', ' + opts : ''})`);
      return p;
    },
  };
  beforeAll(async () => {
    fx.dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    fx.con = await (await DuckDBInstance.create(':memory:')).connect();
    await fx.con.run(`SET TimeZone = 'UTC'`);
    await fx.con.run(`SET threads = 1`);
  });
  afterAll(async () => { await fs.rm(fx.dir, { recursive: true, force: true }); });
  return fx;
}
