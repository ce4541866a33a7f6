// Deterministic test rows for the end-to-end tests: every column has NULLs, numbers have
// negatives, zeros (and -0.0), strings have the empty string, case variants and non-ASCII text
// whose UTF-8 byte order differs from JavaScript's UTF-16 order ('\uFF21' < '😀' in UTF-8).
import type { Row, TypeName } from './e2e.js';

export const STRINGS = [
  'apple', 'Apple', 'banana', '', 'Zoë', 'zoe', '日本', '😀', '\uFF21', 'a b', 'ä', 'z', 'O\'Brien', 'x,y', 'line\nbreak',
] as const;

export const MIXED_SCHEMA: Readonly<Record<string, TypeName>> = {
  id: 'int64', a: 'int64', q: 'int32', b: 'float64', s: 'string', flag: 'boolean', d: 'date',
};

/** n rows of MIXED_SCHEMA; NULLs at different periods per column so combinations occur. */
export function mixedRows(n: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const bRaw = (((i * 13) % 17) - 8) / 4;
    rows.push({
      id: i,
      a: i % 7 === 3 ? null : ((i * 37) % 41) - 20,
      q: i % 11 === 5 ? null : ((i * 7) % 9) - 4,
      b: i % 5 === 2 ? null : i % 23 === 0 ? -0 : bRaw,
      s: i % 6 === 1 ? null : STRINGS[(i * 5) % STRINGS.length],
      flag: i % 9 === 4 ? null : i % 3 === 0,
      d: i % 13 === 7 ? null : new Date(Date.UTC(2024, 0, 1 + (i % 40))),
    });
  }
  return rows;
}
