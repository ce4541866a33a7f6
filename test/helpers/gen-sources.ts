// Loads a generated world into DuckDB and into a Sparrow session, each table in one of four
// ways: createDataset(rows), fromArrow(an Arrow table built by apache-arrow), or Parquet
// written by DuckDB — one file with small row groups, or a directory of files (some possibly
// empty). For Parquet the oracle reads the file back into a table and queries that, as
// transformations.test.ts explains: DuckDB's Parquet dictionary stores -0.0 and 0.0 as one
// value, so the file is what both engines must agree on, not the generated rows.
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import type { Session } from '../../src/index.js';
import type { Oracle } from './oracle.js';
import { loadRows, sqlPath } from './e2e.js';
import type { Rand } from './gen-random.js';
import { type World, schemaOf } from './gen-table.js';
import { toArrowTable } from './gen-arrow.js';
import type { Source } from './gen-pipeline.js';
import { q } from './gen-spark-sql.js';

export type SourceKind = 'createDataset' | 'fromArrow' | 'parquet-file' | 'parquet-dir';

export async function loadWorld(r: Rand, world: World, spark: Session, db: Oracle, dir: string): Promise<Source[]> {
  const out: Source[] = [];
  for (const t of world.tables) {
    const schema = schemaOf(t);
    await loadRows(db, t.name, t.rows, schema);
    const kind = r.weighted<SourceKind>([['createDataset', 3], ['fromArrow', 2], ['parquet-file', 1.5], ['parquet-dir', 1]]);
    const partitions = r.int(1, 7);
    const cols = t.columns.map((c) => `${c.name}: ${c.type} (${c.source.flavor}, ${c.source.domain.length} values, nulls ${c.source.nullRate}${c.source.hotRate ? `, ${c.source.hotRate} hot` : ''})`).join('; ');
    const head = `${t.name}: ${t.rows.length} rows [${cols}]`;
    switch (kind) {
      case 'createDataset': {
        // Rows may also hold dates and timestamps as Date objects and int64 values as bigints.
        const jsForms = r.chance(0.4);
        const rows = jsForms ? t.rows.map((row) => asJsObjects(row, schema)) : t.rows;
        const ds = spark.createDataset(rows, { schema, partitions });
        out.push({
          table: t, kind, ds, code: t.name, sql: q(t.name),
          describe: `${head}\n    = spark.createDataset(rows, { schema: ${JSON.stringify(schema)}, partitions: ${partitions} })${jsForms ? ' with Date and bigint values' : ''}`,
        });
        break;
      }
      case 'fromArrow': {
        const { table, layout } = toArrowTable(r, t);
        const ds = spark.fromArrow(table, { partitions });
        out.push({
          table: t, kind, ds, code: t.name, sql: q(t.name),
          describe: `${head}\n    = spark.fromArrow(table, { partitions: ${partitions} }) with record batches of [${layout.batchSizes.join(', ')}] rows` +
            `${layout.dictionaryColumns.length ? `, dictionary strings in ${layout.dictionaryColumns.join(', ')}` : ''}` +
            `${layout.microsColumns.length ? `, microsecond timestamps in ${layout.microsColumns.join(', ')}` : ''}`,
        });
        break;
      }
      default: {
        const rowGroup = r.pick([1, 3, 10, 100]);
        let target: string;
        if (kind === 'parquet-file') {
          target = path.join(dir, `${t.name}.parquet`);
          await db.con.run(`COPY (SELECT * FROM ${q(t.name)}) TO ${sqlPath(target)} (FORMAT parquet, ROW_GROUP_SIZE ${rowGroup})`);
        } else {
          target = path.join(dir, t.name);
          await fs.mkdir(target, { recursive: true });
          const files = r.int(2, 3);
          for (let f = 0; f < files; f++) {
            await db.con.run(`COPY (SELECT * FROM ${q(t.name)} WHERE rowid % ${files} = ${f}) TO ${sqlPath(path.join(target, `part-${f}.parquet`))} (FORMAT parquet, ROW_GROUP_SIZE ${rowGroup})`);
          }
        }
        const pq = `${t.name}_pq`;
        const glob = kind === 'parquet-file' ? target : path.join(target, '*.parquet');
        await db.con.run(`CREATE OR REPLACE TABLE ${q(pq)} AS SELECT * FROM read_parquet(${sqlPath(glob)})`);
        out.push({
          table: t, kind, ds: spark.read.parquet(target), code: t.name, sql: q(pq),
          describe: `${head}\n    = spark.read.parquet(${JSON.stringify(target)}) (${kind}, written by DuckDB with ROW_GROUP_SIZE ${rowGroup})`,
        });
      }
    }
  }
  return out;
}

const MS_DAY = 86_400_000;

function asJsObjects(row: Record<string, unknown>, schema: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const t = schema[k];
    if (v === null) out[k] = null;
    else if (t === 'date') out[k] = new Date((v as number) * MS_DAY);
    else if (t === 'timestamp') out[k] = new Date(v as number);
    else if (t === 'int64') out[k] = BigInt(v as number);
    else out[k] = v;
  }
  return out;
}
