// Worker side of the CSV reader: one whole file → batches of the requested columns.
//
// The file streams through a reused buffer (text-chunks.ts). Records are tokenized a segment
// at a time (up to SEGMENT_RECORDS), then each column of the segment is converted in one tight
// loop (csv-convert.ts), then the parse mode is applied to the segment's bad records.
//
// Every column of the schema is validated, also those not requested, so a malformed record is
// malformed whatever a query reads: count() and collect() agree and a rerun drops the same
// records. (Spark ≥ 2.4 only checks the requested columns; we choose consistency.)
//
// With badRecordsPath the dropped records also go to the job's quarantine (bad-records.ts);
// with mergeSchema each file's columns are matched to the merged schema by its header names.
import type { Schema } from '../../planner/types.js';
import { type Batch, decodeUtf8 } from '../batch.js';
import { convertColumn, type Segment } from './csv-convert.js';
import { CsvTokens, E_AFTER_QUOTE, E_UNTERMINATED, F_SCRATCH } from './csv-tokenizer.js';
import { BatchAssembler, planScan, type ScanLayout } from './text-batch.js';
import { ChunkReader } from './text-chunks.js';
import { MalformedRecordError, recordReason, valueFailureReason } from './text-errors.js';
import { CORRUPT_RECORD, type CsvDialect, type CsvOptions, csvDialect, DEFAULT_BATCH_ROWS, type ReadMetrics } from './text-options.js';
import { Quarantine } from './bad-records.js';
import { readHeaderNames } from './csv-header.js';
import { adaptBatch } from './schema-adapt.js';

const SEGMENT_RECORDS = 8192;

export function* readCsvFile(
  file: string, schema: Schema, columns: readonly string[], opts: CsvOptions, metrics: ReadMetrics,
  batchRows: number = DEFAULT_BATCH_ROWS,
): Generator<Batch, void, undefined> {
  if (!(batchRows >= 1)) throw new Error(`CSV scan of ${file}: batchRows must be at least 1, got ${batchRows}`);
  const d = csvDialect(opts);
  const q = Quarantine.open(opts as Readonly<Record<string, unknown>>, file);
  let ok = true;
  try {
    if (opts.mergeSchema === true && d.header) yield* readByHeader(file, schema, columns, d, metrics, batchRows, q);
    else yield* readColumns(file, schema, columns, d, metrics, batchRows, q);
  } catch (err) {
    ok = false;
    throw err;
  } finally {
    q?.close(ok);
  }
}

/**
 * mergeSchema: this file's columns are those its header names, typed as in the merged schema;
 * requested columns it lacks read as NULL.
 */
function* readByHeader(
  file: string, schema: Schema, columns: readonly string[], d: CsvDialect, metrics: ReadMetrics, batchRows: number, q: Quarantine | null,
): Generator<Batch, void, undefined> {
  const names = readHeaderNames(file, d);
  if (names === null) return;
  const data = schema.filter((f) => f.name !== CORRUPT_RECORD);
  if (names.length === data.length && names.every((n, i) => n === data[i]!.name)) {
    yield* readColumns(file, schema, columns, d, metrics, batchRows, q);
    return;
  }
  const own = names.map((n) => {
    const f = schema.find((x) => x.name === n);
    if (!f || f.name === CORRUPT_RECORD) throw new Error(`CSV scan of ${file}: header column '${n}' is not in the merged schema (${schema.map((x) => x.name).join(', ')}); was the file changed after the read was planned?`);
    return f;
  });
  const fileSchema = schema.some((f) => f.name === CORRUPT_RECORD) ? [...own, schema.find((f) => f.name === CORRUPT_RECORD)!] : own;
  const present = [...new Set(columns.filter((c) => fileSchema.some((f) => f.name === c)))];
  for (const b of readColumns(file, fileSchema, present, d, metrics, batchRows, q)) yield adaptBatch(b, schema, columns, file);
}

function* readColumns(
  file: string, schema: Schema, columns: readonly string[], d: CsvDialect, metrics: ReadMetrics, batchRows: number, q: Quarantine | null,
): Generator<Batch, void, undefined> {
  const layout = planScan(schema, columns, `CSV scan of ${file}`);
  const reader = new ChunkReader(file, 'CSV');
  try {
    const tok = new CsvTokens(layout.data.length, Math.min(SEGMENT_RECORDS, batchRows));
    tok.pos = reader.bomLength();
    if (d.header) skipRecord(reader, tok, d);
    const asm = new BatchAssembler(layout, batchRows, reader.eof ? Math.ceil(reader.end / 8) : batchRows);
    const bad = new Int32Array(tok.cap);
    for (;;) {
      const want = Math.min(tok.cap, batchRows - asm.rows);
      tok.tokenize(reader.buf, reader.end, reader.eof, d, want);
      if (tok.count > 0) {
        convertSegment(file, reader.buf, tok, asm, layout, d, bad, metrics, q);
        if (asm.full) { const b = asm.take(); if (b) yield b; }
      }
      if (tok.count < want) {
        if (reader.eof) break;
        reader.refill(tok.pos);
        tok.pos = 0;
      }
    }
    const last = asm.take();
    if (last) yield last;
  } finally {
    reader.close();
  }
}

/** Skips the next record (the header), refilling as needed. */
export function skipRecord(reader: ChunkReader, tok: CsvTokens, d: CsvDialect): void {
  for (;;) {
    tok.tokenize(reader.buf, reader.end, reader.eof, d, 1);
    if (tok.count === 1 || reader.eof) return;
    reader.refill(tok.pos);
    tok.pos = 0;
  }
}

function convertSegment(
  file: string, buf: Uint8Array, tok: CsvTokens, asm: BatchAssembler, layout: ScanLayout, d: CsvDialect,
  bad: Int32Array, metrics: ReadMetrics, q: Quarantine | null,
): void {
  const n = tok.count;
  const data = layout.data;
  const W = data.length;
  const row0 = asm.rows;
  asm.reserve(n);
  bad.fill(0, 0, n);
  const seg: Segment = { tok, buf, n, row0, bad, nullValue: d.nullValue };
  for (let c = 0; c < W; c++) {
    const si = layout.sinkOfData[c]!;
    const type = data[c]!.type;
    if (si >= 0) convertColumn(type, c, seg, asm.sinks[si]!);
    else if (type !== 'string') convertColumn(type, c, seg, null);
  }
  const corrupt = layout.corruptSink >= 0 ? asm.sinks[layout.corruptSink]! : null;
  const recErr = tok.recErr, recFields = tok.recFields;
  for (let r = 0; r < n; r++) {
    const row = row0 + r;
    if (recErr[r] === 0 && recFields[r] === W && bad[r] === 0) {
      if (corrupt !== null) corrupt.setNull(row);
      continue;
    }
    switch (d.mode) {
      case 'FAILFAST':
        throw csvRecordError(file, buf, tok, r, layout, bad);
      case 'DROPMALFORMED':
        asm.drop(row);
        metrics.droppedMalformed++;
        if (q !== null) q.add(tok.recLine[r]!, buf, tok.recStart[r]!, tok.recEnd[r]!, recordReason(csvRecordError(file, buf, tok, r, layout, bad)));
        if (corrupt !== null) corrupt.setNull(row);
        break;
      case 'PERMISSIVE':
        metrics.corruptRecords++;
        if (corrupt !== null) corrupt.appendBytes(row, buf, tok.recStart[r]!, tok.recEnd[r]!);
        break;
    }
  }
  asm.rows += n;
}

function csvRecordError(file: string, buf: Uint8Array, tok: CsvTokens, r: number, layout: ScanLayout, bad: Int32Array): MalformedRecordError {
  const data = layout.data;
  const W = data.length;
  const line = tok.recLine[r]!;
  const err = tok.recErr[r]!;
  const fields = tok.recFields[r]!;
  const at = (c: number, reason: string) => new MalformedRecordError('CSV', file, line, c + 1, data[c]?.name ?? null, reason);
  if (err === E_UNTERMINATED) return at(tok.recErrCol[r]!, 'unterminated quoted field: the closing quote is missing before the end of the file');
  if (err === E_AFTER_QUOTE) return at(tok.recErrCol[r]!, 'unexpected character after a closing quote (a quote inside a quoted field must be doubled)');
  if (fields !== W) {
    return at(fields < W ? fields : W, `record has ${fields} field${fields === 1 ? '' : 's'}, expected ${W}`);
  }
  const c = bad[r]! - 1;
  const k = r * tok.width + c;
  const src = (tok.flags[k]! & F_SCRATCH) !== 0 ? tok.scratch : buf;
  return at(c, valueFailureReason(data[c]!.type, decodeUtf8(src, tok.starts[k]!, tok.ends[k]!)));
}
