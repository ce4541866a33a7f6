// Sparrow's logical data types and schemas. The planner reasons about these; the executor
// maps each to a physical column layout (see src/executor/batch.ts).

export type DataType = 'int32' | 'int64' | 'float64' | 'string' | 'boolean' | 'date' | 'timestamp';

export const DATA_TYPES: readonly DataType[] = [
  'int32', 'int64', 'float64', 'string', 'boolean', 'date', 'timestamp',
];

export interface Field {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
}

export type Schema = readonly Field[];

export function field(name: string, type: DataType, nullable = true): Field {
  return { name, type, nullable };
}

export function isNumeric(t: DataType): boolean {
  return t === 'int32' || t === 'int64' || t === 'float64';
}

export function isIntegral(t: DataType): boolean {
  return t === 'int32' || t === 'int64';
}

/** Numeric type two operands are widened to (int32 < int64 < float64), or null if not both numeric. */
export function widerNumeric(a: DataType, b: DataType): DataType | null {
  if (!isNumeric(a) || !isNumeric(b)) return null;
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'int64' || b === 'int64') return 'int64';
  return 'int32';
}

/** Estimated bytes one value of the type occupies in memory (strings: a documented guess). */
export function typeWidth(t: DataType): number {
  switch (t) {
    case 'int32': case 'date': return 4;
    case 'int64': case 'float64': case 'timestamp': return 8;
    case 'boolean': return 1;
    case 'string': return 20;
  }
}

export function schemaToString(schema: Schema): string {
  return schema.map((f) => `${f.name}: ${f.type}${f.nullable ? '' : ' not null'}`).join(', ');
}

export function parseTypeName(name: string, where: string): DataType {
  const lower = name.toLowerCase();
  const aliases: Record<string, DataType> = {
    int: 'int32', integer: 'int32', int32: 'int32', long: 'int64', bigint: 'int64', int64: 'int64',
    double: 'float64', float: 'float64', float64: 'float64', string: 'string', utf8: 'string',
    boolean: 'boolean', bool: 'boolean', date: 'date', timestamp: 'timestamp',
  };
  const t = aliases[lower];
  if (!t) {
    throw new Error(`${where}: unknown type '${name}'; expected one of ${DATA_TYPES.join(', ')}`);
  }
  return t;
}

export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
