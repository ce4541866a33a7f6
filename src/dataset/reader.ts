// DataFrameReader: session.read.parquet|csv|json(path). A path is a file or a directory tree
// (names starting with _ or . skipped; `key=value` directories become partition columns). The
// files are listed, and their schema read or inferred, when an action first needs the plan.
// Files of one directory must agree on their columns (else an error naming both files) unless
// `mergeSchema: true` (schema-merge.ts); `version` reads `<path>/v<N>` (versions.ts).
import type { FileFormat, FileSource, LogicalPlan, RowGroupInfo, SourceFile } from '../planner/logical.js';
import type { DataType, Field, Schema } from '../planner/types.js';
import type { Engine } from '../executor/engine.js';
import { listInputFiles, type InputFile } from '../executor/io/files.js';
import { readParquetMeta, unifySchemas } from '../executor/io/parquet-meta.js';
import { inferCsvSchema, type CsvOptions } from '../executor/io/csv.js';
import { inferJsonSchema, type JsonOptions } from '../executor/io/json.js';
import { recoverInterruptedCommit } from '../executor/io/committer.js';
import { resolveReadVersion } from '../executor/io/versions.js';
import { Dataset } from './dataset.js';

export interface ParquetReadOptions {
  /** Read the union of the files' columns, numeric types widened (Spark's mergeSchema); default false: differing files are an error. */
  mergeSchema?: boolean;
  /** Read `<path>/v<N>`: a version number, or 'latest' for the highest committed one. */
  version?: number | 'latest';
}

export class DataFrameReader {
  /** @internal */
  constructor(private readonly engine: Engine) {}

  parquet(path: string, options: ParquetReadOptions = {}): Dataset {
    const merge = options.mergeSchema === true;
    return this.scan('parquet', path, options as Record<string, unknown>, async (files) => {
      const metas = await Promise.all(files.map((f) => readParquetMeta(f.path)));
      const dataSchema = unifySchemas(metas, merge);
      const sources: SourceFile[] = files.map((f, i) => ({
        path: f.path, size: f.size, partitionValues: f.partitionValues,
        numRows: metas[i]!.numRows,
        // A column the file lacks (mergeSchema) is all NULL there: statistics that say so let filters skip it.
        rowGroups: merge ? metas[i]!.rowGroups.map((g) => withMissingColumns(g, dataSchema)) : metas[i]!.rowGroups,
      }));
      return { dataSchema, files: sources };
    });
  }

  csv(path: string, options: CsvOptions = {}): Dataset {
    return this.scan('csv', path, options as Record<string, unknown>, async (files) => ({
      dataSchema: await inferCsvSchema(files.map((f) => f.path), options),
      files: files.map((f) => ({ path: f.path, size: f.size, partitionValues: f.partitionValues, numRows: null, rowGroups: null })),
    }));
  }

  json(path: string, options: JsonOptions = {}): Dataset {
    return this.scan('json', path, options as Record<string, unknown>, async (files) => ({
      dataSchema: await inferJsonSchema(files.map((f) => f.path), options),
      files: files.map((f) => ({ path: f.path, size: f.size, partitionValues: f.partitionValues, numRows: null, rowGroups: null })),
    }));
  }

  private scan(
    format: FileFormat, path: string, options: Record<string, unknown>,
    describe: (files: InputFile[]) => Promise<{ dataSchema: Schema; files: SourceFile[] }>,
  ): Dataset {
    return new Dataset(this.engine, async (): Promise<LogicalPlan> => {
      const root = options['version'] === undefined ? path : await resolveReadVersion(path, options['version']);
      // A write killed between the renames of its commit leaves the target missing and a complete
      // staged tree beside it: finish that commit before reading (committer.ts).
      await recoverInterruptedCommit(root, true);
      const listed = await listInputFiles(root, []);
      if (listed.length === 0) throw new Error(`no ${format} files found under ${root}`);
      const { dataSchema, files } = await describe(listed);
      const partitionSchema = inferPartitionSchema(listed, dataSchema, root);
      const typedFiles = files.map((f) => ({ ...f, partitionValues: typedPartitionValues(f.partitionValues, partitionSchema) }));
      const source: FileSource = { format, root, files: typedFiles, dataSchema, partitionSchema, options: jsonSafe(options) };
      return { kind: 'scan', source, columns: null, filters: [] };
    });
  }
}

function withMissingColumns(g: RowGroupInfo, schema: Schema): RowGroupInfo {
  if (schema.every((f) => g.columns[f.name] !== undefined)) return g;
  const columns = { ...g.columns };
  for (const f of schema) columns[f.name] ??= { min: null, max: null, nullCount: g.numRows };
  return { ...g, columns };
}

/** Reader options as shipped to workers: plain JSON; the schema travels as the plan's dataSchema. */
function jsonSafe(o: Record<string, unknown>): Record<string, unknown> {
  const { schema: _schema, ...rest } = o;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

/** Partition column types, as Spark infers them: int32, then int64, float64, date, timestamp, else string. */
function inferPartitionSchema(files: readonly InputFile[], dataSchema: Schema, root: string): Schema {
  const keys = Object.keys(files[0]?.partitionValues ?? {});
  return keys.map((k): Field => {
    if (dataSchema.some((f) => f.name === k)) {
      throw new Error(`partition column '${k}' under ${root} also exists in the data files`);
    }
    const vals = files.map((f) => f.partitionValues[k]).filter((v): v is string => v !== null && v !== undefined);
    return { name: k, type: inferValuesType(vals), nullable: true };
  });
}

function inferValuesType(vals: readonly string[]): DataType {
  if (vals.length === 0) return 'string';
  if (vals.every((v) => /^-?\d+$/.test(v))) {
    return vals.every((v) => Math.abs(Number(v)) <= 2147483647) ? 'int32' : 'int64';
  }
  if (vals.every((v) => /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v))) return 'float64';
  if (vals.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)))) return 'date';
  if (vals.every((v) => TIMESTAMP_RE.test(v) && !Number.isNaN(timestampMs(v)))) return 'timestamp';
  return 'string';
}

function typedPartitionValues(values: Readonly<Record<string, unknown>>, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of schema) {
    const v = values[f.name];
    if (v === null || v === undefined) { out[f.name] = null; continue; }
    const s = String(v);
    switch (f.type) {
      case 'int32': case 'int64': case 'float64': out[f.name] = Number(s); break;
      case 'date': out[f.name] = Math.floor(Date.parse(s) / 86_400_000); break;
      case 'timestamp': out[f.name] = timestampMs(s); break;
      default: out[f.name] = s;
    }
  }
  return out;
}

/** 'YYYY-MM-DD HH:MM:SS[.fff]', as Spark writes a timestamp partition value (read as UTC). */
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,3})?$/;

function timestampMs(v: string): number {
  return Date.parse(`${v.replace(' ', 'T')}Z`);
}
