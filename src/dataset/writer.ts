// DataFrameWriter: write.mode(...).partitionBy(...).parquet|csv|json(path). Tasks write part
// files under <path>/_temporary/<job>/; the committer moves them into place only when every
// task succeeded, then writes _SUCCESS. A failed job leaves the target as it was.
import type { LogicalPlan } from '../planner/logical.js';
import type { Engine } from '../executor/engine.js';
import { abortWrite, beginWrite, commitWrite, type SaveMode } from '../executor/io/committer.js';

export interface WriteResult {
  readonly path: string;
  readonly files: readonly string[];
  /** True when mode 'ignore' found the target existing and wrote nothing. */
  readonly skipped: boolean;
}

let writeSeq = 0;

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
    const jobId = `job-${process.pid}-${++writeSeq}`;
    const job = await beginWrite(target, this.saveMode, jobId);
    if (job.skip) return { path: target, files: [], skipped: true };
    try {
      await this.engine.run(logical, { kind: 'write', format, jobDir: job.jobDir, partitionBy: this.partitionCols, options: this.opts }, `write ${format}`);
      const { files } = await commitWrite(job);
      return { path: target, files, skipped: false };
    } catch (err) {
      await abortWrite(job);
      throw err;
    }
  }
}
