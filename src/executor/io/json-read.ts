// Worker side of the JSON-lines reader: one whole file → batches of the requested columns.
// Each non-blank line must hold one JSON object; its keys map to schema columns by name
// (missing keys and JSON null are NULL; keys not in the schema are ignored). A line that is
// not valid JSON, not an object, or holds a value of the wrong type for its column is
// malformed. As in the CSV reader every schema column is checked, requested or not. With
// badRecordsPath the dropped records also go to the job's quarantine (bad-records.ts).
import type { Schema } from '../../planner/types.js';
import type { Batch } from '../batch.js';
import { jsonMismatchReason, putJsonValue } from './json-convert.js';
import { KeyIndex } from './json-keys.js';
import { LineCursor } from './json-lines.js';
import { JsonRecord } from './json-scan.js';
import { BatchAssembler, planScan } from './text-batch.js';
import { ChunkReader } from './text-chunks.js';
import { MalformedRecordError } from './text-errors.js';
import { DEFAULT_BATCH_ROWS, effectiveMode, type JsonOptions, type ReadMetrics } from './text-options.js';
import { Quarantine } from './bad-records.js';

const RESERVE_STEP = 1024;

export function* readJsonFile(
  file: string, schema: Schema, columns: readonly string[], opts: JsonOptions, metrics: ReadMetrics,
  batchRows: number = DEFAULT_BATCH_ROWS,
): Generator<Batch, void, undefined> {
  const where = `JSON scan of ${file}`;
  if (!(batchRows >= 1)) throw new Error(`${where}: batchRows must be at least 1, got ${batchRows}`);
  const mode = effectiveMode(opts, 'JSON options');
  const layout = planScan(schema, columns, where);
  const data = layout.data;
  const W = data.length;
  const types = data.map((f) => f.type);
  const keys = new KeyIndex(data.map((f) => f.name));
  const q = Quarantine.open(opts as Readonly<Record<string, unknown>>, file);
  let readOk = true;
  const reader = new ChunkReader(file, 'JSON');
  try {
    const cur = new LineCursor(reader);
    const rec = new JsonRecord();
    const slotOf = new Int32Array(W);
    const stamp = new Float64Array(W);
    let recNo = 0;
    const asm = new BatchAssembler(layout, batchRows, reader.eof ? Math.ceil(reader.end / 16) : batchRows);
    const sinks = asm.sinks;
    const corrupt = layout.corruptSink >= 0 ? sinks[layout.corruptSink]! : null;
    let reserved = 0;
    while (cur.next()) {
      if (asm.full) { const b = asm.take(); reserved = 0; if (b) yield b; }
      const row = asm.rows;
      if (row >= reserved) { const n = Math.min(RESERVE_STEP, batchRows - row); asm.reserve(n); reserved = row + n; }
      const buf = cur.buf;
      const ok = rec.scan(buf, cur.s, cur.e);
      recNo++;
      if (ok) {
        for (let j = 0; j < rec.count; j++) {
          const c = keys.find(buf, rec, j, false);
          if (c >= 0) { slotOf[c] = j; stamp[c] = recNo; }
        }
      }
      let badCol = -1;
      for (let c = 0; c < W; c++) {
        const si = layout.sinkOfData[c]!;
        const sink = si >= 0 ? sinks[si]! : null;
        if (!ok || stamp[c] !== recNo) { if (sink !== null) sink.setNull(row); continue; }
        const j = slotOf[c]!;
        if (sink === null && types[c] === 'string') continue;
        if (!putJsonValue(types[c]!, rec.kind[j]!, buf, rec.valS[j]!, rec.valE[j]!, rec.valEsc[j] === 1, sink, row) && badCol < 0) badCol = c;
      }
      if (ok && badCol < 0) {
        if (corrupt !== null) corrupt.setNull(row);
      } else if (mode === 'FAILFAST') {
        if (!ok) throw new MalformedRecordError('JSON', file, cur.line, null, null, rec.error);
        const j = slotOf[badCol]!;
        throw new MalformedRecordError('JSON', file, cur.line, badCol + 1, data[badCol]!.name,
          jsonMismatchReason(types[badCol]!, rec.kind[j]!, buf, rec.valS[j]!, rec.valE[j]!, rec.valEsc[j] === 1));
      } else if (mode === 'DROPMALFORMED') {
        asm.drop(row);
        metrics.droppedMalformed++;
        if (q !== null) {
          const j = ok ? slotOf[badCol]! : 0;
          q.add(cur.line, buf, cur.s, cur.e, ok
            ? `column ${badCol + 1} ('${data[badCol]!.name}'): ${jsonMismatchReason(types[badCol]!, rec.kind[j]!, buf, rec.valS[j]!, rec.valE[j]!, rec.valEsc[j] === 1)}`
            : rec.error);
        }
        if (corrupt !== null) corrupt.setNull(row);
      } else {
        metrics.corruptRecords++;
        if (corrupt !== null) corrupt.appendBytes(row, buf, cur.s, cur.e);
      }
      asm.rows = row + 1;
    }
    const last = asm.take();
    if (last) yield last;
  } catch (err) {
    readOk = false;
    throw err;
  } finally {
    reader.close();
    q?.close(readOk);
  }
}
