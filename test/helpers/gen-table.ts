// Random tables for the property-based test. A "world" is 1–3 tables that share join-key
// columns (k0, k1, ...: the same name and a compatible type in every table that has them, values
// drawn mostly from one shared domain so that keys match across tables), plus value columns
// whose names are unique across the world (t0c0, t1c2, ...), so joins never clash by accident.
// Row counts include 0 and 1; columns include all-NULL ones, skewed ones and duplicates.
import type { Rand } from './gen-random.js';
import type { Row, TypeName } from './e2e.js';
import { type Flavor, type ValueSource, FLAVORS_OF, drawValue, numericMeta, pool, valueSource } from './gen-values.js';

export interface ColumnSpec {
  readonly name: string;
  readonly type: TypeName;
  readonly source: ValueSource;
  /** Largest finite magnitude of its numbers, and their binary fraction digits (see gen-values). */
  readonly bound: number;
  readonly frac: number;
}

export interface TableSpec {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  readonly rows: readonly Row[];
}

/** A join-key column shared by tables: its family of types and the values tables share. */
interface KeySpec {
  readonly name: string;
  readonly types: readonly TypeName[];
  readonly flavor: Flavor;
  readonly shared: readonly unknown[];
}

export interface World {
  readonly tables: readonly TableSpec[];
}

const KEY_FAMILIES: readonly (readonly [Omit<KeySpec, 'name' | 'shared'>, number])[] = [
  [{ types: ['int32', 'int64'], flavor: 'int32-small' }, 5],
  [{ types: ['int64'], flavor: 'int64-wide' }, 1],
  [{ types: ['string'], flavor: 'string-key' }, 4],
  [{ types: ['float64'], flavor: 'float-exact' }, 2],
  [{ types: ['float64', 'int32'], flavor: 'int32-small' }, 1],
  [{ types: ['date'], flavor: 'date' }, 1],
  [{ types: ['timestamp'], flavor: 'timestamp' }, 0.5],
  [{ types: ['boolean'], flavor: 'boolean' }, 0.5],
];

const VALUE_TYPES: readonly (readonly [TypeName, number])[] = [
  ['int32', 3], ['int64', 3], ['float64', 3], ['string', 3], ['boolean', 1], ['date', 1], ['timestamp', 1],
];

function rowCount(r: Rand): number {
  return r.weighted<() => number>([
    [() => 0, 0.8], [() => 1, 0.8], [() => r.int(2, 5), 1.5], [() => r.int(6, 60), 5], [() => r.int(61, 250), 1.9], [() => r.int(1000, 4000), 0.2],
  ])();
}

function column(r: Rand, name: string, type: TypeName, flavor: Flavor, shared?: readonly unknown[]): ColumnSpec {
  const source = valueSource(r, flavor, shared);
  const meta = numericMeta([...source.domain, source.hot]);
  return { name, type, source, ...meta };
}

function table(r: Rand, index: number, keys: readonly KeySpec[]): TableSpec {
  const name = `t${index}`;
  const mine = keys.length === 0 ? [] : r.subset(keys, 1, Math.min(2, keys.length));
  const cols: ColumnSpec[] = mine.map((k) => column(r, k.name, r.pick(k.types), k.flavor, k.shared));
  const nValues = r.int(1, 4);
  for (let i = 0; i < nValues; i++) {
    const type = r.weighted(VALUE_TYPES);
    // Now and then a name that needs quoting everywhere (space, non-ASCII).
    const cname = r.chance(0.05) ? `${name} ü${i}` : `${name}c${i}`;
    cols.push(column(r, cname, type, r.pick(FLAVORS_OF[type])));
  }
  const ordered = r.shuffle(cols);
  const n = rowCount(r);
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const row: Row = {};
    for (const c of ordered) row[c.name] = drawValue(r, c.source);
    rows.push(row);
  }
  return { name, columns: ordered, rows };
}

/** 1–3 tables sharing 1–3 key columns. */
export function genWorld(r: Rand): World {
  const nKeys = r.int(1, 3);
  const keys: KeySpec[] = [];
  for (let i = 0; i < nKeys; i++) {
    const fam = r.weighted(KEY_FAMILIES);
    const all = pool(fam.flavor);
    keys.push({ name: `k${i}`, ...fam, shared: r.subset(all, 1, r.pick([2, 4, 8])) });
  }
  const nTables = r.weighted<number>([[1, 1], [2, 3], [3, 2]]);
  return { tables: Array.from({ length: nTables }, (_, i) => table(r, i, keys)) };
}

export function schemaOf(t: TableSpec): Record<string, TypeName> {
  return Object.fromEntries(t.columns.map((c) => [c.name, c.type]));
}
