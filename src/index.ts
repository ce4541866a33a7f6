// Sparrow's public API. Everything a user imports comes from here.
export { Session, type SessionOptions, type CreateOptions } from './dataset/session.js';
export { Dataset, type Row, type ExplainMode, type ExplainFormat, type ExplainOptions, type UdfOptions, type JoinHow } from './dataset/dataset.js';
export { GroupedDataset } from './dataset/grouped.js';
export { DataFrameReader } from './dataset/reader.js';
export { DataFrameWriter, type WriteResult } from './dataset/writer.js';
export { Column, type ColumnLike, type ColumnRef } from './dataset/column.js';
export {
  col, lit, when, coalesce, asc, desc, sum, count, avg, mean, min, max, countDistinct, broadcast,
  exp, log, log10, sqrt, pow, abs, floor, ceil, round, signum, greatest, least,
} from './dataset/functions.js';
export type { DataType, Field, Schema } from './planner/types.js';
export { AnalysisError } from './planner/errors.js';
export { LambdaError } from './executor/lambda.js';
export { TaskFailedError, type StageMetrics } from './executor/scheduler.js';
export type { FaultOptions } from './executor/faults.js';
export type { SpeculationOptions } from './executor/speculation.js';
export type { JobInfo, CacheStats, StageNode, TaskTiming } from './executor/engine.js';
export { JobReport } from './report/job-report.js';
export type { ProgressMode } from './report/progress.js';
export { Broadcast, Accumulator } from './executor/shared-vars.js';
export type { UdfModule, LambdaCtx } from './executor/udf-modules.js';
export type { StorageLevel } from './planner/logical.js';
