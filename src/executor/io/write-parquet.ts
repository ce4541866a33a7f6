// Writes one Parquet part file from batches (inside a worker task): batches → Arrow table
// (built from our buffers with makeData) → Arrow IPC stream → parquet-wasm writeParquet.
// Output is deterministic: the same input gives byte-identical files.
//
// Timestamps are written as TIMESTAMP(MILLIS, isAdjustedToUTC=true) (Arrow zone 'UTC'): our
// timestamps are instants, which is what Spark's TIMESTAMP and DuckDB's TIMESTAMPTZ mean.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import type { Schema } from '../../planner/types.js';
import type { Batch } from '../batch.js';
import { batchesToTable } from '../arrow.js';

export interface ParquetWriteOptions {
  /** 'snappy' (default, as Spark) or 'zstd' (smaller, a little slower) or 'none'. */
  readonly compression?: 'snappy' | 'zstd' | 'none';
  /** Rows per row group (default 131,072): smaller groups prune and split finer. */
  readonly rowGroupRows?: number;
}

export const DEFAULT_ROW_GROUP_ROWS = 131_072;

/** Encodes batches as a Parquet file in memory. */
export function encodeParquet(batches: readonly Batch[], schema: Schema, opts: ParquetWriteOptions = {}): Uint8Array {
  const table = batchesToTable(schema, batches, 'UTC');
  const ipc = arrow.tableToIPC(table, 'stream');
  const wasmTable = pw.Table.fromIPCStream(ipc);
  const codec = opts.compression === 'zstd' ? pw.Compression.ZSTD : opts.compression === 'none' ? pw.Compression.UNCOMPRESSED : pw.Compression.SNAPPY;
  const rows = opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`rowGroupRows must be a positive integer, got ${rows}`);
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(codec)
    .setMaxRowGroupSize(rows)
    .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
    .build();
  // writeParquet takes ownership of the table and the properties.
  return pw.writeParquet(wasmTable, props);
}

/** Writes `batches` (all of `schema`) to `file`, creating its directory; returns the bytes written. */
export async function writeParquetFile(file: string, batches: readonly Batch[], schema: Schema, opts: ParquetWriteOptions = {}): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = encodeParquet(batches, schema, opts);
  } catch (err) {
    throw new Error(`cannot write Parquet file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, bytes);
  return bytes.length;
}
