// MapUdf: runs a user lambda over row objects (the one place rows exist in a worker). Output
// rows are turned back into columns by the output schema inferred on the driver.
import type { PhysicalPlan } from '../../planner/physical/physical.js';
import { type Batch, batchToRows, makeBatch, rowsToBatch, numRows } from '../batch.js';
import { rebuildInWorker, explainLambdaError, toArray, LambdaError } from '../lambda.js';
import { schemaToString } from '../../planner/types.js';
import { decodeCtx } from '../shared-vars.js';
import type { TaskEnv } from './env.js';

type UdfNode = Extract<PhysicalPlan, { kind: 'MapUdf' }>;

const CHUNK = 65536;

export async function* runMapUdf(p: UdfNode, input: AsyncIterable<Batch>, env: TaskEnv): AsyncGenerator<Batch> {
  const fn = rebuildInWorker(p.source);
  const ctx = decodeCtx(p.ctx, env.msg.broadcastVars, env.accumulators);
  const call = (...args: unknown[]): unknown => {
    try {
      return fn(...args);
    } catch (err) {
      throw explainLambdaError(err, p.udf);
    }
  };
  const toBatch = (rows: unknown[]): Batch => {
    const checked = checkRows(rows, p.udf);
    if (p.schema.length === 0) {
      for (const r of checked) {
        const k = Object.keys(r)[0];
        if (k !== undefined) {
          throw new LambdaError(
            `${p.udf}() returned field '${k}', but its output schema has no columns: the sample rows it was tried on ` +
            `before the job gave no output to infer them from. Pass the schema, e.g. .${p.udf}(fn, ctx, { schema: { ${k}: 'float64' } })`,
          );
        }
      }
    }
    try {
      return rowsToBatch(p.schema, checked, `${p.udf}() output row`);
    } catch (err) {
      throw new TypeError(
        `${(err as Error).message}. Unless passed as { schema }, the output schema (${schemaToString(p.schema)}) is ` +
        `inferred from what the lambda returned for a sample of its input (a field NULL in all of them is a string): ` +
        `return one type per field, or pass the schema, e.g. .${p.udf}(fn, ctx, { schema: { column: 'float64' } })`,
      );
    }
  };
  switch (p.udf) {
    case 'filter':
      for await (const b of input) {
        const rows = batchToRows(b);
        const keep = new Int32Array(rows.length);
        let n = 0;
        for (let k = 0; k < rows.length; k++) {
          const r = call(rows[k], ctx);
          if (typeof r !== 'boolean') throw new TypeError(`filter() lambda must return a boolean, got ${typeof r}`);
          if (r) keep[n++] = b.sel ? b.sel[k]! : k;
        }
        if (n > 0) yield makeBatch(b.schema, b.columns, b.length, keep.slice(0, n), b.borrowed);
      }
      return;
    case 'map':
      for await (const b of input) {
        if (numRows(b) === 0) continue;
        const rows = batchToRows(b);
        const out = new Array<unknown>(rows.length);
        for (let k = 0; k < rows.length; k++) out[k] = call(rows[k], ctx);
        yield toBatch(out);
      }
      return;
    case 'flatMap':
      for await (const b of input) {
        const out: unknown[] = [];
        for (const row of batchToRows(b)) for (const x of toArray(call(row, ctx), 'flatMap')) out.push(x);
        for (let at = 0; at < out.length; at += CHUNK) yield toBatch(out.slice(at, at + CHUNK));
      }
      return;
    case 'mapPartitions': {
      const rows: Record<string, unknown>[] = [];
      for await (const b of input) for (const r of batchToRows(b)) rows.push(r);
      const out = toArray(call(rows, ctx), 'mapPartitions');
      for (let at = 0; at < out.length; at += CHUNK) yield toBatch(out.slice(at, at + CHUNK));
      return;
    }
  }
}

function checkRows(rows: unknown[], op: string): Record<string, unknown>[] {
  for (const r of rows) {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      throw new TypeError(`${op}() must return row objects like { a: 1 }, got ${Array.isArray(r) ? 'an array' : r === null ? 'null' : typeof r}`);
    }
  }
  return rows as Record<string, unknown>[];
}
