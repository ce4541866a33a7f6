// Generated rows as an Apache Arrow table, built with apache-arrow itself (not Sparrow's own
// conversion, which fromArrow is meant to be checked against): Int64 as BigInt, dates as
// DateDay, timestamps in milliseconds or microseconds, strings as Utf8 or as a dictionary, and
// the rows split over several record batches (a table may have none at all).
import * as arrow from 'apache-arrow';
import type { Rand } from './gen-random.js';
import type { Row, TypeName } from './e2e.js';
import type { TableSpec } from './gen-table.js';

const MS_DAY = 86_400_000;

function arrowType(t: TypeName, dictionary: boolean, micros: boolean): arrow.DataType {
  switch (t) {
    case 'int32': return new arrow.Int32();
    case 'int64': return new arrow.Int64();
    case 'float64': return new arrow.Float64();
    case 'string': return dictionary ? new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()) : new arrow.Utf8();
    case 'boolean': return new arrow.Bool();
    case 'date': return new arrow.DateDay();
    case 'timestamp': return micros ? new arrow.TimestampMicrosecond() : new arrow.TimestampMillisecond();
  }
}

function arrowValue(v: unknown, t: TypeName, micros: boolean): unknown {
  if (v === null || v === undefined) return null;
  switch (t) {
    case 'int64': return BigInt(v as number);
    case 'date': return new Date((v as number) * MS_DAY);
    case 'timestamp': return micros ? (v as number) : new Date(v as number); // apache-arrow takes milliseconds for either unit
    default: return v;
  }
}

/** How the Arrow table was built (printed with a failing pipeline). */
export interface ArrowLayout {
  readonly batchSizes: readonly number[];
  readonly dictionaryColumns: readonly string[];
  readonly microsColumns: readonly string[];
}

export function toArrowTable(r: Rand, t: TableSpec): { table: arrow.Table; layout: ArrowLayout } {
  const dict = new Set(t.columns.filter((c) => c.type === 'string' && r.chance(0.3)).map((c) => c.name));
  const micros = new Set(t.columns.filter((c) => c.type === 'timestamp' && r.chance(0.5)).map((c) => c.name));
  const fields = t.columns.map((c) => new arrow.Field(c.name, arrowType(c.type, dict.has(c.name), micros.has(c.name)), true));
  const schema = new arrow.Schema(fields);
  const sizes: number[] = [];
  for (let at = 0; at < t.rows.length;) {
    const n = Math.min(t.rows.length - at, r.pick([1, 7, 50, 1000]));
    sizes.push(n);
    at += n;
  }
  const batches: arrow.RecordBatch[] = [];
  let at = 0;
  for (const n of sizes) {
    const slice: readonly Row[] = t.rows.slice(at, at + n);
    at += n;
    const vectors: Record<string, arrow.Vector> = {};
    for (const [j, c] of t.columns.entries()) {
      const m = micros.has(c.name);
      vectors[c.name] = arrow.vectorFromArray(slice.map((row) => arrowValue(row[c.name], c.type, m)), fields[j]!.type);
    }
    batches.push(...new arrow.Table(vectors).batches.map((b) => new arrow.RecordBatch(schema, b.data)));
  }
  return {
    table: new arrow.Table(schema, batches),
    layout: { batchSizes: sizes, dictionaryColumns: [...dict], microsColumns: [...micros] },
  };
}
