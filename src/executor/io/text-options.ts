// Options of the CSV and JSON-lines readers, and their normalisation into what the byte-level
// parsers need (single-byte delimiter/quote/escape, the null marker as bytes, the parse mode).
// Defaults follow Spark except where noted: `header` and `inferSchema` default to true.
import * as arrow from 'apache-arrow';
import { type DataType, type Field, type Schema, field, parseTypeName, DATA_TYPES } from '../../planner/types.js';
import { arrowSchemaToSchema } from '../arrow.js';

/** An explicit schema: Sparrow fields, `{ column: typeName }`, or an Arrow Schema. */
export type SchemaOption = Schema | Record<string, string> | arrow.Schema;

export type ReadMode = 'FAILFAST' | 'DROPMALFORMED' | 'PERMISSIVE';

export interface CsvOptions {
  /** First non-blank line holds column names (default true). Without: `_c0`, `_c1`, ... */
  header?: boolean;
  /** One ASCII character (default ','); '\\t' (backslash, t) means tab. */
  delimiter?: string;
  /** One ASCII character (default '"'); '' turns quoting off. */
  quote?: string;
  /** Escape inside quoted fields (default '"': a doubled quote is a quote, RFC 4180). With '\\', `\"` is a
   * quote and `\\` a backslash; doubled quotes are still understood. */
  escape?: string;
  /** A field equal to this text is NULL (default ''). An empty unquoted field is always NULL. */
  nullValue?: string;
  mode?: ReadMode;
  /** Explicit schema: columns map to fields by position (with or without a header), as in Spark. */
  schema?: SchemaOption;
  /** Infer column types from the data (default true when no schema); false reads every column as string. */
  inferSchema?: boolean;
  /** Rows per file that inference looks at when the input is larger than INFER_ALL_ROWS_BYTES. */
  samplingRows?: number;
  /** Files whose headers differ are read by header name, as the union of their columns (default false: an error). */
  mergeSchema?: boolean;
  /** Quarantine malformed records as JSON lines under this directory instead of failing (bad-records.ts). */
  badRecordsPath?: string;
  /** Read `<path>/v<N>`: a version number, or 'latest' for the highest committed one (versions.ts). */
  version?: number | 'latest';
}

export interface JsonOptions {
  mode?: ReadMode;
  schema?: SchemaOption;
  /** Records per file that inference looks at when the input is larger than INFER_ALL_ROWS_BYTES. */
  samplingRows?: number;
  /** Accepted for symmetry: JSON files always merge by key; integer and float values merge to float64. */
  mergeSchema?: boolean;
  /** Quarantine malformed records as JSON lines under this directory instead of failing (bad-records.ts). */
  badRecordsPath?: string;
  /** Read `<path>/v<N>`: a version number, or 'latest' for the highest committed one (versions.ts). */
  version?: number | 'latest';
}

export interface ReadMetrics {
  /** Records skipped in DROPMALFORMED mode. */
  droppedMalformed: number;
  /** Records kept with a `_corrupt_record` in PERMISSIVE mode. */
  corruptRecords: number;
}

export function newReadMetrics(): ReadMetrics {
  return { droppedMalformed: 0, corruptRecords: 0 };
}

/** The column PERMISSIVE mode adds; it holds the raw text of a record that did not parse. */
export const CORRUPT_RECORD = '_corrupt_record';
export const DEFAULT_BATCH_ROWS = 65_536;
/** Inference reads every row when the input files total at most this many bytes... */
export const INFER_ALL_ROWS_BYTES = 64 * 1024 * 1024;
/** ...and otherwise the first `samplingRows` records of each file (default below). */
export const DEFAULT_SAMPLING_ROWS = 100_000;

export function normalizeMode(mode: string | undefined, where: string): ReadMode {
  if (mode === undefined) return 'FAILFAST';
  const m = String(mode).toUpperCase();
  if (m === 'FAILFAST' || m === 'DROPMALFORMED' || m === 'PERMISSIVE') return m;
  throw new Error(`${where}: unknown mode '${mode}'; expected 'FAILFAST', 'DROPMALFORMED' or 'PERMISSIVE'`);
}

/**
 * The parse mode a read runs in: `mode`, except that `badRecordsPath` means DROPMALFORMED
 * (malformed records go to the quarantine, not into the result); another explicit mode with it
 * is an error rather than a silent choice.
 */
export function effectiveMode(opts: { mode?: string; badRecordsPath?: unknown }, where: string): ReadMode {
  const mode = normalizeMode(opts.mode, where);
  if (opts.badRecordsPath === undefined || opts.badRecordsPath === null) return mode;
  if (typeof opts.badRecordsPath !== 'string' || opts.badRecordsPath === '') {
    throw new Error(`${where}: badRecordsPath must be a directory path, got ${JSON.stringify(opts.badRecordsPath)}`);
  }
  if (opts.mode !== undefined && mode !== 'DROPMALFORMED') {
    throw new Error(`${where}: badRecordsPath quarantines malformed records and leaves them out of the result, so it cannot be combined with mode '${opts.mode}' (leave mode unset or use 'DROPMALFORMED')`);
  }
  return 'DROPMALFORMED';
}

/** A `schema` option as a Schema. */
export function resolveSchemaOption(schema: SchemaOption, where: string): Schema {
  if (schema instanceof arrow.Schema) return arrowSchemaToSchema(schema);
  if (Array.isArray(schema)) {
    return (schema as readonly Field[]).map((f, i) => {
      if (!f || typeof f.name !== 'string' || !DATA_TYPES.includes(f.type as DataType)) {
        throw new Error(`${where}: schema field ${i} must be { name, type } with type one of ${DATA_TYPES.join(', ')}; got ${JSON.stringify(f)}`);
      }
      return field(f.name, f.type, f.nullable !== false);
    });
  }
  if (schema === null || typeof schema !== 'object') {
    throw new Error(`${where}: schema must be an object { column: typeName } or a list of fields`);
  }
  return Object.entries(schema as Record<string, string>).map(([name, t]) => {
    if (typeof t !== 'string') throw new Error(`${where}: type of column '${name}' must be a type name string, got ${JSON.stringify(t)}`);
    return field(name, parseTypeName(t, `${where}, column '${name}'`));
  });
}

/** The data schema a read returns: in PERMISSIVE mode it ends with `_corrupt_record: string`. */
export function withCorruptColumn(data: Schema, mode: ReadMode): Schema {
  if (mode !== 'PERMISSIVE' || data.some((f) => f.name === CORRUPT_RECORD)) return data;
  return [...data, field(CORRUPT_RECORD, 'string')];
}

/** The fields that come from the file (everything but `_corrupt_record`). */
export function dataFields(schema: Schema, where: string): Schema {
  const out: Field[] = [];
  for (const f of schema) {
    if (f.name === CORRUPT_RECORD) {
      if (f.type !== 'string') throw new Error(`${where}: column '${CORRUPT_RECORD}' must be a string, got ${f.type}`);
      continue;
    }
    out.push(f);
  }
  return out;
}

/** Everything the CSV tokenizer and converters need, as bytes. */
export interface CsvDialect {
  readonly header: boolean;
  readonly delim: number;
  /** 256 when quoting is off (never matches a byte). */
  readonly quote: number;
  readonly escape: number;
  readonly nullValue: Uint8Array;
  readonly mode: ReadMode;
  readonly inferSchema: boolean;
  readonly samplingRows: number;
  /** 1 at the delimiter, LF and CR: the bytes that end an unquoted field. */
  readonly stops: Uint8Array;
}

export function csvDialect(opts: CsvOptions): CsvDialect {
  const where = 'CSV options';
  const delim = singleByte(opts.delimiter ?? ',', 'delimiter', false);
  const quote = singleByte(opts.quote ?? '"', 'quote', true);
  const escape = singleByte(opts.escape ?? (opts.quote ?? '"'), 'escape', true);
  if (delim === quote) throw new Error(`${where}: delimiter and quote must differ (both '${opts.delimiter}')`);
  if (delim === 10 || delim === 13) throw new Error(`${where}: the delimiter cannot be a line break`);
  const stops = new Uint8Array(257);
  stops[delim] = 1; stops[10] = 1; stops[13] = 1;
  return {
    header: opts.header ?? true,
    stops,
    delim,
    quote,
    escape,
    nullValue: new TextEncoder().encode(opts.nullValue ?? ''),
    mode: effectiveMode(opts, where),
    inferSchema: opts.inferSchema ?? true,
    samplingRows: samplingRows(opts.samplingRows, where),
  };
}

export function samplingRows(n: number | undefined, where: string): number {
  if (n === undefined) return DEFAULT_SAMPLING_ROWS;
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${where}: samplingRows must be a positive integer, got ${n}`);
  return n;
}

function singleByte(s: string, what: string, allowEmpty: boolean): number {
  if (typeof s !== 'string') throw new Error(`CSV options: ${what} must be a string, got ${typeof s}`);
  if (s === '\\t') return 9;
  if (s === '' && allowEmpty) return 256;
  if (s.length !== 1 || s.charCodeAt(0) > 127) {
    throw new Error(`CSV options: ${what} must be a single ASCII character, got ${JSON.stringify(s)}`);
  }
  return s.charCodeAt(0);
}
