// The JSON-lines reader (Spark semantics, see DESIGN.md §3 and json-infer.ts / json-read.ts):
// one JSON object per line; blank lines are skipped. Modes as for CSV (csv.ts).
export { inferJsonSchema } from './json-infer.js';
export { readJsonFile } from './json-read.js';
export { MalformedRecordError } from './text-errors.js';
export { type JsonOptions, type ReadMetrics, type ReadMode, CORRUPT_RECORD, newReadMetrics } from './text-options.js';
