// FileScan: reads this partition's splits (Parquet row groups, or CSV/JSON files), keeps the
// requested columns, and appends partition columns from `key=value` directories as constants.
import type { PhysicalPlan, ScanSplit } from '../../planner/physical/physical.js';
import type { Field, Schema } from '../../planner/types.js';
import { type Batch, type Vec, makeBatch, numRows, allocValues, encodeUtf8 } from '../batch.js';
import { readParquetRowGroups } from '../io/parquet-read.js';
import { readCsvFile } from '../io/csv.js';
import { readJsonFile } from '../io/json.js';
import type { TaskEnv } from './env.js';

type ScanNode = Extract<PhysicalPlan, { kind: 'FileScan' }>;

export async function* runFileScan(p: ScanNode, partition: number, env: TaskEnv): AsyncGenerator<Batch> {
  const partNames = new Set(p.partitionSchema.map((f) => f.name));
  const dataCols = p.columns.filter((c) => !partNames.has(c));
  for (const split of p.partitions[partition] ?? []) {
    for await (const b of readSplit(p, split, dataCols, env)) {
      const n = numRows(b);
      env.metrics.inputRecords += n;
      if (n === 0) continue;
      yield assemble(p, split, b);
    }
  }
}

async function* readSplit(p: ScanNode, split: ScanSplit, dataCols: readonly string[], env: TaskEnv): AsyncGenerator<Batch> {
  const schema = p.dataSchema;
  // A count(*) reads no columns: Parquet knows its row counts; the text readers return
  // column-less batches that carry only their row counts (malformed rows still count).
  if (dataCols.length === 0 && p.format === 'parquet' && split.rows !== null) {
    yield makeBatch([], [], split.rows);
    return;
  }
  const cols = dataCols.length === 0 && p.format === 'parquet' ? [schema[0]!.name] : dataCols;
  const m = { droppedMalformed: 0, corruptRecords: 0 };
  try {
    switch (p.format) {
      case 'parquet': yield* readParquetRowGroups(split.path, split.rowGroups, cols, undefined, schema); break;
      case 'csv': yield* readCsvFile(split.path, schema, cols, p.options, m); break;
      case 'json': yield* readJsonFile(split.path, schema, cols, p.options, m); break;
    }
  } finally {
    env.metrics.droppedMalformed += m.droppedMalformed;
    env.metrics.corruptRecords += m.corruptRecords;
  }
}

/** Orders the read columns as the plan wants them and adds constant partition columns. */
function assemble(p: ScanNode, split: ScanSplit, b: Batch): Batch {
  const cols: Vec[] = [];
  const fields: Field[] = [];
  for (const name of p.columns) {
    const pf = p.partitionSchema.find((f) => f.name === name);
    if (pf) {
      cols.push(constantVec(pf, split.partitionValues[name], b.length));
      fields.push(pf);
    } else {
      const i = b.schema.findIndex((f) => f.name === name);
      if (i < 0) throw new Error(`internal: column '${name}' missing from what ${split.path} returned`);
      cols.push(b.columns[i]!);
      fields.push(p.schema.find((f) => f.name === name) ?? b.schema[i]!);
    }
  }
  return makeBatch(fields as Schema, cols, b.length, b.sel, b.borrowed);
}

function constantVec(f: Field, v: unknown, n: number): Vec {
  if (v === null || v === undefined) {
    return { type: f.type, length: n, values: allocValues(f.type, f.type === 'string' ? 0 : n), offsets: f.type === 'string' ? new Int32Array(n + 1) : null, valid: new Uint8Array(n) };
  }
  if (f.type === 'string') {
    const bytes = encodeUtf8(String(v));
    const data = new Uint8Array(bytes.length * n);
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) { data.set(bytes, i * bytes.length); offsets[i + 1] = (i + 1) * bytes.length; }
    return { type: 'string', length: n, values: data, offsets, valid: null };
  }
  const values = allocValues(f.type, n);
  values.fill(typeof v === 'boolean' ? (v ? 1 : 0) : Number(v));
  return { type: f.type, length: n, values, offsets: null, valid: null };
}
