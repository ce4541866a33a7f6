// The write sink of a result stage: this task's rows become part files under the job's
// temporary directory (the driver's committer moves them into place once every task is done).
// With partitionBy, rows are split by the partition columns' values, one file per directory,
// and those columns are left out of the files (they live in the directory names).
import type { Schema } from '../../planner/types.js';
import { type Batch, type Vec, gatherVec, makeBatch, vecGet } from '../batch.js';
import { partitionDirFor, taskOutputPath } from '../io/committer.js';
import { taskAttemptDir } from '../io/task-commit.js';
import { formatDate, formatDouble, formatTimestamp } from '../codegen/strings.js';
import { writeParquetFile } from '../io/write-parquet.js';
import { writeCsvFile, writeJsonFile } from '../io/write-text.js';
import type { TaskOutput } from '../task.js';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

type WriteOutput = Extract<TaskOutput, { kind: 'write' }>;

const EXT = { parquet: 'parquet', csv: 'csv', json: 'json' } as const;

/** Writes this attempt's part files under its own attempt directory (io/task-commit.ts): only the winning attempt is moved into the job's. */
export async function writeTaskOutput(out: WriteOutput, partition: number, attempt: number, schema: Schema, batches: readonly Batch[]): Promise<string[]> {
  const job = { jobDir: taskAttemptDir(out.jobDir, partition, attempt) } as Parameters<typeof taskOutputPath>[0];
  if (out.partitionBy.length === 0) {
    // As Spark: an empty result still gets one (empty) file, from the first task, so that the
    // output can be read back with its schema. Other empty tasks write nothing.
    if (batches.length === 0 && partition !== 0) return [];
    const file = taskOutputPath(job, partition, '', EXT[out.format]);
    await writeOne(out, file, schema, batches);
    return [file];
  }
  const keyIdx = out.partitionBy.map((c) => schema.findIndex((f) => f.name === c));
  const dataIdx = schema.map((_, i) => i).filter((i) => !keyIdx.includes(i));
  const dataSchema = dataIdx.map((i) => schema[i]!);
  // Group row positions by their partition directory, in first-seen order per batch.
  const groups = new Map<string, { batch: Batch; rows: number[] }[]>();
  for (const b of batches) {
    const local = new Map<string, number[]>();
    for (let i = 0; i < b.length; i++) {
      const values = keyIdx.map((k) => partitionValueText(b.columns[k]!, i));
      const dir = partitionDirFor(out.partitionBy, values);
      let rows = local.get(dir);
      if (!rows) { rows = []; local.set(dir, rows); }
      rows.push(i);
    }
    for (const [dir, rows] of local) {
      let g = groups.get(dir);
      if (!g) { g = []; groups.set(dir, g); }
      g.push({ batch: b, rows });
    }
  }
  const files: string[] = [];
  for (const dir of [...groups.keys()].sort()) {
    const parts = groups.get(dir)!.map(({ batch, rows }) => {
      const sel = Int32Array.from(rows);
      const cols: Vec[] = dataIdx.map((i) => gatherVec(batch.columns[i]!, sel));
      return makeBatch(dataSchema, cols, rows.length);
    });
    const file = taskOutputPath(job, partition, dir, EXT[out.format]);
    await writeOne(out, file, dataSchema, parts);
    files.push(file);
  }
  return files;
}

async function writeOne(out: WriteOutput, file: string, schema: Schema, batches: readonly Batch[]): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  switch (out.format) {
    case 'parquet': await writeParquetFile(file, batches, schema); break;
    case 'csv': await writeCsvFile(file, batches, schema, out.options); break;
    case 'json': await writeJsonFile(file, batches, schema); break;
  }
}

/**
 * The text a partition value takes in its directory name: the value cast to string, as Spark
 * does (dates 'YYYY-MM-DD', timestamps 'YYYY-MM-DD HH:MM:SS[.fff]' in UTC, doubles keep '.0'),
 * so that reading the directories back infers the same type.
 */
function partitionValueText(v: Vec, i: number): string | null {
  if (v.valid !== null && v.valid[i] === 0) return null;
  switch (v.type) {
    case 'date': return formatDate(v.values[i]!);
    case 'timestamp': return formatTimestamp(v.values[i]!);
    case 'float64': return formatDouble(v.values[i]!);
    default: {
      const x = vecGet(v, i);
      return x === null ? null : String(x);
    }
  }
}
