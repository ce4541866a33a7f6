// Infers the schema of rows a lambda returned: the union of their keys in first-seen order;
// numbers are float64 (a JS number has no integer type, and a later row may hold 2.5), bigints
// int64, strings, booleans, Dates timestamps; a field that is NULL in every sample is a string.
import type { Field, DataType, Schema } from '../planner/types.js';
import { LambdaError } from './lambda.js';

export function inferRowSchema(rows: readonly unknown[], op: string): Schema {
  const types = new Map<string, DataType | null>();
  for (const r of rows) {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      throw new LambdaError(`${op}() must return row objects like { a: 1 }, got ${Array.isArray(r) ? 'an array' : r === null ? 'null' : typeof r}`);
    }
    for (const [k, v] of Object.entries(r)) {
      const t = valueType(v, k, op);
      const prev = types.get(k);
      if (prev === undefined || prev === null) types.set(k, t);
      else if (t !== null && t !== prev) {
        throw new LambdaError(`${op}() returned field '${k}' as ${prev} in one row and ${t} in another; return one type per field`);
      }
    }
  }
  const out: Field[] = [];
  for (const [name, t] of types) out.push({ name, type: t ?? 'string', nullable: true });
  return out;
}

function valueType(v: unknown, k: string, op: string): DataType | null {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'number': return 'float64';
    case 'bigint': return 'int64';
    case 'string': return 'string';
    case 'boolean': return 'boolean';
    default:
      if (v instanceof Date) return 'timestamp';
      throw new LambdaError(
        `${op}() returned field '${k}' holding ${Array.isArray(v) ? 'an array' : 'an object'}; rows must be flat ` +
        `(numbers, strings, booleans, bigints, Dates or null)`,
      );
  }
}
