// The CSV reader (Spark semantics, see DESIGN.md §3): inferCsvSchema runs on the driver before
// planning; readCsvFile runs in a worker, one whole file per call.
//
//   RFC 4180 quoting (quoted delimiters, quotes and line breaks), LF / CRLF / CR line ends, a
//   UTF-8 BOM is skipped, blank lines are skipped. With a header, an explicit schema maps to the
//   columns by position. Empty unquoted field or `nullValue` → NULL; "" → '' for strings.
//   Modes: FAILFAST throws MalformedRecordError (file, line, column); DROPMALFORMED skips and
//   counts in metrics.droppedMalformed; PERMISSIVE keeps the record with unparsable fields NULL
//   and its raw text in `_corrupt_record`, counted in metrics.corruptRecords. badRecordsPath:
//   as DROPMALFORMED, the records written to the job's quarantine (bad-records.ts). Files
//   whose headers differ are an error, or with mergeSchema are read by header name.
export { inferCsvSchema } from './csv-infer.js';
export { readCsvFile } from './csv-read.js';
export { MalformedRecordError } from './text-errors.js';
export {
  type CsvOptions, type ReadMetrics, type ReadMode, CORRUPT_RECORD, DEFAULT_BATCH_ROWS, newReadMetrics,
} from './text-options.js';
