// Spark's semantics written as DuckDB SQL, for the property-based test's oracle. Where the two
// engines agree the SQL is plain; where they differ the SQL spells out what Spark (and so
// Sparrow) does:
//   - int32 + - * and negation wrap around (Spark, non-ANSI); DuckDB raises on overflow, so
//     the SQL computes in BIGINT and wraps by hand. int64 → int32 keeps the low 32 bits.
//   - x / 0 and x % 0 are NULL for every numeric type (DuckDB gives ±Infinity for doubles);
//     `/` is always floating-point division.
//   - double → int truncates toward zero, saturates at the type's bounds and maps NaN to 0
//     (DuckDB rounds, and raises when out of range).
//   - string → int accepts [+-]digits[.digits] and drops the fraction ('1.9' → 1; DuckDB
//     rounds), after trimming bytes <= 0x20; string → double accepts Java's syntax (a d/f
//     suffix, 'Infinity', 'NaN'); string → boolean accepts t/true/y/yes/1 and f/false/n/no/0.
//     Anything else is NULL, as TRY_CAST.
//   - boolean → string is 'true'/'false'; timestamp ↔ int64 counts seconds (flooring).
//   - ordering: ascending puts NULLs first and descending last (DuckDB's default is NULLS
//     LAST both ways), -0.0 sorts equal to 0.0 (DuckDB orders -0.0 first), NaN is larger than
//     every other double (as in DuckDB).
// The same as DuckDB, so written plainly: NaN = NaN is true and NaN > +Infinity; -0.0 = 0.0;
// strings compare by their UTF-8 bytes; NULLs group together; -0.0 and 0.0 group and join
// together; IN and three-valued logic; double arithmetic is IEEE (no errors on overflow).
import { duckType, type TypeName } from './e2e.js';

const I32 = 'INTEGER';

export function q(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A BIGINT SQL value wrapped into int32 two's complement range. */
export function wrap32(x: string): string {
  return `CAST((((${x}) + 2147483648) % 4294967296 + 4294967296) % 4294967296 - 2147483648 AS ${I32})`;
}

export type ArithOp = '+' | '-' | '*' | '/' | '%';

/** `l op r` where both are already of type t (t is float64 for '/'). */
export function arithSql(op: ArithOp, l: string, r: string, t: TypeName): string {
  if (op === '/' || op === '%') {
    const body = t === 'int32' ? `CAST(CAST(${l} AS BIGINT) % CAST(${r} AS BIGINT) AS ${I32})` : `(${l} ${op} ${r})`;
    return `(CASE WHEN ${r} = 0 THEN NULL ELSE ${body} END)`;
  }
  if (t === 'int32') return wrap32(`CAST(${l} AS BIGINT) ${op} CAST(${r} AS BIGINT)`);
  return `(${l} ${op} ${r})`;
}

export function negSql(x: string, t: TypeName): string {
  if (t === 'int32') return wrap32(`-CAST(${x} AS BIGINT)`);
  return `(-${x})`;
}

const TRIM_CHARS = `(${Array.from({ length: 32 }, (_, i) => `chr(${i + 1})`).join(' || ')})`;
const trimmed = (s: string) => `trim(${s}, ${TRIM_CHARS})`;

function stringToInt(s: string, to: 'int32' | 'int64'): string {
  const t = trimmed(s);
  const ip = `regexp_extract(${t}, '^[+-]?[0-9]*')`;
  return `(CASE WHEN regexp_full_match(${t}, '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)') ` +
    `THEN TRY_CAST(CASE WHEN regexp_full_match(${ip}, '[+-]?') THEN '0' ELSE ${ip} END AS ${duckType(to)}) ELSE NULL END)`;
}

function stringToDouble(s: string): string {
  const t = trimmed(s);
  return `(CASE WHEN regexp_full_match(${t}, '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?[dDfF]?') ` +
    `THEN CAST(regexp_replace(${t}, '[dDfF]$', '') AS DOUBLE) ` +
    `WHEN regexp_full_match(${t}, '(?i)[+-]?inf(inity)?') THEN CAST(CASE WHEN starts_with(${t}, '-') THEN '-inf' ELSE 'inf' END AS DOUBLE) ` +
    `WHEN regexp_full_match(${t}, '(?i)[+-]?nan') THEN CAST('nan' AS DOUBLE) ELSE CAST(NULL AS DOUBLE) END)`;
}

function stringToBoolean(s: string): string {
  const t = `lower(${trimmed(s)})`;
  return `(CASE WHEN ${t} IN ('t', 'true', 'y', 'yes', '1') THEN TRUE WHEN ${t} IN ('f', 'false', 'n', 'no', '0') THEN FALSE ELSE CAST(NULL AS BOOLEAN) END)`;
}

function doubleToIntegral(x: string, to: 'int32' | 'int64'): string {
  const [max, min] = to === 'int32' ? ['2147483647', '-2147483648'] : ['9223372036854775807', '-9223372036854775808'];
  const ty = duckType(to);
  return `CAST(CASE WHEN isnan(${x}) THEN 0 WHEN ${x} >= CAST(${max} AS DOUBLE) THEN CAST(${max} AS ${ty}) ` +
    `WHEN ${x} <= CAST(${min} AS DOUBLE) THEN CAST(${min} AS ${ty}) ELSE CAST(trunc(${x}) AS ${ty}) END AS ${ty})`;
}

/** `t` where the boolean x is true, `f` where false, NULL where NULL. */
function boolCase(x: string, t: string, f: string): string {
  return `(CASE WHEN ${x} THEN ${t} WHEN NOT ${x} THEN ${f} END)`;
}

/**
 * CAST(x AS to) with Spark's rules, x of type `from`. Supports the casts the expression
 * generator makes (double → string only as part of a round trip, see gen-expr.ts).
 */
export function castSql(x: string, from: TypeName, to: TypeName): string {
  if (from === to) return x;
  const ty = duckType(to);
  switch (to) {
    case 'int32':
      if (from === 'int64') return wrap32(x);
      if (from === 'float64') return doubleToIntegral(x, 'int32');
      if (from === 'boolean') return `CAST(${boolCase(x, '1', '0')} AS ${ty})`;
      if (from === 'string') return stringToInt(x, 'int32');
      break;
    case 'int64':
      if (from === 'int32') return `CAST(${x} AS BIGINT)`;
      if (from === 'float64') return doubleToIntegral(x, 'int64');
      if (from === 'boolean') return `CAST(${boolCase(x, '1', '0')} AS ${ty})`;
      if (from === 'string') return stringToInt(x, 'int64');
      if (from === 'timestamp') return `CAST(floor(epoch_ms(${x}) / 1000.0) AS BIGINT)`;
      break;
    case 'float64':
      if (from === 'int32' || from === 'int64') return `CAST(${x} AS DOUBLE)`;
      if (from === 'boolean') return `CAST(${boolCase(x, '1', '0')} AS ${ty})`;
      if (from === 'string') return stringToDouble(x);
      break;
    case 'boolean':
      if (from === 'int32' || from === 'int64' || from === 'float64') return `(${x} <> 0)`;
      if (from === 'string') return stringToBoolean(x);
      break;
    case 'string':
      if (from === 'int32' || from === 'int64' || from === 'date' || from === 'timestamp') return `CAST(${x} AS VARCHAR)`;
      if (from === 'boolean') return boolCase(x, "'true'", "'false'");
      break;
    case 'date':
      if (from === 'timestamp') return `CAST(${x} AS DATE)`;
      break;
    case 'timestamp':
      if (from === 'date') return `CAST(${x} AS TIMESTAMP)`;
      if (from === 'int64') return `make_timestamp(CAST(${x} AS BIGINT) * 1000000)`;
      break;
  }
  throw new Error(`gen-spark-sql: no SQL for a cast from ${from} to ${to}`);
}

/**
 * One ORDER BY term with Spark's rules: NULLs first ascending, last descending; -0.0 equal to
 * 0.0; NaN above everything (DuckDB's own rule).
 */
export function orderTermSql(x: string, t: TypeName, ascending: boolean): string {
  const value = t === 'float64' ? `(CASE WHEN ${x} = 0 THEN CAST(0 AS DOUBLE) ELSE ${x} END)` : x;
  return `${value} ${ascending ? 'ASC NULLS FIRST' : 'DESC NULLS LAST'}`;
}
