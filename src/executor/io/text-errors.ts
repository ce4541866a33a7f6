// The error a FAILFAST read throws on the first malformed record: it names the file, the
// 1-based line where the record starts, the 1-based column and its name, and the reason.
import type { DataType } from '../../planner/types.js';

export class MalformedRecordError extends Error {
  override name = 'MalformedRecordError';
  constructor(
    readonly format: 'CSV' | 'JSON',
    readonly file: string,
    readonly line: number,
    /** 1-based column (field) number, or null when the record as a whole is broken. */
    readonly column: number | null,
    readonly columnName: string | null,
    readonly reason: string,
  ) {
    const where = column === null ? '' : `, column ${column}${columnName === null ? '' : ` ('${columnName}')`}`;
    super(
      `malformed ${format} record in ${file} at line ${line}${where}: ${reason} ` +
      `(mode FAILFAST; use mode 'DROPMALFORMED' to skip such records or 'PERMISSIVE' to keep them with a ${'_corrupt_record'} column)`,
    );
  }
}

/** A value for a message: quoted, control characters escaped, long text cut. */
export function showText(s: string): string {
  const cut = s.length > 60 ? s.slice(0, 60) + '…' : s;
  return `'${cut.replace(/[\x00-\x1f]/g, (c) => JSON.stringify(c).slice(1, -1))}'`;
}

/** Why `text` is not a value of `type` (the parser already said it is not). */
export function valueFailureReason(type: DataType, text: string): string {
  const t = text.trim();
  if ((type === 'int32' || type === 'int64') && /^[+-]?\d+$/.test(t)) {
    return `${showText(text)} is out of range for ${type}`;
  }
  if (type === 'date') return `cannot parse ${showText(text)} as date (expected YYYY-MM-DD)`;
  if (type === 'timestamp') {
    return `cannot parse ${showText(text)} as timestamp (expected YYYY-MM-DD[ |T]HH:MM[:SS[.fff]][Z|±HH:MM])`;
  }
  if (type === 'boolean') return `cannot parse ${showText(text)} as boolean (expected true or false)`;
  return `cannot parse ${showText(text)} as ${type}`;
}

/** What a quarantined record's `reason` says: the column (when one is to blame) and why. */
export function recordReason(e: MalformedRecordError): string {
  if (e.column === null) return e.reason;
  return `column ${e.column}${e.columnName === null ? '' : ` ('${e.columnName}')`}: ${e.reason}`;
}
