// Shared by the CSV and JSON readers: which schema columns a scan outputs (and in what order),
// and the assembly of output batches from column sinks, with rows dropped by DROPMALFORMED
// removed when a batch is handed out.
import { type DataType, type Schema } from '../../planner/types.js';
import { type Batch, compact, makeBatch, type Vec } from '../batch.js';
import { ColumnSink } from './text-columns.js';
import { CORRUPT_RECORD, dataFields } from './text-options.js';

export interface ScanLayout {
  /** The fields the file holds (the schema without `_corrupt_record`), in order. */
  readonly data: Schema;
  /** The requested columns, in the order requested. */
  readonly outSchema: Schema;
  /** Data column index → sink index, or -1 when the column is not requested. */
  readonly sinkOfData: Int32Array;
  /** Sink index of `_corrupt_record`, or -1. */
  readonly corruptSink: number;
  readonly sinkTypes: readonly DataType[];
  /** Output position → sink index (a column requested twice shares its sink). */
  readonly outToSink: readonly number[];
}

export function planScan(schema: Schema, columns: readonly string[], where: string): ScanLayout {
  const data = dataFields(schema, where);
  const sinkOfData = new Int32Array(data.length).fill(-1);
  const sinkTypes: DataType[] = [];
  const outToSink: number[] = [];
  let corruptSink = -1;
  const outSchema = columns.map((name) => {
    const f = schema.find((x) => x.name === name);
    if (!f) {
      throw new Error(`${where}: column '${name}' is not in the schema (${schema.map((x) => x.name).join(', ')})`);
    }
    if (name === CORRUPT_RECORD) {
      if (corruptSink < 0) { corruptSink = sinkTypes.length; sinkTypes.push('string'); }
      outToSink.push(corruptSink);
    } else {
      const di = data.indexOf(f);
      if (sinkOfData[di]! < 0) { sinkOfData[di] = sinkTypes.length; sinkTypes.push(f.type); }
      outToSink.push(sinkOfData[di]!);
    }
    return f;
  });
  return { data, outSchema, sinkOfData, corruptSink, sinkTypes, outToSink };
}

export class BatchAssembler {
  readonly sinks: ColumnSink[];
  /** Rows written into the sinks so far (kept and dropped). */
  rows = 0;
  private keep: Uint8Array | null = null;
  private dropped = 0;

  constructor(private readonly layout: ScanLayout, readonly batchRows: number, initialRows: number) {
    const cap = Math.min(batchRows, Math.max(16, initialRows));
    this.sinks = layout.sinkTypes.map((t) => new ColumnSink(t, cap));
  }

  /** Room for `n` more rows in every sink; n must not exceed batchRows - rows. */
  reserve(n: number): void {
    const need = this.rows + n;
    for (const s of this.sinks) s.reserve(need);
  }

  /** Marks row `row` (already written) to be left out of the batch. */
  drop(row: number): void {
    if (this.keep === null) { this.keep = new Uint8Array(this.batchRows); this.keep.fill(1); }
    this.keep[row] = 0;
    this.dropped++;
  }

  get full(): boolean { return this.rows >= this.batchRows; }

  /** The batch of the rows written so far, or null when there are none to give. */
  take(): Batch | null {
    const n = this.rows;
    const vecs: Vec[] = this.sinks.map((s) => s.finish(n, this.batchRows));
    const columns = this.layout.outToSink.map((i) => vecs[i]!);
    let batch = makeBatch(this.layout.outSchema, columns, n);
    if (this.dropped > 0) {
      const keep = this.keep!;
      const sel = new Int32Array(n - this.dropped);
      let k = 0;
      for (let i = 0; i < n; i++) if (keep[i] === 1) sel[k++] = i;
      batch = compact(makeBatch(this.layout.outSchema, columns, n, sel));
      keep.fill(1);
    }
    this.rows = 0;
    this.dropped = 0;
    return batch.length > 0 ? batch : null;
  }
}
