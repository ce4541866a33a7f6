// A lossless text key for plain data (expression trees, plans): equal data give equal keys,
// different data give different keys, whatever order an object's properties were written in.
// JSON.stringify is not one: it writes NaN, Infinity and -Infinity as null and -0 as 0 (so a
// kernel compiled for lit(NaN) would be found under lit(Infinity)'s key), throws on bigints and
// writes a Date as a string.
//
// The text: numbers as JavaScript writes them (1.5, 1e+21, NaN, Infinity, -Infinity) but -0 as
// -0; bigints with an n suffix (5n); Dates as D(<ms since the epoch>); strings JSON-quoted;
// true, false, null, undefined (an array element); arrays as [a,b]; objects as {"k":v,...} with keys sorted and undefined
// properties left out (as JSON does). Unquoted tokens never start with a quote and no two kinds
// share a token, so the text parses back to one value only.

/** Text JSON.stringify would quote as is (no escapes): quoted without calling it, which is faster. */
const PLAIN = /^[A-Za-z0-9_$#@.]*$/;

/** The canonical key of `v` (throws on functions, symbols, Maps and Sets, which plain data never holds). */
export function canonicalKey(v: unknown): string {
  switch (typeof v) {
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'string': return PLAIN.test(v) ? `"${v}"` : JSON.stringify(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return `${v}n`;
    case 'undefined': return 'undefined';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) s += (i > 0 ? ',' : '') + canonicalKey(v[i]);
        return s + ']';
      }
      if (v instanceof Date) return `D(${v.getTime()})`;
      if (v instanceof Map || v instanceof Set) throw new Error('canonicalKey(): cannot key a Map or a Set (their entries are not properties)');
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      let s = '{';
      let first = true;
      for (const k of keys) {
        const x = o[k];
        if (x === undefined) continue;
        s += `${first ? '' : ','}${PLAIN.test(k) ? `"${k}"` : JSON.stringify(k)}:${canonicalKey(x)}`;
        first = false;
      }
      return s + '}';
    }
    default: throw new Error(`canonicalKey(): cannot key a ${typeof v} (plain data only: numbers, strings, booleans, bigints, null, Dates, arrays, objects)`);
  }
}
