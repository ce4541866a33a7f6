// Size estimates for every logical node: rows and bytes. They drive physical choices (join
// strategy in the next stages of the project) and are printed by explain().
//
// Sources, best first: exact for in-memory data (LocalRelation, Range); Parquet footers give
// exact row counts (and row-group min/max refine filter selectivity); CSV/JSON only have file
// sizes, from which rows are guessed with an assumed bytes-per-row of the schema's width.
//
// Filter selectivity heuristics (documented, not measured), chosen to err high: an estimate
// that is too small can broadcast a large side, one that is too large only costs a shuffle,
// which adaptive execution then undoes with the measured size. `=` 0.5, `!=` 0.9, `<`, `<=`,
// `>`, `>=` 0.5, IS NULL 0.1, IS NOT NULL 0.9, IN k values min(0.25·k, 0.9), AND multiplies,
// OR adds minus the overlap, NOT complements, anything else 0.5.
//
// Joins (no key statistics yet): an equi-join is assumed to match each row of the larger side
// with one row of the smaller (a fact table joined to a dimension): inner, left, right and full
// joins estimate max(left, right) rows; semi and anti joins half the left. Distinct estimates
// half its input. Sort, repartition and hints keep their input's numbers.
import type { Expr } from './expr.js';
import type { LogicalPlan, FileSource } from './logical.js';
import { schemaOf } from './analyzer.js';
import { type Schema, typeWidth, assertNever } from './types.js';

export interface Stats {
  readonly rows: number;
  readonly bytes: number;
  /** True when the numbers are exact rather than estimated. */
  readonly exact: boolean;
}

const cache = new WeakMap<LogicalPlan, Stats>();

export function rowWidth(schema: Schema): number {
  return schema.reduce((s, f) => s + typeWidth(f.type), 0) || 1;
}

export function estimate(p: LogicalPlan): Stats {
  const hit = cache.get(p);
  if (hit) return hit;
  const s = compute(p);
  cache.set(p, s);
  return s;
}

function compute(p: LogicalPlan): Stats {
  switch (p.kind) {
    case 'local': return { rows: p.numRows, bytes: p.sizeBytes, exact: true };
    case 'range': {
      const rows = Math.max(0, Math.ceil((p.end - p.start) / p.step));
      return { rows, bytes: rows * 8, exact: true };
    }
    case 'scan': return scanStats(p.source, schemaOf(p), p.filters);
    case 'project': {
      const child = estimate(p.input);
      const w = rowWidth(schemaOf(p));
      return { rows: child.rows, bytes: Math.round(child.rows * w), exact: false };
    }
    case 'filter': {
      const child = estimate(p.input);
      const sel = selectivity(p.condition, p.input);
      const rows = Math.round(child.rows * sel);
      return { rows, bytes: Math.round(child.bytes * sel), exact: false };
    }
    case 'mapUdf': {
      const child = estimate(p.input);
      // map keeps the row count; flatMap/mapPartitions are unknown, assume the same;
      // a lambda filter keeps half.
      const rows = p.udf === 'filter' ? Math.round(child.rows / 2) : child.rows;
      return { rows, bytes: Math.round(rows * rowWidth(schemaOf(p))), exact: false };
    }
    case 'aggregate': {
      const child = estimate(p.input);
      // Whole-dataset aggregates give one row; grouped ones are guessed at a tenth of the
      // input (no distinct counts are known yet).
      const rows = p.groupBy.length === 0 ? 1 : Math.max(1, Math.round(child.rows / 10));
      return { rows, bytes: rows * rowWidth(schemaOf(p)), exact: p.groupBy.length === 0 };
    }
    case 'limit': {
      const child = estimate(p.input);
      const rows = Math.min(p.n, child.rows);
      const bytes = child.rows > 0 ? Math.round(child.bytes * (rows / child.rows)) : 0;
      return { rows, bytes, exact: child.exact };
    }
    case 'union': {
      const parts = p.inputs.map(estimate);
      return {
        rows: parts.reduce((s, x) => s + x.rows, 0),
        bytes: parts.reduce((s, x) => s + x.bytes, 0),
        exact: parts.every((x) => x.exact),
      };
    }
    case 'join': {
      const l = estimate(p.left), r = estimate(p.right);
      const rows = p.how === 'semi' || p.how === 'anti' ? Math.round(l.rows / 2) : Math.max(l.rows, r.rows);
      return { rows, bytes: Math.round(rows * rowWidth(schemaOf(p))), exact: false };
    }
    case 'distinct': {
      const child = estimate(p.input);
      return { rows: Math.round(child.rows / 2), bytes: Math.round(child.bytes / 2), exact: false };
    }
    // A cached dataset not computed yet is estimated like its plan; once computed, the engine
    // replaces it by its blocks, whose sizes are measured (exact).
    case 'sort': case 'repartition': case 'hint': case 'cached': return estimate(p.input);
    default: return assertNever(p, 'plan node');
  }
}

function scanStats(src: FileSource, out: Schema, filters: readonly Expr[]): Stats {
  const allWidth = rowWidth([...src.dataSchema, ...src.partitionSchema]);
  const outWidth = rowWidth(out);
  let rows = 0;
  let exact = true;
  for (const f of src.files) {
    if (f.numRows !== null) rows += f.numRows;
    else { rows += Math.round(f.size / allWidth); exact = false; }
  }
  let bytes = Math.round(rows * outWidth);
  if (filters.length > 0) {
    // The scan itself does not drop rows exactly (only whole row groups); the Filter above it
    // carries the selectivity. Rows here are what the reader returns.
    exact = false;
  }
  return { rows, bytes, exact };
}

/** Estimated fraction of rows for which `e` is TRUE. */
export function selectivity(e: Expr, _input?: LogicalPlan): number {
  switch (e.kind) {
    case 'lit': return e.value === true ? 1 : 0;
    case 'binary':
      switch (e.op) {
        case 'and': return selectivity(e.left) * selectivity(e.right);
        case 'or': { const a = selectivity(e.left), b = selectivity(e.right); return a + b - a * b; }
        case '=': return 0.5;
        case '!=': return 0.9;
        case '<': case '<=': case '>': case '>=': return 0.5;
        default: return 0.5;
      }
    case 'not': return 1 - selectivity(e.child);
    case 'isNull': return e.negated ? 0.9 : 0.1;
    case 'in': return Math.min(0.25 * e.values.length, 0.9);
    default: return 0.5;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(1)} ${units[u]}`;
}
