// The first record of a CSV file (its header when `header` is set), decoded, without consuming
// it: used by schema inference on the driver and, with mergeSchema, by the reader to map each
// file's columns to the merged schema by name.
import { decodeUtf8 } from '../batch.js';
import { CsvTokens, F_MISSING, F_SCRATCH } from './csv-tokenizer.js';
import { headerNames } from './infer.js';
import { ChunkReader } from './text-chunks.js';
import type { CsvDialect } from './text-options.js';

/** The fields of the first record (decoded), or null for an empty file. Does not consume it. */
export function firstRecord(reader: ChunkReader, d: CsvDialect, start: number): string[] | null {
  let tok = new CsvTokens(1, 1);
  for (let pass = 0; pass < 2; pass++) {
    for (;;) {
      tok.pos = start;
      tok.line = 1;
      tok.tokenize(reader.buf, reader.end, reader.eof, d, 1);
      if (tok.count === 1) break;
      if (reader.eof) return null;
      reader.refill(0);                    // keeps positions: grows or reads more behind
    }
    if (pass === 0) tok = new CsvTokens(tok.recFields[0]!, 1);
  }
  const out: string[] = [];
  for (let c = 0; c < tok.width; c++) {
    const src = (tok.flags[c]! & F_SCRATCH) !== 0 ? tok.scratch : reader.buf;
    out.push((tok.flags[c]! & F_MISSING) !== 0 ? '' : decodeUtf8(src, tok.starts[c]!, tok.ends[c]!));
  }
  return out;
}

/** The column names of a file's header (made unique as Spark does), or null for an empty file. */
export function readHeaderNames(file: string, d: CsvDialect): string[] | null {
  const reader = new ChunkReader(file, 'CSV');
  try {
    const first = firstRecord(reader, d, reader.bomLength());
    return first === null ? null : headerNames(first);
  } finally {
    reader.close();
  }
}
