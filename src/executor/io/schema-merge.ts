// Schema drift between the files of one input, and Spark's `mergeSchema` option.
//
// Without mergeSchema every file must hold the same columns (by name, any order) with the same
// types; the first disagreement is an error naming both files and the column. With mergeSchema
// the result is the union of the columns by name (order of first appearance; a column missing
// from some file is nullable and reads as NULL there) and a column whose type differs between
// files is widened along int32 → int64 → float64. Any other type change is an error naming
// both files: there is no lossless type to read both as.
import { type DataType, type Field, type Schema, widerNumeric } from '../../planner/types.js';

export interface FileSchema {
  readonly path: string;
  readonly schema: Schema;
}

export type DriftFormat = 'Parquet' | 'CSV' | 'JSON';

const MERGE_HINT = 'read with mergeSchema: true to get the union of the columns (NULL where a file lacks one)';
const WIDEN_RULE = 'mergeSchema widens only int32 → int64 → float64';

/** The type both `a` and `b` can be read as without loss, or null. */
export function mergeableType(a: DataType, b: DataType): DataType | null {
  return a === b ? a : widerNumeric(a, b);
}

/** The schema of all files together (see the header); errors name both files and the column. */
export function mergeSchemas(files: readonly FileSchema[], merge: boolean, format: DriftFormat): Schema {
  if (files.length === 0) return [];
  const first = files[0]!;
  const fields: Field[] = first.schema.map((f) => ({ ...f }));
  /** For each column, the file it was first seen in (named in errors). */
  const origin: string[] = fields.map(() => first.path);
  const index = new Map(fields.map((f, i) => [f.name, i] as const));
  for (const m of files.slice(1)) {
    const seen = new Set<string>();
    for (const f of m.schema) {
      seen.add(f.name);
      const i = index.get(f.name);
      if (i === undefined) {
        if (!merge) throw new Error(`${format} files disagree: column '${f.name}' is in ${m.path} but not in ${first.path}; ${MERGE_HINT}`);
        index.set(f.name, fields.length);
        fields.push({ ...f, nullable: true });
        origin.push(m.path);
        continue;
      }
      const g = fields[i]!;
      if (g.type !== f.type) {
        if (!merge) {
          throw new Error(`${format} files disagree on column '${f.name}': ${g.type} in ${origin[i]}, ${f.type} in ${m.path}; ` +
            `with mergeSchema: true ${WIDEN_RULE}`);
        }
        const t = mergeableType(g.type, f.type);
        if (t === null) {
          throw new Error(`cannot merge the schemas of ${format} files: column '${f.name}' is ${g.type} in ${origin[i]} but ${f.type} in ${m.path} (${WIDEN_RULE})`);
        }
        fields[i] = { ...g, type: t };
      }
      if (f.nullable && !fields[i]!.nullable) fields[i] = { ...fields[i]!, nullable: true };
    }
    for (let i = 0; i < fields.length; i++) {
      const g = fields[i]!;
      if (seen.has(g.name)) continue;
      if (!merge) throw new Error(`${format} files disagree: column '${g.name}' is in ${origin[i]} but not in ${m.path}; ${MERGE_HINT}`);
      if (!g.nullable) fields[i] = { ...g, nullable: true };
    }
  }
  return fields;
}

/**
 * CSV header drift: without mergeSchema every file's header must equal the first file's (the
 * columns are read by position). Returns silently when they agree.
 */
export function checkSameHeader(first: { path: string; names: readonly string[] }, other: { path: string; names: readonly string[] }): void {
  const a = first.names, b = other.names;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    const what = a[i] === undefined
      ? `${other.path} has an extra column ${i + 1} '${b[i]}' that ${first.path} lacks`
      : b[i] === undefined
        ? `column ${i + 1} '${a[i]}' of ${first.path} is missing from ${other.path}`
        : `column ${i + 1} is '${a[i]}' in ${first.path} but '${b[i]}' in ${other.path}`;
    throw new Error(`CSV files disagree on their header: ${what}; ${MERGE_HINT}, matched by header name`);
  }
}
