// DataFrameWriter: write.mode(...).partitionBy(...).option(...).parquet|csv|json(path). Tasks
// write part files under <path>/_temporary/<job>/; the committer swaps the complete new tree in
// only when every task succeeded (committer.ts). A failed or killed job leaves the target as it
// was. Writer options of our own (the rest go to the file writer):
//   partitionOverwriteMode  'static' (default) | 'dynamic': with mode('overwrite') and partitionBy,
//                           'dynamic' replaces only the partition directories the job writes
//   version                 a number or 'next': write to <path>/v<N> (versions.ts)
import type { LogicalPlan } from '../planner/logical.js';
import type { Engine } from '../executor/engine.js';
import { abortWrite, beginWrite, commitWrite, type SaveMode } from '../executor/io/committer.js';
import { resolveWriteVersion } from '../executor/io/versions.js';
import { newWriteJobId } from '../executor/io/write-jobs.js';

export interface WriteResult {
  /** The directory written: the path given, or its v<N> with option 'version'. */
  readonly path: string;
  /** The version written (option 'version'), else null. */
  readonly version: number | null;
  readonly files: readonly string[];
  /** True when mode 'ignore' found the target existing and wrote nothing. */
  readonly skipped: boolean;
}

export class DataFrameWriter {
  private saveMode: SaveMode = 'error';
  private partitionCols: string[] = [];
  private opts: Record<string, unknown> = {};

  /** @internal */
  constructor(private readonly engine: Engine, private readonly plan: () => Promise<LogicalPlan>) {}

  mode(m: SaveMode): this {
    const known: SaveMode[] = ['error', 'errorifexists', 'overwrite', 'append', 'ignore'];
    if (!known.includes(m)) throw new Error(`unknown save mode '${m}'; expected one of ${known.join(', ')}`);
    this.saveMode = m;
    return this;
  }

  partitionBy(...cols: string[]): this {
    this.partitionCols = cols.flat();
    return this;
  }

  option(key: string, value: unknown): this {
    this.opts[key] = value;
    return this;
  }

  parquet(path: string): Promise<WriteResult> { return this.save('parquet', path); }
  csv(path: string): Promise<WriteResult> { return this.save('csv', path); }
  json(path: string): Promise<WriteResult> { return this.save('json', path); }

  private async save(format: 'parquet' | 'csv' | 'json', target: string): Promise<WriteResult> {
    const logical = await this.plan();
    const schema = await this.engine.schemaOf(logical);
    for (const c of this.partitionCols) {
      if (!schema.some((f) => f.name === c)) {
        throw new Error(`partitionBy column '${c}' does not exist; columns: ${schema.map((f) => f.name).join(', ')}`);
      }
    }
    if (this.partitionCols.length > 0 && this.partitionCols.length === schema.length) {
      throw new Error('partitionBy cannot use every column: the files would have no data columns');
    }
    const { partitionOverwriteMode, version: versionOpt, ...fileOptions } = this.opts;
    let version: number | null = null;
    if (versionOpt !== undefined && versionOpt !== null) {
      const v = await resolveWriteVersion(target, versionOpt);
      target = v.dir;
      version = v.version;
    }
    const job = await beginWrite(target, this.saveMode, newWriteJobId(), {
      partitionOverwriteMode: String(partitionOverwriteMode ?? 'static').toLowerCase() as 'static' | 'dynamic',
    });
    if (job.skip) return { path: target, version, files: [], skipped: true };
    try {
      await this.engine.run(logical, { kind: 'write', format, jobDir: job.jobDir, partitionBy: this.partitionCols, options: fileOptions }, `write ${format}`);
      const { files } = await commitWrite(job);
      return { path: target, version, files, skipped: false };
    } catch (err) {
      await abortWrite(job);
      throw err;
    }
  }
}
